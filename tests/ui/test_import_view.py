"""The merchant's batch import in the window: open a shop export, see the same counts the
importer reports, print the valid rows as one queue job to a memory printer, and check what
arrives by decoding it; nothing of the recipients is left in settings or the station folder."""

from __future__ import annotations

import json
from pathlib import Path

from zplkit.rendering import RenderError

from desktop.importer import Defaults, import_file
from desktop.masking import hidden_fragments, mask
from desktop.ui.main_window import IMPORT_PAGE
from tests.privacy_scan import assert_no_fragments
from tests.ui.test_gui_clerk import zpl_codes

SENDER = {"name": "晨光文具旗舰店", "phone": "0571-88880000", "country": "CN", "province": "浙江省", "city": "杭州市",
          "district": "余杭区", "street": "文一西路969号", "detail": "3号楼", "postcode": "311121", "business": True}


def _open(qtbot, window, path: Path, weight: float = 1.2, prefix: str = "SG"):
    page = window.import_view
    window.show_page(IMPORT_PAGE)
    page.weight.setValue(weight)
    page.prefix.setText(prefix)
    before = page.report
    page.open_file(path)  # what the file dialog hands over
    qtbot.waitUntil(lambda: page.report is not None and page.report is not before and not page.ops.is_busy("import"),
                    timeout=20000)
    return page


def test_f7_opens_the_import_page(qtbot, window):
    from PySide6.QtCore import Qt

    qtbot.keyClick(window, Qt.Key_F7)
    assert window.current_page() is window.import_view


def test_import_shows_the_importers_counts_and_prints_exactly_the_valid_rows(
        qtbot, window, shared_data, mem_name, sigilo_home, qsettings_tmp):
    from printers.transports.mem import mem_printer

    path = Path(shared_data) / "shop_export_shopify.csv"
    expected = import_file(path, defaults=Defaults(sender=SENDER, weight_kg=1.2, tracking_prefix="SG"))
    page = _open(qtbot, window, path)
    report = page.report
    assert (len(report.valid), len(report.invalid)) == (len(expected.valid), len(expected.invalid))
    assert len(expected.valid) > 0
    assert page.summary.text().endswith(expected.summary())
    assert page.table.rowCount() == len(expected.rows)
    statuses = [page.table.item(i, 1).text() for i in range(page.table.rowCount())]
    assert statuses.count("ok") == len(expected.valid)
    assert page.print_button.text() == f"Print {len(expected.valid)} valid"

    page.print_button.click()
    qtbot.waitUntil(lambda: page.counts()[0] + page.counts()[1] == len(expected.valid), timeout=90000)
    assert page.counts() == (len(expected.valid), 0)
    assert page.progress.value() == page.progress.maximum() == len(expected.valid)
    window.ops.wait(20000)
    sent = bytes(mem_printer(mem_name).received)
    labels = [b"^XA" + part for part in sent.split(b"^XA")[1:]]
    assert len(labels) == len(expected.valid)
    decoded = 0
    for label, row in zip(labels, expected.valid):  # in the file's order
        try:
            codes = zpl_codes(label)
        except RenderError:  # the ZPL renderer's embedded font lacks some Latin accents (São Paulo)
            continue
        assert codes["Code128"] == row.shipment.tracking_number
        assert codes["QRCode"].startswith("SG1:")
        decoded += 1
    assert decoded >= 1

    audit = window.station.store.query("SELECT subject FROM audit WHERE action='import'")
    assert [r[0] for r in audit] == ["shop_export_shopify.csv"]
    # printed once: nothing is left to print, and a retry prints nothing more
    assert not page.print_button.isEnabled()
    page.retry_failed()
    qtbot.waitUntil(lambda: "Nothing to print" in window.statusBar().currentMessage(), timeout=20000)
    assert len(bytes(mem_printer(mem_name).received).split(b"^XA")) - 1 == len(expected.valid)

    hidden = {f for r in expected.valid for f in hidden_fragments(r.shipment, mask(r.shipment))}
    # one customer's hidden surname may be another's street, which her label shows (Rua Padre Chagas)
    shown = " ".join(json.dumps(mask(r.shipment).to_dict(), ensure_ascii=False) for r in expected.valid)
    fragments = sorted(f for f in hidden if f not in shown)
    assert len(fragments) > len(expected.valid)
    for f in fragments:
        assert f not in window.statusBar().currentMessage()
    qr_texts = tuple(window.station.store.query("SELECT qr_text FROM labels WHERE qr_text IS NOT NULL").__iter__())
    allow = tuple(r[0] for r in qr_texts)
    files = [p for root in (Path(sigilo_home), Path(qsettings_tmp)) for p in root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".ini" for p in files)
    for p in files:
        assert_no_fragments(p.read_bytes(), fragments, str(p), short_numbers=False, allow=allow)


def test_a_broken_row_shows_its_field_and_retry_prints_it_once_fixed(qtbot, window, shared_data, mem_name, tmp_path):
    from printers.transports.mem import mem_printer

    text = (Path(shared_data) / "shop_export_shopify.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines(keepends=True)
    fixed = lines[4]
    phone = fixed.rstrip("\r\n").rsplit(",", 1)[1]
    broken = fixed.replace(phone, "12")  # the shop's export lost the phone's digits
    export = tmp_path / "orders.csv"
    export.write_text("".join(lines[:4]) + broken, encoding="utf-8")
    page = _open(qtbot, window, export)
    assert (len(page.report.valid), len(page.report.invalid)) == (3, 1)
    assert page.table.item(3, 1).text() == "error"
    assert "recipient.phone" in page.table.item(3, 3).text()
    assert page.print_button.text() == "Print 3 valid"
    page.print_button.click()
    qtbot.waitUntil(lambda: sum(page.counts()) == 3, timeout=60000)
    assert page.counts() == (3, 0)
    # the merchant fixes the row in the export and presses Retry failed: only that row prints
    export.write_text("".join(lines[:4]) + fixed, encoding="utf-8")
    page.retry_button.click()
    qtbot.waitUntil(lambda: len(page.jobs) == 2 and sum(page.counts()) == 1, timeout=60000)
    assert page.counts() == (1, 0)
    window.ops.wait(20000)
    sent = bytes(mem_printer(mem_name).received)
    assert sent.count(b"^XA") == 4
    tracking = page.report.rows[3].shipment.tracking_number.encode()
    assert tracking in sent.split(b"^XA")[-1] and tracking not in b"".join(sent.split(b"^XA")[:-1])


def test_an_unreadable_file_is_a_readable_message(qtbot, window, tmp_path):
    bad = tmp_path / "orders.xlsx"
    bad.write_bytes(b"not a workbook")
    page = window.import_view
    page.open_file(bad)
    qtbot.waitUntil(lambda: page.summary.text().startswith("Not read:"), timeout=20000)
    assert "Traceback" not in page.summary.text()
    assert not page.print_button.isEnabled()


def test_missing_defaults_are_named_once_and_a_mapping_can_be_saved(qtbot, window, shared_data, sigilo_home):
    from desktop.importer import find_mapping
    from desktop.importer.mapping import user_dir

    page = _open(qtbot, window, Path(shared_data) / "shop_export_shopify.csv", weight=0, prefix="")
    assert len(page.report.valid) == 0
    assert page.summary.text().endswith("the export lacks what these give: a weight, a tracking prefix")
    assert not page.print_button.isEnabled()
    page.save_mapping("my-shop")
    assert find_mapping("my-shop").columns == page.mapping.columns
    assert (user_dir() / "my-shop.json").is_file()
    assert page.mapping_combo.currentText() == "my-shop"
