"""The Calibrate dialog: the clerk says what labels are loaded (gaps, black mark or continuous,
and their size), the printer measures them through its queue worker (Station.calibrate, run as
a background op), and the result is shown in words - what the printer found, or what to do when
it found nothing. Offsets, darkness and speed stay on the printer panel (they are per label,
not per roll)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QFrame, QLabel, QPushButton,
    QVBoxLayout, QWidget,
)

from desktop.i18n import _
from desktop.ui.operations import Operations, describe_error


def sensors() -> list[tuple[str, str]]:
    """(sensor, what a clerk calls it), in the order offered."""
    return [("gap", _("Labels with gaps between them (die-cut)")),
            ("bline", _("Labels with a black mark on the back")),
            ("auto", _("Not sure: let the printer find gaps or marks")),
            ("continuous", _("Continuous paper (no gaps, no marks)"))]


class CalibrateDialog(QDialog):
    """Modal over the label page; ``calibrated`` carries the CalibrationResult of a success."""

    calibrated = Signal(object)
    test_print_requested = Signal()

    def __init__(self, ops: Operations, station, printer, template: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calibrateDialog")
        self.ops, self.station, self.printer = ops, station, printer
        self.setWindowTitle(_("Calibrate labels - {printer}").format(printer=printer.name))
        self.setMinimumWidth(460)
        lay = QVBoxLayout(self)
        intro = QLabel(_("Load the labels first. The printer then feeds a few of them to find where each "
                         "label starts, and measures them."))
        intro.setWordWrap(True)
        lay.addWidget(intro)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.sensor = QComboBox()
        self.sensor.setObjectName("calSensor")
        for key, words in sensors():
            self.sensor.addItem(words, key)
        self.width = self._mm(10, 300)
        self.length = self._mm(10, 1000)
        self.gap = self._mm(0, 30)
        self.width.setObjectName("calWidth")
        self.length.setObjectName("calLength")
        self.gap.setObjectName("calGap")
        self.gap_label = QLabel(_("Gap between labels (mm)"))
        form.addRow(_("Labels loaded"), self.sensor)
        form.addRow(_("Label width (mm)"), self.width)
        form.addRow(_("Label length (mm)"), self.length)
        form.addRow(self.gap_label, self.gap)
        lay.addLayout(form)

        self.result = QLabel()
        self.result.setObjectName("calResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.result.setFrameShape(QFrame.StyledPanel)
        self.result.setMinimumHeight(64)
        self.result.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        lay.addWidget(self.result)

        buttons = QDialogButtonBox()
        self.go = QPushButton(_("Calibrate"))
        self.go.setObjectName("calGo")
        self.go.setDefault(True)
        self.test = QPushButton(_("Print a test label"))
        self.test.setObjectName("calTest")
        self.test.setEnabled(False)
        close = QPushButton(_("Close"))
        buttons.addButton(self.go, QDialogButtonBox.AcceptRole)
        buttons.addButton(self.test, QDialogButtonBox.ActionRole)
        buttons.addButton(close, QDialogButtonBox.RejectRole)
        self.go.clicked.connect(self.start)
        self.test.clicked.connect(self.test_print_requested)
        close.clicked.connect(self.reject)
        lay.addWidget(buttons)
        self.sensor.currentIndexChanged.connect(self._sensor_chosen)
        self._defaults(template)
        self._sensor_chosen()
        self._offer()

    @staticmethod
    def _mm(lo: float, hi: float) -> QDoubleSpinBox:
        s = QDoubleSpinBox()
        s.setRange(lo, hi)
        s.setDecimals(1)
        s.setSingleStep(0.5)
        return s

    def _defaults(self, template: str) -> None:
        """What the printer was last calibrated for, else the template's label size."""
        width, length, gap, sensor = 100.0, 150.0, 2.0, "gap"
        try:
            from desktop.compose.templates import load_template

            t = load_template(template) if template else load_template()
            width, length = float(t.width_mm), float(t.height_mm)
        except Exception:  # noqa: BLE001 - an unreadable template: the common waybill size
            pass
        media = None
        try:
            media = self.station.printer_media(self.printer.uri)
        except Exception:  # noqa: BLE001 - no store answer: the template's size
            media = None
        if media:
            sensor = media.get("sensor", sensor)
            gap = float(media.get("gap_mm") or gap)
        self.width.setValue(width)
        self.length.setValue(length)
        self.gap.setValue(gap)
        self.sensor.setCurrentIndex(max(0, self.sensor.findData(sensor)))

    def _sensor_chosen(self, *_args) -> None:
        sensor = self.sensor.currentData()
        self.gap.setEnabled(sensor in ("gap", "bline"))
        self.gap_label.setText(_("Black mark height (mm)") if sensor == "bline" else _("Gap between labels (mm)"))

    def _offer(self) -> None:
        """A printer whose language has no calibration says so instead of offering it."""
        from printers.calibration import can_calibrate

        language = ""
        if self.printer.profile != "pdf":
            try:
                from printers.profiles import load_profile

                language = load_profile(self.printer.profile).language
            except Exception:  # noqa: BLE001
                language = ""
        if not can_calibrate(language):
            self.go.setEnabled(False)
            self.sensor.setEnabled(False)
            self.show_result(_("{printer} needs no calibration: it prints on plain paper or a continuous "
                               "receipt roll.").format(printer=self.printer.name), "info")

    def media(self):
        from printers.calibration import Media

        return Media(self.sensor.currentData(), self.width.value(), self.length.value(),
                     self.gap.value() if self.gap.isEnabled() else 0.0)

    def show_result(self, text: str, kind: str) -> None:
        colour = {"ok": "#1f7a3f", "warn": "#a15c00", "bad": "#b3261e"}.get(kind, "#333333")
        self.result.setStyleSheet(f"color:{colour}; padding:6px;")
        self.result.setText(text)
        self.result.setProperty("kind", kind)

    def start(self) -> None:
        if self.ops.is_busy("calibrate"):
            return
        media = self.media()
        self.go.setEnabled(False)
        self.test.setEnabled(False)
        self.show_result(_("Calibrating... the printer is feeding labels. This takes a few seconds."), "info")
        printer = self.printer
        self.ops.run(lambda: self.station.calibrate(printer, media), self._done, self._failed, key="calibrate")

    def _done(self, result) -> None:
        self.go.setEnabled(True)
        if result.ok:
            if result.gap_mm and self.gap.isEnabled():
                self.gap.setValue(result.gap_mm)  # what the printer measured, as the words say
            text = result.words + ("\n\n" + result.warning if result.warning else "")
            self.show_result(text, "warn" if result.warning else "ok")
            self.test.setEnabled(True)
            self.calibrated.emit(result)
        else:
            self.show_result(result.words, "bad")

    def _failed(self, exc) -> None:
        self.go.setEnabled(True)
        message, hint = describe_error(exc)
        self.show_result(_("Not calibrated: {message}.").format(message=message) + (f" {hint}" if hint else ""),
                         "bad")
