"""`sigilo batch`: the summary and per-row errors, the report CSV, saved mappings, printing
exactly the valid rows (and on retry only the rest), the audit entry, and no hidden recipient
detail in the report, the output or the audit."""

from __future__ import annotations

import csv
import io
import json

import pytest

from desktop.audit import AuditLog
from desktop.cli import main
from desktop.importer import Defaults, import_file
from desktop.masking import hidden_fragments, mask
from desktop.store import open_store
from tests.privacy_scan import assert_no_fragments

SENDER = {"name": "Sigilo Shop", "phone": "13800138000", "country": "CN", "province": "浙江省",
          "city": "杭州市", "district": "西湖区", "street": "文三路100号", "business": True}


@pytest.fixture
def sender(tmp_path):
    path = tmp_path / "sender.json"
    path.write_text(json.dumps(SENDER, ensure_ascii=False), encoding="utf-8")
    return path


def _defaults_args(sender):
    return ["--sender", str(sender), "--weight", "0.5", "--tracking-prefix", "SG"]


def _broken(tmp_path, shared_data):
    """The CN export with: row 3 a too-short phone, row 5 no name, row 6 an extension with a
    letter (a validation message that would quote it)."""
    rows = list(csv.reader((shared_data / "shop_export_cn.csv").read_bytes().decode("gb18030").splitlines()))
    rows[2][3] = "12345"
    rows[4][2] = ""
    rows[5][3] = rows[5][3] + " 转 98a76"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path = tmp_path / "orders.csv"
    path.write_bytes(out.getvalue().encode("gb18030"))
    return path, len(rows) - 1


def _label_trackings(data: bytes) -> list[list[str]]:
    """The SG tracking numbers quoted in each TSPL label of a printer file."""
    import re

    labels = [chunk for chunk in data.split(b"PRINT 1") if b"CLS" in chunk]
    return [sorted({t.decode() for t in re.findall(rb"\"(SG[0-9A-Z]+)\"", label)}) for label in labels]


def test_summary_and_errors_by_row_and_field(tmp_path, shared_data, sender, capsys):
    path, count = _broken(tmp_path, shared_data)
    report = tmp_path / "report.csv"
    status = main(["batch", str(path), *_defaults_args(sender), "--report", str(report)])
    out = capsys.readouterr().out
    assert status == 1
    assert f"{count - 3} valid, 3 with errors" in out
    assert "row 3: recipient.phone:" in out and "row 5: recipient.name:" in out and "row 6: recipient.phone:" in out
    with open(report, encoding="utf-8-sig", newline="") as f:
        lines = list(csv.DictReader(f))
    errors = {(int(r["row"]), r["field"]) for r in lines if r["status"] == "error"}
    assert errors == {(3, "recipient.phone"), (5, "recipient.name"), (6, "recipient.phone")}
    assert {int(r["row"]) for r in lines} == set(range(2, count + 2))
    assert list(lines[0].keys()) == ["row", "status", "field", "message"]


def test_report_output_and_audit_hold_no_hidden_fragment(tmp_path, shared_data, sender, capsys):
    path, _ = _broken(tmp_path, shared_data)
    report = tmp_path / "report.csv"
    main(["batch", str(path), *_defaults_args(sender), "--report", str(report)])
    out, err = capsys.readouterr()
    # the hidden details of every row, taken from the unbroken export's shipments
    defaults = Defaults(sender=SENDER, weight_kg=0.5, tracking_prefix="SG")
    ships = [r.shipment for r in import_file(shared_data / "shop_export_cn.csv", defaults=defaults).rows]
    fragments = sorted({f for s in ships for f in hidden_fragments(s, mask(s))} | {"98a76"})
    assert any("13800" in f for f in fragments)  # the scan does look for phone digits
    text = report.read_bytes()
    assert b"98a76" not in text  # the phone extension a validation message would have quoted
    assert_no_fragments(text, fragments, "the batch report")
    assert_no_fragments((out + err).encode("utf-8"), fragments, "the batch output")
    with open_store() as store:
        entries = AuditLog(store).entries(action="import")
    assert entries and entries[-1].subject == "orders.csv"
    assert entries[-1].details == {"rows": len(ships), "valid": len(ships) - 3, "invalid": 3}
    assert_no_fragments(json.dumps([e.to_dict() for e in entries], ensure_ascii=False).encode("utf-8"),
                        fragments, "the import audit entry")


def test_print_prints_exactly_the_valid_rows_then_retry_prints_the_fixed_ones(tmp_path, shared_data, sender, capsys):
    path, _ = _broken(tmp_path, shared_data)
    valid = [r.shipment.tracking_number for r in import_file(
        path, defaults=Defaults(sender=SENDER, weight_kg=0.5, tracking_prefix="SG")).valid]
    out_file = tmp_path / "labels.tspl"
    status = main(["batch", str(path), *_defaults_args(sender), "--print", "--printer", f"file://{out_file}",
                   "--profile", "tspl-203", "--demo-keys"])
    out = capsys.readouterr().out
    assert status == 1  # some rows were not printed
    labels = _label_trackings(out_file.read_bytes())
    assert [t for label in labels for t in label] == valid  # one label per valid row, in file order
    assert all(len(label) == 1 for label in labels)
    assert f"Printed {len(valid)} label(s)" in out
    job = out.split("; job ")[1].split(";")[0].split(".")[0].strip()

    # the merchant fixes the three rows in the export and prints only what the job did not
    fixed = tmp_path / "fixed.csv"
    fixed.write_bytes((shared_data / "shop_export_cn.csv").read_bytes())
    retry_file = tmp_path / "retry.tspl"
    status = main(["batch", str(fixed), *_defaults_args(sender), "--print", "--printer", f"file://{retry_file}",
                   "--profile", "tspl-203", "--demo-keys", "--retry-failed", job])
    out = capsys.readouterr().out
    assert status == 0, out
    every = [r.shipment.tracking_number for r in import_file(
        fixed, defaults=Defaults(sender=SENDER, weight_kg=0.5, tracking_prefix="SG")).rows]
    retried = [t for label in _label_trackings(retry_file.read_bytes()) for t in label]
    assert retried == [t for t in every if t not in valid] and len(retried) == 3


def test_save_mapping_on_the_command_line_then_recognised(tmp_path, sender, capsys):
    path = tmp_path / "myshop.csv"
    path.write_text("Order,Receiver,Mobile,Where\n"
                    "A1000200,刘建国,13800131563,湖北省 武汉市 洪山区 建设路656号绿地中心13栋3单元402室\n", encoding="utf-8")
    status = main(["batch", str(path), *_defaults_args(sender)])
    err = capsys.readouterr().err
    assert status != 0 and "no saved import mapping fits" in err and "--save-mapping" in err
    status = main(["batch", str(path), *_defaults_args(sender), "--save-mapping", "myshop",
                   "--map", "order_id=Order", "--map", "recipient.name=Receiver", "--map", "recipient.phone=Mobile",
                   "--map", "recipient.address=Where", "--default", "recipient.country=CN"])
    out = capsys.readouterr().out
    assert status == 0 and "1 valid, 0 with errors" in out
    status = main(["batch", str(path), *_defaults_args(sender)])
    out = capsys.readouterr().out
    assert status == 0 and "mapping myshop" in out and "1 valid, 0 with errors" in out
    assert main(["batch", str(path), "--mapping", "nosuch"]) != 0
    assert "no import mapping named 'nosuch'" in capsys.readouterr().err


def test_a_missing_phone_row_does_not_show_another_customers_number(tmp_path, shared_data, sender, capsys):
    """A validation hint's example number may be a real customer's in the same file."""
    rows = list(csv.reader((shared_data / "shop_export_cn.csv").read_bytes().decode("gb18030").splitlines()))
    rows[3][3] = ""  # file row 4 has no phone
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path = tmp_path / "orders.csv"
    path.write_bytes(out.getvalue().encode("gb18030"))
    report = tmp_path / "report.csv"
    main(["batch", str(path), *_defaults_args(sender), "--report", str(report)])
    printed = capsys.readouterr().out
    assert "row 4: recipient.phone: the phone number is missing" in printed
    phones = [r[3] for r in rows[1:] if r[3]]
    for text in (printed, report.read_text(encoding="utf-8-sig")):
        assert not [p for p in phones if p in text]


def test_without_defaults_the_command_says_which_options_supply_them(shared_data, capsys):
    status = main(["batch", str(shared_data / "shop_export_cn.csv")])
    out = capsys.readouterr().out
    assert status == 1 and "0 valid" in out
    assert "--sender JSON" in out and "--weight KG" in out and "--tracking-prefix" in out


def test_unreadable_files_are_refused_with_a_hint(tmp_path, capsys):
    binary = tmp_path / "orders.csv"
    binary.write_bytes(bytes(range(128, 256)) * 4)
    assert main(["batch", str(binary)]) != 0
    assert "not UTF-8, GB18030 or Windows-1252 text" in capsys.readouterr().err
    fake = tmp_path / "orders.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    assert main(["batch", str(fake)]) != 0
    assert "cannot open orders.xlsx as an Excel workbook" in capsys.readouterr().err
