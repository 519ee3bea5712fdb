"""Privacy at rest: after the sample shipments are printed through the queue (real masking,
sealing, composition and TSPL encoding, to the simulated printer over a pty), the database,
its WAL, the logs and the temp folder hold no hidden recipient detail in any encoding; the
store keeps the masked view, the QR text and a hash of the bytes sent, and the labels the
printer received carry their sealed QR; labels of unknown fate are composed with a REPRINT mark."""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile

import pytest
from privacy_scan import assert_no_fragments, tspl_fields

from desktop.audit import AuditLog, verify_chain
from desktop.jobs import CONFIRMED, PrintQueue
from desktop.jobs.jobstore import JobStore
from desktop.jobs.render import compose_renderer
from desktop.masking import hidden_fragments, mask
from desktop.seal import Sealer, ensure_demo_keys
from desktop.store import open_store
from desktop.validation import validate
from printers.simulator import SimulatedPrinter



@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    path = tmp_path / "tmp"
    path.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    monkeypatch.setenv("TMPDIR", str(path))
    return path


def test_store_logs_and_temp_hold_no_hidden_recipient_detail(sample_shipments, sigilo_home, private_tmp, tmp_path):
    keys = tmp_path / "keys"
    ensure_demo_keys(keys)
    sealer = Sealer.from_keys_dir(keys)
    ships = [validate(row).shipment for row in sample_shipments]
    # a part hidden on one label may be shown on another (a surname that is also a street
    # name elsewhere): such parts are no secret in a store that keeps every masked view
    shown = " ".join(json.dumps(mask(s).to_dict(), ensure_ascii=False) for s in ships)
    hidden = {f for s in ships for f in hidden_fragments(s, mask(s))}
    fragments = sorted(f for f in hidden if f not in shown)
    assert len(hidden) - len(fragments) <= 6 and len(fragments) > 40

    log_file = sigilo_home / "sigilo.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    sim = SimulatedPrinter("tspl", baud=921600, seconds_per_label=0.002, pty=tmp_path / "printer").start()
    try:
        store = open_store()
        js = JobStore(store)
        # a crash left the first two labels "sent": they must come out marked REPRINT
        early = js.create_job(sim.uri, "tspl-203-cn", ships[:2], "waybill-100x150")
        for row in js.next_labels(sim.uri, limit=2):
            js.mark_sent(row["id"])
        render = compose_renderer(sealer)
        asked = {}

        def recording(work):  # what the queue asked composition for: the REPRINT mark where due
            asked[work.shipment.tracking_number] = work.reprint
            return render(work)

        with PrintQueue(store, recording, window=2, poll_interval=0.005) as queue:
            job = queue.submit(sim.uri, "tspl-203-cn", ships[2:])
            assert queue.wait(job, timeout=120).count(CONFIRMED) == len(ships) - 2
            assert queue.wait(early, timeout=30).count(CONFIRMED) == 2
            # scan while the database is open: the WAL still holds recent pages
            files = {p.name: p.read_bytes() for p in sigilo_home.iterdir() if p.is_file()}
            rows = store.query("SELECT tracking_number, masked, qr_text, bytes_hash, payload FROM labels ORDER BY id")
    finally:
        sim.stop()
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()

    assert "sigilo.db-wal" in files and len(files["sigilo.db-wal"]) > 0
    qr_texts = tuple(r["qr_text"] for r in rows)
    for name, data in files.items():
        # SQLite keeps text as UTF-8 or UTF-16 (every form of 4 bytes and more is searched);
        # 3-byte needles such as "5栋" in GB18030 turn up by chance in ciphertext and signatures
        assert_no_fragments(data, fragments, name, min_bytes=4, short_numbers=False, allow=qr_texts)
    # folder names of this test run (pytest-1005/...) are not recipient data
    log_text = log_file.read_bytes().replace(str(tmp_path).encode(), b"<tmp>")
    assert_no_fragments(log_text, fragments, "the log", allow=qr_texts)
    for path in private_tmp.rglob("*"):
        if path.is_file():
            assert_no_fragments(path.read_bytes(), fragments, f"temp file {path.name}", short_numbers=False)

    # what is kept: masked view + QR text + hash of the bytes the printer got
    printed = {}
    for label in sim.labels:
        text = tspl_fields(label)
        assert_no_fragments(text, fragments, "printer text fields", allow=qr_texts)
        for r in rows:
            if r["qr_text"].encode() in label:
                printed[r["tracking_number"]] = label
    assert set(printed) == {s.tracking_number for s in ships}
    by_tracking = {s.tracking_number: s for s in ships}
    for r in rows:
        assert r["payload"] is None and r["qr_text"].startswith("SG1:")
        assert json.loads(r["masked"]) == mask(by_tracking[r["tracking_number"]]).to_dict()
        assert r["bytes_hash"] == hashlib.sha256(printed[r["tracking_number"]]).hexdigest()
    marked = {t: reason for t, reason in asked.items() if reason}
    assert marked == {ships[0].tracking_number: "fate unknown after restart",
                      ships[1].tracking_number: "fate unknown after restart"}
    assert verify_chain(store)[1] == []
    # what was written into the audit, less what is hex or digits by construction (hashes, job
    # ids, times) or names this test run's folders: a 4-digit house number is searched as a number
    said = [{"actor": e.actor, "action": e.action, "subject": e.subject,
             "details": {k: v for k, v in e.details.items() if k not in ("bytes_sha256", "job")}}
            for e in AuditLog(store).entries()]
    audit = json.dumps(said, ensure_ascii=False).replace(str(tmp_path), "<tmp>").encode()
    assert_no_fragments(audit, fragments, "the audit", allow=qr_texts)
