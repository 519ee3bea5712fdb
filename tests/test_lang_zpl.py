"""ZPL II output: exact bytes for a small scene, and real labels rendered by zplkit (with the
ZD621's ^BQ shift) whose QR and Code128 zxing-cpp decodes back exactly."""

from __future__ import annotations

import base64
import io
import re
import zlib

import pytest
import zplkit
import zxingcpp
from PIL import Image as PILImage

from printers.errors import EncodeError
from printers.lang import EncodeOptions, LabelEncoder, encode
from printers.lang.bitmap import crc16_ccitt
from printers.lang.textplan import line_bitmap
from printers.profiles import load_profile
from printers.scene import Barcode128, Box, Line, QRCode, Scene, Text, mm_to_dots
from printers.textlayout import layout, text_width

GOLDEN_SCENE = Scene(50, 30, (
    Box(1, 1, 48, 28, 0.5),
    Line(1, 10, 49, 10, 0.3),
    Barcode128(2, 12, 30, 8, "SG12345678", module_dots=2, human_readable=False),
    QRCode(36, 13, "SG1:ABC", module_dots=3),
    Text(2, 2, 30, 4, "Box 42", size_mm=3),
    Text(2, 6, 30, 4, "中文", size_mm=3),
))

PAYLOAD = "SG1:" + "NCF*5$Q6.DLA:0/+U-B7 %KPW1" * 14  # Base45 alphabet, ~370 characters
RECIPIENT = "收件人：张**  *******5678"
ADDRESS = "广东省深圳市南山区科技园路**号"


def waybill(dpi: int) -> Scene:
    module = 4 if dpi == 203 else 6
    return Scene(100, 150, (
        Box(2, 2, 96, 146, 0.5),
        Text(5, 5, 90, 12, "SZ-518 B07", size_mm=9, bold=True, align="center", name="sort"),
        Line(2, 20, 98, 20, 0.5),
        Text(5, 23, 90, 6, RECIPIENT, size_mm=4.5, name="recipient"),
        Text(5, 30, 90, 6, ADDRESS, size_mm=4.5, name="address"),
        Line(2, 40, 98, 40, 0.5),
        Barcode128(8, 44, 84, 22, "SG2026112800017CN", module_dots=2 if dpi == 203 else 3),
        QRCode(10, 80, PAYLOAD, module_dots=module),
        Text(60, 80, 36, 6, "寄件人：李*", size_mm=4, name="sender"),
    ))


def render(zpl: bytes, dpi: int = 203) -> PILImage.Image:
    limits = zplkit._native.RenderLimits(graphic_bytes=2_000_000, field_bytes=100_000)
    doc = zplkit.render(zpl, zplkit.Options(profile="zd621", dpi=dpi), limits=limits)
    assert len(doc.labels) == 1
    return PILImage.open(io.BytesIO(doc.labels[0].png())).convert("L")


def render_all(zpl: bytes, dpi: int = 203) -> list[PILImage.Image]:
    limits = zplkit._native.RenderLimits(graphic_bytes=2_000_000, field_bytes=100_000)
    doc = zplkit.render(zpl, zplkit.Options(profile="zd621", dpi=dpi), limits=limits)
    return [PILImage.open(io.BytesIO(label.png())).convert("L") for label in doc.labels]


def ink_box(image: PILImage.Image, region: tuple[int, int, int, int]):
    crop = image.crop(region).point(lambda v: 255 if v < 128 else 0)
    box = crop.getbbox()
    return None if box is None else (box[0] + region[0], box[1] + region[1], box[2] + region[0], box[3] + region[1])


def test_golden_bytes_zpl_203():
    bitmap, dx, dy = line_bitmap("中文", 24, False, False)
    line = layout(GOLDEN_SCENE.elements[5], 203).lines[0]
    out = encode(GOLDEN_SCENE, load_profile("zpl-203")).decode("ascii").split("\n")
    gf = out[9]
    assert out[:9] == [
        "^XA",
        "^CI28",
        "^PW400",
        "^LL240",
        "^FO8,8^GB384,224,4,B,0^FS",
        "^FO8,79^GB384,2,2,B,0^FS",
        "^FO16,96^BY2,3,64^BCN,64,N,N,N,A^FDSG12345678^FS",
        "^BY3,3,1^FO288,104^BQN,2,3^FDMA,SG1:ABC^FS",
        "^FO16,16^A0N,24,24^FDBox 42^FS",
    ]
    assert out[10:] == ["^XZ", ""]
    total = bitmap.bytes_per_row * bitmap.height
    head = f"^FO{line.x + dx},{line.y + dy}^GFA,{total},{total},{bitmap.bytes_per_row},:Z64:"
    assert gf.startswith(head) and gf.endswith("^FS")
    body, crc = gf[len(head):-3].split(":")
    assert crc == f"{crc16_ccitt(body.encode()):04X}"
    rows = zlib.decompress(base64.b64decode(body))
    assert rows == bitmap.rows


def test_gf_polarity_one_is_black():
    """Decode the ^GF payload back to pixels: a set bit is where the glyph has ink."""
    out = encode(GOLDEN_SCENE, load_profile("zpl-203")).decode("ascii")
    body = re.search(r"\^GFA,\d+,\d+,(\d+),:Z64:([^:]+):", out)
    bpr, rows = int(body.group(1)), zlib.decompress(base64.b64decode(body.group(2)))
    bitmap, _, _ = line_bitmap("中文", 24, False, False)
    image = PILImage.frombytes("1", (bitmap.width, bitmap.height), bytes(b ^ 0xFF for b in rows))
    ink = sum(1 for y in range(bitmap.height) for x in range(bitmap.width) if rows[y * bpr + x // 8] & (0x80 >> (x % 8)))
    black = image.convert("L").histogram()[0]
    assert ink == black and 0 < ink < bitmap.width * bitmap.height / 2  # glyphs are mostly white


def test_crc16_is_the_xmodem_check():
    assert crc16_ccitt(b"123456789") == 0x31C3


@pytest.mark.parametrize("profile_name, dpi", [("zpl-203", 203), ("zpl-300", 300)])
def test_zplkit_render_decodes_qr_and_code128_exactly(profile_name, dpi):
    scene = waybill(dpi)
    zpl = encode(scene, load_profile(profile_name))
    assert "张".encode() not in zpl and b"_E5_BC_A0" not in zpl  # CJK went as bitmaps
    image = render(zpl, dpi)
    found = {r.format.name: r for r in zxingcpp.read_barcodes(image)}
    assert found["QRCode"].text == PAYLOAD
    assert found["Code128"].text == "SG2026112800017CN"
    qr = scene.elements[7]
    # the QR lands where the scene says despite the printer's ^BQ shift
    x0, y0 = mm_to_dots(qr.x, dpi), mm_to_dots(qr.y, dpi)
    side = mm_to_dots(qr.size_mm(dpi), dpi)
    assert ink_box(image, (x0 - 12, y0 - 12, x0 + side + 12, y0 + side + 12)) == (x0, y0, x0 + side, y0 + side)


@pytest.mark.parametrize("profile_name, dpi", [("zpl-203", 203), ("zpl-300", 300)])
def test_cjk_bitmap_ink_lands_where_the_scene_says(profile_name, dpi):
    scene = waybill(dpi)
    image = render(encode(scene, load_profile(profile_name)), dpi)
    for el in (scene.elements[4], scene.elements[8]):  # all-CJK lines: one bitmap each
        line = layout(el, dpi).lines[0]
        bitmap, dx, dy = line_bitmap(line.text, line.size, el.bold, False)
        expected = (line.x + dx, line.y + dy, line.x + dx + bitmap.width, line.y + dy + bitmap.height)
        region = (mm_to_dots(el.x, dpi), mm_to_dots(el.y, dpi) - 2,
                  mm_to_dots(el.x + el.w, dpi), mm_to_dots(el.y + el.h, dpi))
        assert ink_box(image, region) == expected
        # and the pixels are the glyphs' own: compare the rendered crop with the bitmap
        crop = image.crop(expected).point(lambda v: 1 if v < 128 else 0)
        assert crop.tobytes() == bytes(int(bitmap.pixel(x, y)) for y in range(bitmap.height) for x in range(bitmap.width))


@pytest.mark.parametrize("profile_name, dpi", [("zpl-203", 203), ("zpl-300", 300)])
def test_a_mixed_line_keeps_cjk_as_bitmap_and_latin_as_text_each_in_its_place(profile_name, dpi):
    el = waybill(dpi).elements[3]  # "收件人：张**  *******5678"
    zpl = encode(Scene(100, 40, (el,)), load_profile(profile_name))
    line = layout(el, dpi).lines[0]
    cut = line.text.index("*")
    head_bitmap, dx, dy = line_bitmap(line.text[:cut], line.size, False, False)
    assert zpl.count(b"^GFA") == 1 and b"^FD**  *******5678^FS" in zpl
    image = render(zpl, dpi)
    split = line.x + text_width(line.text[:cut], line.size)
    top, bottom = line.y - 4, line.y + line.size + 4
    assert ink_box(image, (0, top, split, bottom)) == (
        line.x + dx, line.y + dy, line.x + dx + head_bitmap.width, line.y + dy + head_bitmap.height)
    tail = ink_box(image, (split, top, image.width, bottom))
    assert split <= tail[0] and tail[2] <= line.x + line.width  # the resident run stays in its span


def test_latin_text_uses_the_resident_font_and_cjk_the_downloaded_ttf():
    scene = Scene(100, 30, (Text(2, 2, 90, 6, "Maria S., Rua Augusta", size_mm=4),
                            Text(2, 10, 90, 6, "张** 广东省", size_mm=4)))
    plain = encode(scene, load_profile("zpl-203")).decode("ascii")
    assert "^A0N,32,32^FDMaria S., Rua Augusta^FS" in plain
    assert plain.count("^GFA") == 1
    cjk = encode(scene, load_profile("zpl-203-cjkfont")).decode("utf-8")
    assert "^GFA" not in cjk and "^CI28" in cjk
    assert "^A@N,32,32,E:MHEI.TTF^FD张** 广东省^FS" in cjk


@pytest.mark.parametrize("char", ["😀", "𠮷"])
def test_a_character_no_printer_font_has_becomes_a_bitmap(char):
    scene = Scene(60, 20, (Text(2, 2, 50, 6, f"张{char}三", size_mm=4),))
    zpl = encode(scene, load_profile("zpl-203-cjkfont")).decode("utf-8")
    assert "^A@" not in zpl and zpl.count("^GFA") == 1
    assert char not in zpl and "".join(f"_{b:02X}" for b in char.encode()) not in zpl


def _fields(zpl: bytes) -> list[bytes]:
    return [bytes(e).strip() for e in zplkit._native.parse(zpl).elements]


def _unescape(fd: bytes) -> str:
    return re.sub(rb"_([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), fd[3:]).decode("utf-8")


def test_free_text_cannot_become_zpl_commands():
    literal = "Rua ^FS^XZ^XA^FO50,50^FDX ~JA _1"
    scene = Scene(100, 30, (Text(2, 2, 96, 8, literal, size_mm=3),))
    zpl = encode(scene, load_profile("zpl-203"))
    commands = _fields(zpl)
    assert commands.count(b"^XA") == 1 and commands.count(b"^XZ") == 1
    data = [c for c in commands if c.startswith(b"^FD")]
    assert len(data) == 1 and _unescape(data[0]) == literal
    assert commands[commands.index(data[0]) - 1] == b"^FH_"  # the escapes are read as escapes
    assert len(render_all(zpl)) == 1


def test_cjk_injection_prints_literally_in_either_text_mode():
    literal = "书^FS^XZ^XA^FO50,50^FD注入"
    scene = Scene(100, 30, (Text(2, 2, 96, 8, literal, size_mm=3),))
    # without a CJK font: 书 and 注入 as bitmaps, the ASCII run between them as escaped text
    as_bitmap = encode(scene, load_profile("zpl-203"))
    assert len(render_all(as_bitmap)) == 1 and as_bitmap.count(b"^GFA") == 1  # both glyphs in one graphic
    commands = _fields(as_bitmap)
    assert commands.count(b"^XA") == 1 and commands.count(b"^XZ") == 1
    data = [c for c in commands if c.startswith(b"^FD")]
    assert len(data) == 1 and _unescape(data[0]) == "^FS^XZ^XA^FO50,50^FD"
    # with one: the whole line is one field
    as_font = encode(scene, load_profile("zpl-203-cjkfont"))
    commands = _fields(as_font)
    assert commands.count(b"^XA") == 1 and commands.count(b"^XZ") == 1
    data = [c for c in commands if c.startswith(b"^FD")]
    assert len(data) == 1 and _unescape(data[0]) == literal


def test_options_copies_darkness_speed_offsets():
    zpl = encode(GOLDEN_SCENE, load_profile("zpl-203"),
                 EncodeOptions(copies=3, darkness=20, speed=4, offset_x_mm=1, offset_y_mm=2)).decode()
    lines = zpl.split("\n")
    assert lines[0] == "~SD20" and lines[1] == "^XA"
    assert "^LH8,16" in lines and "^PR4" in lines and lines[-3:] == ["^PQ3,0,1,N", "^XZ", ""]
    shifted = encode(GOLDEN_SCENE, load_profile("zpl-203"), EncodeOptions(offset_x_mm=-1, offset_y_mm=-1)).decode()
    assert "^LS8" in shifted and "^LT-8" in shifted
    moved = encode(GOLDEN_SCENE, load_profile("zpl-203"), EncodeOptions(offset_x_mm=2, offset_y_mm=3))
    base, after = render(encode(GOLDEN_SCENE, load_profile("zpl-203"))), render(moved)
    b, a = ink_box(base, (0, 0, 400, 240)), ink_box(after, (0, 0, 400, 240))
    assert (a[0] - b[0], a[1] - b[1]) == (16, 24)
    with pytest.raises(EncodeError, match="darkness"):
        encode(GOLDEN_SCENE, load_profile("zpl-203"), EncodeOptions(darkness=31))
    with pytest.raises(EncodeError, match="speed"):
        encode(GOLDEN_SCENE, load_profile("zpl-203"), EncodeOptions(speed=20))


def test_a_label_wider_than_the_printer_is_refused():
    with pytest.raises(EncodeError, match="wider"):
        encode(Scene(110, 50, ()), load_profile("zpl-203"))


def test_repeated_bitmaps_are_stored_once_and_recalled():
    def label(recipient: str) -> Scene:
        return Scene(100, 40, (
            Text(2, 2, 90, 6, "寄件人：李* 深圳市南山区", size_mm=4),  # the same on every label
            Text(2, 12, 90, 6, recipient, size_mm=4),
        ))

    session = LabelEncoder(load_profile("zpl-203"), store_graphics=True)
    first = session.encode(label("收件人：王*"))
    second = session.encode(label("收件人：赵*"))
    third = session.encode(label("收件人：钱*"))
    assert b"~DG" not in first and first.count(b"^GFA") == 2
    assert second.count(b"~DGR:") == 1 and second.count(b"^XGR:") == 1 and second.count(b"^GFA") == 1
    assert b"~DG" not in third and third.count(b"^XGR:") == 1 and len(third) < len(first)
    # the recalled graphic prints exactly what the inline one did
    stateless = [render(encode(label(r), load_profile("zpl-203"))) for r in ("收件人：赵*", "收件人：钱*")]
    assert [i.tobytes() for i in render_all(second + third)] == [i.tobytes() for i in stateless]
    session.printer_restarted()  # its RAM is gone: send the graphic inline again
    fresh = session.encode(label("收件人：孙*"))
    assert b"^XG" not in fresh and fresh.count(b"^GFA") == 2


def test_logo_and_white_on_black_text_print_where_the_scene_says():
    from printers.scene import Image

    logo = PILImage.new("L", (120, 60), 255)
    logo.paste(0, (10, 10, 110, 50))
    png = io.BytesIO()
    logo.save(png, format="PNG")
    scene = Scene(100, 40, (
        Image(5, 5, 20, 10, png.getvalue()),
        Text(40, 5, 50, 8, "快递专送", size_mm=4, inverse=True),
    ))
    zpl = encode(scene, load_profile("zpl-203"))
    image = render(zpl)
    # the logo is scaled up into its 160x80-dot box keeping its aspect: 120x60 -> 160x80,
    # so its 100x40 black block becomes about 133x53, centred
    x, y = 40, 40
    ink = ink_box(image, (0, 0, 300, 320))
    assert abs(ink[0] - (x + 13)) <= 1 and abs(ink[2] - (x + 147)) <= 1
    assert abs(ink[1] - (y + 13)) <= 1 and abs(ink[3] - (y + 67)) <= 1
    # white-on-black text: the element's whole box printed black, the glyphs knocked out
    from printers.render.raster import render_raster

    assert b"^FR^GFA" in zpl
    box = (320, 40, 719, 104)  # mm_to_dots(90) = 719
    assert ink_box(image, (300, 0, 799, 320)) == box
    expected = render_raster(scene, 203, "1").crop(box).convert("L")
    assert image.crop(box).point(lambda v: 0 if v < 128 else 255).tobytes() == expected.tobytes()


def test_white_on_black_text_in_a_printer_font_prints_white_in_its_black_box():
    scene = Scene(100, 30, (Text(10, 5, 80, 10, "EXPRESS 42", size_mm=5, inverse=True),))
    zpl = encode(scene, load_profile("zpl-203"))
    assert b"^GFA" not in zpl and zpl.count(b"^FR") == 1
    assert b"^FR^A0N,40,40^FDEXPRESS 42^FS" in zpl and zpl.index(b"^GB") < zpl.index(b"^FR")
    image = render(zpl)
    box = (mm_to_dots(10, 203), mm_to_dots(5, 203), mm_to_dots(90, 203), mm_to_dots(15, 203))
    ink = ink_box(image, (0, 0, image.width, image.height))
    assert all(abs(a - b) <= 1 for a, b in zip(ink, box))  # the box (a glyph's overshoot at most)
    inside = image.crop(box).point(lambda v: 255 if v >= 128 else 0)
    white = inside.histogram()[255]
    assert 0.03 * inside.width * inside.height < white < 0.5 * inside.width * inside.height  # the glyphs


def test_white_on_black_cjk_uses_the_downloaded_font_reversed():
    scene = Scene(100, 30, (Text(10, 5, 80, 10, "快递 EXPRESS", size_mm=5, inverse=True),))
    zpl = encode(scene, load_profile("zpl-203-cjkfont")).decode("utf-8")
    assert "^GFA" not in zpl
    assert re.search(r"\^GB639,80,80,B,0\^FS\n\^FO\d+,\d+\^FR\^A@N,40,40,E:MHEI.TTF\^FD快递 EXPRESS\^FS", zpl)


def test_the_barcode_caption_sits_centred_under_the_bars_as_in_the_preview():
    from printers.code128 import geometry

    el = Barcode128(8, 10, 84, 22, "SG2026112800017CN", module_dots=2)
    zpl = encode(Scene(100, 40, (el,)), load_profile("zpl-203"))
    assert b"^BCN,153,N,N,N,A" in zpl  # no printer interpretation line: Sigilo prints it
    g = geometry(el, 203)
    image = render(zpl)
    bars = ink_box(image, (0, 0, 799, g.y + g.bar_height))
    caption = ink_box(image, (0, g.y + g.bar_height + 1, 799, 320))
    assert bars == (g.x, g.y, g.x + g.width, g.y + g.bar_height)
    assert g.text_y <= caption[1] and caption[3] <= g.text_y + g.text_size + 2
    assert abs((caption[0] + caption[2]) / 2 - (bars[0] + bars[2]) / 2) <= 3


def test_ink_above_the_label_edge_is_clipped_never_a_negative_position():
    from printers.lang.bitmap import Bitmap, clip_origin, solid

    x, y, part = clip_origin(-3, -2, solid(10, 5))
    assert (x, y, part.width, part.height) == (0, 0, 7, 3)
    assert all(part.pixel(c, r) for c in range(7) for r in range(3))
    assert clip_origin(-20, 0, solid(10, 5)) is None
    tall = Bitmap(8, 2, b"\x80\x01")
    assert clip_origin(0, -1, tall)[2].rows == b"\x01"
    # a line at the very top whose accents rise above it still prints
    scene = Scene(60, 20, (Text(0, 0, 60, 8, "ÉÅ张", size_mm=5, line_spacing=1.0),))
    zpl = encode(scene, load_profile("zpl-203"))
    assert re.search(rb"\^FO-", zpl) is None
    assert len(render_all(zpl)) == 1


def test_one_graphic_per_text_element_prints_the_same_dots_as_one_per_run():
    from printers.lang.storage import PrinterMemory
    from printers.lang.zpl import ZplEncoder

    scene = Scene(100, 40, (
        Line(1, 14, 99, 14, 0.4),
        Text(4, 2, 92, 20, "重量 Weight: 1.2 kg\n件数 Pieces: 1\n内件 电子产品 x1", size_mm=3.5),
    ))
    profile = load_profile("zpl-203")
    merged = encode(scene, profile)
    per_run = ZplEncoder(profile, PrinterMemory(0)).encode(scene, EncodeOptions())  # no room: all inline
    assert merged.count(b"^GFA") == 1 and per_run.count(b"^GFA") >= 3 and len(merged) < len(per_run)
    assert render_all(merged)[0].tobytes() == render_all(per_run)[0].tobytes()
