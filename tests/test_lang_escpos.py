"""ESC/POS page-mode output: exact bytes for a small scene, and a test-side page-mode
interpreter that rebuilds the label (GS v 0 with 1 = black, GS ( k QR drawn with the qrcode
library, GS k Code128 from its {B/{C data) so zxing-cpp can check the data is intact."""

from __future__ import annotations

import io

import pytest
import qrcode
import zxingcpp
from barcode.codex import Code128
from PIL import Image as PILImage
from PIL import ImageDraw

from printers.lang import EncodeOptions, encode
from printers.lang.code128 import escpos_code128, escpos_code128_modules
from printers.lang.textplan import line_bitmap
from printers.profiles import load_profile
from printers.scene import Barcode128, Box, Image, Line, QRCode, Scene, Text, mm_to_dots
from printers.textlayout import layout, text_width

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
GOLDEN_SCENE = Scene(50, 30, (
    Box(1, 1, 48, 28, 0.5),
    Line(1, 10, 49, 10, 0.3),
    Barcode128(2, 12, 30, 8, "SG12345678", module_dots=2, human_readable=False),
    QRCode(36, 13, "SG1:ABC", module_dots=3),
    Text(2, 2, 30, 4, "Box 42", size_mm=3),
    Text(2, 6, 30, 4, "中文", size_mm=3),
))
PAYLOAD = "SG1:" + "NCF*5$Q6.DLA:0/+U-B7 %KPW1" * 14


def code128_value(data: bytes) -> str:
    out, i, mode = [], 0, None
    while i < len(data):
        if data[i:i + 2] == b"{{":
            out.append("{")
            i += 2
        elif data[i:i + 1] == b"{":
            mode = data[i + 1:i + 2]
            i += 2
        elif mode == b"C":
            out.append(f"{data[i]:02d}")
            i += 1
        else:
            assert mode == b"B"
            out.append(chr(data[i]))
            i += 1
    return "".join(out)


class Page:
    """Enough of ESC/POS page mode to rebuild a label: objects sit with their bottom edge on
    the GS $ position and their left edge on the ESC $ position."""

    def __init__(self, data: bytes, encoding: str = "ascii"):
        self.encoding = encoding
        self.texts, self.rasters, self.pages, self.cuts = [], [], 0, 0
        self.x = self.y = 0
        self.font, self.size, self.bar_h, self.bar_w, self.qr_data = 0, 0, 162, 3, b""
        self.qr_module, self.qr_ec = 3, 48
        self.in_page = False
        self.image = None
        text = bytearray()
        i = 0

        def flush():
            if text:
                self.texts.append((self.x, self.y, self.font, self.size, bytes(text).decode(self.encoding)))
                text.clear()

        while i < len(data):
            b = data[i:i + 1]
            two = data[i:i + 2]
            if b in (ESC, GS, FS, b"\x0c"):
                flush()
            if two == ESC + b"@" or two == FS + b"&" or two == FS + b".":
                i += 2
            elif two == ESC + b"L":
                self.in_page = True
                i += 2
            elif two == ESC + b"T":
                assert data[i + 2] == 0
                i += 3
            elif two == ESC + b"W":
                v = [int.from_bytes(data[i + 2 + 2 * k:i + 4 + 2 * k], "little") for k in range(4)]
                self.origin = (v[0], v[1])
                self.image = PILImage.new("L", (v[2], v[3]), 255)
                self.draw = ImageDraw.Draw(self.image)
                i += 10
            elif two == ESC + b"$":
                self.x = int.from_bytes(data[i + 2:i + 4], "little")
                i += 4
            elif two == GS + b"$":
                self.y = int.from_bytes(data[i + 2:i + 4], "little")
                i += 4
            elif two == ESC + b"M":
                self.font = data[i + 2]
                i += 3
            elif two == GS + b"!":
                self.size = data[i + 2]
                i += 3
            elif two == GS + b"P":
                assert data[i + 2:i + 4] == bytes([203, 203])
                i += 4
            elif two in (GS + b"h", GS + b"w", GS + b"H"):
                if two == GS + b"h":
                    self.bar_h = data[i + 2]
                elif two == GS + b"w":
                    self.bar_w = data[i + 2]
                i += 3
            elif two == GS + b"k":
                assert data[i + 2] == 73
                n = data[i + 3]
                value = code128_value(data[i + 4:i + 4 + n])
                self.barcodes = getattr(self, "barcodes", []) + [value]
                modules = Code128(value).build()[0]
                for k, bit in enumerate(modules):
                    if bit == "1":
                        x = self.x + k * self.bar_w
                        self.draw.rectangle((x, self.y - self.bar_h, x + self.bar_w - 1, self.y - 1), fill=0)
                i += 4 + n
            elif data[i:i + 3] in (GS + b"(k", GS + b"(K"):
                n = int.from_bytes(data[i + 3:i + 5], "little")
                body = data[i + 5:i + 5 + n]
                if data[i:i + 3] == GS + b"(k":
                    self._qr(body)
                i += 5 + n
            elif data[i:i + 3] == GS + b"v0":
                assert data[i + 3] == 0
                wb = int.from_bytes(data[i + 4:i + 6], "little")
                h = int.from_bytes(data[i + 6:i + 8], "little")
                raw = data[i + 8:i + 8 + wb * h]
                self.rasters.append((self.x, self.y, wb, h, raw))
                top = self.y - h
                for row in range(h):
                    for col in range(wb * 8):
                        if raw[row * wb + col // 8] & (0x80 >> (col % 8)):  # 1 = black
                            self.image.putpixel((self.x + col, top + row), 0)
                i += 8 + wb * h
            elif two == GS + b"V":
                self.cuts += 1
                i += 4
            elif b == b"\x0c":
                self.pages += 1
                self.in_page = False
                i += 1
            else:
                assert data[i] >= 0x20 and data[i] != 0x7F, f"control byte {data[i]:#x} at {i}"
                assert self.in_page
                text.append(data[i])
                i += 1
        flush()

    def _qr(self, body: bytes):
        fn = body[1]
        if fn == 0x43:
            self.qr_module = body[2]
        elif fn == 0x45:
            self.qr_ec = body[2]
        elif fn == 0x50:
            self.qr_data = body[3:]
        elif fn == 0x51:
            ec = {48: "L", 49: "M", 50: "Q", 51: "H"}[self.qr_ec]
            code = qrcode.QRCode(error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{ec}"),
                                 box_size=self.qr_module, border=0)
            code.add_data(self.qr_data.decode())
            code.make(fit=True)
            picture = code.make_image().get_image().convert("L")
            self.image.paste(picture, (self.x, self.y - picture.height))
            self.qr_at = (self.x, self.y - picture.height)


def test_golden_bytes_escpos_80():
    bitmap, dx, dy = line_bitmap("中文", 24, False, False)
    line = layout(GOLDEN_SCENE.elements[5], 203).lines[0]
    out = encode(GOLDEN_SCENE, load_profile("escpos-80"))
    expected = (
        ESC + b"@" + FS + b"." + GS + b"P\xcb\xcb"
        + ESC + b"L" + ESC + b"T\x00" + ESC + b"W\x00\x00\x00\x00\x90\x01\xf0\x00"
        # box (8, 8) 384x224, 4 dots thick: four solid rasters (ESC/POS has no box command)
        + ESC + b"$\x08\x00" + GS + b"$\x0c\x00" + GS + b"v0\x00" + b"\x30\x00\x04\x00" + b"\xff" * 192
        + ESC + b"$\x08\x00" + GS + b"$\xe8\x00" + GS + b"v0\x00" + b"\x30\x00\x04\x00" + b"\xff" * 192
        + ESC + b"$\x08\x00" + GS + b"$\xe4\x00" + GS + b"v0\x00" + b"\x01\x00\xd8\x00" + b"\xf0" * 216
        + ESC + b"$\x84\x01" + GS + b"$\xe4\x00" + GS + b"v0\x00" + b"\x01\x00\xd8\x00" + b"\xf0" * 216
        # rule 384x2 dots at (8, 79): a solid raster, bottom edge at 81
        + ESC + b"$\x08\x00" + GS + b"$Q\x00" + GS + b"v0\x00" + b"\x30\x00\x02\x00" + b"\xff" * 96
        # Code128: height 64, module 2, no HRI, bottom at 96 + 64 = 160; {B SG {C 12 34 56 78
        + GS + b"h@" + GS + b"w\x02" + GS + b"H\x00" + ESC + b"$\x10\x00" + GS + b"$\xa0\x00"
        + GS + b"kI\n{BSG{C\x0c\x228N"
        # QR at (288, 104), 21 modules x 3 dots: bottom at 167
        + ESC + b"$\x20\x01" + GS + b"$\xa7\x00"
        + GS + b"(k\x04\x001A2\x00" + GS + b"(k\x03\x001C\x03" + GS + b"(k\x03\x001E1"
        + GS + b"(k\x0a\x001P0SG1:ABC" + GS + b"(k\x03\x001Q0"
        # "Box 42" in font A x1 (24 dots): bottom at 16 + 24 = 40
        + ESC + b"M\x00" + GS + b"!\x00" + ESC + b"$\x10\x00" + GS + b"$(\x00" + b"Box 42"
        # "中文" as a raster bitmap, 1 = black
        + ESC + b"$" + (line.x + dx).to_bytes(2, "little") + GS + b"$" + (line.y + dy + bitmap.height).to_bytes(2, "little")
        + GS + b"v0\x00" + bitmap.bytes_per_row.to_bytes(2, "little") + bitmap.height.to_bytes(2, "little") + bitmap.rows
        + b"\x0c" + GS + b"VB\x00"
    )
    assert out == expected


def test_raster_polarity_one_is_black():
    page = Page(encode(GOLDEN_SCENE, load_profile("escpos-80")))
    _x, _y, wb, h, raw = page.rasters[-1]
    bitmap, _, _ = line_bitmap("中文", 24, False, False)
    assert all(bool(raw[r * wb + c // 8] & (0x80 >> (c % 8))) == bitmap.pixel(c, r)
               for r in range(h) for c in range(bitmap.width))


def _label(profile_name: str) -> Scene:
    return Scene(72, 120, (
        Text(3, 3, 66, 10, "SZ-518 B07", size_mm=8, bold=True, align="center"),
        Line(1, 14, 71, 14, 0.4),
        Text(3, 16, 66, 6, "收件人：张**  *******5678", size_mm=4),
        Text(3, 22, 66, 6, "Rua Augusta 1500", size_mm=3),
        Barcode128(3, 30, 66, 20, "SG2026112800017CN", module_dots=2),
        QRCode(6, 56, PAYLOAD, module_dots=4),
    ))


@pytest.mark.parametrize("profile_name, encoding", [("escpos-80", "ascii"), ("escpos-80-cn", "gb18030")])
def test_rebuilt_page_decodes_qr_and_code128(profile_name, encoding):
    scene = _label(profile_name)
    page = Page(encode(scene, load_profile(profile_name)), encoding)
    assert page.pages == 1 and page.cuts == 1
    found = {r.format.name: r.text for r in zxingcpp.read_barcodes(page.image)}
    assert found == {"QRCode": PAYLOAD, "Code128": "SG2026112800017CN"}
    assert page.qr_at == (mm_to_dots(6, 203), mm_to_dots(56, 203))
    texts = [t[4] for t in page.texts]
    assert "SG2026112800017CN" in texts  # the human-readable line, printed by Sigilo
    assert "Rua Augusta 1500" in texts
    if profile_name == "escpos-80-cn":
        assert "收件人：张**  *******5678" in texts
    else:
        assert all(t.isascii() for t in texts)


def test_cjk_bitmap_lands_where_the_scene_says():
    scene = _label("escpos-80")
    page = Page(encode(scene, load_profile("escpos-80")))
    el = scene.elements[2]
    line = layout(el, 203).lines[0]
    line = type(line)(line.text[:line.text.index("*")], line.x, line.y, line.width, line.size)
    bitmap, dx, dy = line_bitmap(line.text, line.size, False, False)
    left, top = mm_to_dots(el.x, 203), mm_to_dots(el.y, 203)
    split = line.x + text_width(line.text, line.size)
    crop = page.image.crop((left, top, split, mm_to_dots(el.y + el.h, 203)))
    ink = crop.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert (ink[0] + left, ink[1] + top, ink[2] - ink[0], ink[3] - ink[1]) == (
        line.x + dx, line.y + dy, bitmap.width, bitmap.height)


def test_tall_images_are_sent_in_bands_no_command_too_long():
    picture = PILImage.new("L", (560, 1000), 255)
    ImageDraw.Draw(picture).ellipse((10, 10, 550, 990), outline=0, width=6)
    png = io.BytesIO()
    picture.save(png, format="PNG")
    scene = Scene(72, 130, (Image(1, 1, 70, 125, png.getvalue()),))
    profile = load_profile("escpos-80")
    page = Page(encode(scene, profile))
    assert len(page.rasters) > 1
    assert all(wb * h <= profile.raster_chunk_bytes for _, _, wb, h, _ in page.rasters)
    ink = page.image.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert ink[3] - ink[1] > 900  # the bands join into the whole ellipse, no gap, no overlap
    rows = [page.image.crop((0, y, page.image.width, y + 1)).point(lambda v: 255 if v < 128 else 0).getbbox()
            for y in range(ink[1], ink[3])]
    assert all(r is not None for r in rows)


def test_control_characters_in_text_never_reach_the_printer():
    scene = Scene(72, 20, (Text(2, 2, 68, 8, "Rua A\x1b@\x1dV\x00 5", size_mm=3, wrap=False),))
    out = encode(scene, load_profile("escpos-80"))
    page = Page(out)  # asserts no control byte appears inside text
    assert [t[4] for t in page.texts] == ["Rua A"] and len(page.rasters) == 1
    assert b"\x1b@" not in out[2:] and b"\x1dV\x00" not in out


def test_code128_data_and_width():
    # 13 digits: the odd one stays in B, twelve go two a byte in C
    assert escpos_code128("SG2026112800017CN") == b"{BSG2{C\x02\x3d\x0c\x50\x00\x11{BCN"
    assert escpos_code128("12345678") == b"{C\x0c\x22\x38\x4e"
    assert escpos_code128("A{B") == b"{BA{{B"
    assert escpos_code128("1234567") == b"{C\x0c\x22\x38{B7"
    for value in ("SG2026112800017CN", "12345678", "A{B", "1234567", "X1Y"):
        assert code128_value(escpos_code128(value)) == value
    # start, S, G, 2, code C, 6 pairs, code B, C, N, check: 15 symbols of 11 modules, stop 13
    assert escpos_code128_modules(escpos_code128("SG2026112800017CN")) == 11 * 15 + 13
    bars = Code128("SG2026112800017CN").build()[0]  # python-barcode picks the same sets here
    assert len(bars) == 11 * 15 + 13


def test_options_copies_and_density():
    out = encode(GOLDEN_SCENE, load_profile("escpos-80"), EncodeOptions(copies=2, darkness=-2, speed=3))
    assert out.count(ESC + b"L") == 2 and out.count(b"\x0c" + GS + b"VB\x00") == 2
    assert GS + b"(K\x02\x001\xfe" in out and GS + b"(K\x02\x002\x03" in out


def test_calibration_offsets_move_every_object_either_way():
    profile = load_profile("escpos-80")
    base = Page(encode(GOLDEN_SCENE, profile))
    for dx, dy in ((2, 1), (-0.5, -0.5)):
        moved = Page(encode(GOLDEN_SCENE, profile, EncodeOptions(offset_x_mm=dx, offset_y_mm=dy)))
        ddx, ddy = mm_to_dots(dx, 203), mm_to_dots(dy, 203)
        assert moved.qr_at == (base.qr_at[0] + ddx, base.qr_at[1] + ddy)
        assert [(t[0], t[1]) for t in moved.texts] == [(t[0] + ddx, t[1] + ddy) for t in base.texts]
        assert [(r[0], r[1]) for r in moved.rasters] == [(r[0] + ddx, r[1] + ddy) for r in base.rasters]


def test_white_on_black_text_matches_the_preview():
    from printers.render.raster import render_raster

    scene = Scene(72, 20, (Text(4, 2, 60, 10, "快递 EXPRESS", size_mm=5, inverse=True),))
    page = Page(encode(scene, load_profile("escpos-80")))
    expected = render_raster(scene, 203, "1").convert("L")
    assert page.image.tobytes() == expected.tobytes()


def test_modules_beyond_what_a_language_takes_are_refused():
    from printers.errors import EncodeError

    wide = Scene(72, 40, (Barcode128(1, 1, 70, 20, "SG1", module_dots=7),))
    with pytest.raises(EncodeError, match="Code128 module"):
        encode(wide, load_profile("escpos-80"))
    assert b"BARCODE" in encode(wide, load_profile("tspl-203"))
    big = Scene(100, 100, (QRCode(10, 10, "SG1:A", module_dots=12),))
    with pytest.raises(EncodeError, match="QR module"):
        encode(big, load_profile("zpl-203"))
