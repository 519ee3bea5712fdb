"""Discovery: serial ports named by vendor (from the data file), usblp device files, and the
`sigilo printers` listing. pyserial's port list is replaced by fixed port records here,
since this machine has no USB serial devices."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest
from serial.tools import list_ports, list_ports_common

from printers import discovery
from printers.discovery import FoundPrinter

ROOT = Path(__file__).resolve().parent.parent


def _port(device, vid=None, pid=None, product=None, serial_number=None):
    info = list_ports_common.ListPortInfo(device, skip_link_detection=True)
    info.vid, info.pid, info.product, info.serial_number = vid, pid, product, serial_number
    if vid is not None:
        info.description = product or device
    return info


def test_vendor_table_names_the_printer_makers():
    table = discovery.vendors()
    for vid, name in [(0x0A5F, "Zebra"), (0x1203, "TSC"), (0x04B8, "Epson"), (0x04F9, "Brother"),
                      (0x0519, "Star"), (0x195F, "Godex"), (0x1504, "Bixolon"), (0x0828, "SATO")]:
        assert name in table[vid]["name"] and table[vid]["printer_maker"]
    assert table[0x1A86]["printer_maker"] is False  # a CH340 adapter is not a printer


def test_serial_ports_are_named_by_vendor(monkeypatch):
    ports = [_port("/dev/ttyACM0", 0x0A5F, 0x0181, "ZTC ZD421-203dpi", "D8N123"),
             _port("/dev/ttyUSB0", 0x1A86, 0x7523, "USB Serial"),
             _port("/dev/rfcomm0")]
    monkeypatch.setattr(list_ports, "comports", lambda: ports)
    found = {f.uri: f for f in discovery.list_serial_ports()}
    zebra = found["serial:///dev/ttyACM0"]
    assert zebra.likely_printer and zebra.vendor == "Zebra" and zebra.language == "zpl"
    assert "ZD421" in zebra.description and "D8N123" in zebra.description
    ch340 = found["serial:///dev/ttyUSB0"]
    assert not ch340.likely_printer and "CH340" in ch340.description
    assert found["serial:///dev/rfcomm0"].vid is None
    ordered = discovery.discover()
    assert ordered[0].uri == "serial:///dev/ttyACM0"  # printers first


def test_usblp_files(tmp_path):
    for name in ("lp1", "lp0"):
        (tmp_path / name).write_bytes(b"")
    found = discovery.list_usblp_files(str(tmp_path / "lp*"))
    assert [f.uri for f in found] == [f"usb://{tmp_path}/lp0", f"usb://{tmp_path}/lp1"]
    assert all(f.kind == "usblp" and f.likely_printer for f in found)


def test_usb_printer_listing_without_pyusb(monkeypatch):
    monkeypatch.setitem(sys.modules, "usb", None)
    monkeypatch.setitem(sys.modules, "usb.core", None)
    assert discovery.list_usb_printers() == []


def test_usb_printer_listing_on_this_machine():
    import usb.core  # noqa: F401  (the usb extra, installed by ./run test; fails loudly without it)
    assert all(f.kind == "usb" for f in discovery.list_usb_printers())


def test_printers_command_lists_as_json():
    result = subprocess.run([sys.executable, "-m", "desktop.cli", "printers", "--json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list) and all("uri" in r and "://" in r["uri"] for r in rows)


def test_printers_command_reports_an_unreachable_printer_with_its_fix():
    result = subprocess.run([sys.executable, "-m", "desktop.cli", "printers", "--uri", "tcp://127.0.0.1:1",
                             "--language", "tspl"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert "nothing accepts connections" in result.stderr and "9100" in result.stderr
    missing = subprocess.run([sys.executable, "-m", "desktop.cli", "printers", "--uri", "tcp://127.0.0.1:1"],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "--language" in missing.stderr


def test_cups_queues_from_a_stand_in_lpstat(tmp_path, monkeypatch):
    """A stand-in `lpstat` on PATH (this machine has no CUPS) prints two destinations."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    lpstat = bindir / "lpstat"
    lpstat.write_text("#!/bin/sh\n[ \"$1\" = -e ] && printf 'Label_Printer\\nOffice\\n'\n")
    lpstat.chmod(0o755)
    monkeypatch.setenv("PATH", str(bindir))
    found = discovery.list_cups_queues()
    assert [(f.uri, f.kind, f.likely_printer) for f in found] == [
        ("cups://Label_Printer", "cups", False), ("cups://Office", "cups", False)]
    lpstat.write_text("#!/bin/sh\necho 'lpstat: Bad file descriptor' >&2; exit 1\n")
    assert discovery.list_cups_queues() == []
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    assert discovery.list_cups_queues() == []


def test_windows_printers_only_on_windows(monkeypatch):
    fake = types.ModuleType("win32print")
    fake.EnumPrinters = lambda flags: [(8, "desc", "ZDesigner GK420d", ""), (8, "desc", "TSC TTP-244 Pro", "")]
    monkeypatch.setitem(sys.modules, "win32print", fake)
    assert discovery.list_windows_printers() == []  # on Linux, never
    monkeypatch.setattr(sys, "platform", "win32")
    assert [f.uri for f in discovery.list_windows_printers()] == ["win32://ZDesigner GK420d", "win32://TSC TTP-244 Pro"]


def test_printers_status_column_for_found_printers(monkeypatch, capsys):
    from desktop.cli import main
    from desktop.commands import printers as command
    from printers.simulator import SimulatedPrinter

    with SimulatedPrinter("zpl", baud=None, tcp_port=0) as sim:
        found = [discovery.FoundPrinter(uri=sim.uri, kind="tcp", description="simulated Zebra", vendor="Zebra",
                                        likely_printer=True, language="zpl"),
                 discovery.FoundPrinter(uri="serial:///dev/ttyS0", kind="serial", description="/dev/ttyS0")]
        monkeypatch.setattr(command, "discover", lambda include_plain_serial=False: found)
        sim.paper_out()
        assert main(["printers", "--status"]) == 0
    out = capsys.readouterr().out
    assert f"{sim.uri}" in out and "-> paper-out (out of paper)" in out
    assert "language unknown: give --language" in out


@pytest.mark.parametrize("args, words", [
    (["--uri", "mem://nowhere", "--language", "zpl", "--timeout", "0"], "--timeout must be more than 0"),
    (["--status", "--baud", "-3"], "--baud must be a baud rate"),
])
def test_printers_command_refuses_settings_that_could_only_report_offline(args, words, capsys):
    from desktop.cli import main

    assert main(["printers", *args]) == 2
    assert words in capsys.readouterr().err


def test_the_computers_own_serial_ports_are_left_out_unless_asked(monkeypatch):
    from printers import discovery

    ports = [FoundPrinter(uri="serial:///dev/ttyS0", kind="serial", description="ttyS0"),
             FoundPrinter(uri="serial:///dev/ttyUSB0", kind="serial", description="USB serial", vid=0x1A86, pid=0x7523,
                          vendor="WinChipHead CH340 serial bridge")]
    monkeypatch.setattr(discovery, "list_serial_ports", lambda: ports)
    for name in ("list_usblp_files", "list_usb_printers", "list_cups_queues", "list_windows_printers"):
        monkeypatch.setattr(discovery, name, lambda: [])
    assert [f.uri for f in discovery.discover()] == ["serial:///dev/ttyUSB0"]
    assert {f.uri for f in discovery.discover(include_plain_serial=True)} == {p.uri for p in ports}


def test_usb_ids_pick_a_profile_and_offers_name_the_model():
    from printers.discovery import likely_profile
    from printers.offers import offer
    from printers.profiles import list_profiles, load_profile

    profiles = [load_profile(n) for n in list_profiles()]
    zebra = FoundPrinter(uri="usb://0x0a5f:0x0166", kind="usb", description="Zebra ZD421", vid=0x0A5F, pid=0x0166,
                         vendor="Zebra", likely_printer=True, language="zpl")
    xprinter = FoundPrinter(uri="usb://0x0fe6:0x811e", kind="usb", description="POS-80", vid=0x0FE6, pid=0x811E,
                            vendor="Xprinter", likely_printer=True, language="escpos")
    unknown = FoundPrinter(uri="usb:///dev/usb/lp0", kind="usblp", description="USB printer", likely_printer=True)
    assert likely_profile(zebra, profiles) == "zpl-203"
    assert likely_profile(xprinter, profiles) == "escpos-80-cn"  # an exact vendor:product id wins
    assert likely_profile(unknown, profiles) == "tspl-203"  # most waybill printers speak TSPL
    named = offer([zebra, unknown], profiles)
    assert named[0].name == "Zebra ZD421 / ZD621 / GK420d, 203 dpi" and named[0].where == "USB 0x0a5f:0x0166 (Zebra)"
    assert "tspl-203" not in named[1].name and "TSC" in named[1].name
