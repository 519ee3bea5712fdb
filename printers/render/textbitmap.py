"""A tight 1-bit bitmap of one line of label text, for printer languages.

Printers without a resident font for the label's script get each text line as a small
bitmap (ZPL ^GF, TSPL BITMAP, ESC/POS raster) instead of a full-label raster: far fewer
bytes over a serial line. The bitmap is cropped to the ink so no blank dots are sent, and
carries its offset from the line's top-left corner as placed by printers.textlayout, so the
encoder puts it exactly where the raster renderer draws the same line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageChops

from printers.render.glyphs import draw_line
from printers.textlayout import baseline_offset, bold_stroke, text_width


@dataclass(frozen=True)
class TextBitmap:
    """``image`` is mode "1" as it looks on paper (ink = 0, black); (dx, dy) is the offset
    of its top-left corner from the line's (x, y), in dots (may be negative: an accent
    can rise above the line's top). An ink-less line gives a 0x0 image."""

    image: Image.Image
    dx: int
    dy: int

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height


def inverse_pad(size_dots: int) -> int:
    """Black margin around the ink of an inverse (white-on-black) line."""
    return max(2, size_dots // 8)


@lru_cache(maxsize=1024)
def text_line_bitmap(text: str, size_dots: int, bold: bool, inverse: bool = False) -> TextBitmap:
    """The ink of ``text`` at em ``size_dots`` (bold synthesized by stroking), cropped tight.

    With ``inverse`` the result is white ink on a black box that extends ``inverse_pad``
    dots beyond the ink on every side (the box is what the printer prints black).
    Results are cached and shared: callers must not modify the image."""
    size = max(1, int(size_dots))
    margin = size + bold_stroke(size) * 2 + 4
    width = text_width(text, size, bold) + 2 * margin
    height = size * 2 + 2 * margin
    # Draw ink as white (255) on black so getbbox() finds it, then flip to paper polarity.
    mask = Image.new("1", (max(1, width), height), 0)
    draw_line(mask, margin, margin + baseline_offset(size), text, size, bold, 255)
    box = mask.getbbox()
    if box is None:
        return TextBitmap(Image.new("1", (0, 0), 1), 0, 0)
    if inverse:
        pad = inverse_pad(size)
        left, top, right, bottom = box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad
        # white ink on black: exactly the mask
        return TextBitmap(mask.crop((left, top, right, bottom)), left - margin, top - margin)
    ink = mask.crop(box)
    return TextBitmap(ImageChops.invert(ink), box[0] - margin, box[1] - margin)
