"""Appending to the audit chain.

Each entry's hash covers its seq, time, actor, action, subject, details and the previous
entry's hash; the station signs (seq, hash) of every new head in the same transaction, so an
attacker who rewrites the chain and recomputes hashes still cannot make the signatures match.
Details must never hold plaintext PII: tracking numbers and masked views only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from desktop.audit.signing import key_id, load_audit_key, public_hex
from desktop.store.db import Store

GENESIS = "0" * 64


def canonical(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_hash(seq: int, time: str, actor: str, action: str, subject: str, details: str, prev_hash: str) -> str:
    body = canonical([seq, time, actor, action, subject, details, prev_hash])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def head_message(seq: int, hash_: str) -> bytes:
    return f"sigilo-audit-head\x00{seq}\x00{hash_}".encode()


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    time: str
    actor: str
    action: str
    subject: str
    details: dict
    prev_hash: str
    hash: str

    def to_dict(self) -> dict:
        return {"seq": self.seq, "time": self.time, "actor": self.actor, "action": self.action,
                "subject": self.subject, "details": self.details, "prev_hash": self.prev_hash,
                "hash": self.hash}


class AuditLog:
    ACTIONS = ("print", "reprint", "void", "import", "export", "scan", "scan_failed", "key",
               "settings", "login", "login_failed", "logout", "user", "resolve", "purge", "fault", "bridge",
               "identity")

    def __init__(self, store: Store) -> None:
        self.store = store
        self._key = None

    @property
    def key(self):
        if self._key is None:
            self._key = load_audit_key(self.store.home)
        return self._key

    def append(self, actor: str, action: str, subject: str = "", details: dict | None = None,
               conn=None) -> AuditEntry:
        """Append one entry (inside ``conn``'s transaction when given, so a label's state
        change and its audit entry commit together)."""
        if conn is None:
            with self.store.tx() as c:
                return self.append(actor, action, subject, details, conn=c)
        key = self.key
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        details_text = canonical(details or {})
        row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
        h = entry_hash(seq, now, actor, action, subject, details_text, prev)
        conn.execute("INSERT INTO audit(seq, time, actor, action, subject, details, prev_hash, hash) "
                     "VALUES(?,?,?,?,?,?,?,?)", (seq, now, actor, action, subject, details_text, prev, h))
        pub = key.public_key()
        conn.execute("INSERT INTO audit_heads(seq, hash, key_id, public_key, signature, time) VALUES(?,?,?,?,?,?)",
                     (seq, h, key_id(pub), public_hex(pub), key.sign(head_message(seq, h)).hex(), now))
        return AuditEntry(seq, now, actor, action, subject, details or {}, prev, h)

    def entries(self, since: int = 0, action: str | None = None) -> list[AuditEntry]:
        sql = "SELECT * FROM audit WHERE seq > ?"
        params: list = [since]
        if action:
            sql += " AND action = ?"
            params.append(action)
        rows = self.store.query(sql + " ORDER BY seq", tuple(params))
        out = []
        for r in rows:
            try:
                details = json.loads(r["details"])
            except ValueError:
                details = {"unreadable": r["details"]}
            out.append(AuditEntry(r["seq"], r["time"], r["actor"], r["action"], r["subject"], details,
                                  r["prev_hash"], r["hash"]))
        return out
