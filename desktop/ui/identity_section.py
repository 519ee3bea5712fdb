"""The sender identity section of the label page (real-name sending).

A card on the reader (Read card), or the type, number and name typed and Record: the record is
sealed at once in a background op (desktop.identity), the number field is emptied, and the
section shows only the masked view, how it was taken and how often this sender was seen. The
page passes ``record_id`` to the print path, where the policy decides whether it is required.
The section is shown only at a station enrolled for real-name sending.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from desktop.i18n import _
from desktop.ui import config
from desktop.ui.operations import describe_error


def _types() -> list[tuple[str, str]]:
    from desktop.identity.types import ID_TYPES

    out = []
    for code, t in ID_TYPES.items():
        shown = _(t.title)
        out.append((code, shown if shown == t.title_zh else f"{shown} {t.title_zh}"))
    return out


class IdentitySection(QFrame):
    recorded = Signal(object)  # desktop.identity.book.Entered

    def __init__(self, ops, station, keys_dir, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("section")
        self.ops = ops
        self.station = station
        self.keys_dir = keys_dir  # a callable: the station keys folder may change in Settings
        self.record_id: str | None = None
        self.entered = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 8)
        lay.setSpacing(4)
        head = QHBoxLayout()
        title = QLabel(_("Sender identity 寄件人身份 (real-name sending)"))
        title.setObjectName("sectionTitle")
        head.addWidget(title)
        self.requirement = QLabel("")
        self.requirement.setObjectName("sectionHint")
        head.addWidget(self.requirement, 1, Qt.AlignRight)
        lay.addLayout(head)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self.type_combo = QComboBox()
        self.type_combo.setObjectName("identityType")
        for code, shown in _types():
            self.type_combo.addItem(shown, code)
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("identityNumber")
        self.number_edit.setPlaceholderText(_("ID number, as printed on the document"))
        self.number_edit.setInputMethodHints(Qt.ImhSensitiveData | Qt.ImhNoPredictiveText)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("identityName")
        self.name_edit.setPlaceholderText(_("Name, as printed on the document"))
        self.name_edit.setInputMethodHints(Qt.ImhSensitiveData | Qt.ImhNoPredictiveText)
        self.record_button = QPushButton(_("Record"))
        self.record_button.setObjectName("identityRecord")
        self.record_button.clicked.connect(self.record_typed)
        self.read_button = QPushButton(_("Read card"))
        self.read_button.setObjectName("identityReadCard")
        self.read_button.clicked.connect(self.read_card)
        self.reader_edit = QLineEdit(str(config.get("identity/reader_uri", "") or ""))
        self.reader_edit.setObjectName("identityReader")
        self.reader_edit.setPlaceholderText(_("ID card reader, e.g. serial:///dev/ttyUSB0"))
        self.reader_edit.editingFinished.connect(lambda: config.put("identity/reader_uri", self.reader_edit.text().strip()))
        self.type_combo.setMinimumContentsLength(14)
        self.type_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        grid.addWidget(self.type_combo, 0, 0)
        grid.addWidget(self.number_edit, 0, 1)
        grid.addWidget(self.name_edit, 0, 2)
        grid.addWidget(self.record_button, 0, 3)
        grid.addWidget(self.reader_edit, 1, 0, 1, 3)
        grid.addWidget(self.read_button, 1, 3)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 4)
        grid.setColumnStretch(2, 2)
        lay.addLayout(grid)
        self.message = QLabel("")
        self.message.setObjectName("identityMessage")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        self.shown = QLabel("")
        self.shown.setObjectName("identityShown")
        self.shown.setWordWrap(True)
        self.shown.setTextInteractionFlags(Qt.NoTextInteraction)
        lay.addWidget(self.shown)
        self.number_edit.returnPressed.connect(self.name_edit.setFocus)
        self.name_edit.returnPressed.connect(self.record_typed)
        self.refresh_setup()

    # ------------------------------------------------------------------ state
    def refresh_setup(self) -> None:
        """Shown only where real-name sending applies (the station kind from the enrolment)."""
        from desktop.identity.policy import station_kind

        self.setVisible(bool(station_kind(self.station.store)))

    def show_requirement(self, shipment) -> None:
        """"Required" / "not required" for the sender now in the form."""
        if not self.isVisible():
            return
        from desktop.identity.gate import requirements

        try:
            needed = requirements(self.station.store, [shipment])
        except Exception:  # noqa: BLE001 - a policy file problem shows when printing, with its hint
            return
        if not needed:
            self.requirement.setText(_("not required for this sender"))
        elif needed[0][1].require == "account":
            self.requirement.setText(_("required: the business's credit code, recorded once"))
        else:
            self.requirement.setText(_("required for this sender") if self.record_id is None else _("recorded"))

    def clear(self) -> None:
        """The next customer: the record is forgotten by this page (it stays sealed in the store)."""
        self.record_id = None
        self.entered = None
        self.number_edit.clear()
        self.name_edit.clear()
        self.message.setText("")
        self.shown.setText("")

    # ------------------------------------------------------------------ recording
    def _data(self) -> dict:
        return {"id_type": self.type_combo.currentData(), "number": self.number_edit.text(),
                "name": self.name_edit.text(), "method": "manual"}

    def _enter(self, data: dict):
        from desktop.identity.book import IdentityBook

        return IdentityBook(self.station.store, self.keys_dir(), clock=self.station.clock).enter(data, self.station.actor)

    def record_typed(self) -> None:
        if self.ops.is_busy("identity"):
            return
        data = self._data()
        from desktop.identity.record import validate_identity

        record, errors = validate_identity(data)
        if errors:  # shown beside the section at once; nothing was sealed
            self.message.setText("\n".join(f"{_field_caption(e.field)}: {e.message}" for e in errors))
            return
        self.message.setText(_("Sealing…"))
        self.ops.run(lambda: self._enter(record), self._recorded, self._failed, key="identity")

    def read_card(self) -> None:
        if self.ops.is_busy("identity"):
            return
        uri = self.reader_edit.text().strip()
        if not uri:
            self.message.setText(_("Type the ID card reader's port first, e.g. serial:///dev/ttyUSB0."))
            return
        config.put("identity/reader_uri", uri)
        self.message.setText(_("Reading the card…"))

        def work():
            from desktop.identity.reader.client import read_card

            return self._enter(read_card(uri))

        self.ops.run(work, self._recorded, self._failed, key="identity")

    def _recorded(self, entered) -> None:
        self.record_id = entered.record_id
        self.entered = entered
        self.number_edit.clear()  # the number is sealed; the form keeps no copy
        self.name_edit.clear()
        m = entered.masked
        how = _("read from the card") if m.method == "card" else _("typed")
        self.shown.setText(f"{m.type_title}: {m.number}   {m.name}   ({how}) — {entered.seen_text()}")
        self.message.setText("")
        self.requirement.setText(_("recorded"))
        self.recorded.emit(entered)

    def _failed(self, exc) -> None:
        message, hint = describe_error(exc)
        self.message.setText(f"{message} — {hint}" if hint else message)


def _field_caption(field: str) -> str:
    return {"identity.id_type": _("ID type"), "identity.number": _("ID number"), "identity.name": _("Name"),
            "identity.method": _("How it was taken")}.get(field, field)
