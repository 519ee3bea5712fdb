"""The store: WAL, migrations recorded in user_version, the data key (file fallback with a
warning, 0600), encryption bound to its row, drafts encrypted at rest, the retention purge."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import time

import pytest

from desktop.shipment import Shipment
from desktop.store import open_store
from desktop.store.datakey import DataKeyError, load_data_key
from desktop.store.drafts import Drafts
from desktop.store.migrations import MIGRATIONS
from desktop.store.retention import purge


def test_wal_and_migrations(sigilo_home):
    store = open_store()
    assert store.path == sigilo_home / "sigilo.db"
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    assert store.schema_version() == len(MIGRATIONS)
    store.close()
    # reopening applies nothing twice; an older file is brought forward
    raw = sqlite3.connect(sigilo_home / "sigilo.db")
    assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    raw.close()
    assert open_store().schema_version() == len(MIGRATIONS)


def test_newer_schema_is_refused(sigilo_home):
    open_store().close()
    raw = sqlite3.connect(sigilo_home / "sigilo.db")
    raw.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    raw.close()
    with pytest.raises(Exception, match="newer Sigilo"):
        open_store()


def test_data_key_file_fallback_is_private_and_warned(sigilo_home, caplog):
    with caplog.at_level(logging.WARNING):
        key = load_data_key(sigilo_home)
    path = sigilo_home / "data.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "no OS keyring" in caplog.text
    again = load_data_key(sigilo_home)
    blob = key.encrypt("张伟 13800138000".encode(), b"row 1")
    assert again.decrypt(blob, b"row 1").decode() == "张伟 13800138000"
    with pytest.raises(DataKeyError):
        again.decrypt(blob, b"row 2")  # bound to its row
    assert "13800138000".encode() not in blob
    assert key.keyed_hash("13800138000", "phone") == again.keyed_hash("13800138000", "phone")
    assert key.keyed_hash("13800138000", "phone") != key.keyed_hash("13800138001", "phone")


def test_settings_keep_types():
    store = open_store()
    store.set_setting("alerts.thresholds", {"bill_swiping": {"count": 3, "max_weight_kg": 0.1}})
    assert store.get_setting("alerts.thresholds") == {"bill_swiping": {"count": 3, "max_weight_kg": 0.1}}
    assert store.get_setting("missing", 7) == 7


def test_drafts_are_encrypted_at_rest(sigilo_home, sample_shipments):
    store = open_store()
    drafts = Drafts(store)
    ship = Shipment.from_dict(sample_shipments[0])
    draft_id = drafts.save(ship, kind="import", label="row 1")
    assert drafts.load(draft_id) == ship.to_dict()
    store.close()
    raw = b"".join(p.read_bytes() for p in sigilo_home.glob("sigilo.db*"))
    for secret in (ship.recipient.name, ship.recipient.phone, ship.recipient.detail):
        assert secret.encode() not in raw


def test_retention_purge_removes_old_rows_only():
    store = open_store()
    drafts = Drafts(store)
    old = drafts.save({"tracking_number": "OLD"})
    new = drafts.save({"tracking_number": "NEW"})
    with store.tx() as c:
        c.execute("UPDATE drafts SET updated_at=? WHERE id=?", (time.time() - 100 * 86400, old))
        c.execute("INSERT INTO jobs(id, printer_uri, profile, template, actor, state, created_at) VALUES('j','u','p','t','a','done',?)",
                  (time.time() - 100 * 86400,))
        c.execute("INSERT INTO labels(job_id, idx, printer_uri, tracking_number, state, created_at, done_at) "
                  "VALUES('j',0,'u','SG1','confirmed',?,?)", (time.time() - 100 * 86400, time.time() - 100 * 86400))
    result = purge(store, days=90)
    assert (result.drafts, result.labels, result.jobs) == (1, 1, 1)
    assert [d[0] for d in drafts.list()] == [new]
    assert store.get_setting("retention.days") is None  # the default applies
    assert purge(store).labels == 0


def test_setting_changes_are_audited():
    from desktop.audit import AuditLog
    from desktop.store.settings import change_setting

    store = open_store()
    change_setting(store, "retention.days", 30, actor="sup1")
    change_setting(store, "retention.days", 60, actor="sup2")
    assert store.get_setting("retention.days") == 60
    entries = AuditLog(store).entries(action="settings")
    assert [(e.actor, e.subject, e.details) for e in entries] == [
        ("sup1", "retention.days", {"from": None, "to": 30}), ("sup2", "retention.days", {"from": 30, "to": 60})]


def test_data_key_lives_in_the_os_keyring_when_there_is_one(sigilo_home):
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1

        def __init__(self):
            self.items = {}

        def get_password(self, service, username):
            return self.items.get((service, username))

        def set_password(self, service, username, password):
            self.items[(service, username)] = password

        def delete_password(self, service, username):
            self.items.pop((service, username), None)

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        key = load_data_key(sigilo_home)
        assert key.where == "keyring" and not (sigilo_home / "data.key").exists()
        assert len(backend.items) == 1
        blob = key.encrypt(b"secret", b"aad")
        assert load_data_key(sigilo_home).decrypt(blob, b"aad") == b"secret"
    finally:
        keyring.set_keyring(previous)


def test_the_queue_purges_old_data_once_a_day():
    from desktop.jobs import PrintQueue

    store = open_store()
    drafts = Drafts(store)
    old = drafts.save({"tracking_number": "OLD"})
    with store.tx() as c:
        c.execute("UPDATE drafts SET updated_at=? WHERE id=?", (time.time() - 200 * 86400, old))
    queue = PrintQueue(store, renderer=lambda work: None)
    queue.start()
    queue.stop()
    assert drafts.list() == []
    first = store.get_setting("retention.last_run")
    again = drafts.save({"tracking_number": "OLD2"})
    with store.tx() as c:
        c.execute("UPDATE drafts SET updated_at=? WHERE id=?", (time.time() - 200 * 86400, again))
    queue.start()
    queue.stop()
    assert [d[0] for d in drafts.list()] == [again]  # not twice in a day
    assert store.get_setting("retention.last_run") == first
