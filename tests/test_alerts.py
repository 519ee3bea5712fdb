"""Alerts: bill swiping found by keyed hash of the phone and address (the store never holds
them), reprint bursts, failed sign-ins and scans, after-hours printing, printer faults;
thresholds from settings; listed by ``sigilo alerts``."""

from __future__ import annotations

import json
from datetime import datetime

from desktop.alerts import Alerts
from desktop.audit import AuditLog
from desktop.cli import main
from desktop.jobs.jobstore import JobStore
from desktop.shipment import Shipment
from desktop.store import open_store


def shipments(n, phone="13800138000", weight=0.02, detail="8栋1单元101室"):
    return [Shipment.from_dict({"tracking_number": f"SGB{phone[1:3]}{phone[-4:]}{i:04d}", "recipient": {
        "name": "李娜", "phone": phone, "country": "CN", "province": "广东省", "city": "深圳市",
        "district": "南山区", "street": "科技园路1号", "detail": detail}, "parcel": {"weight_kg": weight}})
        for i in range(n)]


def print_all(store, items):
    js = JobStore(store)
    js.create_job("mem://p", "tspl-203", items, "waybill-100x150")
    for row in js.next_labels("mem://p", limit=1000):
        js.mark_sent(row["id"])
        js.mark_confirmed(row["id"], "0" * 64, {"recipient": {"phone": "*******8000", "region": "广东省 深圳市 南山区",
                                                               "address": "科技园路"}}, "SG1:X", "mem://p")


def test_bill_swiping_by_phone_and_by_address(sigilo_home):
    store = open_store()
    print_all(store, shipments(20))  # 20 light labels to one phone (also one address)
    print_all(store, shipments(19, phone="13900000000", detail="9栋"))  # under the threshold
    print_all(store, shipments(25, phone="13700000000", weight=1.5, detail="7栋"))  # heavy: real parcels
    raised = Alerts(store).evaluate()
    swiping = [a for a in raised if a.rule == "bill_swiping"]
    assert sorted(a.subject.split(":")[0] for a in swiping) == ["address", "phone"]
    phone_alert = next(a for a in swiping if a.subject.startswith("phone:"))
    assert phone_alert.message.startswith("20 labels under 0.05 kg to one phone (*******8000)")
    assert len(phone_alert.details["tracking_numbers"]) == 20
    assert Alerts(store).evaluate() == []  # not raised twice in the window
    store.close()
    raw = b"".join(p.read_bytes() for p in sigilo_home.glob("sigilo.db*"))
    for secret in ("13800138000", "8栋1单元101室", "李娜"):
        assert secret.encode() not in raw


def test_thresholds_come_from_settings():
    store = open_store()
    store.set_setting("alerts.thresholds", {"bill_swiping": {"count": 3}})
    print_all(store, shipments(3, phone="13600000000"))
    assert any(a.rule == "bill_swiping" for a in Alerts(store).evaluate())


def test_reprint_burst_failed_logins_scans_and_faults():
    store = open_store()
    store.set_setting("alerts.thresholds", {"after_hours": {"start_hour": 0, "end_hour": 24}})  # any hour is fine
    log = AuditLog(store)
    for i in range(5):
        log.append("c", "reprint", f"SG{i}", {"reason": "damaged"})
    for _ in range(5):
        log.append("mallory", "login_failed", "mallory", {"why": "bad credentials"})
    for _ in range(4):
        log.append("scanner", "scan_failed", "", {"why": "bad signature"})
    log.append("system", "fault", "serial:///dev/ttyUSB0", {"state": "paper_out", "reason": "paper_out"})
    rules = sorted(a.rule for a in Alerts(store).evaluate())
    assert rules == ["failed_logins", "printer_fault", "reprint_burst"]  # 4 failed scans < 5
    log.append("scanner", "scan_failed", "", {"why": "expired"})
    assert [a.rule for a in Alerts(store).evaluate()] == ["failed_scans"]


def test_after_hours_printing():
    store = open_store()
    hour = datetime.now().hour
    store.set_setting("alerts.thresholds", {"after_hours": {"start_hour": (hour + 1) % 24, "end_hour": (hour + 2) % 24 or 24}})
    AuditLog(store).append("c", "print", "SG7700000001", {})
    raised = Alerts(store).evaluate()
    assert [a.rule for a in raised] == ["after_hours"] and "SG7700000001" in raised[0].message
    assert Alerts(store).evaluate() == []


def test_alerts_command(capsys):
    store = open_store()
    AuditLog(store).append("system", "fault", "tcp://10.0.0.5:9100", {"state": "head_open", "reason": "head_open"})
    store.close()
    assert main(["alerts", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["rule"] for r in rows] == ["printer_fault"] and "head_open" in rows[0]["message"]
    assert main(["alerts", "ack", str(rows[0]["id"])]) == 0
    capsys.readouterr()
    assert main(["alerts"]) == 0 and capsys.readouterr().out.strip() == "alerts: none"
    assert main(["alerts", "--all", "--no-check"]) == 0 and "(seen)" in capsys.readouterr().out
