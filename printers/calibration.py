"""Media calibration in each printer language: the bytes that make a printer measure its labels,
and the parsers that read back what it measured. Used through one printer connection (the
caller's); this module only builds and parses bytes.

Why: a thermal printer finds the start of each label with a sensor - a gap between die-cut
labels (a see-through sensor), a black mark on the back (a reflective sensor), or nothing on
continuous paper. Loaded with a new roll, or with a sensor set for the wrong media, it prints
across the gap or feeds blank labels. Calibration makes it feed a few labels, set the sensor's
threshold and measure the label and gap length, which it then keeps.

TSPL (TSC TSPL/TSPL2 Programming Manual):
  ``SIZE m mm,n mm``        label width and length.
  ``GAP m mm,n mm``         gap between labels and its offset; ``GAP 0,0`` is continuous paper.
  ``BLINE m mm,n mm``       black mark height and its offset.
  ``GAPDETECT [x,y]``       feed the paper through the gap sensor to find the paper length and
                            gap size (``x``, ``y`` in dots to state them instead); the printer
                            keeps what it found as its SIZE length and GAP.
  ``BLINEDETECT [x,y]``     the same with the black-mark sensor.
  ``AUTODETECT [x,y]``      gap or black mark, whichever the sensor finds (TSPL2 models).
  Reading back: ``OUT`` sends text to the host; ``GETSETTING$("CONFIG","TSPL","PAPER SIZE")``,
  ``"GAP SIZE"`` and ``"BLINE SIZE"`` are the printer's current values. One OUT line asks for
  all three between markers of ours (``SGCAL;...;END``) so the answer is recognised whatever
  else is on the line. A value is a number with a unit; a bare number is read in inches, as TSPL
  reads a bare number in SIZE and GAP. A printer that cannot find a gap stops with an error
  (``ESC !?`` reports it: out of paper on the models we know).

ZPL II (Zebra ZPL Programming Guide):
  ``^MNa``  media tracking: ``N`` continuous, ``Y`` (or ``W``) web sensing - gaps between
            die-cut labels, ``M`` a black mark; ``^LLn`` label length in dots (what continuous
            media prints; gap and mark media measure it); ``^PWn`` print width in dots;
            ``^JUS`` saves the settings so they survive a power cycle.
  ``~JC``   media calibration: feeds labels to set the sensors and measure the label length
            (on continuous media only the sensors are set).
  Reading back: ``~HS`` string 1 field 4 (``dddd``) is the label length in dots; ``~HQES``
            reports a fault (media out when no gap or mark was found) and the "calibrate media"
            warning.

ESC/POS has no media calibration command (receipt printers feed continuous paper), so
``calibration_bytes`` refuses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from printers.errors import PrinterError
from printers.scene import mm_to_dots

SENSORS = ("gap", "bline", "auto", "continuous")


class CalibrationError(PrinterError):
    """Calibration asked of a printer language that has none, or with sizes it cannot take."""


@dataclass(frozen=True)
class Media:
    """The labels loaded, as the clerk states them: ``sensor`` is how the printer finds a label
    ("gap" die-cut labels, "bline" a black mark, "auto" either, "continuous" none); the width
    and length in mm (the length is measured on gap and mark media); ``gap_mm`` the gap (or
    mark) the printer should expect before it has measured."""

    sensor: str = "gap"
    width_mm: float = 100.0
    length_mm: float = 150.0
    gap_mm: float = 2.0

    def check(self) -> None:
        if self.sensor not in SENSORS:
            raise CalibrationError(f"unknown media sensor {self.sensor!r}", f"use one of {', '.join(SENSORS)}")
        if not 10 <= self.width_mm <= 300 or not 10 <= self.length_mm <= 1000:
            raise CalibrationError(f"a {self.width_mm:g} x {self.length_mm:g} mm label is not a label size",
                                   "give the width and length of one label in millimetres (10 to 1000)")
        if not 0 <= self.gap_mm <= 30:
            raise CalibrationError(f"a {self.gap_mm:g} mm gap is not a gap between labels",
                                   "give the gap in millimetres (usually 2 or 3)")


def _mm(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


CRLF = b"\r\n"


# -- TSPL ---------------------------------------------------------------------------------------
TSPL_READBACK = (b'OUT "SGCAL;PAPER="+GETSETTING$("CONFIG","TSPL","PAPER SIZE")+";GAP="'
                 b'+GETSETTING$("CONFIG","TSPL","GAP SIZE")+";BLINE="+GETSETTING$("CONFIG","TSPL","BLINE SIZE")'
                 b'+";END"\r\n')


def tspl_calibration(media: Media) -> bytes:
    """The settings and the detect command: the width always (no sensor measures it), the
    length and gap as expected (the detect command replaces them with what it measures)."""
    media.check()
    lines = [f"SIZE {_mm(media.width_mm)} mm,{_mm(media.length_mm)} mm"]
    if media.sensor == "continuous":
        lines.append("GAP 0,0")  # continuous paper: no gap to find, nothing to detect
    elif media.sensor == "bline":
        lines += [f"BLINE {_mm(media.gap_mm)} mm,0 mm", "BLINEDETECT"]
    elif media.sensor == "auto":
        lines.append("AUTODETECT")
    else:
        lines += [f"GAP {_mm(media.gap_mm)} mm,0 mm", "GAPDETECT"]
    return b"".join(line.encode("ascii") + CRLF for line in lines)


_TSPL_ANSWER = re.compile(rb"SGCAL;PAPER=([^;\r\n]*);GAP=([^;\r\n]*);BLINE=([^;\r\n]*);END")
_LENGTH = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(mm|inch|in|\"|dots?)?\s*(?:,.*)?$", re.I)


def length_mm(text: str, dpi: int) -> float | None:
    """A TSPL length as the printer writes it ("150.0 mm", "6.00 inch", "1218 dot", "6") in mm;
    None when it is not a length. A bare number is inches, as TSPL reads one."""
    m = _LENGTH.match(text or "")
    if m is None:
        return None
    value, unit = float(m.group(1)), (m.group(2) or "inch").lower()
    if unit == "mm":
        return round(value, 1)
    if unit.startswith("dot"):
        return round(value * 25.4 / dpi, 1)
    return round(value * 25.4, 1)


def parse_tspl_readback(raw: bytes, dpi: int) -> dict | None:
    """{"length_mm", "gap_mm", "bline_mm"} from the OUT answer (a value None when the printer
    wrote something that is not a length); None when no answer is in ``raw``."""
    m = _TSPL_ANSWER.search(raw or b"")
    if m is None:
        return None
    paper, gap, bline = (g.decode("ascii", "replace") for g in m.groups())
    return {"length_mm": length_mm(paper, dpi), "gap_mm": length_mm(gap, dpi), "bline_mm": length_mm(bline, dpi)}


def tspl_answer(length: float, gap: float, bline: float) -> bytes:
    """What a TSPL printer writes for TSPL_READBACK (lengths in mm), for the simulated printer."""
    return b"SGCAL;PAPER=%s mm;GAP=%s mm;BLINE=%s mm;END\r\n" % (
        _mm(length).encode(), _mm(gap).encode(), _mm(bline).encode())


# -- ZPL ----------------------------------------------------------------------------------------
ZPL_TRACKING = {"gap": "Y", "bline": "M", "auto": "A", "continuous": "N"}


def zpl_setup(media: Media, dpi: int) -> bytes:
    """The media settings as a format of their own, saved (``^JUS``): it prints nothing."""
    media.check()
    return (f"^XA^MN{ZPL_TRACKING[media.sensor]}^PW{mm_to_dots(media.width_mm, dpi)}"
            f"^LL{mm_to_dots(media.length_mm, dpi)}^JUS^XZ\n").encode("ascii")


def zpl_calibration(media: Media, dpi: int) -> bytes:
    """The settings, then ``~JC`` (on continuous media the length is ^LL: nothing to measure)."""
    setup = zpl_setup(media, dpi)
    return setup if media.sensor == "continuous" else setup + b"~JC\n"


def zpl_label_length_dots(hs: bytes) -> int | None:
    """The label length (dots) in a ~HS reply's first string (``aaa,b,c,dddd,...``)."""
    strings = re.findall(rb"\x02([^\x02\x03]*)\x03", hs or b"")
    if not strings:
        return None
    fields = strings[0].split(b",")
    if len(fields) < 4 or not re.fullmatch(rb"\d{1,5}", fields[3].strip()):
        return None
    return int(fields[3])


# -- any language -------------------------------------------------------------------------------
def calibration_bytes(language: str, media: Media, dpi: int) -> bytes:
    language = (language or "").lower()
    if language == "tspl":
        return tspl_calibration(media)
    if language == "zpl":
        return zpl_calibration(media, dpi)
    raise CalibrationError(f"{language or 'this'} printers have no media calibration command",
                           "receipt printers feed continuous paper; nothing needs calibrating")


def can_calibrate(language: str) -> bool:
    return (language or "").lower() in ("tspl", "zpl")


__all__ = ["CalibrationError", "Media", "SENSORS", "TSPL_READBACK", "calibration_bytes", "can_calibrate",
           "length_mm", "parse_tspl_readback", "tspl_answer", "tspl_calibration", "zpl_calibration",
           "zpl_label_length_dots", "zpl_setup"]
