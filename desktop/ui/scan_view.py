"""Scan / verify: type or paste a QR text (a keyboard-wedge scanner types it), or open a photo
of a label. Where this machine holds a scanner key the decoded shipment is shown; otherwise a
clear "not authorized" - never the sealed details."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget,
)

from desktop import station as services
from desktop.ui import config
from desktop.i18n import _
from desktop.ui.scan_card import ScanCard
from desktop.ui.operations import Operations, describe_error


class ScanView(QWidget):
    status_message = Signal(str, int)
    opened = Signal(object)

    def __init__(self, ops: Operations, station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.station = station
        self.result: dict | None = None
        self.generation = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        title = QLabel(_("Scan / verify"))
        title.setObjectName("pageTitle")
        lay.addWidget(title)
        lay.addWidget(QLabel(_("Scan the QR (the scanner types it here) or paste its text, then Enter:")))
        self.qr_edit = QLineEdit()
        self.qr_edit.setObjectName("qrInput")
        self.qr_edit.setPlaceholderText(_("SG1:…"))
        row = QHBoxLayout()
        row.addWidget(self.qr_edit, 1)
        self.barcode_edit = QLineEdit()
        self.barcode_edit.setObjectName("barcodeInput")
        self.barcode_edit.setPlaceholderText(_("Code128 on the label (optional)"))
        self.barcode_edit.setMaximumWidth(260)
        row.addWidget(self.barcode_edit)
        open_button = QPushButton(_("Open image…"))
        verify = QPushButton(_("Verify"))
        row.addWidget(verify)
        row.addWidget(open_button)
        lay.addLayout(row)
        self.verdict = QLabel("")
        self.verdict.setObjectName("scanVerdict")
        self.verdict.setWordWrap(True)
        lay.addWidget(self.verdict)
        self.card = ScanCard()
        lay.addWidget(self.card, 1)
        self.details = QPlainTextEdit()  # why a label was refused, and what to do
        self.details.setObjectName("scanDetails")
        self.details.setReadOnly(True)
        self.details.setVisible(False)
        lay.addWidget(self.details, 1)
        self.qr_edit.returnPressed.connect(self.verify)
        self.barcode_edit.returnPressed.connect(self.verify)
        verify.clicked.connect(self.verify)
        open_button.clicked.connect(self.open_image_dialog)

    def verify(self) -> None:
        text = self.qr_edit.text().strip()
        if not text:
            return
        barcode = self.barcode_edit.text().strip() or None
        keys = config.scanner_keys_dir()
        self.verdict.setText(_("checking…"))
        self.ops.run(lambda: self.station.scan(text, keys, barcode), self._opened, self._refused, key="scan")

    def open_image(self, path: str) -> None:
        def work():
            return services.read_label(path)

        def got(pair):
            qr, code = pair
            if not qr:
                self._show_verdict(_("no QR code found in the image"), "error")
                return
            self.qr_edit.setText(qr)
            if code:
                self.barcode_edit.setText(code)
            self.verify()

        self.ops.run(work, got, self._refused, key="scan-image")

    def open_image_dialog(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Open a photo or scan of a label"), "",
                                              _("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff)"))
        if path:
            self.open_image(path)

    def _opened(self, result: dict) -> None:
        self.result = result
        self._show_verdict(_("Authentic: sealed by {station} for {tracking}").format(station=result.get('station_name', ''), tracking=result.get('tracking_number', '')), "ok")
        self.card.show_result(result, self.marks_for(result.get("tracking_number", "")))
        self.details.setVisible(False)
        self.generation += 1
        self.opened.emit(result)

    def _refused(self, exc) -> None:
        self.result = None
        message, hint = describe_error(exc)
        reason = getattr(exc, "reason", "")
        head = "Not authorized" if isinstance(exc, services.NotAuthorized) else "Refused"
        self._show_verdict(f"{head}: {message}" + (f" ({reason})" if reason and reason not in message else ""), "error")
        self.card.clear()
        self.details.setPlainText(hint)
        self.details.setVisible(bool(hint))
        self.generation += 1

    def marks_for(self, tracking: str) -> list[str]:
        """VOIDED / REPRINT from this station's own records of the tracking number."""
        if not tracking:
            return []
        try:
            rows = [r for r in self.station.history(tracking) if r.tracking_number == tracking]
        except Exception:  # noqa: BLE001 - the card still shows what the seal says
            return []
        marks = []
        voided = [r for r in rows if r.state == "voided"]
        if voided:
            marks.append(_("VOIDED: {reason}").format(reason=voided[0].reason or "—"))
        reprints = [r for r in rows if r.reprint_reason and r.state == "confirmed"]
        if reprints:
            marks.append(_("REPRINT ({n}×): {reason}").format(n=len(reprints), reason=reprints[0].reprint_reason))
        return marks

    def _show_verdict(self, text: str, state: str) -> None:
        self.verdict.setText(text)
        self.verdict.setProperty("state", state)
        self.verdict.style().unpolish(self.verdict)
        self.verdict.style().polish(self.verdict)
