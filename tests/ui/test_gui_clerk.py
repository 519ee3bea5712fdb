"""The counter clerk's journey, driven as a clerk drives it: keys typed into the form, Tab and
Enter, smart paste, Ctrl+P, history reprint with a reason, and the printed QR scanned back.
What is printed is checked by decoding it (ZPL rendered by zplkit, read by zxing-cpp)."""

from __future__ import annotations

import json
import subprocess

import zxingcpp
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.masking import hidden_fragments, mask
from desktop.shipment import Shipment
from printers.scene import mm_to_dots
from tests.ui.conftest import sample

RECIPIENT_KEYS = ("name", "phone", "province", "city", "district", "street", "detail", "postcode")


def type_text(qtbot, widget, text):
    """Type as a person does: ASCII as key presses, other characters as an input method commits
    them (that is how Chinese reaches a text field; QTest's key clicks are ASCII only)."""
    from PySide6.QtGui import QInputMethodEvent

    run = ""
    for ch in text + "\0":
        if ch != "\0" and ch.isascii():
            run += ch
            continue
        if run:
            qtbot.keyClicks(widget, run)
            run = ""
        if ch != "\0":
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)


def type_into(qtbot, window, key, text):
    editor = window.label_page.form.editor(key)
    editor.setFocus()
    if hasattr(editor, "selectAll"):
        editor.selectAll()
    elif hasattr(editor, "lineEdit"):
        editor.lineEdit().selectAll()
    type_text(qtbot, editor.lineEdit() if hasattr(editor, "lineEdit") and editor.lineEdit() else editor, text)


def type_shipment(qtbot, window, data):
    for k in RECIPIENT_KEYS:
        type_into(qtbot, window, f"recipient.{k}", data["recipient"][k])
    type_into(qtbot, window, "recipient.country", data["recipient"]["country"])
    type_into(qtbot, window, "parcel.weight_kg", str(data["parcel"]["weight_kg"]))
    type_into(qtbot, window, "parcel.items", data["parcel"]["items"])
    type_into(qtbot, window, "tracking_number", data["tracking_number"])
    type_into(qtbot, window, "order_id", data["order_id"])


def zpl_codes(data: bytes):
    import zplkit

    limits = zplkit._native.RenderLimits(graphic_bytes=4_000_000, field_bytes=200_000)
    png = zplkit.render(data, zplkit.Options(profile="zd621"), limits=limits).labels[0].png()
    import io

    return codes_in(Image.open(io.BytesIO(png)).convert("L"))


def codes_in(image):
    """{"QRCode": text, "Code128": text} whatever this zxing-cpp version calls its formats."""
    names = {"QRCODE": "QRCode", "CODE128": "Code128"}
    out = {}
    for b in zxingcpp.read_barcodes(image):
        key = str(b.format).split(".")[-1].replace(" ", "").upper()
        out[names.get(key, key)] = b.text
    return out


def press_print(qtbot, window):
    """Ctrl+P, then wait for the printer's confirmation (the status bar explains a timeout)."""
    page = window.label_page
    before = page.print_count
    qtbot.keyClick(page.form.first_field(), Qt.Key_P, Qt.ControlModifier)
    try:
        qtbot.waitUntil(lambda: page.print_count > before, timeout=30000)
    except Exception as exc:
        raise AssertionError(f"not printed; status bar: {window.statusBar().currentMessage()!r}") from exc
    return page.last_outcome


def wait_preview(qtbot, window, after: int):
    qtbot.waitUntil(lambda: window.label_page.preview.generation > after, timeout=20000)


def test_typing_a_bad_phone_shows_the_error_beside_it_and_fixing_clears_it(qtbot, window):
    form = window.label_page.form
    type_into(qtbot, window, "recipient.name", "张伟")
    type_into(qtbot, window, "recipient.phone", "12345")
    qtbot.keyClick(form.editor("recipient.phone"), Qt.Key_Tab)  # errors show once the field is left
    qtbot.waitUntil(lambda: form.message_for("recipient.phone") != "")
    assert form.state_of("recipient.phone") == "error"
    assert "12345" not in window.statusBar().currentMessage()
    type_into(qtbot, window, "recipient.phone", "13800138001")
    qtbot.waitUntil(lambda: form.message_for("recipient.phone") == "")
    assert form.state_of("recipient.phone") == ""


def test_every_smart_paste_sample_fills_its_fields(qtbot, window, shared_data):
    from tests.ui.conftest import jsonl

    form = window.label_page.form
    window.label_page.ask_clear = lambda: True
    for row in jsonl(shared_data / "smart_paste.jsonl"):
        QApplication.clipboard().setText(row["text"])
        form.paste_edit.setFocus()
        qtbot.keyClick(form.paste_edit, Qt.Key_V, Qt.ControlModifier | Qt.ShiftModifier)
        got = {k: form.cells[f"recipient.{k}"].text() for k in row["expect"]}
        assert got == row["expect"], row["text"]
        for k in row["expect"]:
            assert form.state_of(f"recipient.{k}") != "uncertain"
        qtbot.keyClick(form.first_field(), Qt.Key_Escape)
        assert form.cells["recipient.name"].text() == ""


def test_smart_paste_highlights_what_it_is_unsure_of(qtbot, window):
    form = window.label_page.form
    form.paste_edit.setPlainText("赵六 13912345678 朝阳区建国路1号")
    form.paste_edit.setFocus()
    qtbot.keyClick(form.paste_edit, Qt.Key_Return, Qt.ControlModifier)
    assert form.cells["recipient.district"].text() == "朝阳区"
    assert form.state_of("recipient.city") == "uncertain"
    assert form.state_of("recipient.province") == "uncertain"
    assert "朝阳区" in form.paste_note.text()
    assert QApplication.focusWidget() is form.editor("recipient.province")
    # once the clerk types there, the highlight goes
    type_text(qtbot, form.editor("recipient.province"), "北京市")
    assert form.state_of("recipient.province") != "uncertain"


def test_tab_and_enter_move_through_the_form_and_a_scanner_fills_tracking(qtbot, window):
    form = window.label_page.form
    form.first_field().setFocus()
    qtbot.keyClick(form.first_field(), Qt.Key_Tab)
    assert QApplication.focusWidget() is form.editor("recipient.phone")
    qtbot.keyClick(form.editor("recipient.phone"), Qt.Key_Return)
    assert QApplication.focusWidget() is form.editor("recipient.country")
    # a keyboard-wedge barcode scanner: fast keystrokes ending in Enter
    tracking = form.tracking_edit()
    tracking.setFocus()
    qtbot.keyClicks(tracking, "SG7700000123")
    qtbot.keyClick(tracking, Qt.Key_Return)
    assert tracking.text() == "SG7700000123"
    assert QApplication.focusWidget() is form.editor("order_id")


def test_tracking_number_drawn_from_the_outlet_range(qtbot, window):
    window.station.set_tracking_range("SG88", 42, 12, next_number=41)
    form = window.label_page.form
    form.first_field().setFocus()
    qtbot.keyClick(form.first_field(), Qt.Key_T, Qt.ControlModifier)
    assert form.tracking_edit().text() == "SG8800000041"
    qtbot.keyClick(form.first_field(), Qt.Key_T, Qt.ControlModifier)
    assert form.tracking_edit().text() == "SG8800000042"
    qtbot.keyClick(form.first_field(), Qt.Key_T, Qt.ControlModifier)  # range used up: says so
    assert "used up" in window.statusBar().currentMessage()


def test_preview_follows_typing_and_shows_the_masked_label(qtbot, window, sample_shipments):
    data = sample(sample_shipments)
    page = window.label_page
    type_shipment(qtbot, window, data)
    qtbot.waitUntil(lambda: page.preview.image is not None and "QR version" in page.preview.qr_label.text(),
                    timeout=20000)
    first = page.preview.image.copy()
    assert (first.width(), first.height()) == (mm_to_dots(100, 203), mm_to_dots(150, 203))  # as printed
    codes = codes_in(first)
    assert codes.get("QRCode", "").startswith("SG1:")
    assert codes.get("Code128") == data["tracking_number"]
    gen = page.preview.generation
    type_into(qtbot, window, "recipient.city", "南京市")
    type_into(qtbot, window, "recipient.province", "江苏省")
    type_into(qtbot, window, "recipient.district", "玄武区")
    wait_preview(qtbot, window, gen)
    qtbot.waitUntil(lambda: not page.ops.is_busy("preview"), timeout=20000)
    assert page.preview.image != first


def test_ctrl_p_prints_zpl_that_decodes_and_leaks_nothing(qtbot, window, sample_shipments, mem_name, qsettings_tmp):
    from printers.transports.mem import mem_printer

    data = sample(sample_shipments)
    page = window.label_page
    type_shipment(qtbot, window, data)
    press_print(qtbot, window)
    sent = bytes(mem_printer(mem_name).received)
    assert sent.startswith(b"^XA") or b"^XA" in sent[:200]
    codes = zpl_codes(sent)
    assert codes["Code128"] == data["tracking_number"]
    assert codes["QRCode"] == page.last_outcome.qr_text and codes["QRCode"].startswith("SG1:")
    shipment = Shipment.from_dict(data)
    for fragment in hidden_fragments(shipment, mask(shipment)):
        assert fragment.encode("utf-8") not in sent
        assert fragment not in window.statusBar().currentMessage()
    # printed: the form is clear for the next customer, the label is in history, masked
    assert page.form.cells["recipient.name"].text() == ""
    rows = window.station.history(data["tracking_number"])
    assert [r.state for r in rows] == ["confirmed"]
    assert rows[0].order_id == data["order_id"]
    stored = json.dumps(rows[0].masked, ensure_ascii=False)
    settings_text = "".join(f.read_text(encoding="utf-8", errors="replace") for f in qsettings_tmp.rglob("*")
                            if f.is_file())
    for fragment in hidden_fragments(shipment, mask(shipment)):
        assert fragment not in stored
        assert fragment not in settings_text  # nothing of the customer is remembered in settings


def test_print_refused_with_errors_names_the_fields(qtbot, window, mem_name):
    from printers.transports.mem import mem_printer

    page = window.label_page
    type_into(qtbot, window, "recipient.name", "张伟")
    qtbot.keyClick(page.form.first_field(), Qt.Key_P, Qt.ControlModifier)
    assert window.statusBar().currentMessage().startswith("Not printed: check these fields:")
    assert page.form.caption_of("recipient.phone") in window.statusBar().currentMessage()  # as the form names it
    assert bytes(mem_printer(mem_name).received) == b""


def test_unreachable_printer_turns_the_light_red_and_keeps_the_label_queued(qtbot, window, sample_shipments):
    from desktop.ui import config

    config.set_printers([config.PrinterConfig("Gone", "tcp://127.0.0.1:9", "zpl-203")])
    window._settings_changed()
    page = window.label_page
    data = sample(sample_shipments)
    type_shipment(qtbot, window, data)
    qtbot.keyClick(page.form.first_field(), Qt.Key_P, Qt.ControlModifier)
    qtbot.waitUntil(lambda: page.printer_panel.state == "OFFLINE", timeout=30000)
    qtbot.waitUntil(lambda: "waits in the queue" in window.statusBar().currentMessage(), timeout=30000)
    message = window.statusBar().currentMessage()
    assert "Traceback" not in message
    assert data["recipient"]["phone"] not in message
    progress = window.station.jobs_progress()
    assert [lab.state for lab in progress[0].labels] in (["queued"], ["sent"])
    assert page.last_outcome is None


def test_paper_out_mid_print_turns_red_then_prints_once(qtbot, window, sample_shipments, mem_name):
    from printers.simulator import SimulatedPrinter

    sim = SimulatedPrinter("zpl", baud=None, seconds_per_label=0.05, mem=mem_name).start()
    try:
        sim.paper_out()
        page = window.label_page
        data = sample(sample_shipments)
        type_shipment(qtbot, window, data)
        qtbot.keyClick(page.form.first_field(), Qt.Key_P, Qt.ControlModifier)
        qtbot.waitUntil(lambda: page.printer_panel.state == "PAPER_OUT", timeout=30000)
        assert "paper out" in page.printer_panel.status_text.text()
        assert page.last_outcome is None
        sim.paper_in()  # the clerk changes the roll
        qtbot.waitUntil(lambda: page.last_outcome is not None, timeout=30000)
        qtbot.waitUntil(lambda: page.printer_panel.state in ("READY", "PRINTING"), timeout=30000)
        assert sim.wait_printed(1, timeout=10)
        assert len(sim.labels) == 1  # printed once, not twice
        assert zpl_codes(sim.labels[0])["Code128"] == data["tracking_number"]
        assert window.statusBar().currentMessage().startswith(f"Printed {data['tracking_number']}")
    finally:
        sim.stop()


def test_reprint_asks_a_reason_and_prints_the_reprint_mark(qtbot, window, sample_shipments, tmp_path):
    data = sample(sample_shipments)
    page = window.label_page
    # print to the PDF printer: its text layer shows the REPRINT mark
    page.printer_panel.printer_combo.setCurrentIndex(1)
    type_shipment(qtbot, window, data)
    press_print(qtbot, window)
    original = page.last_outcome
    qtbot.keyClick(window, Qt.Key_F3)
    history = window.history_view
    qtbot.waitUntil(lambda: len(history.rows) == 1, timeout=10000)
    history.ask_reason = lambda tracking: "damaged"
    reprints = []
    history.reprinted.connect(reprints.append)
    history.reprint_button.click()
    qtbot.waitUntil(lambda: bool(reprints), timeout=30000)
    outcome = reprints[0]
    assert outcome.qr_text == original.qr_text  # the same seal, never re-sealed from masked data
    text = subprocess.run(["pdftotext", outcome.where, "-"], capture_output=True, text=True, check=True).stdout
    assert "REPRINT" in text and "damaged" in text
    first = subprocess.run(["pdftotext", original.where, "-"], capture_output=True, text=True, check=True).stdout
    assert "REPRINT" not in first
    qtbot.waitUntil(lambda: len(history.rows) == 2, timeout=10000)
    assert history.rows[0].reprint_reason == "damaged"
    assert "REPRINT" in window.statusBar().currentMessage()


def test_reprint_without_a_reason_is_refused(qtbot, window, sample_shipments):
    type_shipment(qtbot, window, sample(sample_shipments))
    press_print(qtbot, window)
    window.show_page(2)
    qtbot.waitUntil(lambda: len(window.history_view.rows) == 1, timeout=10000)
    window.history_view.ask_reason = lambda tracking: "  "
    window.history_view.reprint_button.click()
    qtbot.waitUntil(lambda: "reason" in window.statusBar().currentMessage(), timeout=10000)
    assert len(window.station.history()) == 1


def test_scan_a_printed_qr_back(qtbot, window, sample_shipments, mem_name, tmp_path):
    from printers.transports.mem import mem_printer

    data = sample(sample_shipments)
    type_shipment(qtbot, window, data)
    press_print(qtbot, window)
    codes = zpl_codes(bytes(mem_printer(mem_name).received))
    qtbot.keyClick(window, Qt.Key_F4)
    scan = window.scan_view
    assert QApplication.focusWidget() is scan.qr_edit
    qtbot.keyClicks(scan.qr_edit, codes["QRCode"])
    qtbot.keyClicks(scan.barcode_edit, codes["Code128"])
    qtbot.keyClick(scan.qr_edit, Qt.Key_Return)
    qtbot.waitUntil(lambda: scan.result is not None, timeout=20000)
    assert scan.verdict.text().startswith("Authentic")
    assert scan.card.name.text() == data["recipient"]["name"]  # a card for people, raw data behind a toggle
    assert data["recipient"]["detail"] in scan.card.fields["address"].text()
    assert not scan.card.raw.isVisible() and data["recipient"]["detail"] in scan.card.raw.toPlainText()
    # the QR moved onto another waybill is refused
    gen = scan.generation
    scan.barcode_edit.setText("SG0000000001")
    qtbot.keyClick(scan.qr_edit, Qt.Key_Return)
    qtbot.waitUntil(lambda: scan.generation > gen, timeout=20000)
    assert scan.verdict.text().startswith("Refused")
    assert data["recipient"]["name"] not in scan.details.toPlainText() and not scan.card.isVisible()
    # both scans are audited with public facts only
    audit = window.station.store.query("SELECT action, subject, details FROM audit WHERE action LIKE 'scan%' ORDER BY seq")
    assert [(r["action"], r["subject"]) for r in audit] == [("scan", data["tracking_number"]),
                                                            ("scan_failed", data["tracking_number"])]
    assert all(data["recipient"]["name"] not in r["details"] for r in audit)


def test_scan_an_image_of_a_label(qtbot, window, sample_shipments, tmp_path):
    data = sample(sample_shipments, "BR")
    page = window.label_page
    page.printer_panel.printer_combo.setCurrentIndex(1)
    type_shipment(qtbot, window, data)
    qtbot.waitUntil(lambda: page.preview.image is not None and page.preview.generation > 0, timeout=20000)
    qtbot.waitUntil(lambda: not page.ops.is_busy("preview"), timeout=20000)
    path = tmp_path / "photo.png"
    page.preview.image.save(str(path))
    window.show_page(3)
    window.scan_view.open_image(str(path))
    qtbot.waitUntil(lambda: window.scan_view.result is not None, timeout=20000)
    assert window.scan_view.result["shipment"]["recipient"]["name"] == data["recipient"]["name"]


def test_without_a_scanner_key_the_scan_says_not_authorized(qtbot, window, tmp_path, demo_keys):
    from desktop.seal import Sealer
    from desktop.ui import config

    qr = Sealer.from_keys_dir(demo_keys).seal(Shipment.from_dict(
        {"tracking_number": "SG7700000001", "recipient": {"name": "张伟", "phone": "13800138001", "country": "CN"}}))
    empty = tmp_path / "no-scanner-key"
    empty.mkdir()
    config.put("keys/scanner_dir", str(empty))
    scan = window.scan_view
    window.show_page(3)
    qtbot.keyClicks(scan.qr_edit, qr)
    qtbot.keyClick(scan.qr_edit, Qt.Key_Return)
    qtbot.waitUntil(lambda: scan.generation > 0, timeout=20000)
    assert scan.verdict.text().startswith("Not authorized")
    assert "张伟" not in scan.details.toPlainText() and "13800138001" not in scan.details.toPlainText()


def test_scanner_view_toggle_shows_what_an_authorized_scanner_reads(qtbot, window, sample_shipments):
    data = sample(sample_shipments)
    page = window.label_page
    type_shipment(qtbot, window, data)
    qtbot.waitUntil(lambda: page.preview.image is not None, timeout=20000)
    qtbot.waitUntil(lambda: page.preview.scanner_check.isEnabled(), timeout=20000)
    page.preview.scanner_check.setChecked(True)
    qtbot.waitUntil(lambda: data["recipient"]["name"] in page.preview.scanner_text.toPlainText(), timeout=20000)


def test_escape_clears_the_customer_but_keeps_the_sender(qtbot, window, sample_shipments):
    form = window.label_page.form
    type_shipment(qtbot, window, sample(sample_shipments))
    sender = form.cells["sender.name"].text()
    assert sender == "晨光文具旗舰店"
    window.label_page.ask_clear = lambda: True  # a filled form asks first (test_layout_keyboard)
    qtbot.keyClick(form.editor("recipient.street"), Qt.Key_Escape)
    assert form.cells["recipient.name"].text() == "" and form.tracking_edit().text() == ""
    assert form.cells["sender.name"].text() == sender
    assert QApplication.focusWidget() is form.first_field()
