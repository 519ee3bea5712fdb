"""Changing a station setting from the GUI or the CLI: stored and audited in one transaction
(who changed what, from which value to which)."""

from __future__ import annotations

import json
from typing import Any

from desktop.store.db import Store


def change_setting(store: Store, key: str, value: Any, actor: str) -> None:
    from desktop.audit.log import AuditLog

    with store.tx() as c:
        row = c.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        old = json.loads(row[0]) if row else None
        c.execute("INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                  (key, json.dumps(value)))
        AuditLog(store).append(actor, "settings", key, {"from": old, "to": value}, conn=c)
