"""The clerk's view of a record: the number with its middle hidden (``110***********123X``) and
the name masked as a label masks a sender (``张*``). It is all the station ever shows."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from desktop.i18n import _
from desktop.identity.policy import IdentityPolicy
from desktop.identity.record import IdentityRecord
from desktop.identity.types import ID_TYPES


@dataclass(frozen=True)
class MaskedIdentity:
    id_type: str
    type_title: str
    number: str
    name: str
    method: str
    representative: str = ""  # "passport E*******8 Li W." for an organisation

    def to_dict(self) -> dict:
        return asdict(self)


def mask_number(number: str, id_type: str, policy: IdentityPolicy) -> str:
    rule = policy.mask.get(id_type) or policy.mask.get("default") or {"show_first": 1, "show_last": 1}
    first, last = int(rule.get("show_first", 1)), int(rule.get("show_last", 1))
    # at least half the characters stay hidden whatever a policy file says
    while first + last > len(number) // 2 and (first or last):
        if first >= last and first:
            first -= 1
        else:
            last -= 1
    hidden = len(number) - first - last
    return number[:first] + "*" * hidden + (number[-last:] if last else "")


def mask_name(name: str, policy: IdentityPolicy) -> str:
    from desktop.masking.names import mask_name as label_mask
    from desktop.masking.policy import load_policy

    rules = load_policy(policy.name_policy)
    return label_mask(name, rules.name, rules.mask_char).shown


def masked_view(record: IdentityRecord, policy: IdentityPolicy) -> MaskedIdentity:
    h = record.holder
    rep = ""
    if record.representative is not None:
        r = record.representative
        rep = f"{_(ID_TYPES[r.id_type].title)}: {mask_number(r.number, r.id_type, policy)} {mask_name(r.name, policy)}"
    # an organisation's name is public (it is printed on its labels in full)
    name = h.name if record.organisation else mask_name(h.name, policy)
    return MaskedIdentity(h.id_type, _(ID_TYPES[h.id_type].title), mask_number(h.number, h.id_type, policy), name,
                          record.method, rep)
