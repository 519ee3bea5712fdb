"""Journey 0 (a new station), walked in the window as a new user does it: a fresh SIGILO_HOME
with no keys opens on the setup flow; the key officer's enrolment file (made with `sigilo keys
enrol-station`) and its passphrase are imported; the first supervisor is created; the printer is
picked by its model name and a test label comes out of a simulated TSPL printer on a socat pty;
the outlet's sender preset is saved; then a real, sealed label is printed that `sigilo scan`
opens with the fleet's private key. No terminal at any step on the station's side.

Discovery is given the pty as a TSC USB-serial device (this machine has no USB printers): that
is the one part mocked."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop.cli import main as sigilo
from tests.ui.conftest import sample
from tests.ui.test_gui_clerk import press_print, type_shipment, type_text

pytestmark = pytest.mark.slow


@pytest.fixture
def officer(tmp_path):
    """The key officer's folder: authority, fleet key cn-1, and an enrolment file for one station."""
    d = tmp_path / "officer"
    officer_pass = tmp_path / "officer.pass"
    officer_pass.write_text("officer passphrase 1\n", encoding="utf-8")
    station_pass = tmp_path / "station.pass"
    station_pass.write_text("station passphrase 1\n", encoding="utf-8")
    assert sigilo(["keys", "init-authority", "--dir", str(d), "--passphrase-file", str(officer_pass)]) == 0
    assert sigilo(["keys", "create-fleet", "--region", "cn", "--dir", str(d), "--passphrase-file", str(officer_pass)]) == 0
    enrolment = tmp_path / "wenyi.enrol"
    assert sigilo(["keys", "enrol-station", "杭州文一西路网点", "--station-id", "HZ-0007", "--out", str(enrolment),
                   "--dir", str(d), "--passphrase-file", str(officer_pass),
                   "--station-passphrase-file", str(station_pass)]) == 0
    return d, officer_pass, enrolment


@pytest.fixture
def tspl_printer(tmp_path):
    from printers.simulator import SimulatedPrinter

    sim = SimulatedPrinter("tspl", baud=115200, seconds_per_label=0.05, pty=tmp_path / "ttyUSB-tsc")
    sim.start()
    yield sim
    sim.stop()


def test_fresh_install_to_a_real_sealed_label_without_a_terminal(qtbot, station, officer, tspl_printer, tmp_path,
                                                                 monkeypatch, sample_shipments, sigilo_home):
    from printers import discovery
    from printers.discovery import FoundPrinter

    from desktop.keys.passphrase import lock
    from desktop.ui import config
    from desktop.ui.app import make_app
    from desktop.ui.main_window import MainWindow
    from desktop.ui.setup_flow import PRINTER, SENDER, SUPERVISOR, SetupDialog, keys_need_setup

    make_app()
    lock()
    officer_dir, officer_pass, enrolment = officer
    pty = tspl_printer.uri
    found = [FoundPrinter(uri=pty, kind="serial", description="TSC TE244", vid=0x1203, pid=0x0230, vendor="TSC",
                          likely_printer=True, language="tspl"),
             FoundPrinter(uri="serial:///dev/ttyS0", kind="serial", description="ttyS0")]
    real_discover = discovery.discover
    monkeypatch.setattr(discovery, "discover", lambda include_plain_serial=False: [
        f for f in found if include_plain_serial or not discovery.is_plain_serial_port(f)])
    assert real_discover is not None
    assert keys_need_setup(config.station_keys_dir())

    dialog = SetupDialog(station)
    qtbot.addWidget(dialog)
    dialog.show()
    # keys: the enrolment file, a wrong passphrase first
    dialog.choice.button(0).setChecked(True)
    qtbot.mouseClick(dialog.next_button, Qt.LeftButton)
    dialog.enrol_path.setText(str(enrolment))
    dialog.enrol_path.editingFinished.emit()
    assert "HZ-0007" in dialog.enrol_facts.text() and "cn-1" in dialog.enrol_facts.text()
    qtbot.keyClicks(dialog.enrol_passphrase, "not the passphrase")
    qtbot.mouseClick(dialog.next_button, Qt.LeftButton)
    assert "wrong passphrase" in dialog.error.text()
    assert not (config.station_keys_dir() / "station.key").exists()  # nothing installed on a wrong passphrase
    dialog.enrol_passphrase.clear()
    qtbot.keyClicks(dialog.enrol_passphrase, "station passphrase 1")
    qtbot.keyClick(dialog.enrol_passphrase, Qt.Key_Return)
    assert dialog.current() == SUPERVISOR, dialog.error.text()
    # the first supervisor
    qtbot.keyClicks(dialog.sup_user, "wang")
    qtbot.keyClicks(dialog.sup_pass, "supervisor-1")
    qtbot.keyClicks(dialog.sup_pass2, "supervisor-1")
    qtbot.keyClick(dialog.sup_pass2, Qt.Key_Return)
    assert dialog.current() == PRINTER, dialog.error.text()
    assert station.operator.username == "wang" and station.operator.role == "supervisor"
    # the printer, by model name; the motherboard's ttyS0 is not offered
    shown = [dialog.found_list.item(i).text() for i in range(dialog.found_list.count())]
    assert "TSC / Xprinter / Gprinter label printer, 203 dpi" in shown[0]
    assert not any("ttyS0" in t for t in shown)
    assert dialog.printer_model.currentData() == "tspl-203"
    qtbot.mouseClick(dialog.test_button, Qt.LeftButton)
    assert "Test label printed" in dialog.test_result.text(), dialog.test_result.text()
    qtbot.waitUntil(lambda: tspl_printer.printed_count == 1, timeout=10000)
    assert b"Sigilo test print" in bytes(tspl_printer.labels[0]) or b"BOX" in bytes(tspl_printer.labels[0])
    qtbot.mouseClick(dialog.next_button, Qt.LeftButton)
    assert dialog.current() == SENDER
    for key, value in (("name", "晨光文具文一西路店"), ("phone", "0571-88880000"), ("province", "浙江省"),
                       ("city", "杭州市"), ("district", "余杭区"), ("street", "文一西路969号"), ("postcode", "311121")):
        type_text(qtbot, dialog.sender_edits[key], value)
    qtbot.mouseClick(dialog.next_button, Qt.LeftButton)
    assert "HZ-0007" in dialog.done_text.text()
    qtbot.mouseClick(dialog.next_button, Qt.LeftButton)
    assert dialog.result() == QDialog.Accepted

    # the station's folder holds no plaintext key and no demo key
    keys = config.station_keys_dir()
    record = json.loads((keys / "station.key").read_text(encoding="utf-8"))
    assert record["protection"] != "none-demo-only" and "private_key" not in record
    assert not (keys / "DEMO-ONLY.txt").exists()

    # the window opens without a DEMO banner, the preset and the printer chosen
    w = MainWindow(station)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    from PySide6.QtWidgets import QApplication

    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
    try:
        assert w.demo_banner.isHidden()
        assert w.label_page.printer_panel.printer().uri == pty
        data = sample(sample_shipments)
        type_shipment(qtbot, w, data)
        outcome = press_print(qtbot, w)
        qtbot.waitUntil(lambda: tspl_printer.printed_count == 2, timeout=20000)
        qr = station.history()[0].qr_text
        assert qr.startswith("SG1:") and outcome.tracking_number == data["tracking_number"]
    finally:
        w.label_page.printer_panel.timer.stop()
        w.ops.wait(20000)
        w.close()

    # the key officer's scanner opens it: sealed by HZ-0007 to fleet cn-1
    scanner = tmp_path / "scanner"
    assert sigilo(["keys", "import-fleet", str(officer_dir / "fleet" / "cn-1.key"), "--dir", str(scanner)]) == 0
    assert sigilo(["keys", "import-trust", str(officer_dir / "trust.json"), "--authority",
                   str(officer_dir / "authority.pub"), "--dir", str(scanner)]) == 0
    out = subprocess.run([sys.executable, "-m", "desktop.cli", "scan", "--keys", str(scanner), "--json",
                          "--passphrase-file", str(officer_pass), "--text", qr],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    opened = json.loads(out.stdout)
    assert "sealed by station HZ-0007 (杭州文一西路网点)" in out.stderr and "demo" not in out.stderr.lower()
    assert opened["recipient"]["name"] == data["recipient"]["name"]  # the full details, only for the fleet key
    assert opened["sender"]["name"] == "晨光文具文一西路店"
