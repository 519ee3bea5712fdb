"""Sign-in when operators exist, permissions, settings remembered in QSettings (in a temporary
folder here), the queue view's pause/cancel/retry of failed labels only, and `sigilo gui`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, Qt

from desktop.shipment import Shipment
from tests.ui.conftest import sample

ROOT = Path(__file__).resolve().parents[2]


def test_first_run_has_no_sign_in(station, qtbot, demo_keys):
    from desktop.ui import config
    from desktop.ui.app import build_window

    config.put("keys/station_dir", str(demo_keys))
    window = build_window(station)
    qtbot.addWidget(window)
    assert window is not None
    assert "No operators" in window.operator_label.text()
    window.close()


def test_sign_in_dialog_refuses_a_wrong_password_then_signs_in(station, qtbot):
    from desktop.ui.login import LoginDialog

    station.operators().add("li", "counter-pass-1", "clerk")
    station.store.set_setting("login.base_delay_seconds", 0)  # no back-off between the two tries here
    assert station.has_operators()
    dialog = LoginDialog(station)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.user, "li")
    qtbot.keyClick(dialog.user, Qt.Key_Return)
    qtbot.keyClicks(dialog.password, "Xq7-typo")
    qtbot.keyClick(dialog.password, Qt.Key_Return)
    assert dialog.error.text() and dialog.result() == 0
    assert "Xq7-typo" not in dialog.error.text()
    qtbot.keyClicks(dialog.password, "counter-pass-1")
    qtbot.keyClick(dialog.password, Qt.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert station.operator.username == "li"


def test_a_clerk_may_print_but_not_reprint(qtbot, window, sample_shipments, mem_name):
    station = window.station
    station.operators().add("li", "counter-pass-1", "clerk")
    station.login("li", "counter-pass-1")
    page = window.label_page
    page.form.set_data(sample(sample_shipments))
    qtbot.keyClick(page.form.first_field(), Qt.Key_P, Qt.ControlModifier)
    qtbot.waitUntil(lambda: page.last_outcome is not None, timeout=30000)
    window.show_page(2)
    qtbot.waitUntil(lambda: len(window.history_view.rows) == 1, timeout=10000)
    window.history_view.ask_reason = lambda tracking: "damaged"
    asked = []
    window.history_view.ask_approval = lambda permission, tracking: asked.append(permission) or ("li", "counter-pass-1")
    window.history_view.reprint_button.click()
    qtbot.waitUntil(lambda: "may not approve reprint" in window.statusBar().currentMessage(), timeout=10000)
    assert asked == ["reprint"]  # the clerk was asked for a supervisor, and approving herself does not do
    assert len(station.history()) == 1


def test_settings_are_remembered_in_qsettings(qtbot, window, qsettings_tmp):
    view = window.settings_view
    window.show_page(5)
    view.new_name.setText("Back office")
    view.new_uri.setText("tcp://192.0.2.10:9100")
    view.new_profile.setCurrentText("tspl-203")
    view.add_printer()
    view.policy.setCurrentIndex(view.policy.findData("br-default"))
    other = next(i for i in range(view.template.count()) if view.template.itemText(i) != "waybill-100x150")
    view.template.setCurrentIndex(other)
    assert window.label_page.printer_panel.template() == view.template.itemText(other)
    from desktop.ui import config

    names = [p.name for p in config.printers()]
    assert "Back office" in names
    assert config.get("masking/policy") == "br-default"
    # written to the test's own folder, under the organisation/app name
    files = list(Path(qsettings_tmp).rglob("*.ini"))
    assert files and any("Back office" in f.read_text(encoding="utf-8") for f in files)
    assert QSettings().organizationName() == "Sigilo"
    # the label page offers the new printer at once
    combo = window.label_page.printer_panel.printer_combo
    assert any("Back office" in combo.itemText(i) for i in range(combo.count()))


def test_calibration_is_kept_per_printer(qtbot, window):
    panel = window.label_page.printer_panel
    panel.offset_x.setValue(1.25)
    panel.darkness.setValue(18)
    panel.printer_combo.setCurrentIndex(1)  # the PDF printer: no darkness, no offsets
    assert not panel.darkness.isEnabled() and panel.offset_x.value() == 0
    panel.printer_combo.setCurrentIndex(0)
    assert panel.offset_x.value() == 1.25 and panel.darkness.value() == 18


def test_queue_retries_only_the_failed_labels(qtbot, window, sample_shipments, mem_name, monkeypatch):
    from desktop.station import keys as services
    from printers.transports.mem import mem_printer

    real = services.sealer
    rows = [s for s in sample_shipments if s["recipient"]["country"] == "CN"][:3]
    flaky = {rows[1]["tracking_number"]}

    class Flaky:
        def __init__(self, inner):
            self.inner = inner

        def seal(self, shipment, issued_at=None):
            if shipment.tracking_number in flaky:
                flaky.discard(shipment.tracking_number)
                raise OSError(5, "key store briefly unreadable")
            return self.inner.seal(shipment, issued_at)

    monkeypatch.setattr(services, "sealer", lambda keys_dir, passphrase=None: Flaky(real(keys_dir)))
    station = window.station
    job = station.print_queue.submit(f"mem://{mem_name}", "zpl-203", [Shipment.from_dict(r) for r in rows])
    window.show_page(1)
    view = window.queue_view
    qtbot.waitUntil(lambda: bool(view.jobs) and view.jobs[0].count("confirmed") == 2 and view.jobs[0].count("failed") == 1,
                    timeout=30000)
    sent_before = len(mem_printer(mem_name).writes)
    failed_row = [lab for lab in view.jobs[0].labels if lab.state == "failed"][0]
    assert failed_row.tracking_number == rows[1]["tracking_number"]
    assert rows[1]["recipient"]["name"] not in (failed_row.error or "")
    view.table.selectRow(0)
    view.retry_button.click()
    qtbot.waitUntil(lambda: bool(view.jobs) and view.jobs[0].count("confirmed") == 3, timeout=30000)
    received = bytes(mem_printer(mem_name).received)
    assert received.count(b"^XA") == 3  # the two good labels were not sent again
    assert len(mem_printer(mem_name).writes) > sent_before
    assert job == view.jobs[0].job_id


def test_pause_and_cancel_a_job(qtbot, window, sample_shipments, mem_name):
    from printers.transports.mem import mem_printer

    mem_printer(mem_name).online = False  # the printer is unplugged: labels wait
    station = window.station
    rows = [Shipment.from_dict(r) for r in sample_shipments[:3]]
    job = station.print_queue.submit(f"mem://{mem_name}", "zpl-203", rows)
    window.show_page(1)
    view = window.queue_view
    qtbot.waitUntil(lambda: bool(view.jobs), timeout=10000)
    view.table.selectRow(0)
    view.pause_button.click()
    qtbot.waitUntil(lambda: view.jobs[0].state == "paused", timeout=10000)
    view.table.selectRow(0)
    view.cancel_button.click()
    qtbot.waitUntil(lambda: view.jobs[0].state == "cancelled", timeout=10000)
    progress = station.print_queue.progress(job)
    assert {lab.state for lab in progress.labels} <= {"cancelled", "sent", "queued"}
    assert progress.count("cancelled") >= 1


def test_sigilo_gui_is_a_command_and_qt_stays_out_of_the_cli():
    out = subprocess.run([sys.executable, "-m", "desktop.cli", "gui", "--help"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and "gui" in out.stdout
    source = (ROOT / "desktop" / "commands" / "gui.py").read_text(encoding="utf-8")
    top_imports = [ln for ln in source.split("def run")[0].splitlines() if ln.startswith(("import ", "from "))]
    assert not [ln for ln in top_imports if "PySide6" in ln or "desktop.ui" in ln]


def test_with_operators_the_window_opens_only_after_sign_in(station, qtbot, demo_keys):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.ui import config
    from desktop.ui.app import build_window

    config.put("keys/station_dir", str(demo_keys))
    station.operators().add("wang", "supervisor-pass-1", "supervisor")
    seen = {}

    def answer():
        dialog = QApplication.activeModalWidget()
        seen["dialog"] = type(dialog).__name__
        dialog.user.setText("wang")
        dialog.password.setText("supervisor-pass-1")
        dialog.try_login()

    QTimer.singleShot(50, answer)
    window = build_window(station)
    qtbot.addWidget(window)
    assert seen["dialog"] == "LoginDialog"
    assert "wang (supervisor)" in window.operator_label.text()
    window.close()


def test_history_search_by_order_id_and_day(qtbot, window, sample_shipments):
    import time

    page = window.label_page
    rows = [s for s in sample_shipments if s["recipient"]["country"] == "CN"][:2]
    for i, row in enumerate(rows):
        page.form.set_data(row)
        qtbot.keyClick(page.form.first_field(), Qt.Key_P, Qt.ControlModifier)
        qtbot.waitUntil(lambda i=i: page.print_count == i + 1, timeout=30000)
    window.show_page(2)
    history = window.history_view
    qtbot.waitUntil(lambda: len(history.rows) == 2, timeout=10000)
    qtbot.keyClicks(history.search, rows[1]["order_id"])
    qtbot.keyClick(history.search, Qt.Key_Return)
    qtbot.waitUntil(lambda: [r.tracking_number for r in history.rows] == [rows[1]["tracking_number"]], timeout=10000)
    history.search.clear()
    qtbot.keyClicks(history.day, time.strftime("%Y-%m-%d"))
    qtbot.keyClick(history.day, Qt.Key_Return)
    qtbot.waitUntil(lambda: len(history.rows) == 2, timeout=10000)
    history.day.setText("2001-01-01")
    qtbot.keyClick(history.day, Qt.Key_Return)
    qtbot.waitUntil(lambda: history.rows == [], timeout=10000)


def test_test_print_sends_a_calibration_label(qtbot, window, mem_name):
    from printers.transports.mem import mem_printer

    panel = window.label_page.printer_panel
    panel.offset_x.setValue(2.0)
    panel.test_button.click()
    qtbot.waitUntil(lambda: "Test label sent" in window.statusBar().currentMessage(), timeout=30000)
    shifted = bytes(mem_printer(mem_name).received)
    assert b"^XA" in shifted and b"^XZ" in shifted
    mem_printer(mem_name).received.clear()
    panel.offset_x.setValue(0.0)
    window.statusBar().clearMessage()
    panel.test_button.click()
    qtbot.waitUntil(lambda: "Test label sent" in window.statusBar().currentMessage(), timeout=30000)
    plain = bytes(mem_printer(mem_name).received)
    assert plain and plain != shifted  # the calibration offset reaches the printer commands


def test_discovered_printers_are_offered_beside_the_configured_ones(qtbot, window, monkeypatch):
    from printers import discovery
    from printers.discovery import FoundPrinter

    found = [FoundPrinter(uri="serial:///dev/ttyUSB7?baud=115200", kind="serial", description="USB serial",
                          vendor="Xprinter", likely_printer=True, language="tspl")]
    monkeypatch.setattr(discovery, "discover", lambda include_plain_serial=False: found)
    window.label_page.load_settings()
    combo = window.label_page.printer_panel.printer_combo
    qtbot.waitUntil(lambda: any("Xprinter" in combo.itemText(i) for i in range(combo.count())), timeout=10000)
    text = [combo.itemText(i) for i in range(combo.count())]
    assert text[0].startswith("Counter ZPL")  # the configured printer stays chosen
    # offered by the model its likely profile describes, with where it is plugged in
    assert any("TSC / Xprinter / Gprinter label printer, 203 dpi" in t and "/dev/ttyUSB7" in t for t in text)
    assert not any("tspl-203" in t for t in text)
