"""ZPL II (Zebra): boxes, rules, Code128 and QR as native commands; text in a resident or
downloaded font (``^CI28`` UTF-8) where the profile says the glyphs exist, else ``^GF`` Z64
bitmaps of just the ink. White-on-black text is a black box and then its text, font or
bitmap, with ``^FR`` (field reverse), so a resident font serves it too.

Free text always goes through ``^FH`` with ``_hex`` escapes for ``^``, ``~``, ``_`` and control
characters, so text such as ``^FS^XZ^XA`` prints literally and never ends the label.
Real printers draw ``^BQ`` lower by the current ``^BY`` bar height (a ZD621 by height - 1
dots); the QR is preceded by a ``^BY`` of height 1 and its ``^FO`` raised by what remains, so
the symbol lands where the scene puts it on those printers and on ones without the shift.
"""

from __future__ import annotations

from printers.lang.bitmap import Bitmap, merge, z64
from printers.lang.geometry import (
    Rect,
    barcode_caption,
    barcode_geometry,
    box_rect,
    image_bitmap,
    line_rect,
    qr_geometry,
)
from printers.lang.options import EncodeOptions
from printers.lang.storage import PrinterMemory
from printers.lang.textplan import BitmapText, InverseBox, NativeText, plan_text
from printers.profiles import PrinterProfile
from printers.scene import Barcode128, Box, Image, Line, QRCode, Scene, Text, mm_to_dots

# ^BY's bar height set before each ^BQ, and the shift it causes on printers that have it.
QR_BY_HEIGHT = 1
QR_SHIFT = QR_BY_HEIGHT - 1
_FH_SPECIAL = set("^~_")
PARTIAL_WIDTH = 0.9


def field_data(text: str) -> str:
    """``^FD...`` for any text: ``^ ~ _`` and control characters as ``_XX`` escapes under
    ``^FH`` (only when there is one to make); other characters as UTF-8 (``^CI28``), whose
    multi-byte sequences never contain ``^`` or ``~`` and cost a third of their ``_XX`` form."""
    out = []
    escaped = False
    for ch in text:
        if ch in _FH_SPECIAL or ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0:
            out.append("".join(f"_{b:02X}" for b in ch.encode("utf-8")))
            escaped = True
        else:
            out.append(ch)
    return ("^FH_^FD" if escaped else "^FD") + "".join(out)


def _rect(r: Rect, t: int | None = None) -> str:
    t = min(r.w, r.h) if t is None else t
    return f"^FO{r.x},{r.y}^GB{max(r.w, t)},{max(r.h, t)},{t},B,0^FS"


class ZplEncoder:
    def __init__(self, profile: PrinterProfile, memory: PrinterMemory | None = None) -> None:
        self.profile = profile
        self.memory = memory

    def _bitmap(self, x: int, y: int, bitmap: Bitmap, downloads: list[str], reverse: bool = False) -> str:
        total = bitmap.bytes_per_row * bitmap.height
        data = z64(bitmap)
        fr = "^FR" if reverse else ""  # field reverse: the ink turns what lies under it white
        if self.memory is not None:
            action, name = self.memory.decide(bitmap.digest(), total)
            if action == "store":
                downloads.append(f"~DGR:{name}.GRF,{total},{bitmap.bytes_per_row},{data}")
            if action != "inline":
                return f"^FO{x},{y}{fr}^XGR:{name}.GRF,1,1^FS"
        return f"^FO{x},{y}{fr}^GFA,{total},{total},{bitmap.bytes_per_row},{data}^FS"

    def _text(self, el: Text, downloads: list[str]) -> list[str]:
        out = []
        bitmaps: list = []  # one element's bitmap runs go as one ^GF: Z64 packs the white between them
        fr = "^FR" if el.inverse else ""  # over the black box, field reverse prints the text white
        for run in plan_text(el, self.profile, native_inverse=True):
            if isinstance(run, InverseBox):
                out.append(_rect(Rect(run.x, run.y, run.w, run.h)))
                continue
            if isinstance(run, BitmapText):
                if el.inverse or self.memory is not None:  # stored graphics reuse whole lines
                    out.append(self._bitmap(run.x, run.y, run.bitmap, downloads, reverse=el.inverse))
                else:
                    bitmaps.append((run.x, run.y, run.bitmap))
                continue
            assert isinstance(run, NativeText)
            # a run between bitmaps must not outgrow its span: printer fonts are a little
            # wider than the layout's in places, so such runs are set 10% narrower
            w = int(run.height * PARTIAL_WIDTH) if run.partial else run.height
            font = f"^A0N,{run.height},{w}" if run.font.name == "0" else (
                f"^A{run.font.name}N,{run.height},{w}" if len(run.font.name) == 1
                else f"^A@N,{run.height},{w},{run.font.name}"
            )
            if run.font.scalable and run.align in ("center", "right"):
                just = "C" if run.align == "center" else "R"
                out.append(f"^FO{run.box_x},{run.y}{fr}{font}^FB{run.box_w},1,0,{just}{field_data(run.text)}^FS")
            else:
                out.append(f"^FO{run.x},{run.y}{fr}{font}{field_data(run.text)}^FS")
        if bitmaps:
            out.append(self._bitmap(*merge(bitmaps), downloads))
        return out

    def encode(self, scene: Scene, options: EncodeOptions) -> bytes:
        dpi = self.profile.dpi
        downloads: list[str] = []
        body: list[str] = []
        for el in scene.elements:
            if isinstance(el, Text):
                body.extend(self._text(el, downloads))
            elif isinstance(el, Box):
                rect, t = box_rect(el, dpi)
                body.append(_rect(rect, t))
            elif isinstance(el, Line):
                body.append(_rect(line_rect(el, dpi)))
            elif isinstance(el, Barcode128):
                g = barcode_geometry(el, dpi)
                body.append(f"^FO{g.x},{g.y}^BY{g.module},3,{g.bar_height}^BCN,{g.bar_height},N,N,N,A"
                            f"{field_data(el.value)}^FS")
                caption = barcode_caption(el, dpi)
                if caption:
                    body.extend(self._text(caption, downloads))
            elif isinstance(el, QRCode):
                g = qr_geometry(el, dpi)
                body.append(f"^BY{g.module},3,{QR_BY_HEIGHT}^FO{g.x},{g.y - QR_SHIFT}^BQN,2,{g.module}"
                            f"{field_data(el.ec + 'A,' + el.payload)}^FS")
            elif isinstance(el, Image):
                placed = image_bitmap(el, dpi)
                if placed:
                    body.append(self._bitmap(*placed, downloads))
        head = []
        if options.darkness is not None:
            head.append(f"~SD{options.darkness:02d}")
        head.extend(downloads)
        head.append("^XA")
        head.append("^CI28")
        head.append(f"^PW{mm_to_dots(scene.width_mm, dpi)}")
        head.append(f"^LL{mm_to_dots(scene.height_mm, dpi)}")
        ox, oy = mm_to_dots(options.offset_x_mm, dpi), mm_to_dots(options.offset_y_mm, dpi)
        if ox or oy:
            head.append(f"^LH{max(0, ox)},{max(0, oy)}")
        if ox < 0:
            head.append(f"^LS{-ox}")
        if oy < 0:
            head.append(f"^LT{oy}")
        if options.speed is not None:
            head.append(f"^PR{options.speed}")
        tail = ([f"^PQ{options.copies},0,1,N"] if options.copies > 1 else []) + ["^XZ"]
        return ("\n".join(head + body + tail) + "\n").encode("utf-8")
