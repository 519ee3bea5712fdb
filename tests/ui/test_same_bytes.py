"""Every way in prints the same label: the same shipment printed through `sigilo print` and
through the window (Ctrl+P) gives the same printer bytes with a fixed clock, for a first print
with copies and virtual numbers, and for a reprint, which keeps the original print time.

The clock is fixed for both (desktop.jobs.render stamps the print time) and the seal is made
deterministic for both (HPKE draws a fresh ephemeral key each time by design); everything
else - masking, virtual numbers, composition, encoding, copies - runs as it does for a user."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from desktop.cli import main
from desktop.validation import validate
from printers.transports.mem import mem_printer, remove_mem_printer
from tests.ui.conftest import sample
from tests.ui.test_gui_clerk import press_print, type_shipment

T1 = datetime(2026, 11, 30, 9, 15, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture
def fixed(monkeypatch):
    """A clock the test moves, and a seal that depends only on the shipment."""
    import desktop.jobs.render as render
    from desktop.seal.sealer import Sealer

    now = [T1]

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return now[0]

    monkeypatch.setattr(render, "datetime", Clock)
    monkeypatch.setattr(Sealer, "seal", lambda self, shipment, issued_at=None:
                        f"SG1:TEST{shipment.tracking_number}{len(shipment.recipient.phone)}")
    return now


def test_cli_and_window_print_the_same_bytes(qtbot, window, sample_shipments, demo_keys, sigilo_home, tmp_path,
                                             fixed, monkeypatch):
    station = window.station
    station.store.set_setting("virtualnum.enabled", True)
    station.operators().add("wang", "supervisor-pass-1", "supervisor")
    data = sample(sample_shipments)
    type_shipment(qtbot, window, data)
    window.label_page.printer_panel.copies.setValue(2)
    shipment = validate(window.label_page.form.data()).shipment
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(shipment.to_dict(), ensure_ascii=False) + "\n", encoding="utf-8")
    cli = "cli-" + window.label_page.printer_panel.printer().uri.split("//")[1]
    try:
        # 1. the CLI prints it (2 copies, virtual number), then a supervisor voids it: the number is free again
        assert main(["print", str(path), "--printer", f"mem://{cli}", "--profile", "zpl-203", "--keys",
                     str(demo_keys), "--copies", "2"]) == 0
        cli_bytes = bytes(mem_printer(cli).received)
        label = station.history()[0]
        approval = station.approve("void", "wang", "supervisor-pass-1", label.tracking_number)
        station.void(label.label_id, "printed at the terminal for the comparison", approval)
        # 2. the window prints the same shipment
        gui = window.label_page.printer_panel.printer().uri.split("//")[1]
        before = len(mem_printer(gui).received)
        outcome = press_print(qtbot, window)
        gui_bytes = bytes(mem_printer(gui).received)[before:]
        assert outcome.labels == 2  # the window says what it sent
        assert gui_bytes == cli_bytes
        assert b"^PQ2" in gui_bytes  # both copies
        hotline = station.store.query("SELECT hotline, extension FROM virtual_numbers")[0]
        assert hotline["extension"].encode() in gui_bytes  # the virtual number, not the masked phone
        # 3. reprints from history, one from each, later in the day: both keep the first print time
        fixed[0] = T1 + timedelta(hours=5)
        history = window.history_view
        history.ask_reason = lambda tracking: "damaged"
        history.ask_approval = lambda permission, tracking: ("wang", "supervisor-pass-1")
        window.show_page(2)
        qtbot.waitUntil(lambda: any(r.state == "confirmed" for r in history.rows), timeout=10000)
        history.table.selectRow(next(i for i, r in enumerate(history.rows) if r.state == "confirmed"))
        before = len(mem_printer(gui).received)
        history.reprint_selected()
        qtbot.waitUntil(lambda: len(mem_printer(gui).received) > before, timeout=30000)
        window.ops.wait(20000)
        gui_reprint = bytes(mem_printer(gui).received)[before:]
        monkeypatch.setenv("SIGILO_SUPERVISOR_PASSWORD", "supervisor-pass-1")
        mem_printer(cli).received.clear()
        assert main(["jobs", "reprint", shipment.tracking_number, "--reason", "damaged", "--printer",
                     f"mem://{cli}", "--profile", "zpl-203", "--supervisor", "wang"]) == 0
        cli_reprint = bytes(mem_printer(cli).received)
        assert gui_reprint == cli_reprint
        assert b"REPRINT" in gui_reprint and gui_reprint != gui_bytes
        # later still: the bytes do not move with the clock (the first print time is on the face)
        fixed[0] = T1 + timedelta(hours=9)
        mem_printer(cli).received.clear()
        assert main(["jobs", "reprint", shipment.tracking_number, "--reason", "damaged", "--printer",
                     f"mem://{cli}", "--profile", "zpl-203", "--supervisor", "wang"]) == 0
        assert bytes(mem_printer(cli).received) == cli_reprint
    finally:
        remove_mem_printer(cli)
