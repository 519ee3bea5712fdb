"""The live label preview: the masked label exactly as it will print (the same composer and
raster renderer as the printer path), the QR size, and - where this station holds a scanner
key - what an authorized scanner would read from it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import _


class _LabelView(QLabel):
    """Shows the label pixmap scaled to fit, keeping its aspect ratio (the preview of a
    100x150 mm label must look like one)."""

    def __init__(self) -> None:
        super().__init__()
        self._pixmap: QPixmap | None = None
        self.demo = False  # demo keys: a DEMO stamp across the preview (the label proves nothing)
        self.setAlignment(Qt.AlignCenter)
        self.setMinimumSize(200, 300)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setObjectName("labelView")

    def set_label(self, pixmap: QPixmap | None) -> None:
        self._pixmap = pixmap
        self._rescale()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._rescale()

    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.demo or self._pixmap is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.translate(self.width() / 2, self.height() / 2)
        p.rotate(-35)
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(max(24, min(self.width(), self.height()) // 5))
        p.setFont(font)
        p.setPen(QColor(217, 48, 37, 150))
        p.drawText(-self.width(), -self.height() // 2, 2 * self.width(), self.height(), Qt.AlignCenter, "DEMO")
        p.end()

    def _rescale(self) -> None:
        if self._pixmap is None or self._pixmap.isNull():
            self.setPixmap(QPixmap())
            return
        ratio = self.devicePixelRatioF()
        size = self.contentsRect().size() * ratio
        scaled = self._pixmap.scaled(size, Qt.KeepAspectRatio, Qt.SmoothTransformation)
        scaled.setDevicePixelRatio(ratio)
        self.setPixmap(scaled)


class PreviewPanel(QFrame):
    scanner_view_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("previewPanel")
        self.image: QImage | None = None
        self.qr_text = ""
        self.masked: dict = {}
        self.generation = 0  # how many previews were shown; tests wait on it
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 8)
        lay.setSpacing(4)
        head = QHBoxLayout()
        title = QLabel(_("Label preview"))
        title.setObjectName("sectionTitle")
        self.state_label = QLabel("")
        self.state_label.setObjectName("previewState")
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.state_label)
        lay.addLayout(head)
        self.view = _LabelView()
        lay.addWidget(self.view, 1)
        self.scanner_text = QPlainTextEdit()
        self.scanner_text.setObjectName("scannerText")
        self.scanner_text.setReadOnly(True)
        self.scanner_text.setVisible(False)
        self.scanner_text.setFocusPolicy(Qt.NoFocus)
        lay.addWidget(self.scanner_text, 1)
        foot = QHBoxLayout()
        self.qr_label = QLabel(_("QR —"))
        self.qr_label.setObjectName("qrIndicator")
        self.scanner_check = QCheckBox(_("Show what a scanner reads"))
        self.scanner_check.setObjectName("scannerToggle")
        self.scanner_check.setFocusPolicy(Qt.NoFocus)
        self.scanner_check.toggled.connect(self._toggled)
        foot.addWidget(self.qr_label)
        foot.addStretch(1)
        foot.addWidget(self.scanner_check)
        lay.addLayout(foot)
        self.message = QLabel("")
        self.message.setObjectName("previewMessage")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)

    def show_preview(self, preview) -> None:
        image = QImage(preview.png_gray, preview.width, preview.height, preview.width, QImage.Format_Grayscale8).copy()
        self.image = image
        self.qr_text = preview.qr_text
        self.masked = preview.masked  # what the face shows of the recipient, as rendered
        self.view.set_label(QPixmap.fromImage(image))
        self.qr_label.setText(_("QR version {qr_version} · {qr_mm:.1f} mm · {n} chars · {dpi} dpi").format(qr_version=preview.qr_version, qr_mm=preview.qr_mm, n=len(preview.qr_text), dpi=preview.dpi))
        notes = list(preview.warnings)
        if preview.placeholder_tracking:
            notes.insert(0, _("tracking number not entered yet: the barcode shows a placeholder"))
        self.message.setText("\n".join(notes))
        self.message.setProperty("state", "warning" if notes else "")
        self._repolish(self.message)
        self.state_label.setText(_("rendered in {value:.0f} ms").format(value=preview.seconds * 1000))
        self.generation += 1

    def set_demo(self, demo: bool) -> None:
        self.view.demo = demo
        self.view.update()

    def show_problem(self, message: str, hint: str) -> None:
        """The label cannot be composed yet (a field missing, text too long): say so, and dim
        the last good preview rather than blanking it while the clerk types."""
        self.message.setText(message + (f" — {hint}" if hint else ""))
        self.message.setProperty("state", "error")
        self._repolish(self.message)
        self.state_label.setText(_("not up to date"))
        self.generation += 1

    def set_busy(self, busy: bool) -> None:
        if busy:
            self.state_label.setText(_("updating…"))

    def set_scanner_available(self, available: bool, why: str = "") -> None:
        self.scanner_check.setEnabled(available)
        self.scanner_check.setToolTip("" if available else why)
        if not available:
            self.scanner_check.setChecked(False)

    def show_scanner_reading(self, text: str) -> None:
        self.scanner_text.setPlainText(text)

    def _toggled(self, on: bool) -> None:
        self.scanner_text.setVisible(on)
        self.view.setVisible(not on)
        self.scanner_view_toggled.emit(on)

    @staticmethod
    def _repolish(w: QWidget) -> None:
        w.style().unpolish(w)
        w.style().polish(w)
