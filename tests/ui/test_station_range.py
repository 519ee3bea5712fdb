"""A waybill number prints once, in the window: the range is drawn from the store in one
transaction and never written back from a stale Settings form, a drawn number skips one already
printed, and a number already printed is refused beside the field before anything is queued."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import sample
from tests.ui.test_gui_clerk import press_print, type_into, type_shipment


def _draw(qtbot, window) -> str:
    form = window.label_page.form
    qtbot.keyClick(form.first_field(), Qt.Key_T, Qt.ControlModifier)
    return form.tracking_edit().text()


def test_saving_a_stale_range_form_never_hands_out_a_number_again(qtbot, window):
    settings = window.settings_view
    assert settings.range_next.value() == 1  # what the form showed when the window opened
    window.label_page.form.first_field().setFocus()
    assert [_draw(qtbot, window), _draw(qtbot, window)] == ["SG00000001", "SG00000002"]
    settings.range_end.setValue(500)  # the supervisor changes the end, not the next number
    settings._save_range()
    assert window.station.tracking_range()["end"] == 500
    assert settings.range_next.value() == 3  # the form shows the store's range after saving
    assert _draw(qtbot, window) == "SG00000003"  # not SG00000001 again
    settings.range_next.setValue(10)  # a deliberate change of the next number is kept
    settings._save_range()
    assert _draw(qtbot, window) == "SG00000010"


def test_a_printed_number_is_refused_beside_the_field_and_skipped_when_drawn(qtbot, window, sample_shipments):
    data = sample(sample_shipments)
    type_shipment(qtbot, window, data)
    press_print(qtbot, window)
    page = window.label_page
    type_shipment(qtbot, window, data)  # the same parcel typed again
    qtbot.waitUntil(lambda: "prints once" in page.form.message_for("tracking_number"), timeout=10000)
    assert "reprint" in page.form.message_for("tracking_number")
    count = page.print_count
    qtbot.keyClick(page.form.first_field(), Qt.Key_P, Qt.ControlModifier)
    assert "Not printed" in window.statusBar().currentMessage() and page.print_count == count
    assert len([r for r in window.station.history() if r.tracking_number == data["tracking_number"]]) == 1
    # a range whose next number is already printed passes over it
    window.station.set_tracking_range("SG", 9_999_999_999, 12, next_number=int(data["tracking_number"][2:]))
    type_into(qtbot, window, "tracking_number", "")
    drawn = _draw(qtbot, window)
    assert drawn != data["tracking_number"] and drawn == f"SG{int(data['tracking_number'][2:]) + 1:010d}"
