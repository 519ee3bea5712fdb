"""The Calibrate dialog as a clerk uses it: a simulated TSPL printer on a socat pty with
100 x 100 mm gap labels loaded while the template is 100 x 150; the clerk opens Calibrate on
the printer panel, presses Calibrate, and reads what the printer measured and what to do about
the size; then continuous paper loaded with "gaps" chosen: the dialog says no gap was found and
what to choose instead. The measuring goes through the window's print queue worker."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt


@pytest.fixture
def tspl(tmp_path):
    from printers.simulator import SimulatedPrinter

    sim = SimulatedPrinter("tspl", baud=115200, seconds_per_label=0.05, pty=tmp_path / "ttyTSC",
                           media="gap", media_length_mm=100.0, media_gap_mm=3.0, detect_seconds=0.3)
    sim.start()
    yield sim
    sim.stop()


def test_calibrate_dialog_measures_the_labels_and_says_so(qtbot, window, tspl):
    from desktop.ui import config

    config.set_printers([config.PrinterConfig("Counter TSPL", tspl.uri, "tspl-203")])
    window.label_page.load_settings()
    panel = window.label_page.printer_panel
    qtbot.mouseClick(panel.cal_toggle, Qt.LeftButton)
    assert panel.media_button.isVisible() and panel.media_button.isEnabled()
    qtbot.mouseClick(panel.media_button, Qt.LeftButton)
    dialog = window.label_page.calibrate_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    assert dialog.length.value() == 150.0 and dialog.sensor.currentData() == "gap"  # the template's size
    qtbot.mouseClick(dialog.go, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.result.property("kind") in ("ok", "warn", "bad"), timeout=20000)
    text = dialog.result.text()
    assert dialog.result.property("kind") == "warn", text
    assert "measured labels 100 mm long with 3 mm between them" in text
    assert "not 150 mm" in text  # what to do: load 150 mm labels or choose the 100 mm template
    assert dialog.test.isEnabled()
    assert dialog.gap.value() == 3.0  # the field shows what was measured
    assert tspl.setting["length_mm"] == 100.0
    # the worker's connection still prints: the test label from the dialog comes out
    qtbot.mouseClick(dialog.test, Qt.LeftButton)
    qtbot.waitUntil(lambda: tspl.printed_count == 1, timeout=15000)

    tspl.load_media("continuous")
    qtbot.mouseClick(dialog.go, Qt.LeftButton)
    qtbot.waitUntil(lambda: "found no gap" in dialog.result.text(), timeout=20000)
    assert dialog.result.property("kind") == "bad"
    assert "continuous paper" in dialog.result.text()
    dialog.reject()


def test_a_pdf_printer_is_not_offered_calibration(qtbot, window, tmp_path):
    from desktop.ui import config

    config.set_printers([config.PrinterConfig("Office PDF", (tmp_path / "pdf").as_uri(), "pdf")])
    window.label_page.load_settings()
    panel = window.label_page.printer_panel
    assert not panel.media_button.isEnabled()


def test_settings_page_never_scrolls_sideways_at_1366_or_at_125_percent(qtbot, window):
    """The paired boxes (labels and keys, presets and operators, scale and language) sit side by
    side where they fit and go one under the other where they would not (1366x768 at 125 %
    scaling leaves a 1093 px window), so no box's buttons end up off-screen."""
    window.show_page(5)
    view = window.settings_view
    for width, height, columns in ((1366, 768, None), (1093, 614, 1), (1920, 1080, 2)):
        window.resize(width, height)
        if columns is not None:
            qtbot.waitUntil(lambda want=columns: view.columns == want, timeout=3000)
        qtbot.waitUntil(lambda: not view.horizontalScrollBar().isVisible(), timeout=3000)
        assert view.widget().minimumSizeHint().width() <= view.viewport().width()
