"""``sigilo audit verify`` knows the audit's length (hardening issue, finding 6): an audit wiped
whole (rows, heads and anchors) or cut short at its end, beside a labels table that still holds
the printed labels, is a problem; so is a store that does not exist and an audit key that is
missing — and verifying never creates either."""

from __future__ import annotations

import sqlite3
import time

import pytest

from desktop.audit import AuditLog
from desktop.cli import main
from desktop.store import open_store

PRINTED = 30


@pytest.fixture
def printed(sigilo_home):
    """A station that printed 30 labels: each a confirmed row in labels and a "print" entry."""
    with open_store() as store:
        log = AuditLog(store)
        with store.tx() as c:
            c.execute("INSERT INTO jobs(id, printer_uri, profile, template, actor, state, created_at) "
                      "VALUES('j1', 'file:///tmp/x', 'tspl-203', 'waybill-100x150', 'clerk1', 'done', ?)", (time.time(),))
            for i in range(PRINTED):
                c.execute("INSERT INTO labels(job_id, idx, printer_uri, tracking_number, state, created_at) "
                          "VALUES('j1', ?, 'file:///tmp/x', ?, 'confirmed', ?)", (i, f"SG77{i:08d}", time.time()))
        for i in range(PRINTED):
            log.append("clerk1", "print", f"SG77{i:08d}", {"job": "j1", "index": i})
    return sigilo_home / "sigilo.db"


def verify(capsys, *args):
    capsys.readouterr()
    code = main(["audit", "verify", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_an_intact_audit_of_printed_labels_verifies(printed, capsys):
    code, text = verify(capsys)
    assert code == 0 and f"{PRINTED} entries, chain intact" in text


def test_a_wiped_audit_is_a_problem(printed, capsys):
    con = sqlite3.connect(printed)
    for table in ("audit", "audit_heads", "audit_anchors"):
        con.execute(f"DELETE FROM {table}")
    con.commit()
    con.close()
    code, text = verify(capsys)
    assert code == 1 and "emptied" in text and f"{PRINTED} printed label(s)" in text
    assert "chain intact" not in text


def test_an_audit_cut_short_at_its_end_is_a_problem(printed, capsys):
    con = sqlite3.connect(printed)
    con.execute("DELETE FROM audit WHERE seq > 25")
    con.execute("DELETE FROM audit_heads WHERE seq > 25")
    con.commit()
    con.close()
    code, text = verify(capsys)
    assert code == 1 and "truncated" in text and f"{PRINTED} printed label(s)" in text and "only 25" in text


def test_a_missing_store_is_a_problem_and_is_not_created(printed, capsys, sigilo_home, tmp_path):
    printed.unlink()
    for suffix in ("-wal", "-shm"):
        (sigilo_home / f"sigilo.db{suffix}").unlink(missing_ok=True)
    code, text = verify(capsys)
    assert code == 1 and "no store" in text and "chain intact" not in text
    assert not printed.exists()
    elsewhere = tmp_path / "not-a-station"
    elsewhere.mkdir()
    code, _ = verify(capsys, "--home", elsewhere)
    assert code == 1 and list(elsewhere.iterdir()) == []


def test_a_missing_audit_key_is_a_problem_and_is_not_created(printed, capsys, sigilo_home):
    key = sigilo_home / "audit-ed25519.key"
    key.unlink()
    code, text = verify(capsys)
    assert code == 1 and "no-key" in text and "missing" in text
    assert not key.exists()
