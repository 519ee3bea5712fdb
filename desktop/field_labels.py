"""Each shipment field as the form names it, for messages a person reads.

Validation, the import report and the command line speak of fields by their dotted path
(``recipient.phone``: what a mapping or a script types); a clerk reads "Recipient phone" / "收件人电话"
/ "Telefone do destinatário" beside it. The labels are marked here and translated where shown.
"""

from __future__ import annotations

from desktop.i18n import N_, _

FIELD_LABELS = {
    "shipment": N_("Shipment"),
    "tracking_number": N_("Tracking number"),
    "order_id": N_("Order id"),
    "service": N_("Service"),
    "recipient": N_("Recipient"),
    "recipient.name": N_("Recipient name"),
    "recipient.phone": N_("Recipient phone"),
    "recipient.country": N_("Recipient country"),
    "recipient.province": N_("Recipient province / state"),
    "recipient.city": N_("Recipient city"),
    "recipient.district": N_("Recipient district"),
    "recipient.street": N_("Recipient street"),
    "recipient.detail": N_("Recipient building / unit / room"),
    "recipient.postcode": N_("Recipient postcode"),
    "recipient.business": N_("Recipient business flag"),
    "sender": N_("Sender"),
    "sender.name": N_("Sender name"),
    "sender.phone": N_("Sender phone"),
    "sender.country": N_("Sender country"),
    "sender.province": N_("Sender province / state"),
    "sender.city": N_("Sender city"),
    "sender.district": N_("Sender district"),
    "sender.street": N_("Sender street"),
    "sender.detail": N_("Sender building / unit / room"),
    "sender.postcode": N_("Sender postcode"),
    "sender.business": N_("Sender business flag"),
    "parcel": N_("Parcel"),
    "parcel.weight_kg": N_("Weight (kg)"),
    "parcel.pieces": N_("Pieces"),
    "parcel.declared_value": N_("Declared value"),
    "parcel.items": N_("Contents"),
}


def field_label(path: str) -> str:
    """The translated name of the field at ``path``; the path itself for one not listed."""
    label = FIELD_LABELS.get(path)
    return _(label) if label else path
