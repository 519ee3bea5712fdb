"""`sigilo print FILE --printer URI`: valid rows print over a real transport, invalid rows
are reported by row and field and skipped, keys are never demo keys unless asked."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import threading
from pathlib import Path

import pytest
import zplkit
import zxingcpp
from PIL import Image as PILImage

from desktop.cli import main
from desktop.masking import hidden_fragments, mask
from desktop.seal import Scanner, ensure_demo_keys
from desktop.validation import require_valid
from printers.transports.mem import mem_printer, remove_mem_printer
from privacy_scan import assert_no_fragments


@pytest.fixture
def keys(tmp_path) -> Path:
    path = tmp_path / "keys"
    ensure_demo_keys(path)
    return path


@pytest.fixture
def mixed_file(tmp_path, sample_shipments, awkward_rows) -> Path:
    """Rows 1-3 valid, row 4 a bad phone, row 5 not JSON, row 6 valid."""
    bad = next(r for r in awkward_rows if r["expect"] == "error:recipient.phone")
    lines = [json.dumps(r, ensure_ascii=False) for r in sample_shipments[:3]]
    lines += [json.dumps(bad, ensure_ascii=False), "{not json", json.dumps(sample_shipments[25], ensure_ascii=False)]
    path = tmp_path / "orders.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(args, capsys):
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_valid_rows_print_and_bad_rows_are_named(mixed_file, keys, capsys, sample_shipments):
    printer = mem_printer("compose-print-1")
    try:
        status, out, err = run(["print", str(mixed_file), "--printer", "mem://compose-print-1", "--keys", str(keys)], capsys)
        data = bytes(printer.received)
    finally:
        remove_mem_printer("compose-print-1")
    assert status == 1  # some rows were skipped
    assert "row 4: recipient.phone" in err
    assert "row 5:" in err
    assert "Printed 4 label(s)" in out and "2 row(s) skipped" in out
    assert data.count(b"PRINT 1\r\n") == 4
    for row in sample_shipments[:3] + [sample_shipments[25]]:
        assert f'"{row["tracking_number"]}"'.encode() in data  # each valid row's barcode went out
    for row in sample_shipments[:3]:
        shipment = require_valid(row)
        assert_no_fragments((out + err).encode(), hidden_fragments(shipment, mask(shipment)), "print messages")


def test_zpl_over_a_real_tcp_socket_scans_back(tmp_path, keys, sample_shipments, capsys):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    received = bytearray()

    def serve():
        conn, _ = server.accept()
        with conn:
            while chunk := conn.recv(65536):
                received.extend(chunk)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    orders = tmp_path / "orders.json"
    orders.write_text(json.dumps(sample_shipments[5:7], ensure_ascii=False), encoding="utf-8")  # a JSON array
    port = server.getsockname()[1]
    status, out, err = run(["print", str(orders), "--printer", f"tcp://127.0.0.1:{port}?status=none", "--profile", "zpl-203",
                            "--keys", str(keys), "--template", "waybill-4x6"], capsys)
    thread.join(timeout=30)
    server.close()
    assert status == 0, err
    stream = bytes(received)
    labels = [part[part.index(b"^XA"):] for part in stream.split(b"^XZ") if b"^XA" in part]
    assert len(labels) == 2  # (status queries may sit between labels)
    # render the first label as a Zebra would (CN samples: zplkit's font 0 draws ASCII only,
    # and CJK goes as bitmaps)
    first = labels[0] + b"^XZ\n"
    limits = zplkit._native.RenderLimits(graphic_bytes=4_000_000, field_bytes=200_000)
    doc = zplkit.render(first, zplkit.Options(profile="zd621", dpi=203), limits=limits)
    image = PILImage.open(io.BytesIO(doc.labels[0].png())).convert("L")
    found = {r.format.name: r.text for r in zxingcpp.read_barcodes(image)}
    expected = require_valid(sample_shipments[5])
    assert found["Code128"] == expected.tracking_number
    opened = Scanner.from_keys_dir(keys).open(found["QRCode"], barcode=found["Code128"])
    assert opened.shipment.to_dict() == expected.to_dict()


def test_pdf_sheet_to_a_file(tmp_path, keys, sample_shipments, capsys):
    orders = tmp_path / "orders.jsonl"
    orders.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in sample_shipments[:5]), encoding="utf-8")
    target = tmp_path / "sheet.pdf"
    status, out, err = run(["print", str(orders), "--printer", f"file://{target}", "--format", "pdf", "--sheet", "A4",
                            "--keys", str(keys), "--copies", "2"], capsys)
    assert status == 0, err
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           5" in info  # 10 labels, two 100x150 labels a sheet


def test_without_keys_nothing_prints_and_the_fix_is_named(mixed_file, capsys):
    printer = mem_printer("compose-print-2")
    try:
        status, out, err = run(["print", str(mixed_file), "--printer", "mem://compose-print-2"], capsys)
        assert printer.received == b""
    finally:
        remove_mem_printer("compose-print-2")
    assert status != 0
    assert "no station keys" in err and "--demo-keys" in err


def test_demo_keys_only_when_asked(mixed_file, capsys, sigilo_home):
    printer = mem_printer("compose-print-3")
    try:
        status, out, err = run(["print", str(mixed_file), "--printer", "mem://compose-print-3", "--demo-keys",
                                "--reprint", "damaged"], capsys)
        data = bytes(printer.received)
    finally:
        remove_mem_printer("compose-print-3")
    assert "DEMO" in err
    assert (sigilo_home / "demo-keys" / "DEMO-ONLY.txt").is_file()
    assert not (sigilo_home / "keys").exists()  # the station's real key folder is left alone
    assert data.count(b"PRINT 1\r\n") == 4 and status == 1


def test_unknown_template_and_profile_are_clear_errors(mixed_file, keys, capsys):
    status, out, err = run(["print", str(mixed_file), "--printer", "mem://x", "--keys", str(keys),
                            "--template", "waybill-1x1"], capsys)
    assert status != 0 and "waybill-1x1" in err and "waybill-100x150" in err
    status, out, err = run(["print", str(mixed_file), "--printer", "mem://x", "--keys", str(keys),
                            "--profile", "no-such-printer"], capsys)
    assert status != 0 and "no-such-printer" in err


def test_a_row_whose_seal_does_not_fit_is_skipped_and_named(tmp_path, keys, sample_shipments, capsys):
    long_items = {**sample_shipments[1], "parcel": {**sample_shipments[1]["parcel"], "items": "手工皂礼盒装" * 75}}
    orders = tmp_path / "orders.jsonl"
    orders.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (sample_shipments[0], long_items)),
                      encoding="utf-8")
    printer = mem_printer("compose-print-4")
    try:
        status, out, err = run(["print", str(orders), "--printer", "mem://compose-print-4", "--keys", str(keys)], capsys)
        data = bytes(printer.received)
    finally:
        remove_mem_printer("compose-print-4")
    assert status == 1
    assert "skipped row 2: the sealed QR needs version" in err
    assert data.count(b"PRINT 1\r\n") == 1


def test_a_template_wider_than_the_printer_is_refused_before_printing(mixed_file, keys, capsys):
    status, out, err = run(["print", str(mixed_file), "--printer", "mem://compose-print-5", "--keys", str(keys),
                            "--profile", "escpos-80"], capsys)
    assert status != 0 and "waybill-72x130" in err
    status, out, err = run(["print", str(mixed_file), "--printer", "mem://compose-print-5", "--keys", str(keys),
                            "--profile", "escpos-80", "--template", "waybill-72x130"], capsys)
    assert status == 1 and "Printed 4 label(s)" in out


@pytest.mark.timeout(60)  # the print queue waits out a missing printer; a typo must not be waited for
@pytest.mark.parametrize("uri, said", [
    ("/dev/ttyUSB0", "serial:///dev/ttyUSB0"),
    ("bogus://printer", "unknown scheme 'bogus'"),
    ("file:///no/such/folder/out.tspl", "/no/such/folder"),
])
def test_a_printer_uri_that_can_never_work_is_refused_before_queueing(mixed_file, keys, capsys, uri, said):
    status, out, err = run(["print", str(mixed_file), "--printer", uri, "--keys", str(keys)], capsys)
    assert status != 0 and said in err and "fix:" in err
    assert "waiting" not in err and "Printed" not in out


def test_png_holds_one_label_and_sheet_needs_pdf(mixed_file, keys, tmp_path, capsys):
    out_png = tmp_path / "label.png"
    status, out, err = run(["print", str(mixed_file), "--printer", f"file://{out_png}", "--format", "png",
                            "--keys", str(keys)], capsys)
    assert status != 0 and "--format pdf" in err and not out_png.exists()
    status, out, err = run(["print", str(mixed_file), "--printer", f"file://{out_png}", "--sheet", "A4",
                            "--keys", str(keys)], capsys)
    assert status == 2 and "--format pdf" in err


def test_demo_keys_given_as_station_keys_are_called_out(mixed_file, keys, tmp_path, capsys):
    """A station pointed at a demo key set by mistake seals labels anyone can open: say so."""
    target = tmp_path / "out.pdf"
    status, _, err = run(["print", str(mixed_file), "--printer", f"file://{target}", "--format", "pdf",
                          "--keys", str(keys)], capsys)
    assert status == 1 and target.stat().st_size > 0  # rows 4 and 5 are invalid; the rest print
    assert "DEMO-ONLY" in err and str(keys) in err
