"""The shipments this window printed, held in memory only, so "Void and correct…" can give the
clerk back the whole form. Nothing here is ever written: once printed, the plaintext lives
only in the sealed QR (DESIGN.md "Privacy at rest"); closing the window forgets it. Older
labels, or labels printed by another session, are refilled from the store's non-private face."""

from __future__ import annotations

from collections import OrderedDict

from desktop.i18n import N_
from desktop.shipment import Shipment

KEEP = 20
RETYPE_NOTE = N_("type the recipient's name, phone and building again (only the masked label was kept)")


class RecentShipments:
    """The last ``keep`` printed shipments by tracking number, newest last."""

    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self._items: OrderedDict[str, Shipment] = OrderedDict()

    def remember(self, shipment: Shipment) -> None:
        key = shipment.tracking_number
        self._items.pop(key, None)
        self._items[key] = shipment
        while len(self._items) > self.keep:
            self._items.popitem(last=False)

    def get(self, tracking_number: str) -> Shipment | None:
        return self._items.get(tracking_number)

    def __len__(self) -> int:
        return len(self._items)


def correction_data(tracking_number: str, face: dict, masked: dict, sender: dict) -> dict:
    """Form data for a label no longer in memory: the face's order id, service, parcel and the
    recipient's region; the sender from the face when it was printed in full, else ``sender``
    (the form's current one). Name, phone, street and building stay empty: the masked view
    cannot give back what it hid."""
    region = face.get("recipient") or {}
    rec = (masked or {}).get("recipient") or {}
    data = {
        "tracking_number": tracking_number, "order_id": face.get("order_id", ""),
        "service": face.get("service") or "standard",
        "sender": face.get("sender") or sender,
        "recipient": {"country": region.get("country") or rec.get("country") or "CN",
                      "province": region.get("province", ""), "city": region.get("city", ""),
                      "district": region.get("district", ""), "postcode": rec.get("postcode", "")},
    }
    if face.get("parcel"):
        data["parcel"] = face["parcel"]
    return data
