"""Drafts and imported-but-unprinted orders: kept only encrypted with the data key, each
ciphertext bound to its row id so rows cannot be swapped."""

from __future__ import annotations

import json
import time

from desktop.shipment import Shipment
from desktop.store.db import Store
from desktop.i18n import _


def _aad(draft_id: int) -> bytes:
    return f"draft\x00{draft_id}".encode()


class Drafts:
    def __init__(self, store: Store) -> None:
        self.store = store

    def save(self, shipment: Shipment | dict, kind: str = "draft", label: str = "", draft_id: int | None = None) -> int:
        data = shipment.to_dict() if isinstance(shipment, Shipment) else dict(shipment)
        plain = json.dumps(data, ensure_ascii=False).encode("utf-8")
        now = time.time()
        with self.store.tx() as c:
            if draft_id is None:
                draft_id = c.execute("INSERT INTO drafts(kind, label, payload, created_at, updated_at) VALUES(?,?,?,?,?)",
                                     (kind, label, b"", now, now)).lastrowid
            c.execute("UPDATE drafts SET payload=?, label=?, updated_at=? WHERE id=?",
                      (self.store.data_key.encrypt(plain, _aad(draft_id)), label, now, draft_id))
        return draft_id

    def load(self, draft_id: int) -> dict:
        rows = self.store.query("SELECT payload FROM drafts WHERE id=?", (draft_id,))
        if not rows:
            from desktop.errors import SigiloError

            raise SigiloError(_("no draft {draft_id}").format(draft_id=draft_id), _("it may have been printed or purged"))
        return json.loads(self.store.data_key.decrypt(bytes(rows[0][0]), _aad(draft_id)))

    def list(self, kind: str | None = None) -> list[tuple[int, str, str, float]]:
        sql = "SELECT id, kind, label, updated_at FROM drafts" + (" WHERE kind=?" if kind else "") + " ORDER BY id"
        return [tuple(r) for r in self.store.query(sql, (kind,) if kind else ())]

    def delete(self, draft_id: int) -> None:
        with self.store.tx() as c:
            c.execute("DELETE FROM drafts WHERE id=?", (draft_id,))
