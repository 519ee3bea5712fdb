"""A day at a real-name counter, then a scan: senders recorded from the card (the simulated
reader over a socat pty) and typed, their labels printed through the print queue to a
simulated printer, alerts run, the identity records and the audit exported, then SIGILO_HOME
(database and WAL), the log, the printer bytes, the label QR (opened with the scanner key),
the exports and the temp folder hold no ID number or name in any encoding
(tests/privacy_scan.py, identity fields)."""

from __future__ import annotations

import json
import logging
import tempfile

from privacy_scan import assert_no_identity, identity_fragments, tspl_fields

from desktop.alerts import Alerts
from desktop.identity.book import IdentityBook
from desktop.identity.export import export_records
from desktop.identity.gate import before_print
from desktop.identity.keys import create_identity, import_enrolment
from desktop.identity.reader.client import read_card
from desktop.identity.reader.simulator import SimulatedIdReader, load_cards
from desktop.jobs import CONFIRMED, PrintQueue
from desktop.jobs.render import compose_renderer
from desktop.seal import Scanner, Sealer, ensure_demo_keys
from desktop.store import open_store
from desktop.validation import validate
from printers.simulator import SimulatedPrinter

TYPED = [("cn_resident", "11010519491231002X", "欧阳明月"), ("passport", "E98765432", "Maria Souza"),
         ("hkmo_permit", "H87654321", "陳美玲")]


def test_a_day_of_real_name_printing_leaves_no_identity_anywhere(tmp_path, sigilo_home, monkeypatch, sample_shipments):
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    log_file = sigilo_home / "sigilo.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)

    keys = sigilo_home / "keys"
    ensure_demo_keys(keys)
    office = tmp_path / "office"
    create_identity(office, None, demo=True)
    import_enrolment(keys, office / "identity-enrol.json")
    store = open_store()
    store.set_setting("identity.station_kind", "counter")
    book = IdentityBook(store, keys)
    cards = load_cards()
    sim = SimulatedPrinter("tspl", baud=None, seconds_per_label=0.0, mem="identity-day").start()
    people = []  # (number, name, masked view)
    ships = []
    try:
        with SimulatedIdReader(tmp_path / "idreader") as reader:
            for name in ("zhou", "chan", "zhou"):
                reader.place(name)
                entered = book.enter(read_card(reader.uri), "clerk1")
                people.append((cards[name]["number"], cards[name]["name"], entered))
        for id_type, number, name in TYPED:
            entered = book.enter({"id_type": id_type, "number": number, "name": name}, "clerk1")
            people.append((number, name, entered))
        base = next(s for s in sample_shipments if s["recipient"]["country"] == "CN")
        for i, (_, name, entered) in enumerate(people):
            data = json.loads(json.dumps(base))
            data["tracking_number"] = f"SG77990000{i:02d}"
            data["sender"] = {"name": name, "phone": "13900001111", "country": "CN", "province": "浙江省",
                              "city": "杭州市", "district": "西湖区", "street": "文三路1号", "postcode": "310000"}
            data["parcel"]["weight_kg"] = 0.01
            ship = validate(data).shipment
            assert before_print(store, [ship], entered.record_id, keys) == 1
            ships.append(ship)
        with PrintQueue(store, compose_renderer(Sealer.from_keys_dir(keys)), poll_interval=0.005) as queue:
            job = queue.submit(sim.uri, "tspl-203-cn", ships)
            assert queue.wait(job, timeout=120).count(CONFIRMED) == len(ships)
        store.set_setting("alerts.thresholds", {"identity_bill_swiping": {"count": 2}})
        raised = Alerts(store).evaluate()
        assert any(a.rule == "identity_bill_swiping" for a in raised)  # zhou sent two near-empty parcels
        export = tmp_path / "out" / "identity.json"
        assert export_records(store, export, 0) == len(people)
        from desktop.audit import AuditLog
        from desktop.audit.export import export_audit

        audit_out = tmp_path / "out" / "audit.jsonl"
        with open(audit_out, "w", encoding="utf-8") as fh:
            export_audit(AuditLog(store), fh)
        files = {p.name: p.read_bytes() for p in sigilo_home.rglob("*") if p.is_file()}
        qr_texts = tuple(r[0] for r in store.query("SELECT qr_text FROM labels"))
    finally:
        sim.stop()
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
        store.close()

    fragments, numbers = [], []
    for number, name, entered in people:
        # a sender's surname shows on the label as a sender's masked name does (王**): what the
        # clerk's view shows is no secret; the rest is
        fragments += identity_fragments(number, name, entered.masked.number, entered.masked.name)
        numbers.append(number)
    fragments = sorted(set(fragments))
    assert "11010519491231002X" in fragments and "明月" in fragments and "10519491231" in fragments
    assert "sigilo.db-wal" in files or "sigilo.db" in files
    for name, data in files.items():
        assert_no_identity(data, fragments, numbers, name, allow=qr_texts)
    assert_no_identity(log_file.read_bytes().replace(str(tmp_path).encode(), b"<tmp>"), fragments, numbers, "the log")
    for path in private_tmp.rglob("*"):
        if path.is_file():
            assert_no_identity(path.read_bytes(), fragments, numbers, f"temp file {path.name}")
    assert_no_identity(export.read_bytes(), fragments, numbers, "the identity export")
    assert_no_identity(audit_out.read_bytes(), fragments, numbers, "the audit export")
    assert len(sim.labels) == len(ships)
    for label in sim.labels:
        assert_no_identity(tspl_fields(label), fragments, numbers, "printer text fields", allow=qr_texts)
    # the label's QR, opened as an authorized courier would: the shipment, never the sender's ID
    scanner = Scanner.from_keys_dir(keys)
    for text in qr_texts:
        opened = json.dumps(scanner.open(text).shipment.to_dict(), ensure_ascii=False).encode()
        numbers_in_qr = [n for n in numbers if n.encode() in opened]
        assert numbers_in_qr == []


def test_the_identity_scan_finds_every_form_it_claims():
    import base64

    import pytest

    number, name = "11010519491231002X", "欧阳明月"
    fragments = identity_fragments(number, name, "110***********002X", "欧阳**")
    assert "明月" in fragments and "19491231" in fragments and "10519491231" in fragments
    forms = [number.encode("utf-16-le"), number.encode("utf-16-be").hex().encode(), base64.b64encode(b"xx" + number.encode()),
             name.encode("gb18030"), "".join(f"_{b:02X}" for b in name.encode()).encode(), b"...10519491231...",
             int("11010519491231002").to_bytes(8, "big"), "明月".encode("utf-8")]
    for form in forms:
        with pytest.raises(AssertionError):
            assert_no_identity(b"label " + form + b" end", fragments, [number], "probe")
    assert_no_identity("110***********002X 欧阳**".encode(), fragments, [number], "the masked view")
