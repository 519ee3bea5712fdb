"""Journey 1 step 5 as one action: the customer says the phone was wrong; the clerk presses
"Void and correct…", a supervisor approves, the form comes back with the shipment as printed,
the clerk fixes the phone and presses Ctrl+P. The whole shipment comes back only from this
window's memory; an older label is refilled from the store's non-private face. Nothing of the
plaintext is written anywhere by doing so."""

from __future__ import annotations

from pathlib import Path

from desktop.masking import hidden_fragments, mask
from desktop.seal import Scanner
from desktop.shipment import Shipment
from desktop.ui import config
from desktop.validation import validate
from tests.privacy_scan import assert_no_fragments
from tests.ui.conftest import sample
from tests.ui.test_gui_clerk import press_print, type_into, type_shipment, zpl_codes

NEW_PHONE = "13912345678"


def _clerk_and_supervisor(window):
    station = window.station
    station.operators().add("wang", "supervisor-pass-1", "supervisor")
    station.operators().add("li", "counter-pass-1", "clerk")
    station.login("li", "counter-pass-1")
    return station


def _print_then_void_and_correct(qtbot, window, data, from_history=True, forget=False):
    """Print ``data``, then void-and-correct it with the supervisor's approval; returns the
    first outcome and the (permission, tracking) the approval was asked for."""
    first = press_print(qtbot, window)
    assert window.label_page.form.cells["recipient.name"].text() == ""  # printed: cleared for the next
    assert window.label_page.recent.get(data["tracking_number"]) is not None
    if forget:  # as if another session (or a window since closed) had printed it
        from desktop.ui.recent import RecentShipments

        window.label_page.recent = RecentShipments()
    history = window.history_view
    history.ask_void_reason = lambda tracking: "wrong phone"
    asked = []
    history.ask_approval = lambda permission, tracking: asked.append((permission, tracking)) or (
        "wang", "supervisor-pass-1")
    if from_history:
        window.show_page(2)
        qtbot.waitUntil(lambda: len(history.rows) == 1, timeout=10000)
        history.correct_button.click()
    else:
        assert window.label_page.correct_button.isEnabled()
        window.label_page.correct_button.click()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 0 and window.label_page.form.cells[
        "tracking_number"].text() not in ("", data["tracking_number"]), timeout=20000)
    return first, asked


def _opened_phone(qr_text: str, tracking: str) -> str:
    opened = Scanner.from_keys_dir(config.scanner_keys_dir()).open(qr_text, barcode=tracking)
    return opened.shipment.recipient.phone


def test_void_and_correct_from_history_reloads_the_form_and_prints_the_fix(qtbot, window, sample_shipments,
                                                                           mem_name):
    from printers.transports.mem import mem_printer

    station = _clerk_and_supervisor(window)
    data = sample(sample_shipments)
    type_shipment(qtbot, window, data)
    printed = validate(window.label_page.form.data()).shipment
    first, asked = _print_then_void_and_correct(qtbot, window, data)
    assert asked == [("void", first.tracking_number)]
    # the form holds the shipment as printed, every field
    form = window.label_page.form
    new_number = form.cells["tracking_number"].text()  # a corrected label gets a new number, from the range
    assert new_number == "SG00000001"
    assert validate(form.data()).shipment.to_dict() == {**printed.to_dict(), "tracking_number": new_number}
    assert form.cells["recipient.name"].text() == data["recipient"]["name"]
    assert not form.paste_note.isVisible()
    assert station.history()[0].state == "voided"
    # the clerk fixes only the phone and presses Ctrl+P
    form.cells["recipient.phone"].editor.clear()
    type_into(qtbot, window, "recipient.phone", NEW_PHONE)
    corrected = validate(form.data()).shipment
    assert corrected.recipient.phone.endswith(NEW_PHONE) and corrected.recipient.phone != printed.recipient.phone
    assert corrected.to_dict() == {**printed.to_dict(), "tracking_number": new_number,
                                   "recipient": {**printed.recipient.to_dict(), "phone": corrected.recipient.phone}}
    before = len(bytes(mem_printer(mem_name).received))
    second = press_print(qtbot, window)
    assert second.tracking_number == new_number != data["tracking_number"]
    assert second.masked["recipient"]["phone"].endswith(NEW_PHONE[-4:])
    # history: the void with its reason, and the corrected label
    window.show_page(2)
    history = window.history_view
    qtbot.waitUntil(lambda: len(history.rows) == 2, timeout=10000)
    assert [(r.state, r.reason) for r in history.rows] == [("confirmed", ""), ("voided", "wrong phone")]
    table = history.table
    shown = [[table.item(i, c).text() for c in range(table.columnCount())] for i in range(table.rowCount())]
    assert any("voided" in row and "wrong phone" in row for row in shown)
    audit = station.store.query("SELECT actor, details FROM audit WHERE action='void'")
    assert len(audit) == 1 and audit[0]["actor"] == "li" and "wang" in audit[0]["details"]
    # the corrected label's QR, read off the printed bytes, opens to the corrected phone
    codes = zpl_codes(bytes(mem_printer(mem_name).received)[before:])
    assert codes["QRCode"] == second.qr_text and codes["Code128"] == new_number
    assert _opened_phone(codes["QRCode"], new_number) == corrected.recipient.phone
    assert _opened_phone(first.qr_text, data["tracking_number"]) == printed.recipient.phone


def test_void_and_correct_right_after_printing_from_the_label_page(qtbot, window, sample_shipments):
    _clerk_and_supervisor(window)
    data = sample(sample_shipments)
    assert not window.label_page.correct_button.isEnabled()  # nothing printed yet
    type_shipment(qtbot, window, data)
    printed = validate(window.label_page.form.data()).shipment
    first, asked = _print_then_void_and_correct(qtbot, window, data, from_history=False)
    assert asked == [("void", first.tracking_number)]
    fixed = validate(window.label_page.form.data()).shipment.to_dict()
    assert fixed == {**printed.to_dict(), "tracking_number": fixed["tracking_number"]}
    assert fixed["tracking_number"] != printed.tracking_number
    assert window.station.history()[0].state == "voided"
    assert not window.label_page.correct_button.isEnabled()  # that label is voided: nothing left to correct
    press_print(qtbot, window)
    assert window.label_page.correct_button.isEnabled()


def test_a_refused_approval_voids_nothing_and_leaves_the_form_alone(qtbot, window, sample_shipments):
    station = _clerk_and_supervisor(window)
    data = sample(sample_shipments)
    type_shipment(qtbot, window, data)
    press_print(qtbot, window)
    history = window.history_view
    window.show_page(2)
    qtbot.waitUntil(lambda: len(history.rows) == 1, timeout=10000)
    history.ask_void_reason = lambda tracking: "wrong phone"
    history.ask_approval = lambda permission, tracking: ("wang", "not-the-password")
    history.correct_button.click()
    qtbot.waitUntil(lambda: "Not voided" in window.statusBar().currentMessage(), timeout=20000)
    assert station.history()[0].state == "confirmed"
    assert window.stack.currentIndex() == 2
    assert window.label_page.form.cells["tracking_number"].text() == ""


def test_a_label_not_in_this_windows_memory_refills_only_what_the_store_kept(qtbot, window, sample_shipments):
    """Another session printed it (here: the memory is emptied): the face's order id, service,
    parcel and region come back; the recipient's name, phone and building are asked again."""
    _clerk_and_supervisor(window)
    data = sample(sample_shipments)
    type_shipment(qtbot, window, data)
    printed = validate(window.label_page.form.data()).shipment
    _print_then_void_and_correct(qtbot, window, data, forget=True)
    form = window.label_page.form
    for key in ("recipient.name", "recipient.phone", "recipient.detail", "recipient.street"):
        assert form.cells[key].text() == "", key
    assert form.cells["order_id"].text() == printed.order_id
    assert form.cells["service"].text() == printed.service
    assert form.cells["recipient.city"].text() == printed.recipient.city
    assert form.cells["recipient.province"].text() == printed.recipient.province
    assert float(form.cells["parcel.weight_kg"].text()) == printed.parcel.weight_kg
    assert form.cells["parcel.items"].text() == printed.parcel.items
    assert form.cells["sender.name"].text() == printed.sender.name
    assert form.paste_note.isVisible()
    assert "type the recipient's name, phone and building again" in form.paste_note.text()
    assert "type the recipient's name, phone and building again" in window.statusBar().currentMessage()


def test_memory_keeps_only_the_last_labels():
    from desktop.ui.recent import RecentShipments

    recent = RecentShipments(keep=3)
    for n in range(5):
        recent.remember(Shipment.from_dict({"tracking_number": f"SG{n}", "recipient": {"name": "x"}}))
    assert len(recent) == 3 and recent.get("SG1") is None and recent.get("SG4") is not None


def test_void_and_correct_writes_nothing_of_the_plaintext(qtbot, window, sample_shipments, sigilo_home,
                                                          qsettings_tmp):
    _clerk_and_supervisor(window)
    data = sample(sample_shipments)
    type_shipment(qtbot, window, data)
    printed = validate(window.label_page.form.data()).shipment
    first, _ = _print_then_void_and_correct(qtbot, window, data)
    window.label_page.form.cells["recipient.phone"].editor.clear()
    type_into(qtbot, window, "recipient.phone", NEW_PHONE)
    corrected = validate(window.label_page.form.data()).shipment
    second = press_print(qtbot, window)
    window.ops.wait(20000)
    fragments = sorted(set(hidden_fragments(printed, mask(printed)) + hidden_fragments(corrected, mask(corrected))))
    assert NEW_PHONE[:7] in "".join(fragments)  # the scan looks for the corrected phone too
    files = [p for root in (Path(sigilo_home), Path(qsettings_tmp)) for p in root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".ini" for p in files) and any("sqlite" in p.name or p.suffix == ".db" for p in files)
    for path in files:
        assert_no_fragments(path.read_bytes(), fragments, str(path), short_numbers=False,
                            allow=(first.qr_text, second.qr_text))
