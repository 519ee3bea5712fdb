"""The one check before printing: does the real-name policy require an identity for these
shipments, and is it there? Every way in (the counter's form, ``sigilo print``, a batch, the
bridge) calls ``before_print`` with the shipments and, at a counter, the record entered for
the sender in front of the clerk.

It refuses with IdentityRequired, in the clerk's words, when a required record is missing;
otherwise it records which record covers which label (a "use") and returns how many did.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterable

from desktop.i18n import _
from desktop.identity.errors import IdentityRequired
from desktop.identity.policy import station_kind, station_policy

VISIT_HOURS = 12  # a record taken at the counter covers that sender's parcels of the same visit


def requirements(store, shipments) -> list[tuple[object, object]]:
    """(shipment, rule) for every shipment the policy asks a record for."""
    kind = station_kind(store)
    if not kind:
        return []
    policy = station_policy(store)
    out = []
    for s in shipments:
        rule = policy.rule_for(kind, s.sender.country or "", s.sender.is_business, s.service or "")
        if rule is not None and rule.require != "none":
            out.append((s, rule))
    return out


def before_print(store, shipments: Iterable, identity: str | None = None, keys_dir: Path | str | None = None,
                 passphrase: str | None = None, clock=time.time) -> int:
    shipments = list(shipments)
    needed = requirements(store, shipments)
    if not needed:
        return 0
    from desktop.identity.book import IdentityBook

    book = IdentityBook(store, keys_dir, passphrase, clock=clock)
    plan: list[tuple[str, object]] = []
    for shipment, rule in needed:
        if rule.require == "each":
            rec = book.get(identity) if identity else None
            if rec is None:
                raise IdentityRequired(_("Not printed: the sender's ID is required ({tracking}). {reason}").format(
                    tracking=shipment.tracking_number, reason=rule.reason_text()),
                    _("Read the sender's ID card, or type the ID type, number and name."))
            if rec.kind != "individual":
                raise IdentityRequired(_("Not printed: the recorded ID is an organisation's credit code, but this "
                                         "sender is a person."), _("Read or type the sender's own ID."))
            if clock() - rec.created_at > VISIT_HOURS * 3600:
                raise IdentityRequired(_("Not printed: the sender's ID was recorded too long ago for this visit."),
                                       _("Read the sender's ID card again."))
            plan.append((rec.record_id, shipment))
        else:  # account
            record_id = book.account_record(shipment.sender.name)
            if record_id is None:
                raise IdentityRequired(
                    _("Not printed: the business sender {name} has no credit code on record. {reason}").format(
                        name=shipment.sender.name, reason=rule.reason_text()),
                    _("Record it once in the sender identity section (type: unified social credit code), "
                      "or with sigilo identity business."))
            plan.append((record_id, shipment))
    with store.tx() as c:
        for record_id, shipment in plan:
            book.record_uses(record_id, [shipment], conn=c)
    return len(plan)


def check_command(shipments, identity: str | None = None, keys_dir: Path | str | None = None,
                  passphrase: str | None = None) -> int:
    """``before_print`` for a command that has no store open (sigilo print, sigilo batch)."""
    from desktop.store import open_store

    with open_store() as store:
        return before_print(store, shipments, identity, keys_dir, passphrase)
