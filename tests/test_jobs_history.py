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
    assert main(["jobs", "history", "RD-"]) == 0 and "SGC0" in capsys.readouterr().out  # a fragment
    assert main(["jobs", "history", "ORD-00"]) == 0 and capsys.readouterr().out == ""
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


def test_reprint_from_history_reproduces_the_whole_face(sample_shipments, tmp_path):
    """The reprint's bytes equal those of the same label composed from the plaintext with the
    REPRINT mark: template, print time, order, service, parcel, sender, sort code all kept."""
    import json as _json
    from datetime import datetime

    from desktop.compose import compose_label
    from desktop.compose.outputs import load_printer_profile, render_label
    from desktop.masking import hidden_fragments

    keys = tmp_path / "keys"
    ensure_demo_keys(keys)
    ship = validate(sample_shipments[26]).shipment
    assert ship.order_id and ship.parcel.items and mask(ship).sender.full
    sealer = Sealer.from_keys_dir(keys)
    sim = SimulatedPrinter("tspl", baud=None, seconds_per_label=0.0, mem="history-face").start()
    store = open_store()
    sent = []
    render = compose_renderer(sealer)

    def recording(work):
        sent.append(render(work))
        return sent[-1]

    try:
        with PrintQueue(store, recording, poll_interval=0.002) as q:
            q.wait(q.submit(sim.uri, "tspl-203", [ship], "waybill-76x130"), timeout=60)
            item = q.history(ship.order_id)[0]
            assert q.printed_label(ship.tracking_number) == item
            job = q.reprint([ship.tracking_number], sim.uri, "tspl-203", "damaged", approved_by="sup1")
            assert q.wait(job, timeout=60).count("confirmed") == 1
    finally:
        sim.stop()
    face = item["face"]
    assert (item["order_id"], face["order_id"], face["service"]) == (ship.order_id, ship.order_id, ship.service)
    assert face["template"] == "waybill-76x130" and face["parcel"] == ship.parcel.to_dict()
    assert face["sender"] == ship.sender.to_dict() and face["printed_at"] == sent[0].printed_at
    assert set(face["recipient"]) <= {"country", "province", "city", "district"}
    kept = _json.dumps(face, ensure_ascii=False)
    assert not [f for f in hidden_fragments(ship, mask(ship)) if f in kept]
    assert sent[1].printed_at == sent[0].printed_at  # the first print's time, shown again
    reference = compose_label(ship, "waybill-76x130", sealer=sealer, reprint="damaged", qr_text=item["qr_text"],
                              printed_at=datetime.fromisoformat(face["printed_at"]))
    assert sent[1].data == render_label(reference, "tspl", load_printer_profile("tspl-203"))
    assert sim.labels[-1] == sent[1].data != sent[0].data


def test_migration_5_gives_old_history_its_order_template_and_time():
    import json as _json
    import sqlite3

    from desktop.jobs.jobstore import JobStore
    from desktop.paths import data_dir
    from desktop.store.db import DB_FILE
    from desktop.store.migrations import MIGRATIONS

    path = data_dir() / DB_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = sqlite3.connect(path)
    for script in MIGRATIONS[:4]:
        raw.executescript(script)
    raw.execute("PRAGMA user_version=4")
    raw.execute("INSERT INTO jobs VALUES('j1','mem://p','tspl-203','waybill-4x6','cli',NULL,'done',0)")
    raw.execute("INSERT INTO labels(job_id, idx, printer_uri, tracking_number, state, masked, qr_text, face, "
                "created_at, done_at) VALUES('j1',0,'mem://p','SGM1','confirmed','{}','SG1:X',?,0,86400)",
                (_json.dumps({"order_id": "ORD-77", "service": "express"}),))
    raw.commit()
    raw.close()
    store = open_store()
    [item] = JobStore(store).history("ORD-77")
    assert item["tracking_number"] == "SGM1" and item["order_id"] == "ORD-77"
    assert item["face"]["template"] == "waybill-4x6" and item["face"]["printed_at"] == "1970-01-02T00:00:00+00:00"


def test_reprint_keeps_the_caption_language_its_label_was_printed_in(sample_shipments, tmp_path, sigilo_home):
    """A label's caption set is kept with its face: a CN label reprinted says 补打 REPRINT in
    Chinese and English, a BR one REIMPRESSÃO in Portuguese, even after the station's label
    language was changed to English (which a fresh label then shows). The face keeps the
    caption set's name, never the recipient's hidden name, phone or house number."""
    import json as _json

    from desktop.i18n.language import write_setting
    from desktop.masking import hidden_fragments

    keys = tmp_path / "keys"
    ensure_demo_keys(keys)
    cn, br = (validate(row).shipment for row in (sample_shipments[0], sample_shipments[26]))
    assert (cn.recipient.country, br.recipient.country) == ("CN", "BR")
    sim = SimulatedPrinter("tspl", baud=None, seconds_per_label=0.0, mem="history-captions").start()
    store = open_store()
    try:
        with PrintQueue(store, compose_renderer(Sealer.from_keys_dir(keys)), poll_interval=0.002) as q:
            q.wait(q.submit(sim.uri, "tspl-203-cn", [cn, br]), timeout=60)
            faces = {s.tracking_number: q.printed_label(s.tracking_number)["face"] for s in (cn, br)}
            write_setting("label_language", "en")  # the station switches its labels to English
            fresh = dict(sample_shipments[1])
            q.wait(q.submit(sim.uri, "tspl-203-cn", [validate(fresh).shipment]), timeout=60)
            job = q.reprint([cn.tracking_number, br.tracking_number], sim.uri, "tspl-203-cn", "damaged",
                            approved_by="sup1")
            assert q.wait(job, timeout=60).count("confirmed") == 2
    finally:
        write_setting("label_language", None)
        sim.stop()
    assert faces[cn.tracking_number]["caption_language"] == "zh-en"
    assert faces[br.tracking_number]["caption_language"] == "pt"
    for ship in (cn, br):
        kept = _json.dumps(faces[ship.tracking_number], ensure_ascii=False)
        assert not [f for f in hidden_fragments(ship, mask(ship)) if f in kept]
    first_cn, first_br, english, again_cn, again_br = sim.labels
    assert b"Weight:" in english and "重量".encode("gb18030") not in english  # the setting is in force
    assert "补打 REPRINT · damaged".encode("gb18030") in again_cn and "重量 Weight:".encode("gb18030") in again_cn
    assert b'"REIMPRESS"' in again_br and b"Peso:" in again_br and b"Weight" not in again_br
    assert b"REPRINT" not in first_cn and b"REIMPRESS" not in first_br
