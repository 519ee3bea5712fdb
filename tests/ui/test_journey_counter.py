"""Journey 1 (the counter clerk), the steps the other GUI tests do not walk: a wrong phone is
voided with a supervisor's approval and the corrected label printed again (history shows
both, the void with its reason); the session locks when the counter is left alone; alerts are
listed and acknowledged; a reprint from history carries the order id, service and parcel."""

from __future__ import annotations

import json
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.masking import hidden_fragments, mask
from desktop.shipment import Shipment
from tests.ui.conftest import sample
from tests.ui.test_gui_clerk import press_print, type_shipment


def _history(qtbot, window, n):
    window.show_page(2)
    qtbot.waitUntil(lambda: len(window.history_view.rows) == n, timeout=10000)
    return window.history_view


def test_void_with_supervisor_approval_then_the_corrected_label(qtbot, window, sample_shipments, mem_name):
    station = window.station
    now = [1_800_000_000.0]
    station.clock = lambda: now[0]
    station.operators().add("wang", "supervisor-pass-1", "supervisor")
    station.operators().add("li", "counter-pass-1", "clerk")
    station.login("li", "counter-pass-1")
    data = sample(sample_shipments)
    type_shipment(qtbot, window, data)
    first = press_print(qtbot, window)
    history = _history(qtbot, window, 1)
    history.ask_void_reason = lambda tracking: "wrong phone"
    asked = []
    history.ask_approval = lambda permission, tracking: asked.append((permission, tracking)) or ("wang", "wrong")
    history.void_button.click()  # a wrong supervisor password: nothing is voided
    qtbot.waitUntil(lambda: "Not voided" in window.statusBar().currentMessage(), timeout=20000)
    assert station.history()[0].state == "confirmed"
    now[0] += 5  # past the pause a wrong password earns
    history.ask_approval = lambda permission, tracking: ("wang", "supervisor-pass-1")
    history.void_button.click()
    qtbot.waitUntil(lambda: history.rows and history.rows[0].state == "voided", timeout=20000)
    assert asked == [("void", first.tracking_number)]
    rows = station.store.query("SELECT actor, details FROM audit WHERE action='void'")
    assert len(rows) == 1 and rows[0]["actor"] == "li" and "wang" in rows[0]["details"]
    # the clerk types the shipment again with the right phone and prints it
    window.show_page(0)
    type_shipment(qtbot, window, {**data, "recipient": {**data["recipient"], "phone": "13912345678"}})
    second = press_print(qtbot, window)
    assert second.masked["recipient"]["phone"].endswith("5678")
    history = _history(qtbot, window, 2)
    states = {(r.state, r.reason) for r in history.rows}
    assert states == {("voided", "wrong phone"), ("confirmed", "")}
    table = history.table
    shown = [[table.item(i, c).text() for c in range(table.columnCount())] for i in range(table.rowCount())]
    assert any("voided" in row and "wrong phone" in row for row in shown)
    # a voided label is not reprinted
    history.table.selectRow(next(i for i, r in enumerate(history.rows) if r.state == "voided"))
    history.ask_reason = lambda tracking: "damaged"
    history.ask_approval = lambda permission, tracking: ("wang", "supervisor-pass-1")
    history.reprint_button.click()
    qtbot.waitUntil(lambda: "voided" in window.statusBar().currentMessage(), timeout=20000)
    assert len(station.history()) == 2


def test_a_clerk_cannot_approve_her_own_void(qtbot, window, sample_shipments):
    station = window.station
    station.operators().add("li", "counter-pass-1", "clerk")
    station.login("li", "counter-pass-1")
    window.label_page.form.set_data(sample(sample_shipments))
    press_print(qtbot, window)
    history = _history(qtbot, window, 1)
    history.ask_void_reason = lambda tracking: "wrong phone"
    history.ask_approval = lambda permission, tracking: ("li", "counter-pass-1")
    history.void_button.click()
    qtbot.waitUntil(lambda: "may not approve void" in window.statusBar().currentMessage(), timeout=20000)
    assert station.history()[0].state == "confirmed"


def test_the_session_locks_after_the_idle_minutes(qtbot, window, sample_shipments):
    station = window.station
    now = [1_800_000_000.0]
    station.clock = lambda: now[0]
    station.operators().add("wang", "supervisor-pass-1", "supervisor")
    station.operators().add("li", "counter-pass-1", "clerk")
    station.login("li", "counter-pass-1")
    settings = window.settings_view
    settings.idle_minutes.setValue(5)
    settings._save_idle()  # a clerk may not change it
    assert "may not settings.change" in window.statusBar().currentMessage()
    station.login("wang", "supervisor-pass-1")
    settings._save_idle()
    assert station.store.get_setting("session.idle_minutes") == 5
    station.login("li", "counter-pass-1")
    assert station.session.idle_seconds == 300
    window.label_page.form.set_data(sample(sample_shipments))
    now[0] += 240
    qtbot.keyClick(window.label_page.form.first_field(), Qt.Key_End)  # activity: the idle time restarts
    now[0] += 240
    window.check_idle()
    assert window.lock_dialog is None  # 4 minutes since the last key
    now[0] += 61
    window.check_idle()
    dialog = window.lock_dialog
    assert dialog is not None and dialog.isVisible() and dialog.user.text() == "li"
    dialog.reject()  # Esc does not open a locked station
    assert dialog.isVisible()
    page = window.label_page
    page.print_label()  # nothing prints while locked
    qtbot.waitUntil(lambda: "locked" in window.statusBar().currentMessage(), timeout=10000)
    assert page.last_outcome is None and station.history() == []
    dialog.password.setText("counter-pass-1")
    dialog.try_login()
    assert not dialog.isVisible() and not station.locked
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    press_print(qtbot, window)
    assert len(station.history()) == 1


def test_alerts_are_listed_and_a_supervisor_acknowledges_them(qtbot, window):
    from desktop.alerts import Alerts

    station = window.station
    station.operators().add("wang", "supervisor-pass-1", "supervisor")
    Alerts(station.store)._raise("bill_swiping", "warning", "phone-key-1",
                                 "40 labels today to one phone, each under 50 g", {}, None)
    window.show_page(4)
    view = window.alerts_view
    qtbot.waitUntil(lambda: len(view.alerts) == 1, timeout=10000)
    assert "40 labels" in view.table.item(0, 3).text()
    assert window.nav.button(4).text().endswith("(1)")
    station.operators().add("li", "counter-pass-1", "clerk")
    station.login("li", "counter-pass-1")
    view.ack_button.click()
    qtbot.waitUntil(lambda: "may not alerts.ack" in window.statusBar().currentMessage(), timeout=10000)
    assert len(Alerts(station.store).list()) == 1
    station.login("wang", "supervisor-pass-1")
    view.ack_button.click()
    qtbot.waitUntil(lambda: not view.alerts, timeout=10000)
    assert Alerts(station.store).list() == []
    assert not window.nav.button(4).text().endswith(")")


def test_a_reprint_from_history_keeps_order_service_and_parcel(qtbot, window, sample_shipments):
    data = sample(sample_shipments)
    page = window.label_page
    page.printer_panel.printer_combo.setCurrentIndex(1)  # PDF: its text layer can be read back
    page.form.set_data(data)
    original = press_print(qtbot, window)
    first = subprocess.run(["pdftotext", original.where, "-"], capture_output=True, text=True, check=True).stdout
    history = _history(qtbot, window, 1)
    assert history.rows[0].order_id == data["order_id"]
    history.ask_reason = lambda tracking: "damaged"
    done = []
    history.reprinted.connect(done.append)
    history.reprint_button.click()
    qtbot.waitUntil(lambda: bool(done), timeout=30000)
    again = subprocess.run(["pdftotext", done[0].where, "-"], capture_output=True, text=True, check=True).stdout
    assert "REPRINT" in again
    strip = lambda t: [w for w in t.split() if w not in ("REPRINT", "damaged") and not w[:1].isdigit()]
    weight = f"{data['parcel']['weight_kg']}"
    for needle in (data["order_id"], weight):
        assert (needle in first) == (needle in again), needle
    assert set(strip(first)) <= set(strip(again)) | {"·"}


def test_the_light_reads_the_queue_worker_not_a_second_connection(qtbot, window, sample_shipments, monkeypatch):
    """Once the queue's worker drives the printer it holds the port: the status light must take
    the worker's state instead of opening the printer again."""
    from desktop.station import status as services

    page = window.label_page
    page.printer_panel.timer.stop()  # the test refreshes the light itself
    page.form.set_data(sample(sample_shipments))
    press_print(qtbot, window)
    uri = page.printer_panel.printer().uri
    qtbot.waitUntil(lambda: window.station.worker_state(uri) is not None, timeout=10000)
    opened = []
    monkeypatch.setattr(services, "query_printer", lambda *a: opened.append(a) or ("READY", ""))
    queue = window.station.print_queue
    monkeypatch.setattr(queue, "printer_state", lambda u: ("fault", "paper_out: the roll is empty") if u == uri
                        else ("ready", ""))
    # the worker may still report its last label's "ready" just after: refresh until the light
    # shows the worker's fault, and never through a connection of its own
    def shows_fault():
        page.refresh_status()
        window.ops.wait(10000)
        return page.printer_panel.state == "PAPER_OUT"

    qtbot.waitUntil(shows_fault, timeout=10000)
    assert opened == []
    monkeypatch.setattr(queue, "printer_state", lambda u: ("ready", ""))
    page.refresh_status()
    assert page.printer_panel.state == "READY" and opened == []


def test_a_reprint_through_the_queue_carries_the_same_seal_and_the_face(qtbot, window, sample_shipments, mem_name):
    """On a real printer a reprint goes through the print queue: the label it sends carries the
    stored seal (not one sealed again from the masked data), the REPRINT mark and the parcel."""
    from printers.transports.mem import mem_printer
    from tests.ui.test_gui_clerk import zpl_codes

    data = sample(sample_shipments)
    window.label_page.form.set_data(data)
    original = press_print(qtbot, window)
    printer = mem_printer(mem_name)
    first = bytes(printer.received)
    history = _history(qtbot, window, 1)
    history.ask_reason = lambda tracking: "damaged"
    history.reprint_button.click()
    qtbot.waitUntil(lambda: len(bytes(printer.received)) > len(first), timeout=30000)
    qtbot.waitUntil(lambda: len(window.station.history()) == 2, timeout=30000)
    again = bytes(printer.received)[len(first):]
    codes = zpl_codes(again)
    assert codes["QRCode"] == original.qr_text
    assert codes["Code128"] == data["tracking_number"]
    assert b"REPRINT" in again and b"REPRINT" not in first
    rows = window.station.history()
    assert rows[0].reprint_reason == "damaged" and rows[0].order_id == data["order_id"]
    qtbot.waitUntil(lambda: "REPRINT" in window.statusBar().currentMessage(), timeout=10000)


def test_settings_import_the_key_officers_fleet_key_and_trust_list(qtbot, window, tmp_path, sample_shipments):
    """Settings > Keys installs what the key officer hands over where Sigilo reads it: the
    fleet public key for sealing, the fleet private key and the checked trust list for scanning."""
    from desktop.errors import SigiloError
    from desktop.seal import Sealer, ensure_demo_keys
    from desktop.ui import config

    officer = tmp_path / "officer"
    ensure_demo_keys(officer)
    station_dir, scanner_dir = tmp_path / "station", tmp_path / "scanner"
    config.put("keys/station_dir", str(station_dir))
    config.put("keys/scanner_dir", str(scanner_dir))
    view = window.settings_view
    bogus = tmp_path / "notes.json"
    bogus.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(SigiloError, match="notes.json"):
        view.import_key_files([str(bogus)])
    done = view.import_key_files([str(officer / "fleet" / "demo-1.pub"), str(officer / "fleet" / "demo-1.key"),
                                  str(officer / "trust.json"), str(officer / "authority.pub")])
    assert len(done) == 3
    assert (station_dir / "fleet" / "demo-1.pub").exists() and not (station_dir / "fleet" / "demo-1.key").exists()
    # a label sealed by the officer's station opens with what this machine now holds as a scanner
    text = Sealer.from_keys_dir(officer).seal(Shipment.from_dict(sample(sample_shipments)))
    opened = window.station.scan(text, scanner_dir)
    assert opened["tracking_number"] == sample(sample_shipments)["tracking_number"]
    rows = window.station.store.query("SELECT details FROM audit WHERE action='keys.import'")
    assert len(rows) == 1 and "trust list" in rows[0]["details"]


def test_without_a_supervisor_nothing_can_be_voided(qtbot, window, sample_shipments):
    window.label_page.form.set_data(sample(sample_shipments))
    press_print(qtbot, window)
    history = _history(qtbot, window, 1)
    history.ask_void_reason = lambda tracking: "wrong phone"
    history.ask_approval = lambda permission, tracking: pytest.fail("no supervisor exists to ask")
    history.void_button.click()
    qtbot.waitUntil(lambda: "add a supervisor" in window.statusBar().currentMessage(), timeout=10000)
    assert window.station.history()[0].state == "confirmed"


def test_the_preview_shows_the_masked_recipient(qtbot, window, sample_shipments):
    """Journey 1 step 4: the name as 刘**, the phone as *******NNNN, no house number, a QR."""
    data = sample(sample_shipments)
    page = window.label_page
    type_shipment(qtbot, window, data)
    qtbot.waitUntil(lambda: page.preview.masked.get("recipient", {}).get("name", "").endswith("**"), timeout=20000)
    qtbot.waitUntil(lambda: not page.ops.is_busy("preview"), timeout=20000)
    shown = page.preview.masked["recipient"]
    r = data["recipient"]
    assert shown["name"] == r["name"][0] + "*" * (len(r["name"]) - 1)
    assert shown["phone"] == "*" * 7 + r["phone"][-4:]
    face = json.dumps(page.preview.masked, ensure_ascii=False)
    shipment = Shipment.from_dict(data)
    for fragment in hidden_fragments(shipment, mask(shipment)):  # house number, detail, name, phone
        assert fragment not in face
    assert page.preview.qr_text.startswith("SG1:")


def test_a_supervisor_approves_a_clerks_reprint(qtbot, window, sample_shipments):
    station = window.station
    station.operators().add("wang", "supervisor-pass-1", "supervisor")
    station.operators().add("li", "counter-pass-1", "clerk")
    station.login("li", "counter-pass-1")
    window.label_page.printer_panel.printer_combo.setCurrentIndex(1)
    window.label_page.form.set_data(sample(sample_shipments))
    press_print(qtbot, window)
    history = _history(qtbot, window, 1)
    history.ask_reason = lambda tracking: "jammed"
    history.ask_approval = lambda permission, tracking: ("wang", "supervisor-pass-1")
    history.reprint_button.click()
    qtbot.waitUntil(lambda: len(history.rows) == 2, timeout=30000)
    rows = station.store.query("SELECT actor, details FROM audit WHERE action='reprint'")
    assert len(rows) == 1 and rows[0]["actor"] == "li"
    assert json.loads(rows[0]["details"])["approved_by"] == "wang"
