"""TSPL (TSC, Xprinter, Gprinter, HPRT — most China waybill printers).

Boxes, rules, Code128 and QR are native commands; text uses a resident font (``TSS24.BF2``
with GB18030 bytes on China models) where the profile says the glyphs exist, else a
``BITMAP`` of just the ink. TSPL's ``BITMAP`` prints a 0 bit as black, the opposite of ZPL
and ESC/POS. White-on-black text is drawn black, in the resident font where it has the
glyphs, and its box then turned over with ``REVERSE`` (the manual's own way), which needs no
assumption about how a firmware combines bitmap modes. Inside a quoted string a double quote is written ``\\["]``; a line whose bytes
hold a backslash (which could start another ``\\[..]`` escape, even as the second byte of a
GB18030 character) goes as a bitmap, so free text cannot end its string; so does a QR whose
payload holds control characters (a CR LF inside the string would end the command).
Commands end with CR LF.
"""

from __future__ import annotations

import io

from printers.lang.bitmap import Bitmap, from_image, split_ink
from printers.lang.geometry import (
    barcode_caption,
    barcode_geometry,
    box_rect,
    image_bitmap,
    line_rect,
    qr_geometry,
)
from printers.lang.options import EncodeOptions
from printers.lang.storage import PrinterMemory
from printers.lang.textplan import BitmapText, InverseBox, plan_text
from printers.profiles import PrinterProfile
from printers.scene import Barcode128, Box, Image, Line, QRCode, Scene, Text, mm_to_dots

CRLF = b"\r\n"
# "BITMAP x,y,w,h,0," and CR LF: what a bitmap costs beyond its data, so a line's ink is
# split at blank columns only where the white left out is worth more
BITMAP_OVERHEAD = 26
# A stored bitmap costs a BMP file header and a DOWNLOAD line once and a PUTBMP line each
# time: below this many bytes of rows it is cheaper inline every time
MIN_STORED_BYTES = 32


def quote(raw: bytes) -> bytes:
    """A TSPL string literal of already-encoded bytes."""
    return b'"' + raw.replace(b'"', b'\\["]') + b'"'


def _fmt(number: float) -> str:
    return f"{number:g}"


def bmp_file(bitmap: Bitmap) -> bytes:
    """A 1-bit Windows BMP (black ink, white ground) for DOWNLOAD / PUTBMP."""
    from PIL import Image as PILImage

    picture = PILImage.frombytes("1", (bitmap.width, bitmap.height), bitmap.packed(one_is_black=False))
    out = io.BytesIO()
    picture.save(out, format="BMP")
    return out.getvalue()


def qr_bitmap(el: QRCode, module: int) -> Bitmap:
    """The QR as dots, for a payload no TSPL string can carry."""
    from PIL import Image as PILImage

    from printers.qr import module_image

    modules = module_image(el.payload, el.ec)
    side = modules.width * module
    return from_image(modules.resize((side, side), PILImage.Resampling.NEAREST))


def _unquotable_data(raw: bytes) -> bool:
    """A control byte could end the command line inside its string (CR LF ends every TSPL
    command), and what follows would run as commands."""
    return any(b < 0x20 or b == 0x7F for b in raw)


class TsplEncoder:
    def __init__(self, profile: PrinterProfile, memory: PrinterMemory | None = None) -> None:
        self.profile = profile
        self.memory = memory

    def _bitmap(self, x: int, y: int, bitmap: Bitmap, downloads: list[bytes], split: bool = False) -> bytes:
        """Mode 0 (overwrite): the bitmap's white clears what lies under its rectangle. With
        ``split`` (text) the ink goes as pieces cut at blank columns, so the white between
        words is never sent; with printer memory each piece is stored and recalled on its own
        (a word repeated from label to label, such as a field's caption)."""
        if split:
            return b"".join(self._bitmap(x + dx, y + dy, part, downloads)
                            for dx, dy, part in split_ink(bitmap, BITMAP_OVERHEAD))
        if self.memory is not None and bitmap.bytes_per_row * bitmap.height >= MIN_STORED_BYTES:
            action, name = self.memory.decide(bitmap.digest(), bitmap.bytes_per_row * bitmap.height)
            if action == "store":
                data = bmp_file(bitmap)
                downloads.append(b'DOWNLOAD "%s.BMP",%d,' % (name.encode(), len(data)) + data + CRLF)
            if action != "inline":
                return b'PUTBMP %d,%d,"%s.BMP"' % (x, y, name.encode()) + CRLF
        head = b"BITMAP %d,%d,%d,%d,0," % (x, y, bitmap.bytes_per_row, bitmap.height)
        return head + bitmap.packed(one_is_black=False) + CRLF

    def _unquotable(self, text: str) -> bool:
        for font in self.profile.resident_fonts:
            try:
                if b"\\" in font.encode(text):
                    return True
            except UnicodeEncodeError:
                pass  # that font cannot take it anyway
        return False

    def _text(self, el: Text, downloads: list[bytes], codepages: set) -> list[bytes]:
        out = []
        reverse = None
        for run in plan_text(el, self.profile, refuse=self._unquotable, native_inverse=True):
            if isinstance(run, InverseBox):
                reverse = run  # drawn last: black text on white, then the box reversed
                continue
            if isinstance(run, BitmapText):
                out.append(self._bitmap(run.x, run.y, run.bitmap, downloads, split=True))
                continue
            if run.font.codepage:
                codepages.add(run.font.codepage)
            raw = run.font.encode(run.text)
            out.append(b'TEXT %d,%d,"%s",0,%d,%d,' % (run.x, run.y, run.font.name.encode(), run.multiplier, run.multiplier)
                       + quote(raw) + CRLF)
        if reverse is not None:
            out.append(b"REVERSE %d,%d,%d,%d" % (reverse.x, reverse.y, reverse.w, reverse.h) + CRLF)
        return out

    def encode(self, scene: Scene, options: EncodeOptions) -> bytes:
        dpi = self.profile.dpi
        downloads: list[bytes] = []
        codepages: set = set()
        body: list[bytes] = []
        for el in scene.elements:
            if isinstance(el, Text):
                body.extend(self._text(el, downloads, codepages))
            elif isinstance(el, Box):
                rect, t = box_rect(el, dpi)
                if el.fill:
                    body.append(b"BAR %d,%d,%d,%d" % (rect.x, rect.y, rect.w, rect.h) + CRLF)
                else:
                    body.append(b"BOX %d,%d,%d,%d,%d" % (rect.x, rect.y, rect.x + rect.w, rect.y + rect.h, t) + CRLF)
            elif isinstance(el, Line):
                r = line_rect(el, dpi)
                body.append(b"BAR %d,%d,%d,%d" % (r.x, r.y, r.w, r.h) + CRLF)
            elif isinstance(el, Barcode128):
                g = barcode_geometry(el, dpi)
                body.append(b'BARCODE %d,%d,"128",%d,0,0,%d,%d,' % (g.x, g.y, g.bar_height, g.module, g.module)
                            + quote(el.value.encode("ascii")) + CRLF)
                caption = barcode_caption(el, dpi)
                if caption:
                    body.extend(self._text(caption, downloads, codepages))
            elif isinstance(el, QRCode):
                g = qr_geometry(el, dpi)
                data = el.payload.encode("utf-8")
                if _unquotable_data(data):
                    body.append(self._bitmap(g.x, g.y, qr_bitmap(el, g.module), downloads))
                else:
                    body.append(b"QRCODE %d,%d,%s,%d,A,0," % (g.x, g.y, el.ec.encode(), g.module)
                                + quote(data) + CRLF)
            elif isinstance(el, Image):
                placed = image_bitmap(el, dpi)
                if placed:
                    body.append(self._bitmap(*placed, downloads))
        head = [
            f"SIZE {_fmt(scene.width_mm)} mm,{_fmt(scene.height_mm)} mm",
            _media_line(options, self.profile.gap_mm),
            f"DIRECTION {self.profile.direction},0",
        ]
        ox, oy = mm_to_dots(options.offset_x_mm, dpi), mm_to_dots(options.offset_y_mm, dpi)
        head.append(f"REFERENCE {max(0, ox)},{max(0, oy)}")
        if ox < 0 or oy < 0:
            head.append(f"SHIFT {min(0, ox)},{min(0, oy)}")
        if options.darkness is not None:
            head.append(f"DENSITY {options.darkness}")
        if options.speed is not None:
            head.append(f"SPEED {options.speed}")
        head.extend(f"CODEPAGE {cp}" for cp in sorted(codepages))
        head.append("CLS")
        out = b"".join(downloads) + b"".join(h.encode("ascii") + CRLF for h in head)
        return out + b"".join(body) + b"PRINT %d" % options.copies + CRLF


def _media_line(options, profile_gap_mm: float) -> str:
    """GAP (die-cut labels), BLINE (black mark) or ``GAP 0,0`` (continuous), as the printer's
    media calibration found; every label states it, so a label never switches the sensor back."""
    gap = options.gap_mm if options.gap_mm is not None else profile_gap_mm
    if options.media == "bline":
        return f"BLINE {_fmt(gap)} mm,0 mm"
    if options.media == "continuous":
        return "GAP 0,0"
    return f"GAP {_fmt(gap)} mm,0 mm"
