"""The opened label as a card for a person: recipient, phone, address, tracking and order,
the station that sealed it and when, how long the seal is valid; VOIDED and REPRINT (from this
station's own records) in large coloured marks. The raw data sits behind a toggle."""

from __future__ import annotations

import json
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QLabel, QPlainTextEdit, QSizePolicy, QToolButton, QVBoxLayout, QWidget,
)

from desktop.i18n import _


def _when(t) -> str:
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(int(t)))
    except (TypeError, ValueError, OverflowError):
        return ""


class ScanCard(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scanCard")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 10)
        self.marks = QLabel("")
        self.marks.setObjectName("scanMarks")
        self.marks.setWordWrap(True)
        self.marks.setVisible(False)
        lay.addWidget(self.marks)
        self.name = QLabel("")
        self.name.setObjectName("scanName")
        self.name.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.name)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        self.fields: dict[str, QLabel] = {}
        rows = (("phone", _("Phone")), ("address", _("Address")), ("postcode", _("Postcode / country")),
                ("tracking", _("Tracking / order")), ("parcel", _("Parcel")), ("sender", _("Sender")),
                ("station", _("Sealed by")), ("times", _("Sealed / valid until")))
        for i, (key, caption) in enumerate(rows):
            cap = QLabel(caption)
            cap.setObjectName("caption")
            value = QLabel("")
            value.setObjectName(f"scan_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            grid.addWidget(cap, i, 0, Qt.AlignTop)
            grid.addWidget(value, i, 1)
            self.fields[key] = value
        grid.setColumnStretch(1, 1)
        lay.addLayout(grid)
        self.raw_toggle = QToolButton()
        self.raw_toggle.setObjectName("scanRawToggle")
        self.raw_toggle.setText(_("Show raw data ▸"))
        self.raw_toggle.setCheckable(True)
        self.raw_toggle.toggled.connect(self._toggle_raw)
        lay.addWidget(self.raw_toggle, 0, Qt.AlignLeft)
        self.raw = QPlainTextEdit()
        self.raw.setObjectName("scanRaw")
        self.raw.setReadOnly(True)
        self.raw.setVisible(False)
        lay.addWidget(self.raw, 3)
        lay.addStretch(1)  # the card keeps its lines together when the raw data is hidden
        for w in (self.marks, self.name):
            w.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self.setVisible(False)

    def _toggle_raw(self, on: bool) -> None:
        self.raw.setVisible(on)
        self.raw_toggle.setText(_("Hide raw data ▾") if on else _("Show raw data ▸"))

    def show_result(self, result: dict, marks: list[str]) -> None:
        s = result.get("shipment", {})
        r, snd, parcel = s.get("recipient", {}), s.get("sender", {}), s.get("parcel", {})
        self.name.setText(r.get("name", ""))
        place = " ".join(x for x in (r.get("province"), r.get("city"), r.get("district"), r.get("street"),
                                      r.get("detail")) if x)
        self.fields["phone"].setText(r.get("phone", ""))
        self.fields["address"].setText(place)
        self.fields["postcode"].setText(" · ".join(x for x in (str(r.get("postcode", "") or ""),
                                                                 r.get("country", "")) if x))
        self.fields["tracking"].setText(" · ".join(x for x in (result.get("tracking_number", ""), s.get("order_id", ""))
                                                   if x))
        self.fields["parcel"].setText(_("{kg} kg, {pieces} piece(s), {items}").format(
            kg=parcel.get("weight_kg", ""), pieces=parcel.get("pieces", 1), items=parcel.get("items", "")))
        self.fields["sender"].setText(" · ".join(x for x in (snd.get("name", ""), snd.get("phone", ""),
                                                               snd.get("city", "")) if x))
        self.fields["station"].setText(f"{result.get('station_name', '')} ({result.get('station_id', '')}) · "
                                       f"{result.get('fleet_key_id', '')}")
        self.fields["times"].setText(f"{_when(result.get('issued_at'))} → {_when(result.get('expires_at'))}")
        self.marks.setText("   ".join(marks))
        self.marks.setProperty("state", "error" if any("VOIDED" in m for m in marks) else "warning")
        self.marks.style().unpolish(self.marks)
        self.marks.style().polish(self.marks)
        self.marks.setVisible(bool(marks))
        self.raw.setPlainText(json.dumps(result, ensure_ascii=False, indent=1, default=str))
        self.setVisible(True)

    def clear(self) -> None:
        self.setVisible(False)
        self.raw.clear()
