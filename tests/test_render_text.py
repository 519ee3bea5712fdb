"""Fonts, glyph coverage, text layout and text-line bitmaps: the text every renderer shares."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from reportlab.pdfbase.ttfonts import TTFontFile

from printers import fonts
from printers.render.textbitmap import inverse_pad, text_line_bitmap
from printers.scene import Text
from printers.textlayout import layout, text_width, wrap

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.fixture
def fresh_fonts():
    fonts.reset_caches()
    yield
    fonts.reset_caches()


def test_cmap_reader_agrees_with_reportlab():
    # an independent TrueType parser gives the same coverage for the label font
    path = fonts.cjk_font_path()
    ours = fonts.font_charset(path)
    theirs = {c for c, g in TTFontFile(str(path), subfontIndex=0).charToGlyph.items() if g}
    assert len(ours) > 20000
    assert ours == theirs


def test_missing_glyphs_are_exactly_those_no_installed_font_has():
    text = "张三 Tiago São ☃ 𠮷 🙂\n"
    missing = fonts.missing_glyphs(text)
    candidates = (fonts.cjk_font_path(),) + fonts.fallback_font_paths()
    for ch in dict.fromkeys(text):
        if ch == "\n":
            continue
        covered = any(ord(ch) in fonts.font_charset(p) for p in candidates)
        assert (ch in missing) == (not covered), ch
    assert "张" not in missing and "\n" not in missing
    assert len(missing) == len(set(missing))


def test_character_outside_label_font_falls_back_to_a_font_that_has_it():
    main = fonts.cjk_font_path()
    # find a character the label font lacks but a fallback has
    for code in range(0x2600, 0x2700):
        if code not in fonts.font_charset(main):
            ch = chr(code)
            break
    else:
        pytest.fail("the label font covers all of U+2600..26FF; pick another block")
    chosen = fonts.font_for_char(ch)
    if chosen is None:
        assert ch in fonts.missing_glyphs(ch)
    else:
        assert chosen != main and ord(ch) in fonts.font_charset(chosen)
        runs = fonts.font_runs("张" + ch + "张")
        assert [r[1] for r in runs] == ["张", ch, "张"]
        assert runs[1][0] == chosen


def test_latin_only_label_font_gets_cjk_from_fallback(monkeypatch, fresh_fonts):
    monkeypatch.setenv("SIGILO_FONT", str(DEJAVU))
    fonts.reset_caches()
    assert fonts.cjk_font_path() == DEJAVU
    helper = fonts.font_for_char("张")
    assert helper is not None and helper != DEJAVU and ord("张") in fonts.font_charset(helper)
    assert fonts.font_for_char("A") == DEJAVU
    bitmap = text_line_bitmap("张三", 40, False)
    assert bitmap.width > 40  # two full-width glyphs drawn, not empty notdef boxes


def test_missing_character_is_drawn_as_a_visible_box():
    missing = [c for c in ("𠮷", "🙂", "\U000e0100", "\U0010fff0") if fonts.font_for_char(c) is None]
    assert missing, "every probe character has a font here"
    ch = missing[0]
    bitmap = text_line_bitmap(ch, 40, False)
    assert bitmap.width >= 10 and bitmap.height >= 10
    # a box outline: ink on all four edges, paper in the middle
    img = bitmap.image
    w, h = img.size
    assert img.getpixel((w // 2, 0)) == 0 and img.getpixel((w // 2, h - 1)) == 0
    assert img.getpixel((0, h // 2)) == 0 and img.getpixel((w - 1, h // 2)) == 0
    assert img.getpixel((w // 2, h // 2)) == 255


def test_text_line_bitmap_is_tight_and_black_on_white():
    bitmap = text_line_bitmap("张三 Tiago", 24, False)
    img = bitmap.image
    assert img.mode == "1"
    w, h = img.size
    px = img.load()
    assert any(px[x, 0] == 0 for x in range(w)) and any(px[x, h - 1] == 0 for x in range(w))
    assert any(px[0, y] == 0 for y in range(h)) and any(px[w - 1, y] == 0 for y in range(h))
    # the ink lies inside the line's advance and em box (plus descender room)
    assert 0 <= bitmap.dx and bitmap.dx + w <= text_width("张三 Tiago", 24) + 3  # side bearing
    assert -2 <= bitmap.dy and bitmap.dy + h <= int(24 * 1.2)


def test_bold_is_heavier_and_no_narrower():
    light = text_line_bitmap("张三丰", 32, False)
    heavy = text_line_bitmap("张三丰", 32, True)
    def ink(im):  # black pixel count
        return im.histogram()[0]

    assert ink(heavy.image) > ink(light.image) * 1.2
    assert heavy.width >= light.width


def test_inverse_bitmap_is_white_ink_on_a_black_box():
    plain = text_line_bitmap("收件人", 24, False)
    inv = text_line_bitmap("收件人", 24, False, inverse=True)
    pad = inverse_pad(24)
    assert inv.width == plain.width + 2 * pad and inv.height == plain.height + 2 * pad
    assert (inv.dx, inv.dy) == (plain.dx - pad, plain.dy - pad)
    inner = inv.image.crop((pad, pad, pad + plain.width, pad + plain.height))
    assert list(Image.eval(inner, lambda v: 255 - v).tobytes()) == list(plain.image.tobytes())
    border = inv.image.crop((0, 0, inv.width, pad))
    assert border.histogram()[255] == 0


def test_inkless_line_gives_empty_bitmap():
    bitmap = text_line_bitmap("   ", 24, True)
    assert bitmap.image.size == (0, 0)


def test_wrap_cjk_keeps_closing_punctuation_with_its_character():
    text = "广东省深圳市南山区科技园南区深南大道，腾讯大厦。收件人"
    size = 24
    for width in range(60, 400, 7):
        lines = wrap(text, width, size)
        assert "".join(lines) == text
        for line in lines:
            assert not line.startswith(("，", "。"))


def test_wrap_latin_breaks_at_spaces():
    lines = wrap("Rua Augusta 1500, Consolação, São Paulo SP", 200, 24)
    assert len(lines) > 1
    assert " ".join(lines) == "Rua Augusta 1500, Consolação, São Paulo SP"
    assert all(text_width(line, 24) <= 200 for line in lines)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="张三李四王五深圳市abc deFGH 12,.，。", max_size=60),
       st.integers(min_value=30, max_value=400), st.booleans())
def test_wrap_lines_fit_and_keep_every_character(text, width, bold):
    size = 20
    lines = wrap(text, width, size, bold)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert line == line.strip(" ")
        if len(line) > 1:
            assert text_width(line, size, bold) <= width


def test_layout_fields_alignment_and_fit():
    el = Text(x=10, y=5, w=40, h=30, text="张三\n广东省深圳市南山区科技园南区深南大道", size_mm=3, align="right")
    lay = layout(el, 203)
    assert len(lay.lines) >= 3 and lay.fits
    right = round(50 * 203 / 25.4)
    for line in lay.lines:
        assert line.x + line.width == right or line.width > right - 81
        assert line.size == round(3 * 203 / 25.4)
        assert line.y < line.baseline < line.y + line.size
    ys = [line.y for line in lay.lines]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
    assert lay is layout(el, 203)  # cached
    tight = Text(x=0, y=0, w=40, h=4, text=el.text, size_mm=3)
    assert not layout(tight, 203).fits


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet="张三李四深圳市南山区，。abcXYZ 0123-*☃𠮷", min_size=1, max_size=40),
       st.sampled_from([16, 24, 25, 33]), st.booleans(), st.sampled_from(["left", "center", "right"]))
def test_every_line_bitmap_lands_on_the_raster_ink(text, size, bold, align):
    """The contract the printer languages rely on: a line's bitmap placed at (x+dx, y+dy) is
    exactly the raster renderer's pixels there."""
    from printers.render.raster import render_raster
    from printers.scene import Scene, dots_to_mm

    el = Text(2, 2, 60, 40, text, size_mm=dots_to_mm(size, 203), bold=bold, align=align)
    img = render_raster(Scene(64, 44, (el,)), 203, "1")
    for line in layout(el, 203).lines:
        bitmap = text_line_bitmap(line.text, line.size, bold)
        if bitmap.image.size == (0, 0):
            continue
        x, y = line.x + bitmap.dx, line.y + bitmap.dy
        crop = img.crop((x, y, x + bitmap.width, y + bitmap.height))
        # the bitmap's ink is all ink on the raster (lines may touch, so not the converse)
        ink = Image.eval(bitmap.image, lambda v: 255 - v)
        assert Image.eval(crop, lambda v: 255 - v).convert("L").histogram()[255] >= ink.convert("L").histogram()[255]
        from PIL import ImageChops

        assert ImageChops.logical_and(ink.convert("1"), Image.eval(crop, lambda v: v).convert("1")).getbbox() is None


def test_reset_caches_follows_a_new_label_font(monkeypatch, fresh_fonts):
    before = text_line_bitmap("张三", 30, False).image.tobytes()
    monkeypatch.setenv("SIGILO_FONT", str(DEJAVU))
    fonts.reset_caches()
    assert fonts.font_for_char("A") == DEJAVU
    assert text_line_bitmap("A", 30, False).image.tobytes() != b""
    monkeypatch.delenv("SIGILO_FONT")
    fonts.reset_caches()
    assert text_line_bitmap("张三", 30, False).image.tobytes() == before


def test_control_and_format_characters_draw_nothing():
    plain = text_line_bitmap("张三ab", 30, False)
    for noisy in ("张三a\x07b", "张\u200d三ab", "\ufeff张三ab\x1b"):
        got = text_line_bitmap(noisy, 30, False)
        assert (got.image.tobytes(), got.dx, got.dy) == (plain.image.tobytes(), plain.dx, plain.dy)
        assert fonts.missing_glyphs(noisy) == []
    assert text_width("a\tb", 30) == text_width("a b", 30)


def test_label_font_without_truetype_outlines_is_refused(monkeypatch, fresh_fonts, tmp_path):
    from printers.errors import FontNotFound

    cff = tmp_path / "cff.otf"
    # an sfnt with a CFF table and no glyf: what Noto CJK looks like to a PDF embedder
    cff.write_bytes(b"OTTO" + (1).to_bytes(2, "big") + b"\0" * 6 + b"CFF " + b"\0" * 12)
    monkeypatch.setenv("SIGILO_FONT", str(cff))
    fonts.reset_caches()
    with pytest.raises(FontNotFound) as info:
        fonts.cjk_font_path()
    assert "TrueType" in str(info.value) and info.value.hint
    monkeypatch.setenv("SIGILO_FONT", str(tmp_path / "absent.ttf"))
    fonts.reset_caches()
    with pytest.raises(FontNotFound):
        fonts.cjk_font_path()
