"""The text of every region of a label, from the masked view (never the plaintext shipment's
hidden parts) plus the non-personal shipment data: tracking number, service, parcel."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from desktop.compose.sortcode import sort_code
from desktop.masking.view import MaskedParty, MaskedView
from desktop.paths import resources_dir
from desktop.shipment import Shipment


@lru_cache(maxsize=1)
def _services() -> dict:
    path = resources_dir() / "templates" / "services.json"
    return json.loads(path.read_text(encoding="utf-8"))["services"]


def service_name(service: str) -> str:
    return _services().get(service, service.upper())


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _party_lines(party: MaskedParty) -> tuple[str, str]:
    who = "  ".join(p for p in (party.name, party.phone) if p)
    where = " ".join(p for p in (party.region, party.address) if p)
    if party.postcode:
        where = f"{where} {party.postcode}".strip()
    if party.country and party.country.upper() != "CN":
        where = f"{where} {party.country.upper()}".strip()
    return who, where


def label_fields(
    shipment: Shipment,
    masked: MaskedView,
    *,
    carrier: str,
    printed_at: datetime,
    piece: tuple[int, int],
    reprint: str | None,
    caption: str,
) -> dict[str, str]:
    """Region name -> text. An empty text leaves its region blank."""
    parcel = shipment.parcel
    rec_who, rec_where = _party_lines(masked.recipient)
    snd_who, snd_where = _party_lines(masked.sender)
    parcel_lines = [
        f"重量 Weight: {_number(parcel.weight_kg)} kg",
        f"件数 Pieces: {parcel.pieces}",
    ]
    if parcel.items:
        parcel_lines.append(f"内件 Items: {parcel.items}")
    parcel_lines.append(f"声明价值 Value: {_number(parcel.declared_value)}")
    if shipment.order_id:
        parcel_lines.append(f"订单 Order: {shipment.order_id}")
    return {
        "banner_carrier": carrier,
        "banner_service": service_name(shipment.service),
        "sort_code": sort_code(shipment, masked),
        "recipient_tag": "收",
        "recipient_tag_en": "TO",
        "recipient_name": rec_who,
        "recipient_address": rec_where,
        "sender_tag": "寄",
        "sender_tag_en": "FROM",
        "sender_name": snd_who,
        "sender_address": snd_where,
        "parcel": "\n".join(parcel_lines),
        "parcel_short": " · ".join(p for p in (parcel.items, f"{_number(parcel.weight_kg)} kg", shipment.order_id) if p),
        "qr_caption": caption,
        "printed": f"打印 Printed {printed_at.strftime('%Y-%m-%d %H:%M')}",
        "piece": f"{piece[0]}/{piece[1]}",
        "reprint": f"补打 REPRINT · {reprint}" if reprint else "",
    }
