"""``mask``: a shipment and a policy in, the masked view (what the label face shows) out.

It reads the shipment and builds new strings; the shipment itself (frozen) and so the sealed
payload never change. It works on unvalidated drafts too (the GUI previews while the clerk
types): invisible characters are dropped before masking, so a zero-width space pasted into a
name cannot shift the mask onto the wrong characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from desktop.masking.address import address_line, region_line
from desktop.masking.names import mask_name
from desktop.masking.phone import mask_phone
from desktop.masking.policy import Policy, choose_policy, policy_for_country
from desktop.masking.view import MaskedParty, MaskedView
from desktop.phones import display_phone
from desktop.shipment import Party, Shipment
from desktop.validation import clean_text


def mask(
    shipment: Shipment,
    policy: str | Path | None = None,
    *,
    customer: str | None = None,
    customers: Mapping[str, str] | None = None,
    virtual_phone: str | None = None,
) -> MaskedView:
    """The masked view of ``shipment``.

    ``policy``: an id or a .json path; None chooses by ``customer`` (looked up in
    ``customers``, then in customers.json), then by the recipient's country. ``virtual_phone``: a virtual number (hotline-extension) to print
    instead of the masked phone."""
    chosen = choose_policy(shipment.recipient.country, policy, customer, customers)
    recipient = mask_party(shipment.recipient, chosen, "recipient")
    if virtual_phone:
        recipient = MaskedParty(**{**recipient.to_dict(), "phone": virtual_phone})
    sender = mask_party(shipment.sender, chosen, "sender")
    return MaskedView(recipient=recipient, sender=sender, policy=chosen.id)


def mask_party(party: Party, policy: Policy, role: str) -> MaskedParty:
    rules = policy.party_rules(role)
    if party.is_business and rules.get("business_full", role == "sender"):
        return full_party(party, policy)
    if role == "sender" and not rules.get("mask", True):
        return full_party(party, policy)
    name = mask_name(clean_text(party.name), policy.name, policy.mask_char)
    phone = mask_phone(party.phone, party.country, policy.phone, policy.mask_char)
    address, _ = address_line(party, policy.address, policy.street_patterns())
    return MaskedParty(
        name=name.shown,
        phone=phone.shown,
        region=region_line(party, policy.address),
        address=address,
        postcode=party.postcode.strip(),
        country=party.country.strip().upper(),
        full=False,
    )


def full_party(party: Party, policy: Policy) -> MaskedParty:
    """A party shown unmasked (a business sender: its name and address are public). Nothing
    is hidden, so its address is written the way its own country writes it (a Hangzhou shop
    on a label to Tokyo still reads 浙江省 杭州市 余杭区, not 杭州市, 浙江省)."""
    address = " ".join(p for p in (party.street.strip(), party.detail.strip()) if p)
    own = policy_for_country(party.country) if party.country.strip() else policy
    return MaskedParty(
        name=clean_text(party.name),
        phone=display_phone(party.phone, party.country),
        region=region_line(party, own.address),
        address=address,
        postcode=party.postcode.strip(),
        country=party.country.strip().upper(),
        full=True,
    )
