"""The text of every region of a label, from the masked view (never the plaintext shipment's
hidden parts) plus the non-personal shipment data: tracking number, service, parcel."""

from __future__ import annotations

from datetime import datetime

from desktop.compose.captions import caption_set, language_for
from desktop.compose.sortcode import sort_code
from desktop.masking.view import MaskedParty, MaskedView
from desktop.shipment import Shipment


def service_name(service: str, captions: dict | None = None) -> str:
    """How the label banner names ``service`` in a caption set (default: English)."""
    names = (captions or caption_set("en")).get("services", {})
    return names.get(service, service.upper())


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
    captions: dict | None = None,
) -> dict[str, str]:
    """Region name -> text, with the fixed words from ``captions`` (a caption set of
    desktop.compose.captions; default: the one for the recipient's country). An empty text
    leaves its region blank."""
    if captions is None:
        captions = caption_set(language_for(shipment.recipient.country))
    parcel = shipment.parcel
    rec_who, rec_where = _party_lines(masked.recipient)
    snd_who, snd_where = _party_lines(masked.sender)
    parcel_lines = [
        captions["weight"].format(weight=_number(parcel.weight_kg)),
        captions["pieces"].format(pieces=parcel.pieces),
    ]
    if parcel.items:
        parcel_lines.append(captions["items"].format(items=parcel.items))
    parcel_lines.append(captions["value"].format(value=_number(parcel.declared_value)))
    if shipment.order_id:
        parcel_lines.append(captions["order"].format(order=shipment.order_id))
    return {
        "banner_carrier": captions.get("carrier_names", {}).get(carrier, carrier),
        "banner_service": service_name(shipment.service, captions),
        "sort_code": sort_code(shipment, masked),
        "recipient_tag": captions["recipient_tag"],
        "recipient_tag_en": captions["recipient_tag_en"],
        "recipient_name": rec_who,
        "recipient_address": rec_where,
        "sender_tag": captions["sender_tag"],
        "sender_tag_en": captions["sender_tag_en"],
        "sender_name": snd_who,
        "sender_address": snd_where,
        "parcel": "\n".join(parcel_lines),
        "parcel_short": " · ".join(p for p in (parcel.items, f"{_number(parcel.weight_kg)} kg", shipment.order_id) if p),
        "qr_caption": captions["qr_caption"],
        "qr_caption_inline": captions["qr_caption_inline"],
        "recipient_copy": captions["recipient_copy"],
        "printed": captions["printed"].format(when=printed_at.strftime('%Y-%m-%d %H:%M')),
        "piece": f"{piece[0]}/{piece[1]}",
        "reprint": captions["reprint"].format(reason=reprint) if reprint else "",
    }
