"""Journey 1 step 3: the parcel goes on the counter scale (a simulated one on a socat pty) and
the weight fills in once it is steady; a weight the clerk typed is not overwritten; the next
customer's parcel fills in again."""

from __future__ import annotations


from tests.ui.test_gui_clerk import type_into


def test_a_steady_scale_fills_the_weight_and_a_typed_weight_wins(qtbot, window, tmp_path):
    from desktop.scale import load_scale_profile
    from desktop.scale.simulator import SimulatedScale
    from desktop.ui import config

    page, form = window.label_page, window.label_page.form
    with SimulatedScale(load_scale_profile("ascii-st-gs"), tmp_path / "ttyScale", kg=0.0) as scale:
        config.put("scale/uri", scale.uri)
        config.put("scale/profile", "ascii-st-gs")
        page.scale.start()
        try:
            scale.set_weight(1.24, stable=False)  # still moving: nothing yet
            qtbot.wait(600)
            assert form.cells["parcel.weight_kg"].text() == ""
            scale.set_weight(1.24)
            qtbot.waitUntil(lambda: form.cells["parcel.weight_kg"].text() == "1.24", timeout=10000)
            assert "Weight from the scale: 1.24 kg" in window.statusBar().currentMessage()
            # the clerk overrides it by hand: a new reading does not overwrite it
            type_into(qtbot, window, "parcel.weight_kg", "2")
            scale.set_weight(3.5)
            qtbot.wait(800)
            assert form.cells["parcel.weight_kg"].text() == "2"
            # the next customer: the pan is emptied, the next parcel fills in
            form.clear_for_next()
            scale.set_weight(0.0)
            qtbot.wait(500)
            scale.set_weight(0.62)
            qtbot.waitUntil(lambda: form.cells["parcel.weight_kg"].text() == "0.62", timeout=10000)
        finally:
            page.scale.stop()
