"""Drawing one laid-out line of text with Pillow, font run by font run.

Shared by the raster renderer and the text-line bitmaps of the printer languages, so a line
has the same pixels in the preview, the 1-bit raster and a ZPL/TSPL/ESC-POS bitmap. Glyph
positions are the layout's per-character advances; characters no font has are drawn as a
visible box rather than the font's blank ".notdef".
"""

from __future__ import annotations

from PIL import ImageDraw

from printers.fonts import font_runs, pil_font_file, replacement_advance
from printers.textlayout import bold_stroke, char_advance


def draw_line(draw: ImageDraw.ImageDraw, x: float, baseline: float, text: str, size: int,
              bold: bool, fill) -> None:
    """Draw ``text`` with its line's left edge at ``x`` and its baseline at ``baseline``."""
    stroke = bold_stroke(size) if bold else 0
    cx = float(x) + stroke
    for font_path, run in font_runs(text):
        if font_path is None:
            adv = replacement_advance(size)
            inset = max(1, size // 10)
            width = max(1, size // 16)
            left, right = int(round(cx)) + inset, int(round(cx + adv)) - inset
            top, bottom = int(round(baseline - size * 0.72)), int(round(baseline))
            if right > left and bottom > top:
                draw.rectangle((left, top, right - 1, bottom - 1), outline=fill, width=width)
            cx += adv
            continue
        if run.strip():
            font = pil_font_file(font_path, size)
            draw.text((int(round(cx)), int(round(baseline))), run, font=font, fill=fill, anchor="ls",
                      stroke_width=stroke, stroke_fill=fill if stroke else None)
        cx += sum(char_advance(ch, size) for ch in run)
