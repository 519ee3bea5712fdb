"""Journey 1 step 1: the printer light tells the truth while the printer is idle. A simulated
TSPL printer on a socat pty prints one label (the print queue's worker now holds the port);
then it is unplugged while idle: the light turns red within 10 s, through the worker's own
status polls, and back to ready when it returns; paper out while idle turns it red too."""

from __future__ import annotations

import time

import pytest

from tests.ui.conftest import sample
from tests.ui.test_gui_clerk import press_print, type_shipment


@pytest.fixture
def tspl(tmp_path):
    from printers.simulator import SimulatedPrinter

    sim = SimulatedPrinter("tspl", baud=115200, seconds_per_label=0.05, pty=tmp_path / "ttyTSC")
    sim.start()
    yield sim
    sim.stop()


def test_unplugged_while_idle_turns_the_light_red_within_10_s(qtbot, window, tspl, sample_shipments):
    from desktop.ui import config

    config.set_printers([config.PrinterConfig("Counter TSPL", tspl.uri, "tspl-203")])
    window.label_page.load_settings()
    panel = window.label_page.printer_panel
    assert panel.printer().uri == tspl.uri
    type_shipment(qtbot, window, sample(sample_shipments))
    press_print(qtbot, window)
    qtbot.waitUntil(lambda: panel.state == "READY", timeout=10000)
    time.sleep(3)  # idle for a while: the light must not simply keep the last word
    assert panel.state == "READY"
    tspl.vanish()
    start = time.monotonic()
    qtbot.waitUntil(lambda: panel.state not in ("READY", "PRINTING"), timeout=10000)
    assert time.monotonic() - start < 10
    assert panel.state == "OFFLINE", panel.status_text.text()
    tspl.come_back()
    qtbot.waitUntil(lambda: panel.state == "READY", timeout=20000)
    tspl.paper_out()
    qtbot.waitUntil(lambda: panel.state == "PAPER_OUT", timeout=10000)
    assert "paper out" in panel.status_text.text()
