"""Drawing one laid-out line of text with Pillow, glyph by glyph.

Shared by the raster renderer and the text-line bitmaps of the printer languages, so a line
has the same pixels in the preview, the 1-bit raster and a ZPL/TSPL/ESC-POS bitmap. Each
glyph sits at the layout's per-character advance - not where Pillow's own string drawing
would put it (it applies pair kerning that its width measurement does not), because the PDF
and the printer languages place glyphs from the same advances. Glyph images are cached per
(font, size, character, stroke, mode); characters no font has are drawn as a visible box
rather than the font's blank ".notdef".
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw

from printers.fonts import font_runs, no_ink, pil_font_file, replacement_advance
from printers.textlayout import bold_stroke, char_advance


@lru_cache(maxsize=8192)
def _glyph(font_path: Path, size: int, ch: str, stroke: int, mono: bool):
    """(coverage mask "L", left, top) of one glyph relative to its origin on the baseline,
    or None for a glyph without ink."""
    font = pil_font_file(font_path, size)
    left, top, right, bottom = font.getbbox(ch, anchor="ls", stroke_width=stroke)
    if right <= left or bottom <= top:
        return None
    mask = Image.new("L", (right - left, bottom - top), 0)
    draw = ImageDraw.Draw(mask)
    draw.fontmode = "1" if mono else "L"
    draw.text((-left, -top), ch, font=font, fill=255, anchor="ls", stroke_width=stroke,
              stroke_fill=255 if stroke else None)
    if mono:
        # strokes come out anti-aliased even in 1-bit font mode; a 1-bit label takes no grey
        mask = mask.point(lambda v: 255 if v >= 128 else 0)
    box = mask.getbbox()
    if box is None:
        return None
    return mask.crop(box), left + box[0], top + box[1]


def replacement_box(x: float, baseline: float, size: int) -> tuple[int, int, int, int, int]:
    """(left, top, right, bottom, line width) of the box drawn for a character no font has."""
    adv = replacement_advance(size)
    inset, width = max(1, size // 10), max(1, size // 16)
    return (int(round(x)) + inset, int(round(baseline - size * 0.72)), int(round(x + adv)) - inset,
            int(round(baseline)), width)


def draw_line(img: Image.Image, x: float, baseline: float, text: str, size: int, bold: bool, fill) -> None:
    """Draw ``text`` on ``img`` with its line's left edge at ``x`` and baseline at ``baseline``.
    Anti-aliased on an "L" image, crisp 1-bit coverage on a "1" image."""
    stroke = bold_stroke(size) if bold else 0
    mono = img.mode == "1"
    cx = float(x) + stroke
    base = int(round(baseline))
    draw = None
    for font_path, run in font_runs(text):
        if font_path is None:
            left, top, right, bottom, width = replacement_box(cx, baseline, size)
            if right > left and bottom > top:
                draw = draw or ImageDraw.Draw(img)
                draw.rectangle((left, top, right - 1, bottom - 1), outline=fill, width=width)
            cx += replacement_advance(size)
            continue
        for ch in run:
            glyph = None if ch.isspace() or no_ink(ch) else _glyph(font_path, size, ch, stroke, mono)
            if glyph is not None:
                mask, left, top = glyph
                img.paste(fill, (int(round(cx)) + left, base + top), mask)
            cx += char_advance(ch, size)
