"""History for people (the phone's last four digits, fragments, a clear "nothing matched") and
Scan as a card (recipient, address, station, REPRINT from this station's own records)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import sample
from tests.ui.test_gui_clerk import press_print, type_shipment, zpl_codes


def test_history_by_phone_digits_and_the_scan_card_marks_a_reprint(qtbot, window, sample_shipments, mem_name):
    from printers.transports.mem import mem_printer

    data = sample(sample_shipments)
    other = {**data, "tracking_number": data["tracking_number"][:-3] + "999", "order_id": "ORDER-OTHER",
             "recipient": {**data["recipient"], "phone": "13912340000"}}
    type_shipment(qtbot, window, data)
    press_print(qtbot, window)
    qr = zpl_codes(bytes(mem_printer(mem_name).received))["QRCode"]
    type_shipment(qtbot, window, other)
    press_print(qtbot, window)
    window.show_page(2)
    history = window.history_view
    qtbot.waitUntil(lambda: len(history.rows) == 2, timeout=10000)
    history.search.setText(data["recipient"]["phone"][-4:])
    qtbot.keyClick(history.search, Qt.Key_Return)
    qtbot.waitUntil(lambda: [r.tracking_number for r in history.rows] == [data["tracking_number"]], timeout=10000)
    assert not history.empty_note.isVisible()
    history.search.setText("ORDER-OTH")
    qtbot.keyClick(history.search, Qt.Key_Return)
    qtbot.waitUntil(lambda: [r.order_id for r in history.rows] == ["ORDER-OTHER"], timeout=10000)
    history.search.setText("4321")
    qtbot.keyClick(history.search, Qt.Key_Return)
    qtbot.waitUntil(lambda: history.rows == [] and history.empty_note.isVisible(), timeout=10000)
    assert "ending in 4321" in history.empty_note.text()
    # reprint the first label, then scan its QR: the card shows the person, the station and REPRINT
    history.search.setText(data["tracking_number"])
    qtbot.keyClick(history.search, Qt.Key_Return)
    qtbot.waitUntil(lambda: len(history.rows) == 1, timeout=10000)
    history.ask_reason = lambda tracking: "damaged"
    history.reprint_button.click()
    qtbot.waitUntil(lambda: any(r.reprint_reason == "damaged" and r.state == "confirmed"
                                for r in window.station.history(data["tracking_number"])), timeout=30000)
    window.show_page(3)
    scan = window.scan_view
    scan.qr_edit.setText(qr)
    qtbot.keyClick(scan.qr_edit, Qt.Key_Return)
    qtbot.waitUntil(lambda: scan.result is not None and scan.card.isVisible(), timeout=20000)
    card = scan.card
    assert card.name.text() == data["recipient"]["name"]
    assert data["recipient"]["phone"][-4:] in card.fields["phone"].text().replace(" ", "")
    assert data["tracking_number"] in card.fields["tracking"].text()
    assert "DEMO" in card.fields["station"].text()
    assert card.marks.isVisible() and "REPRINT" in card.marks.text() and "damaged" in card.marks.text()
    assert not card.raw.isVisible()
    card.raw_toggle.click()
    assert card.raw.isVisible() and '"station_id"' in card.raw.toPlainText()
