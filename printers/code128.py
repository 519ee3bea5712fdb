"""Code128 symbols as module patterns and their placement in a Barcode128 box.

One geometry for every output: the raster and PDF renderers draw the same bars at the same
whole-dot positions, and the human-readable line below uses the shared text layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from printers.errors import SceneError
from printers.scene import Barcode128, mm_to_dots

QUIET_MODULES = 10  # the symbology's minimum quiet zone either side


@lru_cache(maxsize=1024)
def modules(value: str) -> str:
    """The module pattern ("1" = bar) including start, check and stop characters."""
    from barcode.codex import Code128
    from barcode.errors import BarcodeError

    if not value:
        raise SceneError("an empty Code128 value cannot be printed", "give the barcode a tracking number")
    try:
        return Code128(value).build()[0]
    except (BarcodeError, ValueError, KeyError) as exc:
        raise SceneError(f"{value!r} cannot be encoded as Code128: {exc}",
                         "use printable ASCII characters in barcode values") from exc


def bar_runs(pattern: str) -> tuple:
    """(first module, length) of each bar."""
    runs = []
    i, n = 0, len(pattern)
    while i < n:
        if pattern[i] == "1":
            start = i
            while i < n and pattern[i] == "1":
                i += 1
            runs.append((start, i - start))
        else:
            i += 1
    return tuple(runs)


@dataclass(frozen=True)
class BarcodeGeometry:
    """Dots from the label's top-left corner."""

    x: int
    y: int
    bars: tuple  # (x, width) of each bar, in dots
    width: int  # of the whole symbol
    bar_height: int
    text: str  # human-readable line ("" when off)
    text_size: int  # em size of the human-readable line
    text_x: int
    text_y: int  # top of the human-readable line


@lru_cache(maxsize=128)
def geometry(el: Barcode128, dpi: int) -> BarcodeGeometry:
    from printers.textlayout import text_width

    pattern = modules(el.value)
    m = max(1, int(el.module_dots))
    x, y = mm_to_dots(el.x, dpi), mm_to_dots(el.y, dpi)
    h = mm_to_dots(el.h, dpi)
    bars = tuple((x + start * m, length * m) for start, length in bar_runs(pattern))
    width = len(pattern) * m
    text, size, text_x, text_y = "", 0, x, y + h
    bar_height = h
    if el.human_readable:
        size = max(1, mm_to_dots(el.text_size_mm, dpi))
        gap = max(1, size // 6)
        bar_height = h - size - gap
        text = el.value
        text_x = x + max(0, (width - text_width(text, size)) // 2)
        text_y = y + bar_height + gap
    if bar_height < 1:
        raise SceneError(f"barcode {el.value!r}: {el.h} mm leaves no room for bars under its text",
                         "make the barcode box taller or its text smaller")
    return BarcodeGeometry(x, y, bars, width, bar_height, text, size, text_x, text_y)
