"""The shipment model: the shape of ../shared/data/shipments.jsonl as typed, immutable values.

Construction does no validation (``desktop.validation`` does, with field-level errors), so a
half-typed draft in the GUI is still a Shipment. ``to_dict`` gives back exactly the shared-data
shape, which is what the seal carries and ``sigilo scan --json`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

PARTY_FIELDS = ("name", "phone", "country", "province", "city", "district", "street", "detail", "postcode")


@dataclass(frozen=True)
class Party:
    name: str = ""
    phone: str = ""
    country: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    detail: str = ""
    postcode: str = ""
    business: bool | None = None  # None: the key was absent; kept so round trips are exact

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Party":
        data = data or {}
        kwargs = {k: ("" if data.get(k) is None else str(data.get(k))) for k in PARTY_FIELDS}
        business = data.get("business")
        return cls(**kwargs, business=None if business is None else bool(business))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in PARTY_FIELDS}
        if self.business is not None:
            out["business"] = self.business
        return out

    @property
    def is_business(self) -> bool:
        return bool(self.business)


@dataclass(frozen=True)
class Parcel:
    weight_kg: float = 0.0
    items: str = ""
    declared_value: float = 0
    pieces: int = 1

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Parcel":
        data = data or {}
        return cls(
            weight_kg=_number(data.get("weight_kg", 0.0)),
            items="" if data.get("items") is None else str(data.get("items")),
            declared_value=_number(data.get("declared_value", 0)),
            pieces=_number(data.get("pieces", 1)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _number(value: Any) -> Any:
    """Keep ints as ints and floats as floats (59 stays 59, 1.24 stays 1.24); leave anything
    else as given so validation can name the field."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return value
    return value


@dataclass(frozen=True)
class Shipment:
    order_id: str = ""
    tracking_number: str = ""
    service: str = "standard"
    sender: Party = field(default_factory=Party)
    recipient: Party = field(default_factory=Party)
    parcel: Parcel = field(default_factory=Parcel)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Shipment":
        return cls(
            order_id="" if data.get("order_id") is None else str(data.get("order_id")),
            tracking_number="" if data.get("tracking_number") is None else str(data.get("tracking_number")),
            service="" if data.get("service") is None else str(data.get("service")),
            sender=Party.from_dict(data.get("sender")),
            recipient=Party.from_dict(data.get("recipient")),
            parcel=Parcel.from_dict(data.get("parcel")),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "tracking_number": self.tracking_number,
            "service": self.service,
            "sender": self.sender.to_dict(),
            "recipient": self.recipient.to_dict(),
            "parcel": self.parcel.to_dict(),
        }

    def with_recipient(self, **changes: Any) -> "Shipment":
        return replace(self, recipient=replace(self.recipient, **changes))


def load_jsonl(path) -> list[dict[str, Any]]:
    """Read a JSON Lines file of shipments as dicts (blank lines skipped)."""
    import json
    from pathlib import Path

    rows = []
    for line in Path(path).read_text(encoding="utf-8").split("\n"):  # "\n" only: see compose/batch.py
        if line.strip():
            rows.append(json.loads(line))
    return rows
