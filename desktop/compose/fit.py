"""Fitting text into its box: wrap, then shrink step by step down to the region's floor
size, then refuse with an error naming the field. Never truncate: a clerk must see all of what
the label says, or be told that it does not fit."""

from __future__ import annotations

from typing import Any

from desktop.compose.errors import TextOverflowError
from printers.scene import Text, dots_to_mm
from printers.textlayout import layout

STEP = 0.92  # each try is 8% smaller


def _sizes(start: float, floor: float):
    size = start
    while size > floor + 1e-6:
        yield round(size, 3)
        size *= STEP
    yield floor


def fit_text(field: str, text: str, region: dict[str, Any], dpi: int, template: str) -> Text:
    """The largest Text of ``text`` that fits ``region`` at ``dpi``, vertically centred when the
    region asks for it (``valign: middle``; inverse boxes keep their box)."""
    size = float(region.get("size_mm", 3.0))
    floor = float(region.get("min_size_mm", size))
    base = dict(
        x=float(region["x"]), y=float(region["y"]), w=float(region["w"]), h=float(region["h"]),
        bold=bool(region.get("bold", False)), align=region.get("align", "left"),
        wrap=bool(region.get("wrap", True)), inverse=bool(region.get("inverse", False)),
        line_spacing=float(region.get("line_spacing", 1.2)), name=field,
    )
    for candidate in _sizes(size, floor):
        el = Text(text=text, size_mm=candidate, **base)
        laid = layout(el, dpi)
        if laid.fits:
            if region.get("valign") == "middle" and not el.inverse:
                spare = el.h - dots_to_mm(laid.height, dpi)
                if spare > 0.05:
                    shift = spare / 2
                    moved = Text(text=text, size_mm=candidate, **{**base, "y": base["y"] + shift, "h": base["h"] - shift})
                    if layout(moved, dpi).fits:
                        el = moved
            return el
    raise TextOverflowError(field.replace("_", ".", 1), len(text), floor, template)
