"""The label scene as a Pillow image: 1-bit as the printer prints it, or greyscale preview.

This is the GUI's live preview, redrawn on every keystroke, so it draws everything into one
image with Pillow primitives: no per-pixel Python loops; the QR is its cached module image
scaled by a whole number of dots with NEAREST; text layout and Code128 patterns are cached.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image as PILImage
from PIL import ImageDraw

from printers import code128, qr
from printers.errors import SceneError
from printers.render.glyphs import draw_line
from printers.scene import Barcode128, Box, Image, Line, QRCode, Scene, Text, mm_to_dots
from printers.textlayout import layout

INK, PAPER = 0, 255


def render_raster(scene: Scene, dpi: int = 203, mode: str = "1") -> PILImage.Image:
    """Draw ``scene`` at ``dpi``. mode "1": 1-bit, no anti-aliasing, what a thermal head
    prints; "L": anti-aliased greyscale for screens."""
    if mode not in ("1", "L"):
        raise SceneError(f"raster mode {mode!r} is not supported", 'use "1" (as printed) or "L" (preview)')
    scene.validate(dpi)
    size = (mm_to_dots(scene.width_mm, dpi), mm_to_dots(scene.height_mm, dpi))
    img = PILImage.new(mode, size, PAPER)
    draw = ImageDraw.Draw(img)
    for el in scene.elements:
        if isinstance(el, Text):
            _text(img, draw, el, dpi)
        elif isinstance(el, Box):
            _box(draw, el, dpi)
        elif isinstance(el, Line):
            _line(draw, el, dpi)
        elif isinstance(el, Barcode128):
            _barcode(img, draw, el, dpi)
        elif isinstance(el, QRCode):
            _qr(img, draw, el, dpi)
        elif isinstance(el, Image):
            _image(img, el, dpi)
    return img


def _rect_dots(x: float, y: float, w: float, h: float, dpi: int) -> tuple[int, int, int, int]:
    """Left, top, right, bottom (exclusive) in dots: edges rounded independently so that
    adjacent elements meet without gaps in every renderer."""
    left, top = mm_to_dots(x, dpi), mm_to_dots(y, dpi)
    return left, top, mm_to_dots(x + w, dpi), mm_to_dots(y + h, dpi)


def _fill(draw: ImageDraw.ImageDraw, left: int, top: int, right: int, bottom: int, fill: int) -> None:
    if right > left and bottom > top:
        draw.rectangle((left, top, right - 1, bottom - 1), fill=fill)


def _text(img: PILImage.Image, draw: ImageDraw.ImageDraw, el: Text, dpi: int) -> None:
    ink = INK
    if el.inverse:
        _fill(draw, *_rect_dots(el.x, el.y, el.w, el.h, dpi), INK)
        ink = PAPER
    for line in layout(el, dpi).lines:
        if line.text:
            draw_line(img, line.x, line.baseline, line.text, line.size, el.bold, ink)


def _box(draw: ImageDraw.ImageDraw, el: Box, dpi: int) -> None:
    left, top, right, bottom = _rect_dots(el.x, el.y, el.w, el.h, dpi)
    if el.fill:
        _fill(draw, left, top, right, bottom, INK)
        return
    t = max(1, mm_to_dots(el.thickness, dpi))
    _fill(draw, left, top, right, min(bottom, top + t), INK)
    _fill(draw, left, max(top, bottom - t), right, bottom, INK)
    _fill(draw, left, top, min(right, left + t), bottom, INK)
    _fill(draw, max(left, right - t), top, right, bottom, INK)


def line_rect(el: Line, dpi: int) -> tuple[int, int, int, int]:
    """The rule as a filled rectangle in dots, centred on its axis."""
    t = max(1, mm_to_dots(el.thickness, dpi))
    if el.x1 == el.x2:
        x = mm_to_dots(el.x1, dpi) - t // 2
        return x, mm_to_dots(min(el.y1, el.y2), dpi), x + t, mm_to_dots(max(el.y1, el.y2), dpi)
    y = mm_to_dots(el.y1, dpi) - t // 2
    return mm_to_dots(min(el.x1, el.x2), dpi), y, mm_to_dots(max(el.x1, el.x2), dpi), y + t


def _line(draw: ImageDraw.ImageDraw, el: Line, dpi: int) -> None:
    _fill(draw, *line_rect(el, dpi), INK)


def _barcode(img: PILImage.Image, draw: ImageDraw.ImageDraw, el: Barcode128, dpi: int) -> None:
    g = code128.geometry(el, dpi)
    for x, w in g.bars:
        _fill(draw, x, g.y, x + w, g.y + g.bar_height, INK)
    if g.text:
        from printers.textlayout import baseline_offset

        draw_line(img, g.text_x, g.text_y + baseline_offset(g.text_size), g.text, g.text_size, False, INK)


@lru_cache(maxsize=64)
def _qr_image(payload: str, ec: str, module_dots: int, mode: str) -> PILImage.Image:
    modules = qr.module_image(payload, ec)
    scaled = modules.resize((modules.width * module_dots, modules.height * module_dots), PILImage.Resampling.NEAREST)
    return scaled if mode == "1" else scaled.convert(mode)


def _qr(img: PILImage.Image, draw: ImageDraw.ImageDraw, el: QRCode, dpi: int) -> None:
    symbol = _qr_image(el.payload, el.ec, int(el.module_dots), img.mode)
    x, y = mm_to_dots(el.x, dpi), mm_to_dots(el.y, dpi)
    quiet = el.quiet_modules * int(el.module_dots)
    # the quiet zone is part of the symbol: keep it white whatever was drawn before
    _fill(draw, x - quiet, y - quiet, x + symbol.width + quiet, y + symbol.height + quiet, PAPER)
    img.paste(symbol, (x, y))


@lru_cache(maxsize=32)
def fitted_image(png: bytes, box_w: int, box_h: int) -> tuple[PILImage.Image, int, int]:
    """The picture scaled into a box of box_w x box_h dots keeping its aspect, thresholded to
    1 bit (a thermal head has no grey), with its offset to centre it in the box."""
    try:
        src = PILImage.open(io.BytesIO(png))
        src.load()
    except Exception as exc:  # Pillow raises many types for a bad file
        raise SceneError(f"the label image cannot be read: {exc}", "use a PNG or JPEG file") from exc
    if src.mode in ("RGBA", "LA", "P"):
        src = src.convert("RGBA")
        flat = PILImage.new("RGBA", src.size, (255, 255, 255, 255))
        flat.alpha_composite(src)
        src = flat
    grey = src.convert("L")
    scale = min(box_w / grey.width, box_h / grey.height)
    w, h = max(1, int(grey.width * scale)), max(1, int(grey.height * scale))
    fitted = grey.resize((w, h), PILImage.Resampling.LANCZOS)
    mono = fitted.point(lambda v: PAPER if v >= 128 else INK, mode="1")
    return mono, (box_w - w) // 2, (box_h - h) // 2


def _image(img: PILImage.Image, el: Image, dpi: int) -> None:
    if not el.png:
        return
    left, top, right, bottom = _rect_dots(el.x, el.y, el.w, el.h, dpi)
    mono, dx, dy = fitted_image(el.png, right - left, bottom - top)
    img.paste(mono if img.mode == "1" else mono.convert(img.mode), (left + dx, top + dy))
