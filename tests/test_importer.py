"""The import: shop exports in every encoding and XLSX become validated shipments through
mappings kept as data; broken rows are reported by their row number in the file and field."""

from __future__ import annotations

import csv
import io
import json

import pytest

from desktop.importer import Defaults, MappingError, import_file, read_table, recognise
from desktop.importer.mapping import mapping_from_pairs, save_user_mapping

SENDER = {"name": "Sigilo Shop", "phone": "13800138000", "country": "CN", "province": "浙江省",
          "city": "杭州市", "district": "西湖区", "street": "文三路100号", "business": True}
DEFAULTS = Defaults(sender=SENDER, weight_kg=0.5, tracking_prefix="SG")


def _records(path, encoding):
    """The file's records as dicts, read independently of the importer (csv.DictReader)."""
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def test_cn_export_gb18030_whole_address_column(shared_data):
    path = shared_data / "shop_export_cn.csv"
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # the file really is not UTF-8
    records = _records(path, "gb18030")
    report = import_file(path, defaults=DEFAULTS)
    assert report.mapping == "taobao-cn" and report.encoding == "gb18030"
    assert len(report.rows) == len(records)
    assert [r.row for r in report.rows] == list(range(2, len(records) + 2))
    assert report.summary() == f"{len(records)} valid, 0 with errors"
    for record, row in zip(records, report.rows):
        s = row.shipment
        address = record["收货地址"]
        assert s.order_id == record["订单编号"]
        assert s.tracking_number == "SG" + record["订单编号"]
        assert s.recipient.name == record["收货人姓名"]
        assert s.recipient.phone == "+86" + record["联系手机"]
        assert s.recipient.country == "CN"
        province, city, district, rest = address.split(" ", 3)
        assert (s.recipient.province, s.recipient.city, s.recipient.district) == (province, city, district)
        body, postcode = rest[:-1].split("(")  # "...402室(476079)"
        assert s.recipient.postcode == postcode
        assert s.recipient.street + s.recipient.detail == body
        assert s.recipient.street.endswith("号")
        assert s.parcel.items == record["宝贝标题"] and s.parcel.weight_kg == 0.5
        assert s.sender.name == SENDER["name"]


def test_shopify_export_utf8(shared_data):
    path = shared_data / "shop_export_shopify.csv"
    records = _records(path, "utf-8")
    report = import_file(path, defaults=DEFAULTS)
    assert report.mapping == "shopify" and report.encoding == "utf-8"
    assert len(report.rows) == len(records) and not report.invalid
    for record, row in zip(records, report.rows):
        s = row.shipment
        assert s.order_id == record["Name"]
        assert s.recipient.name == record["Shipping Name"]
        assert s.recipient.country == record["Shipping Country"]
        assert s.recipient.city == record["Shipping City"]
        assert s.recipient.street == record["Shipping Address1"]
        assert s.recipient.detail == record["Shipping Address2"]
        digits = "".join(ch for ch in record["Shipping Phone"] if ch.isdigit())
        assert s.recipient.phone.lstrip("+").endswith(digits[-8:])
        if record["Shipping Country"] == "BR":
            assert s.recipient.postcode == record["Shipping Zip"] and s.recipient.province == record["Shipping Province"]


def _cn_text(shared_data) -> str:
    return (shared_data / "shop_export_cn.csv").read_bytes().decode("gb18030")


@pytest.mark.parametrize("encoding,prefix,expected", [
    ("utf-8", b"", "utf-8"), ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"), ("gb18030", b"", "gb18030")])
def test_every_encoding_reads_the_same(tmp_path, shared_data, encoding, prefix, expected):
    text = _cn_text(shared_data)
    path = tmp_path / "orders.csv"
    path.write_bytes(prefix + text.encode(encoding))
    table = read_table(path)
    assert table.encoding == expected
    assert table.headers[0] == "订单编号"  # no BOM glued to the first header
    report = import_file(path, defaults=DEFAULTS)
    reference = import_file(shared_data / "shop_export_cn.csv", defaults=DEFAULTS)
    assert [r.shipment for r in report.rows] == [r.shipment for r in reference.rows]


def test_xlsx_written_by_openpyxl(tmp_path, shared_data):
    import openpyxl

    records = _records(shared_data / "shop_export_cn.csv", "gb18030")
    book = openpyxl.Workbook()
    sheet = book.active
    headers = list(records[0].keys())
    sheet.append(headers)
    for record in records:
        cells = [record[h] for h in headers]
        cells[headers.index("联系手机")] = int(record["联系手机"])  # Excel keeps phones as numbers
        sheet.append(cells)
    path = tmp_path / "orders.xlsx"
    book.save(path)
    report = import_file(path, defaults=DEFAULTS)
    assert report.encoding == "xlsx" and report.mapping == "taobao-cn"
    reference = import_file(shared_data / "shop_export_cn.csv", defaults=DEFAULTS)
    assert [r.shipment for r in report.rows] == [r.shipment for r in reference.rows]
    assert [r.row for r in report.rows] == [r.row for r in reference.rows]


def _broken_file(tmp_path, shared_data):
    """The CN export with a wrong phone in file row 3 and no name in file row 5."""
    lines = _cn_text(shared_data).splitlines()
    rows = list(csv.reader(lines))
    rows[2][3] = "12345"  # file row 3
    rows[4][2] = ""  # file row 5
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path = tmp_path / "broken.csv"
    path.write_bytes(out.getvalue().encode("gb18030"))
    return path, len(rows) - 1


def test_broken_rows_are_reported_by_file_row_and_field(tmp_path, shared_data):
    path, count = _broken_file(tmp_path, shared_data)
    report = import_file(path, defaults=DEFAULTS)
    assert report.summary() == f"{count - 2} valid, 2 with errors"
    bad = {r.row: [e.field for e in r.errors] for r in report.invalid}
    assert bad == {3: ["recipient.phone"], 5: ["recipient.name"]}
    assert all(r.shipment is None for r in report.invalid)


def test_no_defaults_names_what_the_export_lacks(shared_data):
    report = import_file(shared_data / "shop_export_cn.csv")
    fields = {e.field for e in report.rows[0].errors}
    assert {"tracking_number", "sender.name", "parcel.weight_kg"} <= fields
    assert "recipient.name" not in fields and "recipient.phone" not in fields


def test_unknown_headers_say_what_is_missing_and_how_to_map(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Order,Receiver,Mobile,Where\nA1,Li Lei,13800131563,somewhere\n", encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        import_file(path, defaults=DEFAULTS)
    text = str(caught.value)
    assert "'Receiver'" in text and "--save-mapping" in text and "--map recipient.name=" in text
    assert "13800131563" not in text  # headers only, never a row


def test_a_saved_user_mapping_is_recognised_next_time(tmp_path, sigilo_home):
    path = tmp_path / "myshop.csv"
    path.write_text("Order,Receiver,Mobile,Where\n"
                    "A1000200,刘建国,13800131563,湖北省 武汉市 洪山区 建设路656号绿地中心13栋3单元402室\n", encoding="utf-8")
    table = read_table(path)
    mapping = mapping_from_pairs("myshop", ["order_id=Order", "recipient.name=Receiver", "recipient.phone=Mobile",
                                            "recipient.address=Where"], table.headers, {"recipient.country": "CN"})
    saved = save_user_mapping(mapping)
    assert saved.parent == sigilo_home / "import_mappings"
    assert json.loads(saved.read_text(encoding="utf-8"))["columns"]["recipient.name"] == "Receiver"
    assert recognise(table.headers).name == "myshop"
    report = import_file(path, defaults=DEFAULTS)
    assert report.mapping == "myshop" and not report.invalid
    s = report.rows[0].shipment
    assert (s.recipient.name, s.recipient.city, s.recipient.street) == ("刘建国", "武汉市", "建设路656号")


def test_a_mapping_must_name_real_columns_and_the_needed_fields(tmp_path):
    headers = ("Order", "Receiver", "Mobile")
    with pytest.raises(MappingError, match="no column 'Nope'"):
        mapping_from_pairs("x", ["recipient.name=Nope"], headers)
    with pytest.raises(MappingError, match="recipient.phone"):
        mapping_from_pairs("x", ["recipient.name=Receiver"], headers)
    with pytest.raises(MappingError, match="not a shipment field"):
        mapping_from_pairs("x", ["recipient.shoe=Receiver"], headers)


def test_a_named_mapping_that_does_not_fit_names_the_missing_columns(shared_data):
    from desktop.importer import find_mapping

    with pytest.raises(MappingError, match="'Shipping Name'"):
        import_file(shared_data / "shop_export_cn.csv", find_mapping("shopify"), DEFAULTS)
