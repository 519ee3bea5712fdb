"""The shipment form: smart paste, recipient, parcel, service, tracking number, sender preset.

Keyboard-first for a counter clerk: a sensible tab order, Enter moves to the next field, and
the tracking field accepts a barcode scanner (a keyboard wedge types fast and ends with Enter).
Every field carries the dotted name validation speaks ("recipient.phone"), so a FieldError is
shown beside the field it names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
    QPushButton, QSizePolicy, QToolButton, QVBoxLayout, QWidget,
)

from desktop.i18n import _
from desktop.paths import resources_dir
from desktop.shipment import PARTY_FIELDS
from desktop.i18n import N_

COUNTRIES = ("CN", "BR", "HK", "TW", "MO", "US", "PT", "DE", "GB", "JP", "KR", "SG", "FR", "ES", "IT")

# (key, caption, row, column, column span) on a six-column grid.
# Captions are marked here and translated where the form is built (the clerk's language).
RECIPIENT_LAYOUT = (
    ("name", N_("Name"), 0, 0, 3), ("phone", N_("Phone"), 0, 3, 3),
    ("country", N_("Country"), 1, 0, 1), ("postcode", N_("Postcode"), 1, 1, 2),
    ("province", N_("Province / UF"), 1, 3, 3),
    ("city", N_("City"), 2, 0, 3), ("district", N_("District"), 2, 3, 3),
    ("street", N_("Street"), 3, 0, 6),
    ("detail", N_("Building / unit / room (hidden on the label)"), 4, 0, 6),
)
SENDER_CAPTIONS = {"detail": N_("Building / unit / room")}
PARCEL_LAYOUT = (
    ("parcel.weight_kg", N_("Weight kg"), 0, 0, 1), ("parcel.pieces", N_("Pieces"), 0, 1, 1),
    ("parcel.declared_value", N_("Value"), 0, 2, 1), ("service", N_("Service"), 0, 3, 3),
    ("parcel.items", N_("Contents"), 1, 0, 6),
)


SERVICE_NAMES = {
    "standard": N_("Standard"), "express": N_("Express"), "economy": N_("Economy"),
    "international": N_("International"),
}


def service_names() -> dict[str, str]:
    """Service code -> its name in the clerk's language (codes without one, such as the
    Brazilian PAC and SEDEX, show as they are)."""
    try:
        data = json.loads((resources_dir() / "templates" / "services.json").read_text(encoding="utf-8"))
        codes = list(data.get("services", {}))
    except (OSError, ValueError):
        codes = ["standard", "express"]
    return {code: _(SERVICE_NAMES[code]) if code in SERVICE_NAMES else code for code in codes}


@dataclass
class FieldCell:
    key: str
    caption: QLabel
    editor: QWidget
    message: QLabel

    def text(self) -> str:
        if isinstance(self.editor, QComboBox):
            if self.editor.isEditable():
                return self.editor.currentText().strip()
            data = self.editor.currentData()
            return str(data) if data is not None else self.editor.currentText()
        return self.editor.text()

    def set_text(self, value: str) -> None:
        if isinstance(self.editor, QComboBox):
            idx = self.editor.findData(value)
            if idx < 0:
                idx = self.editor.findText(value)
            if idx >= 0:
                self.editor.setCurrentIndex(idx)
            else:
                self.editor.setEditText(value)
        else:
            self.editor.setText(value)


def _state(widget: QWidget) -> str:
    return getattr(widget, "_sigilo_state", "")


def _set_state(widget: QWidget, state: str) -> None:
    """Drive the stylesheet: state is "", "error", "warning" or "uncertain"."""
    if _state(widget) == state:
        return
    widget._sigilo_state = state  # read back from Python: QObject.property() of an unset name is unsafe
    widget.setProperty("state", state)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class _EnterMovesOn(QObject):
    """Enter in a line edit moves to the next field, as clerks expect from paper-form software."""

    def __init__(self, form: "ShipmentForm") -> None:
        super().__init__(form)
        self.form = form

    def eventFilter(self, obj, event):  # noqa: N802 - Qt naming
        if event.type() == QEvent.KeyPress and event.key() in (Qt.Key_Return, Qt.Key_Enter) \
                and not event.modifiers() & (Qt.ControlModifier | Qt.AltModifier):
            if obj is self.form.tracking_edit():
                self.form.tracking_entered.emit(self.form.tracking_edit().text().strip())
            combo = obj if isinstance(obj, QComboBox) else obj.parent() if isinstance(obj.parent(), QComboBox) else None
            if combo is not None and combo.view().isVisible():
                return False  # Enter picks from the open list first
            self.form.focusNextChild()
            return True
        if event.type() == QEvent.FocusOut and event.reason() != Qt.PopupFocusReason:
            self.form.field_left(obj)
        return False


class ShipmentForm(QWidget):
    changed = Signal()
    tracking_entered = Signal(str)
    draw_tracking_requested = Signal()
    paste_applied = Signal(object)  # the PasteResult

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shipmentForm")
        self.cells: dict[str, FieldCell] = {}
        self._filling = False
        self._presets: list = []
        self._enter = _EnterMovesOn(self)
        self._touched: set[str] = set()  # fields the clerk has left: their errors show from then on
        self._show_all = False  # print was pressed: every error shows
        self._last_messages: tuple[list, list] = ([], [])
        self.weight_typed = False  # the clerk typed the weight: the scale does not overwrite it
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)

        # smart paste
        paste_box = self._section(_("Smart paste"), _("Ctrl+Shift+V pastes and fills; Ctrl+Enter fills from the text"))
        self.paste_edit = QPlainTextEdit()
        self.paste_edit.setObjectName("pasteEdit")
        self.paste_edit.setPlaceholderText(_("Paste the customer's message: name, phone and address, e.g. 张伟 13800138001 "
                                             "广东省深圳市南山区科技园南路88号…"))
        self.paste_edit.setTabChangesFocus(True)
        self.paste_edit.setFixedHeight(54)
        self.paste_edit.installEventFilter(self)
        self.paste_note = QLabel("")
        self.paste_note.setObjectName("pasteNote")
        self.paste_note.setWordWrap(True)
        self.paste_note.setVisible(False)
        self.paste_button = QPushButton(_("Fill fields"))
        self.paste_button.setObjectName("pasteButton")
        self.paste_button.setFocusPolicy(Qt.NoFocus)
        self.paste_button.clicked.connect(self.apply_paste)
        row = QHBoxLayout()
        row.addWidget(self.paste_edit, 1)
        row.addWidget(self.paste_button, 0, Qt.AlignTop)
        paste_box.layout().addLayout(row)
        paste_box.layout().addWidget(self.paste_note)
        outer.addWidget(paste_box)

        # recipient
        rec = self._section(_("Recipient"), "")
        grid = self._grid(rec)
        for key, caption, r, c, span in RECIPIENT_LAYOUT:
            editor = self._country_combo() if key == "country" else QLineEdit()
            self._add_cell(grid, f"recipient.{key}", _(caption), editor, r, c, span)
        outer.addWidget(rec)

        # parcel and service
        par = self._section(_("Parcel"), "")
        grid = self._grid(par)
        for key, caption, r, c, span in PARCEL_LAYOUT:
            if key == "service":
                editor = QComboBox()
                for code, shown in service_names().items():
                    editor.addItem(shown, code)
            else:
                editor = QLineEdit()
                if key == "parcel.pieces":
                    editor.setText("1")
            self._add_cell(grid, key, _(caption), editor, r, c, span)
        outer.addWidget(par)

        # tracking and order
        trk = self._section(_("Waybill"), _("scan the pre-printed barcode into Tracking, or Ctrl+T for the next number of the "
                                                "range"))
        grid = self._grid(trk)
        self._add_cell(grid, "tracking_number", _("Tracking number"), QLineEdit(), 0, 0, 3)
        self.draw_button = QToolButton()
        self.draw_button.setObjectName("drawTracking")
        self.draw_button.setText(_("Next from range"))
        self.draw_button.setFocusPolicy(Qt.NoFocus)
        self.draw_button.clicked.connect(self.draw_tracking_requested.emit)
        grid.addWidget(self.draw_button, 1, 3, 1, 1, Qt.AlignTop)
        self._add_cell(grid, "order_id", _("Order id"), QLineEdit(), 0, 4, 2)
        outer.addWidget(trk)

        # sender
        snd = self._section(_("Sender"), "")
        top = QHBoxLayout()
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("senderPreset")
        self.preset_combo.currentIndexChanged.connect(self._preset_chosen)
        self.preset_combo.installEventFilter(self._enter)  # Enter moves on from the preset too
        self.sender_toggle = QToolButton()
        self.sender_toggle.setText(_("Edit sender ▸"))
        self.sender_toggle.setCheckable(True)
        self.sender_toggle.setFocusPolicy(Qt.NoFocus)
        self.sender_summary = QLabel("")
        self.sender_summary.setObjectName("senderSummary")
        top.addWidget(QLabel(_("Preset")))
        top.addWidget(self.preset_combo, 1)
        top.addWidget(self.sender_toggle)
        snd.layout().addLayout(top)
        snd.layout().addWidget(self.sender_summary)
        self.sender_fields = QWidget()
        sgrid = QGridLayout(self.sender_fields)
        sgrid.setContentsMargins(0, 0, 0, 0)
        sgrid.setHorizontalSpacing(8)
        sgrid.setVerticalSpacing(2)
        for key, caption, r, c, span in RECIPIENT_LAYOUT:
            editor = self._country_combo() if key == "country" else QLineEdit()
            self._add_cell(sgrid, f"sender.{key}", _(SENDER_CAPTIONS.get(key, caption)), editor, r, c, span)
        self.business_check = QCheckBox(_("Business sender (shown in full)"))
        self.business_check.toggled.connect(self._edited)
        sgrid.addWidget(self.business_check, len(RECIPIENT_LAYOUT) * 3, 0, 1, 6)  # below the last field row
        self.sender_fields.setVisible(False)
        self.sender_toggle.toggled.connect(self._toggle_sender)
        snd.layout().addWidget(self.sender_fields)
        outer.addWidget(snd)
        outer.addStretch(1)

        self._set_tab_order()
        QShortcut(QKeySequence("Ctrl+Shift+V"), self, activated=self.paste_from_clipboard)
        QShortcut(QKeySequence("Ctrl+T"), self, activated=self.draw_tracking_requested.emit)

    # ------------------------------------------------------------------ building
    def _section(self, title: str, hint: str) -> QFrame:
        box = QFrame()
        box.setObjectName("section")
        lay = QVBoxLayout(box)
        lay.setContentsMargins(10, 6, 10, 8)
        lay.setSpacing(4)
        head = QHBoxLayout()
        t = QLabel(title)
        t.setObjectName("sectionTitle")
        head.addWidget(t)
        if hint:
            h = QLabel(hint)
            h.setObjectName("sectionHint")
            head.addWidget(h, 1, Qt.AlignRight)
        else:
            head.addStretch(1)
        lay.addLayout(head)
        return box

    def _grid(self, section: QFrame) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(0)
        for c in range(6):
            grid.setColumnStretch(c, 1)
        section.layout().addLayout(grid)
        return grid

    def _country_combo(self) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(True)
        combo.addItems(COUNTRIES)
        combo.setInsertPolicy(QComboBox.NoInsert)
        combo.lineEdit().textChanged.connect(self._edited)
        return combo

    def _add_cell(self, grid: QGridLayout, key: str, caption: str, editor: QWidget, row: int, col: int, span: int):
        cap = QLabel(caption)
        cap.setObjectName("caption")
        msg = QLabel("")
        msg.setObjectName("fieldMessage")
        msg.setWordWrap(True)
        msg.setVisible(False)
        editor.setObjectName(key)
        editor.setAccessibleName(caption)
        editor.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        if isinstance(editor, QLineEdit):
            editor.textEdited.connect(self._edited_field)
            editor.textChanged.connect(self._edited)
            editor.installEventFilter(self._enter)
            editor.setClearButtonEnabled(False)
        elif isinstance(editor, QComboBox):
            editor.currentIndexChanged.connect(self._edited)
            editor.installEventFilter(self._enter)  # the combo gets the key first when it has focus
            if editor.isEditable():
                editor.lineEdit().installEventFilter(self._enter)
        cap.setBuddy(editor)
        grid.addWidget(cap, row * 3, col, 1, span)
        grid.addWidget(editor, row * 3 + 1, col, 1, span)
        grid.addWidget(msg, row * 3 + 2, col, 1, span)
        self.cells[key] = FieldCell(key, cap, editor, msg)

    def _set_tab_order(self) -> None:
        order = [self.paste_edit] + [self.cells[f"recipient.{k}"].editor for k, *_ in RECIPIENT_LAYOUT] \
            + [self.cells[k].editor for k, *_ in PARCEL_LAYOUT] \
            + [self.cells["tracking_number"].editor, self.cells["order_id"].editor, self.preset_combo] \
            + [self.cells[f"sender.{k}"].editor for k, *_ in RECIPIENT_LAYOUT] + [self.business_check]
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

    def first_field(self) -> QWidget:
        return self.cells["recipient.name"].editor

    def tracking_edit(self) -> QLineEdit:
        return self.cells["tracking_number"].editor  # type: ignore[return-value]

    def editor(self, key: str) -> QWidget:
        return self.cells[key].editor

    # ------------------------------------------------------------------ data
    def data(self) -> dict:
        def party(prefix: str) -> dict:
            out = {k: self.cells[f"{prefix}.{k}"].text().strip() if k != "name" else self.cells[f"{prefix}.{k}"].text()
                   for k in PARTY_FIELDS}
            return out

        sender = party("sender")
        if self.business_check.isChecked():
            sender["business"] = True
        return {
            "order_id": self.cells["order_id"].text().strip(),
            "tracking_number": self.cells["tracking_number"].text().strip(),
            "service": self.cells["service"].text() or "standard",
            "sender": sender,
            "recipient": party("recipient"),
            "parcel": {
                "weight_kg": self.cells["parcel.weight_kg"].text().strip() or 0,
                "items": self.cells["parcel.items"].text().strip(),
                "declared_value": self.cells["parcel.declared_value"].text().strip() or 0,
                "pieces": self.cells["parcel.pieces"].text().strip() or 1,
            },
        }

    def set_data(self, data: dict) -> None:
        self._filling = True
        try:
            for who in ("recipient", "sender"):
                for k in PARTY_FIELDS:
                    self.cells[f"{who}.{k}"].set_text(str((data.get(who) or {}).get(k, "") or ""))
            self.business_check.setChecked(bool((data.get("sender") or {}).get("business")))
            parcel = data.get("parcel") or {}
            for k in ("weight_kg", "items", "declared_value", "pieces"):
                value = parcel.get(k, "")
                self.cells[f"parcel.{k}"].set_text("" if value in (None, "") else str(value))
            for k in ("order_id", "tracking_number", "service"):
                self.cells[k].set_text(str(data.get(k, "") or ""))
        finally:
            self._filling = False
        self._update_sender_summary()
        self.changed.emit()

    def clear_for_next(self) -> None:
        """Esc / after printing: empty everything about this customer, keep the sender."""
        self._filling = True
        try:
            for key, cell in self.cells.items():
                if key.startswith("sender.") or key == "service":
                    continue
                if isinstance(cell.editor, QComboBox):
                    cell.set_text("CN" if key.endswith("country") else "")
                else:
                    cell.editor.clear()
            self.cells["parcel.pieces"].set_text("1")
            self.paste_edit.clear()
            self.paste_note.setText("")
            self.paste_note.setVisible(False)
            for cell in self.cells.values():
                _set_state(cell.editor, "")
                cell.message.setVisible(False)
            self._touched.clear()
            self._show_all = False
            self.weight_typed = False
        finally:
            self._filling = False
        self.changed.emit()
        self.first_field().setFocus()

    def show_note(self, text: str) -> None:
        """A note above the fields (what a paste or a correction left to the clerk)."""
        self.paste_note.setText(text)
        self.paste_note.setVisible(bool(text))

    # ------------------------------------------------------------------ validation display
    def field_left(self, editor) -> None:
        """The clerk left a field: from now on its errors show (a new form shows none)."""
        key = self._key_of(editor)
        if key is None or key in self._touched:
            return
        if not self.cells[key].text().strip() and not self._show_all:
            return  # passing over an empty field by Tab is not a mistake yet
        self._touched.add(key)
        self.show_messages(*self._last_messages)

    def _key_of(self, editor) -> str | None:
        for key, cell in self.cells.items():
            if editor is cell.editor or (isinstance(cell.editor, QComboBox) and editor is cell.editor.lineEdit()):
                return key
        return None

    def reveal_all_messages(self) -> None:
        """Print was pressed: every field's error shows."""
        self._show_all = True

    def caption_of(self, key: str) -> str:
        """A field as the form labels it ("Phone 电话", "Sender: City 市")."""
        text = self.cells[key].caption.text() if key in self.cells else key
        return _("Sender: {field}").format(field=text) if key.startswith("sender.") else text

    def focus_field(self, key: str) -> None:
        """Put the cursor in a field, opening the sender section when it is there."""
        if key.startswith("sender.") and not self.sender_toggle.isChecked():
            self.sender_toggle.setChecked(True)
        if key in self.cells:
            self.cells[key].editor.setFocus()

    def ordered_keys(self) -> list[str]:
        """Field keys in the order Tab walks them."""
        return ([f"recipient.{k}" for k, *_ in RECIPIENT_LAYOUT] + [k for k, *_ in PARCEL_LAYOUT]
                + ["tracking_number", "order_id"] + [f"sender.{k}" for k, *_ in RECIPIENT_LAYOUT])

    def is_filled(self) -> bool:
        """Anything typed about this customer (what Esc would throw away)."""
        if self.paste_edit.toPlainText().strip():
            return True
        for key, cell in self.cells.items():
            if key.startswith("sender.") or key in ("service", "recipient.country", "parcel.pieces"):
                continue
            if cell.text().strip():
                return True
        return False

    def show_messages(self, errors: list, warnings: list) -> None:
        self._last_messages = (list(errors), list(warnings))
        shown = (lambda key: True) if self._show_all else (lambda key: key in self._touched)
        errors = [e for e in errors if shown(e.field)]
        warnings = [w for w in warnings if shown(w.field)]
        by_field: dict[str, tuple[str, str]] = {}
        for w in warnings:
            by_field.setdefault(w.field, ("warning", w.message))
        for e in errors:
            if by_field.get(e.field, ("",))[0] != "error":
                by_field[e.field] = ("error", e.message)
        for key, cell in self.cells.items():
            state, message = by_field.get(key, ("", ""))
            if _state(cell.editor) != "uncertain":  # the paste highlight stays until edited
                _set_state(cell.editor, state)
            cell.message.setText(message)
            cell.message.setProperty("state", state)
            cell.message.style().unpolish(cell.message)
            cell.message.style().polish(cell.message)
            cell.message.setVisible(bool(message))

    def message_for(self, key: str) -> str:
        cell = self.cells[key]
        return cell.message.text() if cell.message.isVisibleTo(self) else ""

    def state_of(self, key: str) -> str:
        return _state(self.cells[key].editor)

    # ------------------------------------------------------------------ smart paste
    def eventFilter(self, obj, event):  # noqa: N802
        if obj is self.paste_edit and event.type() == QEvent.KeyPress \
                and event.key() in (Qt.Key_Return, Qt.Key_Enter) and event.modifiers() & Qt.ControlModifier:
            self.apply_paste()
            return True
        return super().eventFilter(obj, event)

    def paste_from_clipboard(self) -> None:
        from PySide6.QtWidgets import QApplication

        text = QApplication.clipboard().text()
        if text:
            self.paste_edit.setPlainText(text)
            self.apply_paste()

    def apply_paste(self) -> None:
        from desktop.smartpaste import parse

        text = self.paste_edit.toPlainText()
        if not text.strip():
            return
        country = self.cells["sender.country"].text() or "CN"
        result = parse(text, default_country=country)
        self._filling = True
        try:
            for key in ("name", "phone", "country", "province", "city", "district", "street", "detail", "postcode"):
                cell = self.cells[f"recipient.{key}"]
                if key in result.fields or key in result.uncertain:
                    cell.set_text(result.get(key))
        finally:
            self._filling = False
        for key in ("name", "phone", "country", "province", "city", "district", "street", "detail", "postcode"):
            cell = self.cells[f"recipient.{key}"]
            _set_state(cell.editor, "uncertain" if key in result.uncertain else "")
        note = "; ".join(result.notes)
        if result.uncertain:
            note = _("Check the highlighted fields. {notes}").format(notes=note).strip()
        self.paste_note.setText(note)
        self.paste_note.setVisible(bool(note))
        self.changed.emit()
        self.paste_applied.emit(result)
        first_uncertain = next((self.cells[f"recipient.{k}"].editor for k, *_ in RECIPIENT_LAYOUT
                                if k in result.uncertain), None)
        (first_uncertain or self.cells["parcel.weight_kg"].editor).setFocus()

    # ------------------------------------------------------------------ sender presets
    def set_presets(self, presets: list) -> None:
        self._presets = list(presets)
        self.preset_combo.blockSignals(True)
        self.preset_combo.clear()
        self.preset_combo.addItem(_("(typed below)"), -1)
        for i, p in enumerate(self._presets):
            self.preset_combo.addItem(p.label, i)
        self.preset_combo.blockSignals(False)
        if self._presets:
            self.preset_combo.setCurrentIndex(1)
            self._preset_chosen(1)

    def _preset_chosen(self, index: int) -> None:
        i = self.preset_combo.itemData(index)
        if i is None or i < 0 or i >= len(self._presets):
            return
        party = self._presets[i].party
        self._filling = True
        try:
            for k in PARTY_FIELDS:
                self.cells[f"sender.{k}"].set_text(str(party.get(k, "") or ""))
            self.business_check.setChecked(bool(party.get("business")))
        finally:
            self._filling = False
        self._update_sender_summary()
        self.changed.emit()

    def _toggle_sender(self, on: bool) -> None:
        self.sender_fields.setVisible(on)
        self.sender_toggle.setText(_("Edit sender ▾") if on else _("Edit sender ▸"))

    def _update_sender_summary(self) -> None:
        d = {k: self.cells[f"sender.{k}"].text() for k in PARTY_FIELDS}
        parts = [d["name"], d["phone"], " ".join(x for x in (d["province"], d["city"], d["district"]) if x)]
        self.sender_summary.setText("  ·  ".join(p for p in parts if p) or _("No sender yet: choose a preset or edit the sender"))

    # ------------------------------------------------------------------ edits
    def scale_weight(self, kg: float) -> bool:
        """A settled weight from the counter scale fills the weight field, unless the clerk typed
        one for this customer. Returns True when it filled it."""
        if self.weight_typed:
            return False
        cell = self.cells["parcel.weight_kg"]
        cell.set_text(f"{kg:.3f}".rstrip("0").rstrip("."))
        _set_state(cell.editor, "")
        return True

    def _edited_field(self, _text: str = "") -> None:
        editor = self.sender()
        if editor is self.cells["parcel.weight_kg"].editor:
            self.weight_typed = bool(_text.strip())  # typed by hand; emptied: the scale fills it again
        if isinstance(editor, QWidget) and _state(editor) == "uncertain":
            _set_state(editor, "")  # the clerk looked at it

    def _edited(self, *_args) -> None:
        if self._filling:
            return
        if self.sender() is not None and str(self.sender().objectName()).startswith("sender."):
            self._update_sender_summary()
        self.changed.emit()
