"""Settings > Print bridge in the real window: turned on, a page pairs over a real socket, the
code shows in the window, the operator approves it there, and the page's document prints
through the window's own queue to its printer."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bridge_helpers import Page, numbered, task  # noqa: E402


def test_the_window_runs_the_bridge_and_approves_a_page(window, qtbot, sample_shipments, mem_name, tmp_path):
    from printers.transports.mem import mem_printer

    window.show_page(next(i for i in range(window.stack.count())
                          if window.stack.widget(i).widget() is window.settings_view))
    box = window.settings_view.bridge_box
    box.port.setValue(0)
    box.enabled.setChecked(True)
    qtbot.waitUntil(lambda: box.thread is not None, timeout=10000)
    assert re.fullmatch(r"ws://127\.0\.0\.1:\d+", box.url) and box.url in box.state.text()
    try:
        page = Page(box.url, "https://shop.example")
        pair = page.call("pair", name="Shop WMS")
        qtbot.waitUntil(lambda: box.pending.rowCount() == 1, timeout=10000)
        assert [box.pending.item(0, c).text() for c in range(3)] == [pair["code"], "https://shop.example", "Shop WMS"]
        window.settings_view.ensureWidgetVisible(box)
        if os.environ.get("SIGILO_SCREENSHOTS"):
            window.grab().save(str(Path(os.environ["SIGILO_SCREENSHOTS"]) / "settings-bridge.png"))
        box.approve_button.click()
        assert box.pending.rowCount() == 0 and "https://shop.example" in box.paired.text()
        page.token = pair["token"]
        ship = numbered([s for s in sample_shipments if s["recipient"]["country"] == "CN"][:1], "SGG")
        reply = page.call("print", task=task("t-gui", ship))
        assert reply["status"] == "success", reply
        states = {}
        qtbot.waitUntil(lambda: states.update(page.wait_states({"t-gui-d0": "printed"}, timeout=0.5)) or
                        states.get("t-gui-d0") == "printed", timeout=30000)
        assert ship[0]["tracking_number"].encode() in bytes(mem_printer(mem_name).received)
        page.close()
    finally:
        box.enabled.setChecked(False)
    assert box.thread is None and "off" in box.state.text()
