"""TSPL output: exact bytes for a small scene, and a small test-side TSPL interpreter that
rebuilds the label (BITMAP with 0 = black, BOX, BAR, QRCODE and BARCODE drawn with the qrcode
and python-barcode libraries) so zxing-cpp can check the data survived quoting intact."""

from __future__ import annotations

import io
import re

import pytest
import qrcode
import zxingcpp
from barcode.codex import Code128
from PIL import Image as PILImage
from PIL import ImageDraw, ImageOps

from printers.errors import EncodeError
from printers.lang import EncodeOptions, LabelEncoder, encode
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
PAYLOAD = "SG1:" + "NCF*5$Q6.DLA:0/+U-B7 %KPW1" * 14


def _split_args(text: bytes) -> list:
    """Comma-separated arguments; quoted strings unescape \\["] and stay bytes."""
    args, i = [], 0
    while i < len(text):
        if text[i:i + 1] == b'"':
            j, buf = i + 1, bytearray()
            while True:
                if text[j:j + 4] == b'\\["]':
                    buf += b'"'
                    j += 4
                elif text[j:j + 1] == b'"':
                    break
                else:
                    buf += text[j:j + 1]
                    j += 1
                assert j < len(text), "unterminated string"
            args.append(bytes(buf))
            i = j + 1
        else:
            j = text.find(b",", i)
            j = len(text) if j < 0 else j
            args.append(text[i:j].strip().decode())
            i = j
        if text[i:i + 1] == b",":
            i += 1
        elif i < len(text):
            raise AssertionError(f"junk after an argument: {text[i:]!r}")
    return args


def parse(data: bytes) -> list[tuple[str, list]]:
    commands, i = [], 0
    while i < len(data):
        end = data.index(b"\r\n", i)
        name = re.match(rb"[A-Z]+", data[i:end]).group().decode()
        if name == "BITMAP":
            head = re.match(rb"BITMAP (\d+),(\d+),(\d+),(\d+),(\d+),", data[i:])
            x, y, wb, h, mode = map(int, head.groups())
            start = i + head.end()
            commands.append((name, [x, y, wb, h, mode, data[start:start + wb * h]]))
            i = start + wb * h
            assert data[i:i + 2] == b"\r\n"
            i += 2
            continue
        if name == "DOWNLOAD":
            head = re.match(rb'DOWNLOAD "([^"]+)",(\d+),', data[i:])
            start = i + head.end()
            size = int(head.group(2))
            commands.append((name, [head.group(1).decode(), data[start:start + size]]))
            i = start + size
            assert data[i:i + 2] == b"\r\n"
            i += 2
            continue
        line = data[i:end]
        rest = line[len(name):].strip()
        commands.append((name, _split_args(rest) if rest else []))
        i = end + 2
    return commands


class Label:
    def __init__(self, commands, dpi=203, files=None):
        self.files = files if files is not None else {}
        self.texts, self.prints, self.bitmaps = [], [], []
        for name, args in commands:
            if name == "SIZE":
                w, h = (float(a.split()[0]) for a in args)
                self.image = PILImage.new("L", (mm_to_dots(w, dpi), mm_to_dots(h, dpi)), 255)
                self.draw = ImageDraw.Draw(self.image)
            elif name == "BOX":
                x, y, x2, y2, t = map(int, args)
                for k in range(t):
                    self.draw.rectangle((x + k, y + k, x2 - 1 - k, y2 - 1 - k), outline=0)
            elif name == "BAR":
                x, y, w, h = map(int, args)
                self.draw.rectangle((x, y, x + w - 1, y + h - 1), fill=0)
            elif name == "BITMAP":
                x, y, wb, h, mode, raw = args
                assert mode == 0  # overwrite; XOR's result depends on firmware, so it is never sent
                self.bitmaps.append((x, y, wb, h, raw))
                for row in range(h):
                    for col in range(wb * 8):
                        black = not raw[row * wb + col // 8] & (0x80 >> (col % 8))  # 0 = black
                        self.image.putpixel((x + col, y + row), 0 if black else 255)
            elif name == "REVERSE":
                x, y, w, h = map(int, args)
                box = (x, y, x + w, y + h)
                self.image.paste(ImageOps.invert(self.image.crop(box)), box)
            elif name == "DOWNLOAD":
                self.files[args[0]] = args[1]
            elif name == "PUTBMP":
                x, y, fname = int(args[0]), int(args[1]), args[2].decode()
                picture = PILImage.open(io.BytesIO(self.files[fname])).convert("L")
                black = picture.point(lambda v: 255 if v < 128 else 0).convert("1")
                self.image.paste(0, (x, y), black)
            elif name == "TEXT":
                x, y, font, _rot, xm, _ym, content = args
                self.texts.append((int(x), int(y), font, int(xm), content))
            elif name == "BARCODE":
                x, y, kind, h, _hr, _rot, narrow, wide, value = args
                assert kind == b"128" and narrow == wide
                modules = Code128(value.decode("ascii")).build()[0]
                m, x, y, h = int(narrow), int(x), int(y), int(h)
                for k, bit in enumerate(modules):
                    if bit == "1":
                        self.draw.rectangle((x + k * m, y, x + (k + 1) * m - 1, y + h - 1), fill=0)
            elif name == "QRCODE":
                x, y, ec, cell, mode, _rot, payload = args
                code = qrcode.QRCode(error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{ec}"),
                                     box_size=int(cell), border=0)
                code.add_data(payload.decode("utf-8"))
                code.make(fit=True)
                self.image.paste(code.make_image().get_image().convert("L"), (int(x), int(y)))
            elif name == "PRINT":
                self.prints.append(args)


def run(data: bytes, files=None) -> Label:
    return Label(parse(data), files=files)


def test_golden_bytes_tspl_203():
    bitmap, dx, dy = line_bitmap("中文", 24, False, False)
    line = layout(GOLDEN_SCENE.elements[5], 203).lines[0]
    out = encode(GOLDEN_SCENE, load_profile("tspl-203"))
    head = (b"BITMAP %d,%d,%d,%d,0," % (line.x + dx, line.y + dy, bitmap.bytes_per_row, bitmap.height))
    before, after = out.split(head)
    assert before.split(b"\r\n") == [
        b"SIZE 50 mm,30 mm",
        b"GAP 2 mm,0 mm",
        b"DIRECTION 1,0",
        b"REFERENCE 0,0",
        b"CODEPAGE 8859-1",
        b"CLS",
        b"BOX 8,8,392,232,4",
        b"BAR 8,79,384,2",
        b'BARCODE 16,96,"128",64,0,0,2,2,"SG12345678"',
        b'QRCODE 288,104,M,3,A,0,"SG1:ABC"',
        b'TEXT 16,16,"3",0,1,1,"Box 42"',
        b"",
    ]
    payload = after[:bitmap.bytes_per_row * bitmap.height]
    assert payload == bytes(b ^ 0xFF for b in bitmap.rows)  # TSPL: 0 = black
    assert after[len(payload):] == b"\r\nPRINT 1\r\n"


def test_bitmap_polarity_zero_is_black():
    label = run(encode(GOLDEN_SCENE, load_profile("tspl-203")))
    (_x, _y, wb, h, raw), = label.bitmaps
    bitmap, _, _ = line_bitmap("中文", 24, False, False)
    for row in range(h):
        for col in range(bitmap.width):
            is_zero = not raw[row * wb + col // 8] & (0x80 >> (col % 8))
            assert is_zero == bitmap.pixel(col, row)
    for col in range(bitmap.width, wb * 8):  # the row padding prints white
        assert all(raw[row * wb + col // 8] & (0x80 >> (col % 8)) for row in range(h))


def _waybill():
    return Scene(100, 150, (
        Box(2, 2, 96, 146, 0.5),
        Text(5, 5, 90, 12, "SZ-518 B07", size_mm=9, bold=True, align="center"),
        Line(2, 20, 98, 20, 0.5),
        Text(5, 23, 90, 6, "收件人：张**  *******5678", size_mm=4.5),
        Text(5, 30, 90, 6, "广东省深圳市南山区科技园路**号", size_mm=4.5),
        Barcode128(8, 44, 84, 22, "SG2026112800017CN", module_dots=2),
        QRCode(10, 80, PAYLOAD, module_dots=4),
    ))


@pytest.mark.parametrize("profile_name", ["tspl-203", "tspl-203-cn"])
def test_rebuilt_label_decodes_and_bitmaps_land_where_the_scene_says(profile_name):
    scene = _waybill()
    out = encode(scene, load_profile(profile_name))
    label = run(out)
    found = {r.format.name: r.text for r in zxingcpp.read_barcodes(label.image)}
    assert found == {"QRCode": PAYLOAD, "Code128": "SG2026112800017CN"}
    assert len(label.prints) == 1
    if profile_name == "tspl-203":
        for el in (scene.elements[4],):  # all CJK: one bitmap
            line = layout(el, 203).lines[0]
            bitmap, dx, dy = line_bitmap(line.text, line.size, False, False)
            left, top = mm_to_dots(el.x, 203), mm_to_dots(el.y, 203) - 2
            box = label.image.crop((left, top, mm_to_dots(el.x + el.w, 203), mm_to_dots(el.y + el.h, 203)))
            ink = box.point(lambda v: 255 if v < 128 else 0).getbbox()
            assert (ink[0] + left, ink[1] + top) == (line.x + dx, line.y + dy)
            assert ink[2] - ink[0] == bitmap.width and ink[3] - ink[1] == bitmap.height
        # a mixed line: CJK head as a bitmap, the masked phone in the resident font after it
        line = layout(scene.elements[3], 203).lines[0]
        cut = line.text.index("*")
        (x, _y, _font, mul, content), = label.texts[1:2]
        assert content == b"**  *******5678" and x == line.x + text_width(line.text[:cut], line.size)
        assert x + 16 * mul * len(content) <= line.x + line.width
    else:
        texts = {t[4].decode("gb18030") for t in label.texts}
        assert "收件人：张**  *******5678" in texts and "广东省深圳市南山区科技园路**号" in texts
        assert all(t[2] == b"TSS24.BF2" for t in label.texts if not t[4].isascii())
        assert len(out) < 1500


def test_quotes_cannot_end_a_tspl_string():
    literal = 'Rua "A", 5"; PRINT 99'
    scene = Scene(100, 20, (Text(2, 2, 96, 8, literal, size_mm=3),))
    out = encode(scene, load_profile("tspl-203"))
    assert b'\\["]' in out
    label = run(out)
    assert label.prints == [["1"]]
    assert [t[4].decode("latin-1") for t in label.texts] == [literal]
    cn = run(encode(Scene(100, 20, (Text(2, 2, 96, 8, '张"三"', size_mm=3),)), load_profile("tspl-203-cn")))
    assert [t[4].decode("gb18030") for t in cn.texts] == ['张"三"']


def test_a_qr_payload_with_line_breaks_goes_as_dots_never_as_commands():
    payload = "WIFI:S:desk;\r\nPRINT 9\r\nCLS\r\n"
    scene = Scene(60, 60, (QRCode(5, 5, payload, module_dots=4),))
    out = encode(scene, load_profile("tspl-203"))
    commands = parse(out)
    assert [name for name, _ in commands] == ["SIZE", "GAP", "DIRECTION", "REFERENCE", "CLS", "BITMAP", "PRINT"]
    x, y, _wb, _h, _mode, _raw = dict(commands)["BITMAP"]
    assert (x, y) == (mm_to_dots(5, 203), mm_to_dots(5, 203))
    found = zxingcpp.read_barcodes(Label(commands).image)
    assert [r.text for r in found] == [payload]


def test_a_backslash_goes_as_a_bitmap_never_as_an_escape():
    out = encode(Scene(100, 20, (Text(2, 2, 96, 8, 'C:\\["]x', size_mm=3),)), load_profile("tspl-203"))
    label = run(out)
    assert label.texts == [] and len(label.bitmaps) == 1 and label.prints == [["1"]]


@pytest.mark.parametrize("char", ["😀", "𠮷"])
def test_characters_the_resident_font_lacks_become_bitmaps(char):
    out = encode(Scene(100, 20, (Text(2, 2, 96, 8, f"张{char}三", size_mm=3),)), load_profile("tspl-203-cn"))
    label = run(out)
    assert label.texts == [] and len(label.bitmaps) == 1
    assert char.encode("gb18030") not in out


def test_cjk_on_a_latin_only_printer_becomes_a_bitmap_and_latin_stays_text():
    scene = Scene(100, 20, (Text(2, 2, 96, 5, "São Paulo", size_mm=3), Text(2, 8, 96, 5, "张三", size_mm=3)))
    label = run(encode(scene, load_profile("tspl-203")))
    assert [t[4].decode("latin-1") for t in label.texts] == ["São Paulo"]
    assert len(label.bitmaps) == 1


def test_options_become_tspl_settings():
    out = encode(GOLDEN_SCENE, load_profile("tspl-203"),
                 EncodeOptions(copies=3, darkness=12, speed=4, offset_x_mm=1, offset_y_mm=-2))
    names = [c for c in parse(out)]
    assert ("REFERENCE", ["8", "0"]) in names and ("SHIFT", ["0", "-16"]) in names
    assert ("DENSITY", ["12"]) in names and ("SPEED", ["4"]) in names and names[-1] == ("PRINT", ["3"])
    with pytest.raises(EncodeError):
        encode(GOLDEN_SCENE, load_profile("tspl-203"), EncodeOptions(darkness=16))
    with pytest.raises(EncodeError):
        encode(GOLDEN_SCENE, load_profile("tspl-203"), EncodeOptions(copies=0))


def test_repeated_bitmaps_are_downloaded_once_and_put_from_memory():
    def label(recipient: str) -> Scene:
        return Scene(100, 40, (Text(2, 2, 90, 6, "寄件人：李* 深圳市南山区", size_mm=4),
                               Text(2, 12, 90, 6, recipient, size_mm=4)))

    session = LabelEncoder(load_profile("tspl-203"), store_graphics=True)
    first, second, third = (session.encode(label(r)) for r in ("收件人：王*", "收件人：赵*", "收件人：钱*"))
    assert b"DOWNLOAD" not in first and b"PUTBMP" not in first
    stored = [args[0] for name, args in parse(second) if name == "DOWNLOAD"]
    put = [args[2].decode() for name, args in parse(second) if name == "PUTBMP"]
    assert stored and sorted(stored) == sorted(put)  # the sender's words; each stored once
    assert b"DOWNLOAD" not in third and third.count(b"PUTBMP") == len(put) and len(third) < len(first)
    files: dict = {}
    printed = [run(second, files).image.tobytes(), run(third, files).image.tobytes()]
    stateless = [run(encode(label(r), load_profile("tspl-203"))).image.tobytes() for r in ("收件人：赵*", "收件人：钱*")]
    assert printed == stateless


def test_a_line_of_words_goes_as_pieces_tight_to_the_ink_and_prints_as_the_preview():
    from printers.render.raster import render_raster

    scene = Scene(100, 20, (Text(4, 2, 92, 8, "新疆 乌鲁木齐市    天山区  学府路", size_mm=5, bold=True),))
    out = encode(scene, load_profile("tspl-203"))
    label = run(out)
    assert label.image.tobytes() == render_raster(scene, 203, "1").convert("L").tobytes()
    line = layout(scene.elements[0], 203).lines[0]
    whole, _, _ = line_bitmap(line.text, line.size, True, False)
    pieces = label.bitmaps
    assert len(pieces) >= 3  # cut at least where the wide gaps are
    assert sum(wb * h for *_, wb, h, _ in pieces) < whole.bytes_per_row * whole.height * 0.9
    for x, y, wb, h, raw in pieces:  # no all-white first/last row or first column in any piece
        rows = [raw[r * wb:(r + 1) * wb] for r in range(h)]
        assert rows[0] != b"\xff" * wb and rows[-1] != b"\xff" * wb
        assert any(not row[0] & 0x80 for row in rows)


def test_white_on_black_text_matches_the_preview():
    from printers.render.raster import render_raster

    scene = Scene(100, 20, (Text(10, 2, 80, 10, "快递专送 ✈", size_mm=5, inverse=True),))
    out = encode(scene, load_profile("tspl-203"))  # no resident glyphs: black bitmaps, then REVERSE
    assert [name for name, _ in parse(out) if name in ("BITMAP", "REVERSE", "BAR")][-1] == "REVERSE"
    expected = render_raster(scene, 203, "1").convert("L")
    assert run(out).image.tobytes() == expected.tobytes()


def test_white_on_black_text_in_the_resident_font_is_reversed_after_it_is_drawn():
    scene = Scene(100, 20, (Text(10, 2, 80, 10, "快递 EXPRESS", size_mm=3, inverse=True),))
    commands = parse(encode(scene, load_profile("tspl-203-cn")))
    names = [name for name, _ in commands]
    assert "BITMAP" not in names and "BAR" not in names
    assert names.index("TEXT") < names.index("REVERSE")  # REVERSE turns the black text white
    text = dict(commands)["TEXT"]
    assert text[2] == b"TSS24.BF2" and text[6] == "快递 EXPRESS".encode("gb18030")
    x, y = mm_to_dots(10, 203), mm_to_dots(2, 203)
    assert dict(commands)["REVERSE"] == [str(x), str(y), str(mm_to_dots(90, 203) - x), str(mm_to_dots(12, 203) - y)]


def test_the_resident_size_nearest_the_layout_is_chosen_across_fonts():
    from printers.lang.textplan import native_line

    profile = load_profile("tspl-203")
    font, mul, height, width = native_line(profile, "Rua Augusta", 20, 600)
    assert (font.name, mul, height) == ("2", 1, 20)  # not font 3's 24 dots
    font, mul, height, width = native_line(profile, "Rua Augusta", 46, 600)
    assert (font.name, mul, height, width) == ("3", 2, 48, 11 * 32)
    assert native_line(profile, "Rua Augusta", 46, 300) is None  # 352 dots would overflow the box


def test_a_300_dpi_tspl_label_decodes():
    scene = Scene(100, 60, (
        Barcode128(8, 4, 84, 20, "SG2026112800017CN", module_dots=3),
        QRCode(10, 30, "SG1:" + "NCF*5$Q6.DLA:0/+U-B7 %KPW1" * 3, module_dots=6),
        Text(50, 30, 45, 6, "Rua Augusta 1500", size_mm=3),
    ))
    out = encode(scene, load_profile("tspl-300"))
    label = Label(parse(out), dpi=300)
    found = {r.format.name: r.text for r in zxingcpp.read_barcodes(label.image)}
    assert found == {"QRCode": scene.elements[1].payload, "Code128": "SG2026112800017CN"}
    assert [(t[2], t[4]) for t in label.texts] == [(b"3", b"SG2026112800017CN"), (b"3", b"Rua Augusta 1500")]


def test_a_resident_run_that_ends_the_line_may_use_the_room_to_the_box_edge():
    profile = load_profile("tspl-203")
    box = Text(4, 2, 92, 8, "收 *******1577", size_mm=6.5, bold=True)
    line = layout(box, 203).lines[0]
    tail = text_width(line.text, line.size, True) - text_width(line.text[:2], line.size, True)
    commands = parse(encode(Scene(100, 20, (box,)), profile))
    (x, _y, font, _rot, mul, _ymul, content), = (args for name, args in commands if name == "TEXT")
    assert content == b"*******1577" and font == b"3" and mul == "2"
    width = 16 * 2 * len(content)
    assert width > tail + 1  # wider than the layout's run: it would not fit between two bitmaps
    assert int(x) + width <= mm_to_dots(4 + 92, 203)  # but it stays inside its box
    # the same run with more text after it must keep to its span, so it goes as ink
    inside = Text(4, 2, 92, 8, "收 *******1577 号", size_mm=6.5, bold=True)
    assert not [args for name, args in parse(encode(Scene(100, 20, (inside,)), profile)) if name == "TEXT"]
