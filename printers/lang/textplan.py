"""Deciding, line by line, whether a printer-resident font or a bitmap carries the text.

Lines come from printers.textlayout, so every output breaks text where the preview does. A
line goes to a resident font only when the profile says that font has every one of its
glyphs and a size of it fits the line; anything else (a character the font lacks, control
characters, white-on-black text) becomes a tight 1-bit bitmap of just the ink, so a missing
glyph is never printed as garbage and free text never reaches the printer as bytes it could
read as a command.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from printers.lang.bitmap import Bitmap, clip_origin, from_image
from printers.profiles import PrinterProfile, ResidentFont
from printers.scene import Text, mm_to_dots
from printers.textlayout import layout

# Bitmap fonts come in whole multiples of one cell, so the printed size can only approach
# the layout's; these bound how far from it a resident size may be before a bitmap is used.
_MIN_RATIO = 0.6
_MAX_RATIO = 1.35


@dataclass(frozen=True)
class NativeText:
    x: int
    y: int
    text: str
    font: ResidentFont
    height: int  # dots
    multiplier: int  # bitmap fonts; 1 for scalable ones
    width: int  # estimated advance in dots (layout width for scalable fonts)
    align: str
    box_x: int
    box_w: int
    partial: bool = False  # one run of a line whose other characters go as bitmaps


@dataclass(frozen=True)
class BitmapText:
    x: int  # top-left of the ink
    y: int
    bitmap: Bitmap
    text: str  # what it shows; never sent to a printer


@dataclass(frozen=True)
class InverseBox:
    """The black box of white-on-black text (the element's whole box, as the preview draws
    it); the text runs that follow are knocked out of it in white."""

    x: int
    y: int
    w: int
    h: int


def is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _cell_width(font: ResidentFont, text: str, multiplier: int) -> int:
    return sum((font.cell[0] if is_wide(ch) else font.narrow_cell[0]) for ch in text) * multiplier


def _pick_size(font: ResidentFont, text: str, size: int, max_width: int) -> tuple[int, int, int] | None:
    """(multiplier, height, width) of the font size nearest ``size`` that fits, or None."""
    best = None
    for mul in font.multipliers:
        height = font.cell[1] * mul
        if not _MIN_RATIO * size <= height <= _MAX_RATIO * size:
            continue
        width = _cell_width(font, text, mul)
        if width > max_width:
            continue
        key = (abs(height - size), height)
        if best is None or key < best[0]:
            best = (key, (mul, height, width))
    return best[1] if best else None


def native_line(profile: PrinterProfile, text: str, size: int, max_width: int) -> tuple | None:
    """(font, multiplier, height, width) of the resident font and size nearest ``size`` that
    can print ``text`` within ``max_width`` (earlier fonts in the profile win ties)."""
    if not text:
        return None
    best = None
    for order, font in enumerate(profile.resident_fonts):
        if not all(font.covers(ch) for ch in text):
            continue
        if font.scalable:
            return (font, 1, size, None)
        picked = _pick_size(font, text, size, max_width)
        if picked and (best is None or (abs(picked[1] - size), order) < best[0]):
            best = ((abs(picked[1] - size), order), (font,) + picked)
    return best[1] if best else None


@lru_cache(maxsize=2048)
def line_bitmap(text: str, size: int, bold: bool, inverse: bool = False) -> tuple[Bitmap, int, int] | None:
    """The ink of one line as (bitmap, dx, dy) from the line's top-left; None when blank."""
    from printers.render.textbitmap import text_line_bitmap

    made = text_line_bitmap(text, size, bold, inverse=inverse)
    if made.image.width == 0 or made.image.height == 0:
        return None
    return from_image(made.image), int(made.dx), int(made.dy)


def plan_text(el: Text, profile: PrinterProfile, refuse=None, native_inverse: bool = False) -> list:
    """NativeText / BitmapText runs for one Text element at the profile's dpi. ``refuse(text)``
    lets a language send a line as a bitmap when its font could draw it but the language
    cannot quote it safely. ``native_inverse`` is for languages that can reverse a region
    after drawing black text into it (TSPL ``REVERSE``): white-on-black lines may then use the
    resident font too; the InverseBox still comes first and the runs are black ink."""
    dpi = profile.dpi
    placed = layout(el, dpi)
    box_x, box_w = mm_to_dots(el.x, dpi), mm_to_dots(el.w, dpi)
    runs: list = []
    if el.inverse:
        top = mm_to_dots(el.y, dpi)
        runs.append(InverseBox(box_x, top, mm_to_dots(el.x + el.w, dpi) - box_x, mm_to_dots(el.y + el.h, dpi) - top))
    for line in placed.lines:
        if not line.text.strip():
            continue
        native = None
        if (native_inverse or not el.inverse) and not (refuse and refuse(line.text)):
            native = native_line(profile, line.text, line.size, box_w)
        if native:
            font, mul, height, width = native
            if width is None:  # scalable: the printer lays it out; place as the preview does
                x, width = line.x, line.width
            elif el.align == "center":
                x = box_x + max(0, (box_w - width) // 2)
            elif el.align == "right":
                x = box_x + max(0, box_w - width)
            else:
                x = line.x
            y = line.y + (line.size - height) // 2
            runs.append(NativeText(x, y, line.text, font, height, mul, width, el.align, box_x, box_w))
            continue
        if el.inverse and not native_inverse:
            segments = [(False, 0, len(line.text))]
        else:
            segments = _segments(profile, line.text, refuse)
        last = len(line.text.rstrip())
        for is_native, start, end in segments:
            x = line.x + _advance_to(line.text, start, line.size)
            text = line.text[start:end]
            if is_native:
                span = _advance_to(line.text, end, line.size) - _advance_to(line.text, start, line.size)
                # a run that ends the line may take the room up to the box's edge, as a whole
                # line in the resident font may (the font's cells are often wider than the layout's)
                room = box_x + box_w - x if end >= last and el.align == "left" else span + 1
                native = native_line(profile, text, line.size, max(span + 1, room))
                if native:
                    font, mul, height, width = native
                    y = line.y + (line.size - height) // 2
                    runs.append(NativeText(x, y, text, font, height, mul, width or span, "left", x, span, True))
                    continue
            made = line_bitmap(text, line.size, el.bold)
            placed_bitmap = made and clip_origin(x + made[1], line.y + made[2], made[0])
            if placed_bitmap:
                bx, by, bitmap = placed_bitmap
                runs.append(BitmapText(bx, by, bitmap, text))
    return runs


# A run of resident-font characters shorter than this is cheaper sent inside the bitmap.
MIN_NATIVE_RUN = 3


def _advance_to(text: str, index: int, size: int) -> int:
    from printers.textlayout import text_width

    return text_width(text[:index], size, False)


def _segments(profile: PrinterProfile, text: str, refuse=None) -> list[tuple[bool, int, int]]:
    """(native?, start, end) runs of one line: stretches a resident font can print (spaces
    trimmed off their ends) and, between them, stretches that go as bitmaps."""
    def ok(ch: str) -> bool:
        return any(font.covers(ch) for font in profile.resident_fonts)

    raw: list[list] = []
    for i, ch in enumerate(text):
        kind = ok(ch)
        if raw and raw[-1][0] == kind:
            raw[-1][2] = i + 1
        else:
            raw.append([kind, i, i + 1])
    out: list[list] = []
    for kind, start, end in raw:
        if kind:
            while start < end and text[start] == " ":
                start += 1
            while end > start and text[end - 1] == " ":
                end -= 1
            chunk = text[start:end]
            if len(chunk.replace(" ", "")) < MIN_NATIVE_RUN or (refuse and refuse(chunk)):
                kind = False
        if start >= end:
            continue
        if not kind and out and not out[-1][0]:
            out[-1][2] = end
        else:
            out.append([kind, start, end])
    return [tuple(seg) for seg in out]
