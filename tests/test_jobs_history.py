"""Reprint from history: a printed label keeps only its masked view, sealed QR and face fields,
and that is enough to print it again, marked REPRINT with the reason, with the same seal (the
scanner still opens it), audited with the approving supervisor."""

from __future__ import annotations

import re

from desktop.audit import AuditLog
from desktop.jobs import PrintQueue
from desktop.jobs.render import compose_renderer
from desktop.masking import mask
from desktop.seal import Scanner, Sealer, ensure_demo_keys
from desktop.store import open_store
from desktop.validation import validate
from printers.simulator import SimulatedPrinter


def test_reprint_from_history_uses_what_was_kept(sample_shipments, tmp_path):
    keys = tmp_path / "keys"
    ensure_demo_keys(keys)
    ships = [validate(row).shipment for row in (sample_shipments[0], sample_shipments[26])]
    sim = SimulatedPrinter("tspl", baud=None, seconds_per_label=0.0, mem="history-reprint").start()
    store = open_store()
    asked = []
    render = compose_renderer(Sealer.from_keys_dir(keys))

    def recording(work):
        asked.append(work)
        return render(work)

    try:
        with PrintQueue(store, recording, poll_interval=0.002) as q:
            q.wait(q.submit(sim.uri, "tspl-203-cn", ships), timeout=60)
            assert store.query("SELECT COUNT(*) FROM labels WHERE payload IS NOT NULL")[0][0] == 0
            found = q.history(ships[1].order_id)
            assert [h["tracking_number"] for h in found] == [ships[1].tracking_number]
            assert found[0]["masked"] == mask(ships[1]).to_dict()
            job = q.reprint([ships[1].tracking_number], sim.uri, "tspl-203-cn", "damaged", approved_by="sup1")
            progress = q.wait(job, timeout=60)
    finally:
        sim.stop()
    assert progress.count("confirmed") == 1 and len(sim.labels) == 3
    work = asked[-1]
    assert work.reprint == "damaged" and work.masked == mask(ships[1]).to_dict()
    assert work.shipment.recipient.name == "" and work.shipment.recipient.phone == ""  # no plaintext used
    kept = store.query("SELECT qr_text FROM labels WHERE tracking_number=? ORDER BY id", (ships[1].tracking_number,))
    assert kept[0]["qr_text"] == kept[1]["qr_text"]  # the same seal
    assert kept[0]["qr_text"].encode() in sim.labels[2]
    assert re.search(rb'"' + ships[1].tracking_number.encode() + rb'"', sim.labels[2])  # the Code128 field
    opened = Scanner.from_keys_dir(keys).open(kept[1]["qr_text"], barcode=ships[1].tracking_number)
    assert opened.shipment.to_dict() == ships[1].to_dict()
    entry = AuditLog(store).entries(action="reprint")[-1]
    assert entry.subject == ships[1].tracking_number
    assert entry.details == {"job": job, "reason": "damaged", "approved_by": "sup1", "from": "history"}


def test_jobs_command_lists_shows_retries_and_finds(capsys):
    import json as _json

    from desktop.cli import main
    from desktop.jobs.jobstore import JobStore
    from desktop.shipment import Shipment

    store = open_store()
    js = JobStore(store)
    ships = [Shipment.from_dict({"tracking_number": f"SGC{i}", "order_id": f"ORD-{i}",
                                 "recipient": {"name": "张伟", "phone": "13800138000"}}) for i in range(3)]
    job = js.create_job("mem://p", "tspl-203", ships, "waybill-100x150")
    rows = js.next_labels("mem://p", limit=3)
    js.mark_sent(rows[0]["id"])
    js.mark_confirmed(rows[0]["id"], "0" * 64, {"recipient": {"name": "张*", "phone": "*******8000"}}, "SG1:X",
                      "mem://p", face={"order_id": "ORD-0"})
    js.mark_failed(rows[1]["id"], "the sealed QR needs version 41")
    store.close()
    assert main(["jobs", "--json"]) == 0
    listed = _json.loads(capsys.readouterr().out)
    assert listed["job"] == job and (listed["confirmed"], listed["failed"], listed["queued"]) == (1, 1, 1)
    assert main(["jobs", "show", job]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "1\tSGC1\tfailed\tthe sealed QR needs version 41"
    assert main(["jobs", "retry", job]) == 0 and "1 failed label(s) queued again" in capsys.readouterr().out
    assert main(["jobs", "history", "ORD-0"]) == 0
    out = capsys.readouterr().out
    assert "SGC0" in out and "张* *******8000" in out and "张伟" not in out
    assert main(["jobs", "cancel", job]) == 0
    capsys.readouterr()
    assert main(["jobs", "show", "nope"]) == 1


def test_void_needs_a_supervisor_and_is_audited():
    import pytest as _pytest
    from argon2 import PasswordHasher

    from desktop.jobs.jobstore import JobStore
    from desktop.operators import Operators, PermissionDenied
    from desktop.shipment import Shipment

    store = open_store()
    ops = Operators(store, hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))
    clerk = ops.add("clerk1", "password1", "clerk")
    ops.add("sup1", "password2", "supervisor")
    js = JobStore(store)
    js.create_job("mem://p", "tspl-203", [Shipment.from_dict({"tracking_number": "SGV1"})], "waybill-100x150")
    row = js.next_labels("mem://p")[0]
    js.mark_sent(row["id"])
    js.mark_confirmed(row["id"], "0" * 64, {}, "SG1:X", "mem://p")
    q = PrintQueue(store, renderer=lambda work: None)
    with _pytest.raises(PermissionDenied):
        q.void("SGV1", "wrong phone", actor="clerk1", approval=clerk)
    approval = ops.approve("void", "sup1", "password2", "SGV1")
    q.void("SGV1", "wrong phone", actor="clerk1", approval=approval)
    assert [h["state"] for h in q.history("SGV1")] == ["voided"]
    entry = AuditLog(store).entries(action="void")[0]
    assert (entry.actor, entry.details) == ("clerk1", {"reason": "wrong phone", "approved_by": "sup1", "labels": 1})
    with _pytest.raises(PermissionDenied):
        q.reprint(["SGV1"], "mem://p", "tspl-203", "damaged", approval=clerk)
