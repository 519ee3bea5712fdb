"""The privacy scanner itself must find what it is meant to find, in every form, and must not
raise false alarms on pixels."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from privacy_scan import (
    assert_no_fragments,
    find_fragments,
    pdf_text_parts,
    png_text_parts,
    printer_text_parts,
)

FRAGMENT = "建国"


@pytest.mark.parametrize("data", [
    "收件人 建国 先生".encode("utf-8"),
    "收件人 建国".encode("gb18030"),
    "x建国y".encode("utf-16-le"),
    "x建国y".encode("utf-16-be"),
    b"^FH^FD_E5_BB_BA_E5_9B_BD^FS",
    b"^FH\\^FD\\e5\\bb\\ba\\e5\\9b\\bd^FS",
    b"<5EFA56FD> Tj",
    base64.b64encode("ab建国".encode()),
    base64.b64encode("a建国".encode()),
    base64.b64encode("建国xyz".encode()),
    base64.urlsafe_b64encode("\u00ff\u00ff建国?".encode()),
])
def test_every_encoding_is_found(data):
    assert find_fragments(data, [FRAGMENT])
    with pytest.raises(AssertionError):
        assert_no_fragments(data, [FRAGMENT], "sample")


def test_decomposed_accents_and_digits_are_found():
    assert find_fragments("Mu\u0308ller".encode(), ["Müller"])
    assert find_fragments(b"TEL 138****0013 x 1380013", ["1380013"])
    assert not find_fragments(b"TEL *******1563", ["1380013"])


def test_clean_data_passes():
    assert_no_fragments("刘**  *******1563 湖北省 武汉市".encode(), ["建国", "13800131563"], "clean")


def test_png_metadata_is_scanned_but_pixels_are_not():
    img = Image.new("L", (64, 64), 255)
    info = PngImagePlugin.PngInfo()
    info.add_itxt("Comment", "收件人 建国", zip=True)
    buf = io.BytesIO()
    img.save(buf, "PNG", pnginfo=info)
    assert find_fragments(png_text_parts(buf.getvalue()), [FRAGMENT])
    pixels = zlib.compress(b"\0" + FRAGMENT.encode(), 0)  # stored, so the bytes show as they are
    chunk = struct.pack(">I", len(pixels)) + b"IDAT" + pixels + b"\0\0\0\0"
    plain_buf = io.BytesIO()
    img.save(plain_buf, "PNG")
    plain = plain_buf.getvalue()
    head, tail = plain.split(b"IEND")[0][:-4], plain[plain.index(b"IEND") - 4:]
    crafted = head + chunk + tail
    assert FRAGMENT.encode() in crafted  # the pixel bytes spell it...
    assert FRAGMENT.encode() not in png_text_parts(crafted)  # ...but pixels are not text


def test_pdf_streams_are_inflated():
    stream = zlib.compress("BT (建国) Tj ET".encode("utf-8"))
    pdf = b"%PDF-1.4\n1 0 obj<</Filter/FlateDecode>>stream\n" + stream + b"\nendstream\nendobj\n"
    assert not find_fragments(pdf, [FRAGMENT])
    assert find_fragments(pdf_text_parts(pdf), [FRAGMENT])


def test_printer_bitmaps_are_cut_out_text_is_kept():
    pixels = "建国".encode("utf-8")
    tspl = b"SIZE 100 mm,150 mm\r\nBITMAP 10,10,3,2,0," + pixels + b"TEXT 1,1,\"TSS24.BF2\",0,1,1,\"" + "建国".encode("gb18030") + b"\"\r\n"
    kept = printer_text_parts(tspl, "tspl")
    assert pixels not in kept and "建国".encode("gb18030") in kept
    escpos = b"\x1b@\x1dv0\x00\x03\x00\x02\x00" + pixels + "建国".encode("gb18030")
    kept = printer_text_parts(escpos, "escpos")
    assert pixels not in kept and "建国".encode("gb18030") in kept
