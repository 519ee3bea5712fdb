"""Scene elements in printer dots, computed one way for every printer language.

Rounding millimetres to dots in one place keeps TSPL, ZPL and ESC/POS output on the same
dots as the raster preview, so a calibration found on one printer holds on the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from printers.errors import EncodeError
from printers.lang.bitmap import Bitmap, from_image
from printers.scene import (
    Barcode128,
    Box,
    Image,
    Line,
    QRCode,
    Text,
    dots_to_mm,
    mm_to_dots,
)


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    w: int
    h: int


def thickness(mm: float, dpi: int) -> int:
    return max(1, mm_to_dots(mm, dpi))


def line_rect(el: Line, dpi: int) -> Rect:
    t = thickness(el.thickness, dpi)
    if el.x1 == el.x2:  # vertical
        y = mm_to_dots(min(el.y1, el.y2), dpi)
        length = max(1, mm_to_dots(max(el.y1, el.y2), dpi) - y)
        return Rect(mm_to_dots(el.x1, dpi) - t // 2, y, t, length)
    x = mm_to_dots(min(el.x1, el.x2), dpi)
    length = max(1, mm_to_dots(max(el.x1, el.x2), dpi) - x)
    return Rect(x, mm_to_dots(el.y1, dpi) - t // 2, length, t)


def box_rect(el: Box, dpi: int) -> tuple[Rect, int]:
    """The box's outer rectangle and its border thickness (the full short side when filled)."""
    x, y = mm_to_dots(el.x, dpi), mm_to_dots(el.y, dpi)
    w = max(1, mm_to_dots(el.x + el.w, dpi) - x)
    h = max(1, mm_to_dots(el.y + el.h, dpi) - y)
    t = min(w, h) if el.fill else min(thickness(el.thickness, dpi), w, h)
    return Rect(x, y, w, h), t


def box_sides(rect: Rect, t: int) -> list[Rect]:
    """A box as four filled rectangles, for languages that only fill rectangles."""
    if t * 2 >= rect.w or t * 2 >= rect.h:
        return [rect]
    return [
        Rect(rect.x, rect.y, rect.w, t),
        Rect(rect.x, rect.y + rect.h - t, rect.w, t),
        Rect(rect.x, rect.y + t, t, rect.h - 2 * t),
        Rect(rect.x + rect.w - t, rect.y + t, t, rect.h - 2 * t),
    ]


@dataclass(frozen=True)
class BarcodeGeometry:
    x: int
    y: int
    bar_height: int  # dots of bars; the human-readable line goes below
    module: int
    text_height: int  # em size of the human-readable line (0 when off)
    width: int  # of the whole symbol as the raster preview draws it
    text_y: int  # top of the human-readable line


def barcode_geometry(el: Barcode128, dpi: int, max_module: int = 10) -> BarcodeGeometry:
    """Bar height and caption placement from printers.code128, which the raster and PDF
    renderers use too, so the printer's own Code128 matches the preview."""
    if not el.value or not all(0x20 <= ord(ch) < 0x7F for ch in el.value):
        raise EncodeError(
            f"Code128 value {el.value!r} must be printable ASCII and not empty",
            "tracking numbers are letters, digits and simple punctuation",
        )
    if int(el.module_dots) > max_module:
        raise EncodeError(
            f"a Code128 module of {el.module_dots} dots is more than this printer language takes ({max_module})",
            f"use {max_module} dots per module or fewer",
        )
    from printers.code128 import geometry

    g = geometry(el, dpi)
    return BarcodeGeometry(g.x, g.y, g.bar_height, max(1, int(el.module_dots)), g.text_size, g.width, g.text_y)


def barcode_caption(el: Barcode128, dpi: int, width: int | None = None) -> Text | None:
    """The human-readable line under a Code128 as a Text element where the preview puts it
    (centred under the symbol), so it prints in the same place in every language rather than
    wherever each printer's own interpretation line would go."""
    if not el.human_readable:
        return None
    g = barcode_geometry(el, dpi)
    return Text(
        x=dots_to_mm(g.x, dpi), y=dots_to_mm(g.text_y, dpi), w=dots_to_mm(width or g.width, dpi),
        h=el.text_size_mm * 1.5, text=el.value, size_mm=el.text_size_mm, align="center", wrap=False,
        name="barcode caption",
    )


@dataclass(frozen=True)
class QrGeometry:
    x: int  # first module's top-left, in dots
    y: int
    module: int
    side: int  # dots, without quiet zone
    version: int


def qr_geometry(el: QRCode, dpi: int, max_module: int = 10) -> QrGeometry:
    """``max_module``: the largest dots per module the language's QR command takes."""
    from printers.qr import qr_matrix

    matrix = qr_matrix(el.payload, el.ec)
    module = max(1, int(el.module_dots))
    if module > max_module:
        raise EncodeError(
            f"a QR module of {module} dots is more than this printer language's QR command takes ({max_module})",
            f"use {max_module} dots per module or fewer",
        )
    return QrGeometry(mm_to_dots(el.x, dpi), mm_to_dots(el.y, dpi), module, matrix.size * module, matrix.version)


@lru_cache(maxsize=64)
def _image_bitmap(png: bytes, w: int, h: int) -> tuple[int, int, Bitmap] | None:
    from PIL import ImageOps

    from printers.render.raster import fitted_image

    mono, dx, dy = fitted_image(png, w, h)  # the same pixels the preview pastes
    box = ImageOps.invert(mono.convert("L")).getbbox()
    if box is None:
        return None
    return dx + box[0], dy + box[1], from_image(mono.crop(box))


def image_bitmap(el: Image, dpi: int) -> tuple[int, int, Bitmap] | None:
    """A logo scaled into its box (aspect kept, centred), cropped to its ink, or None."""
    if not el.png:
        return None
    x, y = mm_to_dots(el.x, dpi), mm_to_dots(el.y, dpi)
    w, h = mm_to_dots(el.x + el.w, dpi) - x, mm_to_dots(el.y + el.h, dpi) - y
    made = _image_bitmap(el.png, max(1, w), max(1, h))
    if made is None:
        return None
    dx, dy, bitmap = made
    return x + dx, y + dy, bitmap
