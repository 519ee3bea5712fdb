"""The clerk's and the merchant's journeys through the real CLI, a simulated printer on a socat
pty and the station's store: void with a supervisor's approval and print again (history shows
both, the void with its reason); search by order id, reprint with reason "damaged" from history
(no plaintext kept) with the REPRINT mark and the same seal; all audited, chain verified."""

from __future__ import annotations

import json

from argon2 import PasswordHasher

from desktop.audit import AuditLog
from desktop.cli import main
from desktop.operators import Operators
from desktop.seal import Scanner, ensure_demo_keys
from desktop.store import open_store
from desktop.validation import validate
from printers.simulator import SimulatedPrinter



def _cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_void_and_reprint_from_history_through_the_cli(tmp_path, sample_shipments, capsys, monkeypatch):
    keys = tmp_path / "keys"
    ensure_demo_keys(keys)
    rows = [sample_shipments[0], sample_shipments[26]]
    orders = tmp_path / "orders.jsonl"
    orders.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    with open_store() as store:
        ops = Operators(store, hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))
        ops.add("clerk1", "clerk-pass-1", "clerk")
        ops.add("sup1", "super-pass-1", "supervisor")
    ships = [validate(r).shipment for r in rows]
    sim = SimulatedPrinter("tspl", baud=921600, seconds_per_label=0.01, pty=tmp_path / "printer").start()
    try:
        code, out, err = _cli(capsys, "print", str(orders), "--printer", sim.uri, "--profile", "tspl-203-cn",
                              "--keys", str(keys))
        assert code == 0, err
        assert len(sim.labels) == 2
        # journey 1, step 5: the phone was wrong - void (a clerk cannot approve; a supervisor can)
        monkeypatch.setenv("SIGILO_SUPERVISOR_PASSWORD", "clerk-pass-1")
        code, out, err = _cli(capsys, "jobs", "void", ships[0].tracking_number, "--reason", "wrong phone",
                              "--supervisor", "clerk1")
        assert code != 0 and "may not approve void" in err
        monkeypatch.setenv("SIGILO_SUPERVISOR_PASSWORD", "super-pass-1")
        code, out, err = _cli(capsys, "jobs", "void", ships[0].tracking_number, "--reason", "wrong phone",
                              "--supervisor", "sup1")
        assert code == 0, err
        fixed = dict(rows[0], recipient=dict(rows[0]["recipient"], phone="13912345678"),
                     tracking_number=ships[0].tracking_number[:-1] + ("1" if ships[0].tracking_number[-1] != "1" else "2"))
        orders.write_text(json.dumps(fixed, ensure_ascii=False), encoding="utf-8")
        code, out, err = _cli(capsys, "print", str(orders), "--printer", sim.uri, "--profile", "tspl-203-cn",
                              "--keys", str(keys))
        assert code == 0, err
        code, out, _ = _cli(capsys, "jobs", "history", ships[0].order_id)
        lines = out.splitlines()
        assert len(lines) == 2 and "\tconfirmed\t" in lines[0]
        assert "\tvoided\t" in lines[1] and lines[1].endswith("void: wrong phone")
        # journey 2, step 4: a parcel comes back damaged - find it by order id, reprint it
        code, out, _ = _cli(capsys, "jobs", "history", ships[1].order_id, "--json")
        [found] = [json.loads(line) for line in out.splitlines()]
        assert found["tracking_number"] == ships[1].tracking_number and found["order_id"] == ships[1].order_id
        code, out, err = _cli(capsys, "jobs", "reprint", found["tracking_number"], "--reason", "damaged",
                              "--supervisor", "sup1", "--printer", sim.uri, "--profile", "tspl-203-cn")
        assert code == 0, err
        assert "reprinted 1 label(s) marked REPRINT (damaged), approved by sup1" in out
        assert len(sim.labels) == 4
    finally:
        sim.stop()
    reprinted = sim.labels[3]
    # the reprint says REPRINT in the language its label was printed in: this parcel goes to a
    # Brazilian recipient, so both copies are Portuguese ("Ã" is drawn as a bitmap in a CN font)
    assert b"Peso:" in sim.labels[1] and b"Peso:" in reprinted
    assert b'"REIMPRESS"' in reprinted and "O · damaged".encode("gb18030") in reprinted
    assert b"REIMPRESS" not in sim.labels[1]
    assert found["qr_text"].encode() in reprinted  # the same seal, still opening to the full shipment
    opened = Scanner.from_keys_dir(keys).open(found["qr_text"], barcode=ships[1].tracking_number)
    assert opened.shipment.to_dict() == ships[1].to_dict()
    with open_store() as store:
        log = AuditLog(store)
        assert [(e.subject, e.details["reason"], e.details["approved_by"]) for e in log.entries(action="void")] == [
            (ships[0].tracking_number, "wrong phone", "sup1")]
        reprint = log.entries(action="reprint")
        assert [(e.subject, e.details["reason"], e.details["approved_by"]) for e in reprint] == [
            (ships[1].tracking_number, "damaged", "sup1")]
        assert store.query("SELECT COUNT(*) FROM labels WHERE payload IS NOT NULL")[0][0] == 0
        imports = log.entries(action="import")
        assert [(e.subject, e.details) for e in imports][0] == ("orders.jsonl", {"rows": 2, "valid": 2, "invalid": 0})
    monkeypatch.setenv("SIGILO_SUPERVISOR_PASSWORD", "wrong")  # a wrong password approves nothing
    code, out, err = _cli(capsys, "jobs", "void", ships[1].tracking_number, "--reason", "x", "--supervisor", "sup1")
    assert code != 0 and "voided" not in out
    with open_store() as store:
        assert [e.subject for e in AuditLog(store).entries(action="void")] == [ships[0].tracking_number]
        assert AuditLog(store).entries(action="login_failed")[-1].subject == "sup1"
    code, out, _ = _cli(capsys, "audit", "verify", "--keys", str(keys))
    assert code == 0 and "chain intact" in out


def test_forty_light_labels_to_one_phone_raise_an_alert(tmp_path, sample_shipments, capsys):
    """Journey 3, step 5: 40 labels today to one phone (written three ways), each under 50 g,
    printed through ``sigilo print``; ``sigilo alerts`` shows the supervisor a bill-swiping
    alert with the masked phone only."""
    keys = tmp_path / "keys"
    ensure_demo_keys(keys)
    base = next(r for r in sample_shipments if r["recipient"].get("country", "CN") == "CN")
    phone = validate(base).shipment.recipient.phone
    digits = "".join(c for c in phone if c.isdigit())[-11:]
    ways = [digits, f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}", f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"]
    rows = []
    for i in range(40):
        row = json.loads(json.dumps(base))
        row["recipient"]["phone"] = ways[i % 3]
        row["tracking_number"] = f"SG88{i:08d}"
        row["order_id"] = f"SW-{i}"
        row["parcel"] = dict(row.get("parcel") or {}, weight_kg=0.01 + (i % 4) * 0.01)
        rows.append(row)
    orders = tmp_path / "orders.jsonl"
    orders.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    sim = SimulatedPrinter("zpl", baud=None, seconds_per_label=0.0, pty=tmp_path / "printer").start()
    try:
        code, out, err = _cli(capsys, "print", str(orders), "--printer", sim.uri, "--profile", "zpl-203",
                              "--keys", str(keys))
    finally:
        sim.stop()
    assert code == 0, err
    code, out, _ = _cli(capsys, "alerts", "--json")
    alerts = [json.loads(line) for line in out.splitlines()]
    swiping = [a for a in alerts if a["rule"] == "bill_swiping" and " to one phone " in a["message"]]
    assert len(swiping) == 1 and swiping[0]["message"].startswith("40 labels under 0.05 kg to one phone (")
    assert len(swiping[0]["details"]["tracking_numbers"]) == 40 and swiping[0]["severity"] == "critical"
    assert digits not in json.dumps(alerts) and digits[-4:] in swiping[0]["message"]
