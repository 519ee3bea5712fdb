"""Keyed hashes of a recipient's phone and address, so alerts can count labels to one phone or
one address without the store ever holding either (HMAC with the installation data key)."""

from __future__ import annotations

import re
import unicodedata

from desktop.shipment import Shipment
from desktop.store.datakey import DataKey


def _norm(text: str) -> str:
    return re.sub(r"[\s,.;:#/\\\-()（）,，。]+", "", unicodedata.normalize("NFKC", text or "")).casefold()


def phone_key(key: DataKey, shipment: Shipment) -> str | None:
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", shipment.recipient.phone or ""))
    if not digits:
        return None
    # the national number's tail: "+86 138..." and "138..." are one phone
    return key.keyed_hash(digits[-11:], "phone")


def address_key(key: DataKey, shipment: Shipment) -> str | None:
    r = shipment.recipient
    text = "|".join(_norm(x) for x in (r.country, r.province, r.city, r.district, r.street, r.detail))
    if not text.strip("|"):
        return None
    return key.keyed_hash(text, "address")
