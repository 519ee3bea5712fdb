"""Allocated virtual numbers in the store: unique among active ones, the real phone encrypted
with the data key, resolved only for roles with ``virtualnum.resolve`` (audited), expired N
days after delivery."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable

from desktop.audit.log import AuditLog
from desktop.errors import SigiloError
from desktop.masking.view import MaskedView
from desktop.operators.accounts import Operator, PermissionDenied
from desktop.shipment import Shipment
from desktop.store.db import Store
from desktop.virtualnum.provider import Binding, BuiltinProvider, VirtualNumberProvider
from desktop.i18n import _

DAY = 86400.0


class VirtualNumberError(SigiloError):
    pass


@dataclass(frozen=True)
class VirtualNumber:
    hotline: str
    extension: str
    tracking_number: str
    state: str  # active | delivered | expired
    provider: str

    @property
    def display(self) -> str:
        return f"{self.hotline}-{self.extension}" if self.extension else self.hotline


def with_virtual_phone(view: MaskedView, number: VirtualNumber | Binding | str) -> MaskedView:
    """The masked view with the recipient's phone replaced by the virtual number, for
    compose_label(masked=...)."""
    display = number if isinstance(number, str) else number.display
    return replace(view, recipient=replace(view.recipient, phone=display))


class VirtualNumbers:
    def __init__(self, store: Store, provider: VirtualNumberProvider | None = None,
                 audit: AuditLog | None = None, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.provider = provider or BuiltinProvider(hotline=str(store.get_setting("virtualnum.hotline", "95013")),
                                                    digits=int(store.get_setting("virtualnum.digits", 4)))
        self.audit = audit or AuditLog(store)
        self.clock = clock

    @property
    def expiry_days(self) -> float:
        return float(self.store.get_setting("virtualnum.expiry_days", 7))

    def _aad(self, hotline: str, extension: str, tracking: str) -> bytes:
        return f"virtualnum\x00{hotline}\x00{extension}\x00{tracking}".encode()

    def _taken(self, hotline: str, extension: str) -> bool:
        return bool(self.store.query("SELECT 1 FROM virtual_numbers WHERE hotline=? AND extension=? AND state!='expired'",
                                     (hotline, extension)))

    def allocate(self, shipment: Shipment, actor: str = "system") -> VirtualNumber:
        """The shipment's active number (allocated once; a reprint shows the same one)."""
        tracking = shipment.tracking_number
        existing = self.get(tracking)
        if existing is not None and existing.state != "expired":
            return existing
        binding = self.provider.allocate(tracking, shipment.recipient.phone, None, self._taken)
        key = self.store.data_key
        blob = key.encrypt(shipment.recipient.phone.encode(), self._aad(binding.hotline, binding.extension, tracking))
        with self.store.tx() as c:
            c.execute("INSERT INTO virtual_numbers(hotline, extension, tracking_number, phone, provider, state, allocated_at)"
                      " VALUES(?,?,?,?,?,?,?)", (binding.hotline, binding.extension, tracking, blob,
                                                 binding.provider + (":" + binding.reference if binding.reference else ""),
                                                 "active", self.clock()))
            self.audit.append(actor, "virtualnum", tracking, {"change": "allocate", "number": binding.display}, conn=c)
        return self.get(tracking)

    def get(self, tracking_number: str) -> VirtualNumber | None:
        rows = self.store.query("SELECT * FROM virtual_numbers WHERE tracking_number=? ORDER BY id DESC LIMIT 1",
                                (tracking_number,))
        if not rows:
            return None
        r = rows[0]
        return VirtualNumber(r["hotline"], r["extension"], r["tracking_number"], r["state"], r["provider"])

    def mark_delivered(self, tracking_number: str, actor: str = "system") -> None:
        now = self.clock()
        with self.store.tx() as c:
            cur = c.execute("UPDATE virtual_numbers SET state='delivered', delivered_at=?, expires_at=? "
                            "WHERE tracking_number=? AND state='active'",
                            (now, now + self.expiry_days * DAY, tracking_number))
            if cur.rowcount == 0:
                raise VirtualNumberError(_("no active virtual number for {tracking_number}").format(tracking_number=tracking_number),
                                         _("check the tracking number"))
            self.audit.append(actor, "virtualnum", tracking_number, {"change": "delivered"}, conn=c)

    def purge_expired(self, actor: str = "system") -> int:
        """Expire numbers past their date: the extension is free again and the real phone is gone."""
        now = self.clock()
        rows = self.store.query("SELECT id, hotline, extension, tracking_number, provider FROM virtual_numbers "
                                "WHERE state='delivered' AND expires_at <= ?", (now,))
        for r in rows:
            name, _sep, ref = r["provider"].partition(":")
            if ref:
                try:
                    self.provider.release(Binding(r["hotline"], r["extension"], name, ref))
                except Exception:  # the carrier unbinds on its own expiry too; never keep the phone for it
                    pass
        with self.store.tx() as c:
            for r in rows:
                c.execute("UPDATE virtual_numbers SET state='expired', phone=X'' WHERE id=?", (r["id"],))
            if rows:
                self.audit.append(actor, "purge", "virtual numbers", {"expired": len(rows)}, conn=c)
        return len(rows)

    def resolve(self, number: str, operator: Operator, reason: str = "") -> str:
        """The real phone behind "hotline-extension", for an operator allowed to see it."""
        hotline, _sep, extension = number.rpartition("-") if "-" in number else (number, "", "")
        if not operator.can("virtualnum.resolve"):
            self.audit.append(operator.username, "resolve", number, {"granted": False, "reason": reason})
            raise PermissionDenied(_("{username} ({role}) may not see the number behind {number}").format(username=operator.username, role=operator.role, number=number),
                                   _("ask a supervisor"))
        rows = self.store.query("SELECT * FROM virtual_numbers WHERE hotline=? AND extension=? AND state!='expired'",
                                (hotline, extension))
        if not rows:
            raise VirtualNumberError(_("{number} is not an active virtual number").format(number=number), _("it may have expired"))
        r = rows[0]
        phone = self.store.data_key.decrypt(bytes(r["phone"]), self._aad(hotline, extension, r["tracking_number"]))
        self.audit.append(operator.username, "resolve", r["tracking_number"],
                          {"granted": True, "number": number, "reason": reason})
        return phone.decode()
