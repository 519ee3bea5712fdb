"""The printer panel: which printer, template and how many copies; a status light refreshed in
the background; a test print; calibration offsets and darkness/speed where the printer's
language has them."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSpinBox,
    QToolButton, QVBoxLayout, QWidget,
)

from desktop.ui import config
from desktop.i18n import N_, _
from desktop.ui.elided import ElidedLabel

LIGHTS = {
    "READY": (N_("ready"), "#1f9d55"), "PRINTING": (N_("printing"), "#1f9d55"),
    "PAPER_OUT": (N_("paper out"), "#d93025"), "HEAD_OPEN": (N_("head open"), "#d93025"),
    "RIBBON_OUT": (N_("ribbon out"), "#d93025"), "PAUSED": (N_("paused"), "#e8a100"),
    "OFFLINE": (N_("offline"), "#d93025"), "UNKNOWN": (N_("status unknown"), "#8a8f98"),
}
# languages whose printers take darkness / speed settings in the job
TUNABLE = {"tspl": (True, True), "zpl": (True, True), "escpos": (False, False), "pdf": (False, False)}


def profile_display_name(profile: str) -> str:
    """The printer model a profile describes ("Zebra ZD421 / ZD621 / GK420d, 203 dpi"), or
    the PDF writer's description."""
    if profile == "pdf":
        return "PDF files at true size (office printer)"
    try:
        from printers.profiles import load_profile

        return _(load_profile(profile).display_name)  # data, translated by its catalog entry
    except Exception:  # noqa: BLE001 - a profile file of the user's own that is broken: show its name
        return profile


class PrinterPanel(QFrame):
    print_requested = Signal()
    test_print_requested = Signal()
    calibrate_requested = Signal()  # the media calibration dialog (desktop.ui.calibrate_dialog)
    printer_changed = Signal()
    refresh_status = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printerPanel")
        self.state = "UNKNOWN"
        self._loading = True
        self.printers: list[config.PrinterConfig] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 8)
        lay.setSpacing(6)
        title = QLabel(_("Printer"))
        title.setObjectName("sectionTitle")
        head = QHBoxLayout()
        head.addWidget(title)
        self.light = QLabel()
        self.light.setObjectName("statusLight")
        self.light.setFixedSize(14, 14)
        self.status_text = ElidedLabel(_("status unknown"))  # a long fault text never widens the window
        self.status_text.setObjectName("statusText")
        head.addWidget(self.light)
        head.addWidget(self.status_text, 1)
        lay.addLayout(head)

        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        self.printer_combo = QComboBox()
        self.printer_combo.setObjectName("printerCombo")
        self.printer_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.printer_combo.setMinimumContentsLength(16)  # a long found-printer name never widens the page
        self.template_combo = QComboBox()
        self.template_combo.setObjectName("templateCombo")
        self.copies = QSpinBox()
        self.copies.setObjectName("copies")
        self.copies.setRange(1, 99)
        grid.addWidget(QLabel(_("Printer")), 0, 0)
        grid.addWidget(self.printer_combo, 0, 1, 1, 3)
        grid.addWidget(QLabel(_("Template")), 1, 0)
        grid.addWidget(self.template_combo, 1, 1)
        grid.addWidget(QLabel(_("Copies")), 1, 2)
        grid.addWidget(self.copies, 1, 3)
        grid.setColumnStretch(1, 1)
        lay.addLayout(grid)

        buttons = QHBoxLayout()
        self.print_button = QPushButton(_("Print  (Ctrl+P)"))
        self.print_button.setObjectName("printButton")
        self.print_button.setFocusPolicy(Qt.NoFocus)
        self.print_button.clicked.connect(self.print_requested)
        self.test_button = QPushButton(_("Test print"))
        self.test_button.setFocusPolicy(Qt.NoFocus)
        self.test_button.clicked.connect(self.test_print_requested)
        self.cal_toggle = QToolButton()
        self.cal_toggle.setText(_("Calibrate ▸"))
        self.cal_toggle.setCheckable(True)
        self.cal_toggle.setFocusPolicy(Qt.NoFocus)
        buttons.addWidget(self.print_button, 2)
        buttons.addWidget(self.test_button, 1)
        buttons.addWidget(self.cal_toggle)
        lay.addLayout(buttons)

        self.cal_box = QWidget()
        cal = QGridLayout(self.cal_box)
        cal.setContentsMargins(0, 0, 0, 0)
        self.offset_x = self._mm_spin()
        self.offset_y = self._mm_spin()
        self.darkness = QSpinBox()
        self.darkness.setRange(0, 30)
        self.darkness.setSpecialValueText(_("printer default"))
        self.speed = QSpinBox()
        self.speed.setRange(0, 14)
        self.speed.setSpecialValueText(_("printer default"))
        cal.addWidget(QLabel(_("Offset x mm")), 0, 0)
        cal.addWidget(self.offset_x, 0, 1)
        cal.addWidget(QLabel(_("Offset y mm")), 0, 2)
        cal.addWidget(self.offset_y, 0, 3)
        cal.addWidget(QLabel(_("Darkness")), 1, 0)
        cal.addWidget(self.darkness, 1, 1)
        cal.addWidget(QLabel(_("Speed ips")), 1, 2)
        cal.addWidget(self.speed, 1, 3)
        self.media_button = QPushButton(_("Calibrate labels (gap, black mark, size)..."))
        self.media_button.setObjectName("calibrateMedia")
        self.media_button.clicked.connect(self.calibrate_requested)
        cal.addWidget(self.media_button, 2, 0, 1, 4)
        self.cal_box.setVisible(False)
        self.cal_toggle.toggled.connect(self._toggle_cal)
        lay.addWidget(self.cal_box)
        for w in (self.offset_x, self.offset_y, self.darkness, self.speed):
            w.valueChanged.connect(self._save_calibration)

        self.printer_combo.currentIndexChanged.connect(self._printer_chosen)
        self.template_combo.currentIndexChanged.connect(self._template_chosen)
        self.timer = QTimer(self)
        self.timer.setInterval(5000)
        self.timer.timeout.connect(self.refresh_status)
        self.set_status("UNKNOWN", "")
        self._loading = False

    def _mm_spin(self) -> QDoubleSpinBox:
        s = QDoubleSpinBox()
        s.setRange(-20, 20)
        s.setSingleStep(0.25)
        s.setDecimals(2)
        return s

    def _toggle_cal(self, on: bool) -> None:
        self.cal_box.setVisible(on)
        self.cal_toggle.setText(_("Calibrate ▾") if on else _("Calibrate ▸"))

    # ------------------------------------------------------------------ choices
    def load(self, printers: list[config.PrinterConfig], templates: list[str]) -> None:
        self._loading = True
        self.printers = list(printers)
        self.printer_combo.clear()
        for i, p in enumerate(printers):
            self.printer_combo.addItem(p.name, p.name)
            self.printer_combo.setItemData(i, f"{profile_display_name(p.profile)}\n{p.uri}", Qt.ToolTipRole)
        self.template_combo.clear()
        self.template_combo.addItems(templates)
        want = config.get("print/printer", "")
        idx = self.printer_combo.findData(want)
        self.printer_combo.setCurrentIndex(max(0, idx))
        t = self.template_combo.findText(config.get("print/template", ""))
        if t >= 0:
            self.template_combo.setCurrentIndex(t)
        self.copies.setValue(1)  # copies are per customer: every start and every label begins at 1
        self._loading = False
        self._printer_chosen(self.printer_combo.currentIndex())

    def add_discovered(self, found: list) -> None:
        """Devices found on this machine that are not configured yet (printers.offers.FoundDevice),
        offered after the configured ones by model name (the profile is a guess from the USB
        ids or the maker; Settings can fix it)."""
        known = {p.uri for p in self.printers}
        keep = self.printer_combo.currentIndex()
        for dev in found:
            if dev.uri in known:
                continue
            name = _("found: {name} — {where}").format(name=_(dev.name), where=dev.where)
            self.printers.append(config.PrinterConfig(name, dev.uri, dev.profile))
            self.printer_combo.addItem(name, name)
            self.printer_combo.setItemData(self.printer_combo.count() - 1, f"{dev.name}\n{dev.uri}", Qt.ToolTipRole)
            known.add(dev.uri)
        self.printer_combo.setCurrentIndex(keep)

    def printer(self) -> config.PrinterConfig | None:
        i = self.printer_combo.currentIndex()
        return self.printers[i] if 0 <= i < len(getattr(self, "printers", [])) else None

    def template(self) -> str:
        return self.template_combo.currentText() or "waybill-100x150"

    def calibration(self) -> config.Calibration:
        return config.Calibration(self.offset_x.value(), self.offset_y.value(),
                                  self.darkness.value() or None, self.speed.value() or None)

    def _template_chosen(self, _index: int) -> None:
        if not self._loading:
            config.put("print/template", self.template())
            self.printer_changed.emit()  # the preview follows the template

    def _printer_chosen(self, _index: int) -> None:
        p = self.printer()
        if p is None or self._loading:
            return
        config.put("print/printer", p.name)
        cal = config.calibration(p.name)
        self._loading = True
        self.offset_x.setValue(cal.offset_x_mm)
        self.offset_y.setValue(cal.offset_y_mm)
        self.darkness.setValue(cal.darkness or 0)
        self.speed.setValue(cal.speed or 0)
        self._loading = False
        language = self._language(p.profile)
        dark, speed = TUNABLE.get(language, (False, False))
        self.darkness.setEnabled(dark)
        self.speed.setEnabled(speed)
        self.offset_x.setEnabled(p.profile != "pdf")
        self.offset_y.setEnabled(p.profile != "pdf")
        from printers.calibration import can_calibrate

        self.media_button.setEnabled(can_calibrate(language))
        self.set_status("UNKNOWN", "checking…")
        self.printer_changed.emit()
        self.refresh_status.emit()

    @staticmethod
    def _language(profile: str) -> str:
        if profile == "pdf":
            return "pdf"
        try:
            from printers.profiles import load_profile

            return load_profile(profile).language
        except Exception:  # noqa: BLE001 - an unknown profile simply has no tuning
            return ""

    def _save_calibration(self, *_args) -> None:
        p = self.printer()
        if p is not None and not self._loading:
            config.set_calibration(p.name, self.calibration())

    # ------------------------------------------------------------------ status
    def set_status(self, state: str, detail: str) -> None:
        self.state = state
        text, colour = LIGHTS.get(state, (state.lower().replace("_", " "), "#8a8f98"))
        text = _(text)
        self.light.setStyleSheet(f"background:{colour}; border-radius:7px;")
        self.status_text.setText(_("{state} — {detail}").format(state=text, detail=detail)
                                 if detail and state != "READY" else text)

    def set_printing(self, on: bool) -> None:
        self.print_button.setEnabled(not on)
        self.print_button.setText(_("Printing…") if on else _("Print  (Ctrl+P)"))
