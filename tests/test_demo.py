"""`sigilo demo` as a person without a display runs it: every sample in five outputs, demo
keys in the layout `sigilo scan --keys` reads, and a label that scans back."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.masking import hidden_fragments, mask
from desktop.validation import require_valid
from privacy_scan import (
    assert_no_fragments,
    pdf_text_parts,
    png_text_parts,
    printer_text_parts,
    tspl_fields,
    zpl_fields,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "labels"
    stdout, stderr = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = stdout, stderr
    try:
        status = main(["demo", "--out", str(out)])
    finally:
        sys.stdout, sys.stderr = old
    return out, status, stdout.getvalue(), stderr.getvalue()


def test_demo_writes_five_outputs_for_every_sample(demo_run, sample_shipments):
    out, status, stdout, stderr = demo_run
    assert status == 0, stderr
    for row in sample_shipments:
        for ext in ("png", "pdf", "zpl", "tspl", "escpos"):
            path = out / f"{row['tracking_number']}.{ext}"
            assert path.is_file() and path.stat().st_size > 500, path
    assert (out / "keys" / "DEMO-ONLY.txt").is_file()
    first = sample_shipments[0]["tracking_number"]
    assert f"sigilo scan --keys {out / 'keys'} --image {out / first}.png" in stdout
    assert "DEMO ONLY" in stdout
    # the formats are what their names say
    assert (out / f"{first}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / f"{first}.pdf").read_bytes()[:5] == b"%PDF-"
    assert (out / f"{first}.zpl").read_bytes().startswith(b"^XA")
    assert b"PRINT 1" in (out / f"{first}.tspl").read_bytes()
    assert (out / f"{first}.escpos").read_bytes()[:2] == b"\x1b@"


def test_a_demo_label_scans_back_with_sigilo_scan(demo_run, sample_shipments):
    out = demo_run[0]
    for index in (0, 30):
        row = sample_shipments[index]
        result = subprocess.run(
            [sys.executable, "-m", "desktop.cli", "scan", "--keys", str(out / "keys"),
             "--image", str(out / f"{row['tracking_number']}.png"), "--json"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stderr
        opened = json.loads(result.stdout)
        shipment = opened.get("shipment", opened)
        assert shipment == require_valid(row).to_dict()


def test_no_demo_file_or_message_holds_a_hidden_detail(demo_run, sample_shipments):
    out, _, stdout, stderr = demo_run
    for row in sample_shipments:
        shipment = require_valid(row)
        fragments = hidden_fragments(shipment, mask(shipment))
        stem = out / shipment.tracking_number
        zpl = (stem.with_suffix(".zpl")).read_bytes()
        tspl = (stem.with_suffix(".tspl")).read_bytes()
        escpos = (stem.with_suffix(".escpos")).read_bytes()
        assert_no_fragments(png_text_parts(stem.with_suffix(".png").read_bytes()), fragments, f"{stem}.png")
        assert_no_fragments(pdf_text_parts(stem.with_suffix(".pdf").read_bytes()), fragments, f"{stem}.pdf",
                            short_numbers=False)
        qr = tuple(line.split("MA,", 1)[1].split("^FS")[0] for line in zpl.decode("utf-8").splitlines() if "^BQ" in line)
        assert qr and qr[0].startswith("SG1:")
        assert_no_fragments(printer_text_parts(zpl, "zpl"), fragments, f"{stem}.zpl", short_numbers=False, allow=qr)
        assert_no_fragments(zpl_fields(zpl), fragments, f"{stem}.zpl fields", allow=qr)
        assert_no_fragments(printer_text_parts(tspl, "tspl"), fragments, f"{stem}.tspl", short_numbers=False, allow=qr)
        assert_no_fragments(tspl_fields(tspl), fragments, f"{stem}.tspl fields", allow=qr)
        assert_no_fragments(printer_text_parts(escpos, "escpos"), fragments, f"{stem}.escpos", short_numbers=False,
                            allow=qr)
        assert_no_fragments((stdout + stderr).encode(), fragments, "demo messages")


def test_demo_with_given_keys_seals_with_them(tmp_path, sample_shipments, capsys):
    from desktop.seal import Scanner, ensure_demo_keys

    keys = tmp_path / "station-keys"
    ensure_demo_keys(keys)
    out = tmp_path / "labels"
    assert main(["demo", "--out", str(out), "--keys", str(keys), "--template", "waybill-4x6"]) == 0
    stdout = capsys.readouterr().out
    assert not (out / "keys").exists() and "DEMO ONLY" not in stdout
    zpl = (out / f"{sample_shipments[3]['tracking_number']}.zpl").read_text(encoding="utf-8")
    qr_text = zpl.split("^FDMA,", 1)[1].split("^FS", 1)[0]
    opened = Scanner.from_keys_dir(keys).open(qr_text, barcode=sample_shipments[3]["tracking_number"])
    assert opened.shipment.to_dict() == require_valid(sample_shipments[3]).to_dict()


def test_demo_with_a_real_encrypted_station_key(tmp_path, sample_shipments, capsys):
    """A station trying the demo on its own keys: the passphrase comes from --passphrase-file,
    and the scan hint does not point at the station's keys, which cannot open labels."""
    secret = tmp_path / "pass.txt"
    secret.write_text("correct horse\n", encoding="utf-8")
    officer, station = tmp_path / "officer", tmp_path / "station"
    pw = ["--passphrase-file", str(secret)]
    assert main(["keys", "create-fleet", "--region", "cn", "--dir", str(officer), *pw]) == 0
    assert main(["keys", "create-station", "--station-id", "HZ-7", "--name", "t", "--region", "cn",
                 "--dir", str(station), *pw]) == 0
    assert main(["keys", "import-fleet", str(officer / "fleet" / "cn-1.pub"), "--dir", str(station)]) == 0
    capsys.readouterr()
    samples = tmp_path / "two.jsonl"
    samples.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in sample_shipments[:2]), encoding="utf-8")
    out = tmp_path / "labels"
    assert main(["demo", "--out", str(out), "--keys", str(station), "--samples", str(samples)]) == 22
    assert "passphrase" in capsys.readouterr().err
    assert main(["demo", "--out", str(out), "--keys", str(station), "--samples", str(samples), *pw]) == 0
    stdout = capsys.readouterr().out
    assert f"--keys {station} " not in stdout and "SCANNER_KEYS_DIR" in stdout
    assert (out / f"{sample_shipments[1]['tracking_number']}.escpos").is_file()


def test_demo_into_a_folder_that_cannot_be_made_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert main(["demo", "--out", str(blocker / "labels")]) == 1
    err = capsys.readouterr().err
    assert "cannot create the output folder" in err and "fix:" in err and "Traceback" not in err


def test_demo_printer_files_use_no_resident_fonts_and_print_what_the_png_shows(demo_run, sample_shipments):
    """The demo's printer files draw every character themselves (no printer font), so any
    printer prints the PNG's label: the ZPL of a Brazilian label (accents) rendered by zplkit
    decodes to the QR and barcode, and no font command appears in ZPL, TSPL or ESC/POS."""
    import zplkit
    import zxingcpp
    from PIL import Image as PILImage

    from desktop.seal import Scanner

    out = demo_run[0]
    scanner = Scanner.from_keys_dir(out / "keys")
    for row in (sample_shipments[0], sample_shipments[25]):
        stem = out / row["tracking_number"]
        zpl = stem.with_suffix(".zpl").read_bytes()
        assert b"^A0" not in zpl and b"^A@" not in zpl and b"^CF" not in zpl
        assert not [line for line in stem.with_suffix(".tspl").read_bytes().split(b"\r\n") if line.startswith(b"TEXT ")]
        # no ESC M n GS ! m: the resident font selection before each resident text
        assert not re.search(rb"\x1bM[\x00-\x04]\x1d!", stem.with_suffix(".escpos").read_bytes())
        limits = zplkit._native.RenderLimits(graphic_bytes=4_000_000, field_bytes=200_000)
        doc = zplkit.render(zpl, zplkit.Options(profile="zd621", dpi=203), limits=limits)
        image = PILImage.open(io.BytesIO(doc.labels[0].png())).convert("L")
        found = {r.format.name: r.text for r in zxingcpp.read_barcodes(image)}
        assert found["Code128"] == row["tracking_number"]
        opened = scanner.open(found["QRCode"], barcode=found["Code128"])
        assert opened.shipment.to_dict() == require_valid(row).to_dict()
