"""The device-independent label: elements in millimetres, origin at the top-left corner.

A scene is composed once and rendered many times (preview, raster, PDF, TSPL, ZPL, ESC/POS),
so it is immutable and validated up front: an element outside the label is an error, never
a silently clipped print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from printers.errors import SceneError

MM_PER_INCH = 25.4


def mm_to_dots(mm: float, dpi: int) -> int:
    return int(round(mm * dpi / MM_PER_INCH))


def dots_to_mm(dots: float, dpi: int) -> float:
    return dots * MM_PER_INCH / dpi


@dataclass(frozen=True)
class Text:
    """A text run laid out inside its box (x, y, w, h). ``size_mm`` is the font's em size.
    Wrapping and alignment are done by printers.textlayout, identically for every output."""

    x: float
    y: float
    w: float
    h: float
    text: str
    size_mm: float = 3.0
    bold: bool = False
    align: str = "left"  # left | center | right
    wrap: bool = True
    inverse: bool = False  # white text on a black box
    line_spacing: float = 1.2  # line pitch as a multiple of size_mm
    name: str = ""  # which field this is, for error messages

    def bounds(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.w, self.h)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    thickness: float = 0.3
    fill: bool = False

    def bounds(self):
        return (self.x, self.y, self.w, self.h)


@dataclass(frozen=True)
class Line:
    """A horizontal or vertical rule (what every printer language draws natively)."""

    x1: float
    y1: float
    x2: float
    y2: float
    thickness: float = 0.3

    def bounds(self):
        x, y = min(self.x1, self.x2), min(self.y1, self.y2)
        w, h = abs(self.x2 - self.x1), abs(self.y2 - self.y1)
        if w == 0:
            return (x - self.thickness / 2, y, self.thickness, h)
        return (x, y - self.thickness / 2, w, self.thickness)


@dataclass(frozen=True)
class Barcode128:
    """A Code128 symbol, left-aligned in its box; bars fill ``h`` less the human-readable line.
    ``module_dots`` is the narrow bar width in printer dots (whole dots, never scaled)."""

    x: float
    y: float
    w: float
    h: float
    value: str
    module_dots: int = 2
    human_readable: bool = True
    text_size_mm: float = 2.5

    def bounds(self):
        return (self.x, self.y, self.w, self.h)


@dataclass(frozen=True)
class QRCode:
    """A QR symbol whose first module sits at (x, y). Size follows from the payload's version
    and ``module_dots`` at the printer's dpi; the 4-module quiet zone must lie on the label."""

    x: float
    y: float
    payload: str
    module_dots: int = 4
    ec: str = "M"
    quiet_modules: int = 4

    def size_mm(self, dpi: int) -> float:
        from printers.qr import qr_matrix

        return dots_to_mm(qr_matrix(self.payload, self.ec).size * self.module_dots, dpi)

    def bounds_at(self, dpi: int):
        side = self.size_mm(dpi)
        quiet = dots_to_mm(self.quiet_modules * self.module_dots, dpi)
        return (self.x - quiet, self.y - quiet, side + 2 * quiet, side + 2 * quiet)


@dataclass(frozen=True)
class Image:
    """A picture (a logo) scaled into its box and thresholded to 1 bit by each renderer."""

    x: float
    y: float
    w: float
    h: float
    png: bytes = b""

    def bounds(self):
        return (self.x, self.y, self.w, self.h)


Element = Union[Text, Box, Line, Barcode128, QRCode, Image]


@dataclass(frozen=True)
class Scene:
    width_mm: float
    height_mm: float
    elements: tuple = field(default_factory=tuple)
    name: str = ""

    def validate(self, dpi: int = 203) -> "Scene":
        """Raise SceneError for the first element that does not lie wholly on the label."""
        if self.width_mm <= 0 or self.height_mm <= 0:
            raise SceneError(f"label size {self.width_mm}x{self.height_mm} mm is not positive")
        eps = 0.01
        for index, el in enumerate(self.elements):
            _check_values(index, el)
            if isinstance(el, Line) and el.x1 != el.x2 and el.y1 != el.y2:
                raise SceneError(f"element {index}: only horizontal and vertical lines are supported")
            x, y, w, h = el.bounds_at(dpi) if isinstance(el, QRCode) else el.bounds()
            if w < 0 or h < 0:
                raise SceneError(f"element {index} ({type(el).__name__}) has a negative size")
            if x < -eps or y < -eps or x + w > self.width_mm + eps or y + h > self.height_mm + eps:
                what = getattr(el, "name", "") or type(el).__name__
                raise SceneError(
                    f"element {index} ({what}) at ({x:.1f}, {y:.1f}) size {w:.1f}x{h:.1f} mm lies "
                    f"outside the {self.width_mm}x{self.height_mm} mm label",
                    "move or shrink it in the template",
                )
            if isinstance(el, Barcode128):
                from printers.code128 import geometry

                bars = geometry(el, dpi).width
                box = mm_to_dots(el.w, dpi)
                if bars > box + 1:
                    raise SceneError(
                        f"element {index} (Code128 {el.value!r}) is {dots_to_mm(bars, dpi):.1f} mm wide at "
                        f"{dpi} dpi with {el.module_dots}-dot modules, wider than its {el.w} mm box",
                        "widen the barcode box, shorten the value or use fewer dots per module",
                    )
        return self


_ALIGN = ("left", "center", "right")


def _check_values(index: int, el) -> None:
    """Values no renderer can honour: caught here once, not by each output differently."""
    what = f"element {index} ({type(el).__name__})"
    if not isinstance(el, (Text, Box, Line, Barcode128, QRCode, Image)):
        raise SceneError(f"{what} is not a label element", "use the element types of printers.scene")
    if isinstance(el, Text):
        if el.size_mm <= 0:
            raise SceneError(f"{what} {el.name or ''} has text size {el.size_mm} mm", "use a positive size")
        if el.align not in _ALIGN:
            raise SceneError(f"{what} has alignment {el.align!r}", f"use one of {', '.join(_ALIGN)}")
        if el.line_spacing < 1:
            raise SceneError(f"{what} has line spacing {el.line_spacing}", "use 1.0 or more")
    elif (isinstance(el, Line) or (isinstance(el, Box) and not el.fill)) and el.thickness <= 0:
        raise SceneError(f"{what} has thickness {el.thickness} mm", "use a positive thickness")
    elif isinstance(el, Barcode128) and (int(el.module_dots) != el.module_dots or el.module_dots < 1):
        raise SceneError(f"{what} has {el.module_dots} dots per module", "use a whole number of dots, 1 or more")
    elif isinstance(el, QRCode):
        if int(el.module_dots) != el.module_dots or el.module_dots < 1:
            raise SceneError(f"{what} has {el.module_dots} dots per module",
                             "use a whole number of dots, 1 or more (never scale a QR)")
        if el.ec not in ("L", "M", "Q", "H"):
            raise SceneError(f"{what} has error correction {el.ec!r}", "use L, M, Q or H")
        if not el.payload:
            raise SceneError(f"{what} has an empty payload", "give the QR code its text")
