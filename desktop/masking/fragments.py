"""``hidden_fragments``: the strings a masked label hides, for privacy checks to search for.

Everything Sigilo writes - printer bytes, PDFs, PNG metadata, logs, the store, temp files,
error messages - is searched for these; only the sealed QR may hold them. So they must be
complete (every way the hidden data could be written) and specific (never a false alarm):

* name: the full name (as written and as cleaned), each hidden run of characters (刘建国
  shown as 刘** gives 建国) and each hidden or initialled word of a Latin name (Santos);
* phone: the digits the mask hides as one string (1380013 when the last 4 show), the full
  national number, the number as dialled at home (with its trunk 0), E.164 with and
  without "+", the canonical form, the text as typed, and the extension;
* address: the detail field whole and each numbered part of it (13栋, 3单元, 402室,
  十三栋, "apto 1790", 2910), and what masking cut from the street (656号, the street as written).
  A bare number counts from 4 characters (2910, 8-2-301): 3-digit ones (598, 846) turn up
  in postcodes and phone endings of other labels; they are searched with their context
  ("598 Apt 3R", "Rua Augusta, 150", "apto 846").

The same goes for a private sender, masked by the same rules; a business sender shown in
full hides nothing.

Never a fragment of 1 character, never under 2 characters when it holds CJK, never under 3
otherwise (so never a bare 1-2 digit number). A fragment that also occurs in what the label
prints in clear anyway (the masked view, a business sender's address, the tracking number,
the items...) is dropped: it would alarm on every label without protecting anything - a
recipient detail "3号楼" when the sender's printed address ends in 3号楼. (That the masked
view itself never shows the whole name, number or detail is tested apart.) Search outputs
with the sealed QR's own text taken out: its Base45 alphabet holds digits.
"""

from __future__ import annotations

import re

from desktop.masking.address import mask_street
from desktop.masking.names import is_cjk_name, mask_name
from desktop.masking.phone import mask_phone
from desktop.masking.policy import Policy, PolicyError, load_policy, policy_for_country
from desktop.masking.view import MaskedParty, MaskedView
from desktop.phones import PhoneError, parse_phone
from desktop.shipment import Party, Shipment
from desktop.validation import clean_text

_CJK_UNIT = r"(?:号楼|号院|号室|号|號|栋|棟|幢|座|单元|單元|楼|樓|层|層|室|户|戶|弄|巷|期|丁目|番地|番)"
_UNIT_TOKEN = re.compile(r"(?:[0-9０-９]+(?:[-－][0-9０-９]+)*|[零〇一二三四五六七八九十百千两]+)\s*" + _CJK_UNIT)
_WORD_NUMBER = re.compile(r"[^\W\d_]+\.?\s*[0-9]+[A-Za-z]?(?:[-/][0-9]+[A-Za-z]?)*")
_NUMBER = re.compile(r"[0-9]+(?:[-/][0-9]+)*")
_BARE_NUMBER = re.compile(r"[0-9]+[A-Za-z]?")


def hidden_fragments(shipment: Shipment, view: MaskedView) -> list[str]:
    """The strings of ``shipment`` that ``view`` hides (see the module docstring)."""
    policy = _policy(view, shipment)
    essential: list[str] = []
    derived: list[str] = []
    for party, shown, role in ((shipment.recipient, view.recipient, "recipient"), (shipment.sender, view.sender, "sender")):
        if shown.full:
            continue
        _name(party, shown, policy, essential, derived)
        _phone(party, shown, policy, essential, derived)
        _address(party, policy, essential, derived)
    public = _public_text(shipment, view)
    out: list[str] = []
    for fragment in essential + derived:
        if _long_enough(fragment) and fragment not in out and fragment not in public:
            out.append(fragment)
    return out


def _policy(view: MaskedView, shipment: Shipment) -> Policy:
    try:
        return load_policy(view.policy)
    except PolicyError:
        return policy_for_country(shipment.recipient.country)


def _name(party: Party, shown: MaskedParty, policy: Policy, essential: list[str], derived: list[str]) -> None:
    raw = party.name.strip()
    clean = clean_text(party.name)
    essential += [raw, clean]
    if is_cjk_name(clean):
        essential.append(re.sub(r"[\s·•・‧．･]", "", clean))
    masked = mask_name(clean, policy.name, policy.mask_char)
    if masked.shown == shown.name:
        derived += [h.strip() for h in masked.hidden]
    else:  # the view shows something else (a custom mask): every part counts as hidden
        derived += clean.split()


def _phone(party: Party, shown: MaskedParty, policy: Policy, essential: list[str], derived: list[str]) -> None:
    raw = party.phone.strip()
    if not raw:
        return
    essential.append(raw)
    masked = mask_phone(party.phone, party.country, policy.phone, policy.mask_char)
    if masked.shown == shown.phone:
        hidden, suffix = masked.hidden_digits, masked.shown_suffix
    else:  # a virtual number is shown: none of the real digits are
        hidden, suffix = masked.digits, ""
    essential += [masked.digits, hidden]
    try:
        phone = parse_phone(party.phone, party.country)
    except PhoneError:
        return
    essential += [phone.canonical, phone.e164, phone.e164.lstrip("+"), phone.national_prefix_form]
    home = phone.national_prefix_form
    if suffix and home.endswith(suffix):
        essential.append(home[: len(home) - len(suffix)])
    if phone.extension:
        essential.append(phone.extension)


def _address(party: Party, policy: Policy, essential: list[str], derived: list[str]) -> None:
    if not policy.address.get("show_detail"):
        detail = clean_text(party.detail)
        essential.append(detail)
        derived += _numbered_parts(detail)
    street = clean_text(party.street)
    cut = mask_street(street, policy.street_patterns())
    if cut.removed:
        essential.append(street)
        for part in cut.removed:
            if not _BARE_NUMBER.fullmatch(part) or len(part) >= 4:
                derived.append(part)
            derived += _numbered_parts(part)


def _numbered_parts(text: str) -> list[str]:
    """Each house, building, unit or room number with its unit, and each bare number."""
    parts = [m.group(0).strip() for m in _UNIT_TOKEN.finditer(text)]
    if not is_cjk_name(text):  # "apto 1790", "Flat 4"; CJK text has its units above
        parts += [m.group(0).strip() for m in _WORD_NUMBER.finditer(text)]
    for match in _NUMBER.finditer(text):
        after = text[match.end():].lstrip()
        if len(match.group(0)) >= 4 and not re.match(_CJK_UNIT, after):
            parts.append(match.group(0))
    return parts


def _long_enough(fragment: str) -> bool:
    fragment = fragment.strip()
    if is_cjk_name(fragment):
        return len(fragment) >= 2
    return len(fragment) >= 3


def _public_text(shipment: Shipment, view: MaskedView) -> str:
    """Everything a label prints in clear anyway."""
    parts = [str(v) for party in (view.recipient, view.sender) for v in party.to_dict().values()]
    parts += [shipment.tracking_number, shipment.order_id, shipment.service, shipment.parcel.items]
    return "\n".join(parts)
