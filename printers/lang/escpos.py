"""ESC/POS in page mode, so an 80 mm receipt printer can print a label with things side by
side (72 mm / 576 dots wide).

Page mode places each object with its bottom edge on the vertical position (``GS $``) and its
left edge on the horizontal one (``ESC $``), both in dots (``GS P`` sets 203 units per inch).
Code128 is ``GS k 73`` with ``{B``/``{C``, its human-readable line printed by Sigilo under
the bars; QR is ``GS ( k`` (functions 165, 167, 169, 180, 181). Text uses the resident font
(GB18030 on China models) where the profile says the glyphs exist, else ``GS v 0`` bitmaps
(1 = black). ESC/POS has no line or box command on most printers, so rules are small solid
bitmaps. Every ``GS v 0`` is cut into bands of at most ``raster_chunk_bytes``: one long
raster command overflows some printers' buffers, and python-escpos's ``GS ( L`` images wrap
their 16-bit length past 65,535 bytes. Text bytes never include control codes: a line with
one goes as a bitmap.
"""

from __future__ import annotations

from dataclasses import replace

from printers.lang.bitmap import Bitmap, knockout, solid
from printers.lang.code128 import escpos_code128, escpos_code128_modules
from printers.lang.geometry import (
    barcode_caption,
    barcode_geometry,
    box_rect,
    box_sides,
    image_bitmap,
    line_rect,
    qr_geometry,
)
from printers.lang.options import EncodeOptions
from printers.lang.storage import PrinterMemory
from printers.lang.textplan import BitmapText, plan_text
from printers.profiles import PrinterProfile
from printers.scene import (
    Barcode128,
    Box,
    Image,
    Line,
    QRCode,
    Scene,
    Text,
    dots_to_mm,
    mm_to_dots,
)

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
_EC = {"L": 48, "M": 49, "Q": 50, "H": 51}


def _u16(n: int) -> bytes:
    return bytes((n & 0xFF, (n >> 8) & 0xFF))


def at(x: int, y_bottom: int) -> bytes:
    """ESC $ (absolute x) and GS $ (absolute y in page mode)."""
    return ESC + b"$" + _u16(max(0, x)) + GS + b"$" + _u16(max(0, y_bottom))


def raster(x: int, y: int, bitmap: Bitmap, chunk_bytes: int) -> bytes:
    """``GS v 0`` bands of at most ``chunk_bytes`` each, top to bottom."""
    rows_per_band = max(1, chunk_bytes // max(1, bitmap.bytes_per_row))
    out = bytearray()
    for first in range(0, bitmap.height, rows_per_band):
        rows = min(rows_per_band, bitmap.height - first)
        band = bitmap.band(first, rows)
        out += at(x, y + first + rows)
        out += GS + b"v0\x00" + _u16(band.bytes_per_row) + _u16(rows) + band.packed(one_is_black=True)
    return bytes(out)


def qr_commands(payload: bytes, module: int, ec: str) -> bytes:
    store = b"1P0" + payload
    return (
        GS + b"(k" + _u16(4) + b"1A2\x00"  # fn 165: model 2
        + GS + b"(k" + _u16(3) + b"1C" + bytes([module])  # fn 167: module size
        + GS + b"(k" + _u16(3) + b"1E" + bytes([_EC[ec]])  # fn 169: error correction
        + GS + b"(k" + _u16(len(store)) + store  # fn 180: store the data
        + GS + b"(k" + _u16(3) + b"1Q0"  # fn 181: print it
    )


def _shifted(elements: tuple, dx: float, dy: float) -> tuple:
    """The elements moved by a calibration offset: page mode has no origin shift that can go
    negative, so the offset moves every object instead (what falls off the edge is lost, as
    on any printer)."""
    if not dx and not dy:
        return elements
    out = []
    for el in elements:
        if isinstance(el, Line):
            out.append(replace(el, x1=el.x1 + dx, x2=el.x2 + dx, y1=el.y1 + dy, y2=el.y2 + dy))
        else:
            out.append(replace(el, x=el.x + dx, y=el.y + dy))
    return tuple(out)


class EscposEncoder:
    def __init__(self, profile: PrinterProfile, memory: PrinterMemory | None = None) -> None:
        self.profile = profile  # page-mode ESC/POS has no stored graphics worth using here
        self.chunk = profile.raster_chunk_bytes

    def _text(self, el: Text) -> bytes:
        runs = plan_text(el, self.profile)
        if el.inverse:  # raster only adds ink: send the box with the glyphs left white
            box = runs[0]
            glyphs = [(r.x - box.x, r.y - box.y, r.bitmap) for r in runs[1:] if isinstance(r, BitmapText)]
            return raster(box.x, box.y, knockout(box.w, box.h, glyphs), self.chunk)
        out = bytearray()
        for run in runs:
            if isinstance(run, BitmapText):
                out += raster(run.x, run.y, run.bitmap, self.chunk)
                continue
            font_index = [f.name for f in self.profile.resident_fonts].index(run.font.name)
            m = run.multiplier - 1
            out += ESC + b"M" + bytes([font_index]) + GS + b"!" + bytes([(m << 4) | m])
            out += at(run.x, run.y + run.height) + run.font.encode(run.text)
        return bytes(out)

    def _barcode(self, el: Barcode128) -> bytes:
        dpi = self.profile.dpi
        g = barcode_geometry(el, dpi, max_module=6)
        data = escpos_code128(el.value)
        height = min(255, g.bar_height)  # GS h takes one byte: taller bars print 255 dots
        module = g.module
        out = GS + b"h" + bytes([height]) + GS + b"w" + bytes([module]) + GS + b"H\x00"
        out += at(g.x, g.y + height) + GS + b"k" + bytes([73, len(data)]) + data
        caption = barcode_caption(el, dpi, width=escpos_code128_modules(data) * module)
        if caption:
            if height < g.bar_height:  # bars cut to 255 dots: the caption follows them up
                caption = replace(caption, y=caption.y - dots_to_mm(g.bar_height - height, dpi))
            out += self._text(caption)
        return out

    def encode(self, scene: Scene, options: EncodeOptions) -> bytes:
        dpi = self.profile.dpi
        body = bytearray()
        elements = _shifted(scene.elements, options.offset_x_mm, options.offset_y_mm)
        for el in elements:
            if isinstance(el, Text):
                body += self._text(el)
            elif isinstance(el, Box):
                rect, t = box_rect(el, dpi)
                for side in box_sides(rect, t):
                    body += raster(side.x, side.y, solid(side.w, side.h), self.chunk)
            elif isinstance(el, Line):
                r = line_rect(el, dpi)
                body += raster(r.x, r.y, solid(r.w, r.h), self.chunk)
            elif isinstance(el, Barcode128):
                body += self._barcode(el)
            elif isinstance(el, QRCode):
                g = qr_geometry(el, dpi, max_module=16)
                body += at(g.x, g.y + g.side) + qr_commands(el.payload.encode("utf-8"), g.module, el.ec)
            elif isinstance(el, Image):
                placed = image_bitmap(el, dpi)
                if placed:
                    body += raster(*placed, self.chunk)
        ox, oy = mm_to_dots(options.offset_x_mm, dpi), mm_to_dots(options.offset_y_mm, dpi)
        width = min(self.profile.print_width_dots, mm_to_dots(scene.width_mm, dpi) + max(0, ox))
        height = mm_to_dots(scene.height_mm, dpi) + max(0, oy)
        head = bytearray(ESC + b"@")
        if options.darkness is not None:
            head += GS + b"(K" + _u16(2) + b"1" + bytes([options.darkness & 0xFF])
        if options.speed is not None:
            head += GS + b"(K" + _u16(2) + b"2" + bytes([options.speed])
        cjk = any(f.coverage in ("gb2312", "gb18030") for f in self.profile.resident_fonts)
        head += FS + (b"&" if cjk else b".")
        head += GS + b"P" + bytes([dpi if dpi < 256 else 0, dpi if dpi < 256 else 0])
        page = (
            ESC + b"L" + ESC + b"T\x00"
            + ESC + b"W" + _u16(0) + _u16(0) + _u16(width) + _u16(height)
            + bytes(body) + b"\x0c" + GS + b"V" + bytes([66, 0])
        )
        return bytes(head) + page * options.copies
