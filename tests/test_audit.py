"""The audit chain: intact chains verify; edits, deletions, reorderings, insertions and
rewrites with recomputed hashes, made straight in the SQLite file, are each reported by seq
and make ``sigilo audit verify`` exit non-zero."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from desktop.audit import AuditLog
from desktop.audit.log import entry_hash
from desktop.cli import main
from desktop.store import open_store


@pytest.fixture
def chain(sigilo_home):
    store = open_store()
    log = AuditLog(store)
    for i in range(1, 11):
        log.append("clerk1", "print", f"SG77{i:08d}", {"job": "j1", "masked": {"name": "张**"}})
    store.close()
    return sigilo_home / "sigilo.db"


def _tamper(db, *statements):
    con = sqlite3.connect(db)
    for sql, params in statements:
        con.execute(sql, params)
    con.commit()
    con.close()


def _verify(capsys):
    code = main(["audit", "verify"])
    out = capsys.readouterr()
    return code, out.out


def test_intact_chain_verifies(chain, capsys):
    code, out = _verify(capsys)
    assert code == 0 and "10 entries, chain intact" in out
    entries = AuditLog(open_store()).entries()
    assert [e.seq for e in entries] == list(range(1, 11))
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:]))


def test_edit_is_reported(chain, capsys):
    _tamper(chain, ("UPDATE audit SET actor='nobody' WHERE seq=4", ()))
    code, out = _verify(capsys)
    assert code == 1
    assert out.splitlines() == ["seq 4: edited: the content does not match its hash"]


def test_delete_is_reported(chain, capsys):
    _tamper(chain, ("DELETE FROM audit WHERE seq IN (5, 6)", ()))
    code, out = _verify(capsys)
    assert code == 1 and out.splitlines() == ["seq 5: deleted: entries 5..6 are missing"]


def test_delete_at_the_end_is_reported(chain, capsys):
    _tamper(chain, ("DELETE FROM audit WHERE seq=10", ()))
    code, out = _verify(capsys)
    assert code == 1 and "seq 10: deleted: entry 10 was signed by the station but is missing" in out


def test_reorder_is_reported(chain, capsys):
    _tamper(chain, ("UPDATE audit SET seq=-1 WHERE seq=7", ()), ("UPDATE audit SET seq=7 WHERE seq=8", ()),
            ("UPDATE audit SET seq=8 WHERE seq=-1", ()))
    code, out = _verify(capsys)
    assert code == 1
    assert out.splitlines() == ["seq 7: moved: this entry was signed as seq 8 (entries reordered)",
                                "seq 8: moved: this entry was signed as seq 7 (entries reordered)"]


def test_insert_with_a_valid_hash_is_reported(chain, capsys):
    con = sqlite3.connect(chain)
    prev = con.execute("SELECT hash FROM audit WHERE seq=10").fetchone()[0]
    h = entry_hash(11, "2026-11-28T12:00:00.000+00:00", "clerk1", "void", "SG7700000001", "{}", prev)
    con.execute("INSERT INTO audit VALUES(11, '2026-11-28T12:00:00.000+00:00', 'clerk1', 'void', 'SG7700000001', '{}', ?, ?)",
                (prev, h))
    con.commit()
    con.close()
    code, out = _verify(capsys)
    assert code == 1 and out.splitlines() == ["seq 11: inserted: no station signature covers this entry"]


def test_insert_in_the_middle_is_reported(chain, capsys):
    con = sqlite3.connect(chain)
    rows = con.execute("SELECT * FROM audit WHERE seq >= 3 ORDER BY seq DESC").fetchall()
    for r in rows:
        con.execute("UPDATE audit SET seq=? WHERE seq=?", (r[0] + 1, r[0]))
    prev = con.execute("SELECT hash FROM audit WHERE seq=2").fetchone()[0]
    h = entry_hash(3, "2026-11-28T12:00:00.000+00:00", "clerk1", "print", "SGX", "{}", prev)
    con.execute("INSERT INTO audit VALUES(3, '2026-11-28T12:00:00.000+00:00', 'clerk1', 'print', 'SGX', '{}', ?, ?)",
                (prev, h))
    con.commit()
    con.close()
    code, out = _verify(capsys)
    lines = out.splitlines()
    assert code == 1
    assert lines[0] == "seq 3: inserted: an entry the station never signed was put here"
    assert "seq 4: moved: this entry was signed as seq 3 (entries reordered)" in lines


def test_rewrite_with_recomputed_hashes_is_caught_by_the_signatures(chain, capsys):
    con = sqlite3.connect(chain)
    rows = con.execute("SELECT seq, time, actor, action, subject, details FROM audit ORDER BY seq").fetchall()
    prev = "0" * 64
    for seq, time_, actor, action, subject, details in rows:
        if seq == 6:
            actor = "someone-else"
        h = entry_hash(seq, time_, actor, action, subject, details, prev)
        con.execute("UPDATE audit SET actor=?, prev_hash=?, hash=? WHERE seq=?", (actor, prev, h, seq))
        prev = h
    con.commit()
    con.close()
    code, out = _verify(capsys)
    lines = out.splitlines()
    assert code == 1 and lines[0].startswith("seq 6: rewritten:")
    assert not any(line.startswith(("seq 1:", "seq 5:")) for line in lines)


def test_forged_head_signature_is_reported(chain, capsys):
    _tamper(chain, ("UPDATE audit_heads SET signature=? WHERE seq=2", ("00" * 64,)))
    code, out = _verify(capsys)
    assert code == 1 and "seq 2: bad-signature" in out


def test_export_jsonl_and_csv(chain, tmp_path, capsys):
    out = tmp_path / "audit.jsonl"
    assert main(["audit", "export", "--format", "jsonl", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["seq"] for r in rows] == list(range(1, 11)) and rows[0]["details"]["masked"]["name"] == "张**"
    assert main(["audit", "export", "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(table) == 11 and table[9]["subject"] == "SG7700000010"
    assert table[10]["action"] == "export" and json.loads(table[10]["details"]) == {"format": "jsonl", "entries": 10}
    # the export itself is audited and the chain still verifies
    assert AuditLog(open_store()).entries(action="export")[-1].details["format"] == "csv"
    assert main(["audit", "verify"]) == 0


def test_replaced_key_and_resigned_chain_fail_against_the_recorded_key(chain, sigilo_home, capsys):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from desktop.audit.log import head_message
    from desktop.audit.signing import key_id, public_hex

    assert main(["audit", "key"]) == 0
    recorded = capsys.readouterr().out.split(": ")[1].strip()
    # an attacker edits an entry, recomputes the chain, makes a new key and signs it all again
    con = sqlite3.connect(chain)
    rows = con.execute("SELECT seq, time, actor, action, subject, details FROM audit ORDER BY seq").fetchall()
    forged = Ed25519PrivateKey.generate()
    prev = "0" * 64
    con.execute("DELETE FROM audit_heads")
    for seq, time_, actor, action, subject, details in rows:
        actor = "nobody" if seq == 2 else actor
        h = entry_hash(seq, time_, actor, action, subject, details, prev)
        con.execute("UPDATE audit SET actor=?, prev_hash=?, hash=? WHERE seq=?", (actor, prev, h, seq))
        con.execute("INSERT INTO audit_heads(seq, hash, key_id, public_key, signature, time) VALUES(?,?,?,?,?,?)",
                    (seq, h, key_id(forged.public_key()), public_hex(forged.public_key()),
                     forged.sign(head_message(seq, h)).hex(), time_))
        prev = h
    con.commit()
    con.close()
    raw = forged.private_bytes_raw().hex()
    (sigilo_home / "audit-ed25519.key").write_text(raw + "\n")
    assert main(["audit", "verify"]) == 0  # the station's own files now agree with each other ...
    capsys.readouterr()
    assert main(["audit", "verify", "--public-key", recorded]) == 1  # ... but not with the recorded key
    assert capsys.readouterr().out.count("bad-signature") == 10


def _resign_with_the_audit_key(db, sigilo_home, edit_seq):
    """What someone holding a copy of the station's files can do: edit an entry, recompute
    the chain and sign every head again with the audit key file beside the store."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from desktop.audit.log import head_message
    from desktop.audit.signing import key_id, public_hex

    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex((sigilo_home / "audit-ed25519.key").read_text().strip()))
    con = sqlite3.connect(db)
    rows = con.execute("SELECT seq, time, actor, action, subject, details FROM audit ORDER BY seq").fetchall()
    prev = "0" * 64
    con.execute("DELETE FROM audit_heads")
    for seq, time_, actor, action, subject, details in rows:
        actor = "nobody" if seq == edit_seq else actor
        h = entry_hash(seq, time_, actor, action, subject, details, prev)
        con.execute("UPDATE audit SET actor=?, prev_hash=?, hash=? WHERE seq=?", (actor, prev, h, seq))
        con.execute("INSERT INTO audit_heads(seq, hash, key_id, public_key, signature, time) VALUES(?,?,?,?,?,?)",
                    (seq, h, key_id(key.public_key()), public_hex(key.public_key()),
                     key.sign(head_message(seq, h)).hex(), time_))
        prev = h
    con.commit()
    con.close()


@pytest.fixture
def anchored(chain, tmp_path):
    """The chain with its head countersigned by the station's (unlocked) seal key."""
    from desktop.audit.anchor import anchor_head
    from desktop.seal import Sealer, ensure_demo_keys

    keys = tmp_path / "keys"
    ensure_demo_keys(keys)
    sealer = Sealer.from_keys_dir(keys)
    with open_store() as store:
        first = anchor_head(store, sealer)
        assert first is not None and first.seq == 10 and anchor_head(store, sealer) is None  # once per head
    return chain, keys


def test_anchored_chain_verifies_against_the_station_key(anchored, capsys):
    _, keys = anchored
    assert main(["audit", "verify", "--keys", str(keys)]) == 0
    out = capsys.readouterr().out
    assert "1 head(s) countersigned by station" in out and "newest at seq 10" in out


def test_rewrite_resigned_with_the_audit_key_is_caught_by_the_station_anchor(anchored, sigilo_home, capsys):
    db, keys = anchored
    _resign_with_the_audit_key(db, sigilo_home, edit_seq=3)
    for extra in ([], ["--keys", str(keys)]):
        assert main(["audit", "verify", *extra]) == 1
        lines = capsys.readouterr().out.splitlines()
        assert lines == ["seq 10: unanchored: the station's seal key signed this entry's hash on "
                         + lines[0].split(" on ", 1)[1]]


def test_forged_anchor_fails_against_the_station_key(anchored, sigilo_home, capsys):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from desktop.audit.anchor import anchor_message

    db, keys = anchored
    _resign_with_the_audit_key(db, sigilo_home, edit_seq=3)
    forged = Ed25519PrivateKey.generate()  # the anchor re-made with a key of the attacker's own
    con = sqlite3.connect(db)
    station = con.execute("SELECT station_id FROM audit_anchors").fetchone()[0]
    head = con.execute("SELECT hash FROM audit WHERE seq=10").fetchone()[0]
    con.execute("UPDATE audit_anchors SET hash=?, public_key=?, signature=?",
                (head, forged.public_key().public_bytes_raw().hex(), forged.sign(anchor_message(station, 10, head)).hex()))
    con.commit()
    con.close()
    # the store agrees with itself, but without the station's station.pub nothing vouches for
    # the anchor: that is a problem, never "countersigned by station ..."
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("seq 10: unchecked-anchor: ") and "countersigned by" not in out
    assert main(["audit", "verify", "--keys", str(keys)]) == 1  # ... not with the station's station.pub
    assert capsys.readouterr().out.startswith("seq 10: bad-anchor: ")
