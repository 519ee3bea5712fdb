"""Line breaking and placement of a Text element at a given dpi.

Every renderer (raster, PDF, TSPL, ZPL, ESC/POS) places text from this one layout, so a label
breaks its lines the same way on paper as in the preview. CJK breaks between any two
characters; Latin breaks at spaces (a word longer than the line is broken by character).
"""

from __future__ import annotations

from dataclasses import dataclass

from printers.fonts import pil_font
from printers.scene import Text, mm_to_dots


@dataclass(frozen=True)
class PlacedLine:
    text: str
    x: int  # dots from the label's left edge to the line's left edge
    y: int  # dots from the label's top edge to the line's top edge
    width: int  # dots of advance
    size: int  # em size in dots


@dataclass(frozen=True)
class TextLayout:
    lines: tuple
    fits: bool  # False when the wrapped text is taller than the box (or a line is too wide)
    height: int  # dots used


def _width(text: str, size: int, bold: bool) -> int:
    font = pil_font(size)
    extra = max(1, size // 24) * 2 if bold else 0
    return int(round(font.getlength(text))) + (extra if text else 0)


def _is_breakable_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def _tokens(text: str) -> list[str]:
    """Split into break units: runs of non-CJK non-space characters, single CJK characters,
    and single spaces."""
    out: list[str] = []
    buf = ""
    for ch in text:
        if ch == " " or _is_breakable_cjk(ch):
            if buf:
                out.append(buf)
                buf = ""
            out.append(ch)
        else:
            buf += ch
    if buf:
        out.append(buf)
    return out


def wrap(text: str, max_width: int, size: int, bold: bool = False) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for token in _tokens(paragraph):
            candidate = current + token
            if _width(candidate.rstrip(), size, bold) <= max_width or not current.strip():
                if _width(candidate.rstrip(), size, bold) > max_width and not current.strip():
                    # a single unit wider than the line: break it by character
                    for ch in token:
                        if current and _width(current + ch, size, bold) > max_width:
                            lines.append(current)
                            current = ""
                        current += ch
                    continue
                current = candidate
            else:
                lines.append(current.rstrip())
                current = token.lstrip()
        lines.append(current.rstrip())
    return lines


def layout(el: Text, dpi: int) -> TextLayout:
    size = max(1, mm_to_dots(el.size_mm, dpi))
    box_x, box_y = mm_to_dots(el.x, dpi), mm_to_dots(el.y, dpi)
    box_w, box_h = mm_to_dots(el.w, dpi), mm_to_dots(el.h, dpi)
    texts = wrap(el.text, box_w, size, el.bold) if el.wrap else el.text.split("\n")
    pitch = max(size, int(round(size * el.line_spacing)))
    placed = []
    fits = True
    for i, line in enumerate(texts):
        width = _width(line, size, el.bold)
        if width > box_w:
            fits = False
        if el.align == "center":
            x = box_x + max(0, (box_w - width) // 2)
        elif el.align == "right":
            x = box_x + max(0, box_w - width)
        else:
            x = box_x
        placed.append(PlacedLine(line, x, box_y + i * pitch, width, size))
    height = (len(texts) - 1) * pitch + size if texts else 0
    if height > box_h:
        fits = False
    return TextLayout(tuple(placed), fits, height)
