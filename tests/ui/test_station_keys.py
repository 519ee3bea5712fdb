"""One key policy for every way in: a station without keys seals nothing - the preview and
Ctrl+P say what to do - and demo keys are an explicit choice in Settings, shown in the window,
never created behind the clerk's back."""

from __future__ import annotations

from desktop.ui import config
from tests.ui.conftest import sample
from tests.ui.test_gui_clerk import press_print, type_shipment


def test_no_keys_no_label_until_demo_keys_are_chosen(qtbot, window, sample_shipments, tmp_path, sigilo_home):
    from PySide6.QtCore import Qt

    empty = tmp_path / "no-keys"
    config.put("keys/station_dir", str(empty))
    window._settings_changed()
    assert not window.demo_banner.isVisible()
    type_shipment(qtbot, window, sample(sample_shipments))
    page = window.label_page
    qtbot.waitUntil(lambda: "no station keys" in page.preview.message.text(), timeout=20000)
    assert "demo keys" in page.preview.message.text()  # the hint names the way out
    qtbot.keyClick(page.form.first_field(), Qt.Key_P, Qt.ControlModifier)
    qtbot.waitUntil(lambda: "Not printed" in window.statusBar().currentMessage(), timeout=20000)
    assert "no station keys" in window.statusBar().currentMessage()
    assert window.station.history() == []
    assert not empty.exists() and not (sigilo_home / "demo-keys").exists()  # nothing made silently
    window.settings_view.use_demo_keys()
    assert (sigilo_home / "demo-keys" / "DEMO-ONLY.txt").is_file()
    assert window.demo_banner.isVisible() and "DEMO" in window.demo_banner.text()
    outcome = press_print(qtbot, window)
    assert outcome.tracking_number == sample(sample_shipments)["tracking_number"]
    audit = window.station.store.query("SELECT subject FROM audit WHERE action='keys.demo'")
    assert len(audit) == 1
