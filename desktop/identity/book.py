"""The station's book of identity records: entering a record seals it at once, and the station
keeps only what it may keep.

Per record the store holds the sealed record (see sealing.py), the keyed hash of the ID type
and number (identity_records.id_hash: recognises a returning sender, feeds the alerts and the
watch list), for an organisation the keyed hash of its account name, the masked view the clerk
sees, the ID type and how it was taken. The number and the name never reach the store, the
audit, the logs or an export in clear. Each label printed for a record is a "use" (tracking
number, weight, time): the export gives the compliance office the tracking numbers of each
sealed record.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from desktop.identity.errors import IdentityError
from desktop.identity.keys import StationIdentityKeys, station_keys
from desktop.identity.mask import MaskedIdentity, masked_view
from desktop.identity.policy import station_policy
from desktop.identity.record import IdentityRecord, require_identity
from desktop.identity.sealing import seal_record

DAY = 86400.0


@dataclass(frozen=True)
class Entered:
    record_id: str
    masked: MaskedIdentity
    seen: int  # earlier records of the same person within the recognition window
    window_days: float
    organisation: bool

    def seen_text(self) -> str:
        """What the clerk reads, e.g. "seen 3 times in the last 30 days"."""
        from desktop.i18n import _, ngettext

        days = f"{self.window_days:g}"
        if self.seen == 0:
            return _("first visit in the last {days} days").format(days=days)
        if self.seen == 1:
            return _("seen once in the last {days} days").format(days=days)
        return ngettext("seen {n} time in the last {days} days", "seen {n} times in the last {days} days",
                        self.seen).format(n=self.seen, days=days)


@dataclass(frozen=True)
class StoredRecord:
    record_id: str
    kind: str
    id_type: str
    method: str
    masked: dict
    created_at: float


class IdentityBook:
    def __init__(self, store, keys_dir: Path | str | None = None, passphrase: str | None = None,
                 clock: Callable[[], float] = time.time, keys: StationIdentityKeys | None = None) -> None:
        self.store = store
        self.keys_dir = Path(keys_dir) if keys_dir is not None else None
        self.passphrase = passphrase
        self.clock = clock
        self._keys = keys

    @property
    def keys(self) -> StationIdentityKeys:
        if self._keys is None:
            if self.keys_dir is None:
                from desktop.paths import data_dir

                self.keys_dir = data_dir() / "keys"
            self._keys = station_keys(self.keys_dir, self.passphrase)
        return self._keys

    def _station_id(self) -> str:
        try:
            from desktop.keys.layout import KeysDir
            from desktop.keys.manage import station_config

            return str(station_config(KeysDir.at(self.keys_dir)).get("station_id", ""))
        except Exception:  # a station without its seal keys yet still records identities
            return ""

    def _audit(self, actor: str, op: str, subject: str, details: dict[str, Any], conn=None) -> None:
        from desktop.audit import AuditLog

        AuditLog(self.store).append(actor, "identity", subject, {"op": op, **details}, conn=conn)

    # ------------------------------------------------------------------ entering
    def enter(self, data: dict[str, Any] | IdentityRecord, actor: str = "station") -> Entered:
        """Validate, seal and keep one record (a card read or typed details). Raises
        InvalidIdentity naming the fields."""
        record = data if isinstance(data, IdentityRecord) else require_identity(data)
        keys = self.keys
        policy = station_policy(self.store)
        now = self.clock()
        rid = secrets.token_bytes(16)
        sealed = seal_record(record, keys.public_raw, rid, int(now), self._station_id())
        id_hash = keys.hasher.of(record.holder.id_type, record.holder.number)
        account = keys.hasher.of_account(record.holder.name) if record.organisation else None
        view = masked_view(record, policy)
        window = policy.recognition_days * DAY
        with self.store.tx() as c:
            seen = c.execute("SELECT COUNT(*) FROM identity_records WHERE id_hash=? AND created_at > ?",
                             (id_hash, now - window)).fetchone()[0]
            c.execute("INSERT INTO identity_records(id, kind, id_type, id_hash, account_key, method, masked, sealed, "
                      "identity_key_id, actor, created_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                      (rid.hex(), "organisation" if record.organisation else "individual", record.holder.id_type,
                       id_hash, account, record.method, json.dumps(view.to_dict(), ensure_ascii=False), sealed,
                       keys.key_id, actor, now))
            self._audit(actor, "record", rid.hex(), {"id_type": record.holder.id_type, "method": record.method,
                                                     "identity_key_id": keys.key_id}, conn=c)
        self._check_watch(id_hash, rid.hex(), view)
        return Entered(rid.hex(), view, int(seen), policy.recognition_days, record.organisation)

    def _check_watch(self, id_hash: str, record_id: str, view: MaskedIdentity) -> None:
        if self.store.query("SELECT 1 FROM identity_watch WHERE id_hash=?", (id_hash,)):
            from desktop.identity.alerts import raise_watch

            raise_watch(self.store, record_id, view, self.clock)

    # ------------------------------------------------------------------ reading back
    def get(self, record_id: str) -> StoredRecord | None:
        rows = self.store.query("SELECT id, kind, id_type, method, masked, created_at FROM identity_records WHERE id=?",
                                (record_id,))
        if not rows:
            return None
        r = rows[0]
        return StoredRecord(r["id"], r["kind"], r["id_type"], r["method"], json.loads(r["masked"]), r["created_at"])

    def account_record(self, business_name: str) -> str | None:
        """The newest organisation record for this business sender account, or None."""
        key = self.keys.hasher.of_account(business_name)
        rows = self.store.query("SELECT id FROM identity_records WHERE account_key=? ORDER BY created_at DESC LIMIT 1",
                                (key,))
        return rows[0][0] if rows else None

    def seen(self, record_id: str) -> int:
        """Visits of this record's person in the recognition window (this one included)."""
        rows = self.store.query("SELECT id_hash, created_at FROM identity_records WHERE id=?", (record_id,))
        if not rows:
            return 0
        window = station_policy(self.store).recognition_days * DAY
        return self.store.query("SELECT COUNT(*) FROM identity_records WHERE id_hash=? AND created_at > ?",
                                (rows[0][0], self.clock() - window))[0][0]

    def uses(self, record_id: str) -> list[str]:
        return [r[0] for r in self.store.query("SELECT tracking_number FROM identity_uses WHERE record_id=? ORDER BY id",
                                               (record_id,))]

    def record_uses(self, record_id: str, shipments, conn=None) -> None:
        rows = self.store.query("SELECT id_hash FROM identity_records WHERE id=?", (record_id,))
        if not rows:
            from desktop.i18n import _

            raise IdentityError(_("The sender's identity record is no longer kept."),
                                _("Read the card or type the ID again."))
        now = self.clock()
        values = [(record_id, rows[0][0], s.tracking_number, float(s.parcel.weight_kg or 0)
                   if isinstance(s.parcel.weight_kg, (int, float)) else None, now) for s in shipments]
        sql = "INSERT INTO identity_uses(record_id, id_hash, tracking_number, weight_kg, used_at) VALUES(?,?,?,?,?)"
        if conn is not None:
            conn.executemany(sql, values)
        else:
            with self.store.tx() as c:
                c.executemany(sql, values)
