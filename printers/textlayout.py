"""Line breaking and placement of a Text element at a given dpi.

Every renderer (raster, PDF, TSPL, ZPL, ESC/POS) places text from this one layout, so a label
breaks its lines the same way on paper as in the preview. CJK breaks between any two
characters (closing punctuation stays with the character before it); Latin breaks at spaces
(a word longer than the line is broken by character).

Widths are sums of per-character advances of the font that draws each character (the label
font or a fallback, see printers.fonts), cached per (character, size): the layout is on the
per-label hot path and the same few hundred characters recur on every label.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from printers.fonts import font_for_char, no_ink, pil_font_file, replacement_advance
from printers.scene import Text, mm_to_dots

# Baseline position inside a line, as a fraction of the em size from the line's top: puts
# the ink of CJK characters inside the em box with common label fonts, and leaves Latin
# descenders within the line pitch.
BASELINE = 0.86


@dataclass(frozen=True)
class PlacedLine:
    text: str
    x: int  # dots from the label's left edge to the line's left edge
    y: int  # dots from the label's top edge to the line's top edge
    width: int  # dots of advance
    size: int  # em size in dots
    baseline: int = 0  # dots from the label's top edge to the line's baseline
    bold: bool = False


@dataclass(frozen=True)
class TextLayout:
    lines: tuple
    fits: bool  # False when the wrapped text is taller than the box (or a line is too wide)
    height: int  # dots used


def bold_stroke(size: int) -> int:
    """Stroke width, in dots, that synthesizes bold (label CJK fonts have no bold face)."""
    return max(1, size // 24)


def baseline_offset(size: int) -> int:
    return int(round(size * BASELINE))


@lru_cache(maxsize=65536)
def char_advance(ch: str, size: int) -> float:
    """Advance of one character in dots at em ``size``, from the font that draws it."""
    font = font_for_char(ch)
    if font is None:
        return float(replacement_advance(size))
    if ch == "\t":
        return pil_font_file(font, size).getlength(" ")
    if no_ink(ch):
        return 0.0
    return pil_font_file(font, size).getlength(ch)


def _advance(text: str, size: int) -> float:
    return sum(char_advance(ch, size) for ch in text)


def _width(text: str, size: int, bold: bool) -> int:
    extra = bold_stroke(size) * 2 if bold and text else 0
    return int(round(_advance(text, size))) + extra


def text_width(text: str, size: int, bold: bool = False) -> int:
    """Dots of advance of one line of ``text`` (the width layout() reports)."""
    return _width(text, size, bold)


def _is_breakable_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


# CJK and full-width punctuation that must not begin a line (kinsoku): kept with the
# character before it.
_NO_LINE_START = frozenset("，。、；：！？）》」』】〕〉”’％…—～·,.;:!?)]}%")


def _tokens(text: str) -> list[str]:
    """Split into break units: runs of non-CJK non-space characters, single CJK characters
    (with any closing punctuation that follows), and single spaces."""
    out: list[str] = []
    buf = ""
    for ch in text:
        if ch in _NO_LINE_START and (buf or out) and not (buf == "" and out and out[-1] == " "):
            if buf:
                buf += ch
            else:
                out[-1] += ch
            continue
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
    """Lines of ``text`` no wider than ``max_width`` dots (except a single character wider
    than the line, which gets a line of its own). Spaces never start a line and are trimmed
    at its end."""
    extra = bold_stroke(size) * 2 if bold else 0
    limit = max_width - extra
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        current_w = 0.0
        for token in _tokens(paragraph):
            if token == " ":
                if current:
                    current += " "
                    current_w += char_advance(" ", size)
                continue
            token_w = _advance(token, size)
            if round(current_w + token_w) <= limit:
                current += token
                current_w += token_w
                continue
            if current:
                lines.append(current.rstrip())
                current, current_w = "", 0.0
            if round(token_w) <= limit:
                current, current_w = token, token_w
                continue
            for ch in token:  # a unit wider than the line: break it by character
                w = char_advance(ch, size)
                if current and round(current_w + w) > limit:
                    lines.append(current)
                    current, current_w = "", 0.0
                current += ch
                current_w += w
        lines.append(current.rstrip())
    return lines


@lru_cache(maxsize=512)
def _layout(el: Text, dpi: int) -> TextLayout:
    size = max(1, mm_to_dots(el.size_mm, dpi))
    box_x, box_y = mm_to_dots(el.x, dpi), mm_to_dots(el.y, dpi)
    box_w, box_h = mm_to_dots(el.w, dpi), mm_to_dots(el.h, dpi)
    texts = wrap(el.text, box_w, size, el.bold) if el.wrap else el.text.split("\n")
    pitch = max(size, int(round(size * el.line_spacing)))
    base = baseline_offset(size)
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
        y = box_y + i * pitch
        placed.append(PlacedLine(line, x, y, width, size, y + base, el.bold))
    height = (len(texts) - 1) * pitch + size if texts else 0
    if height > box_h:
        fits = False
    return TextLayout(tuple(placed), fits, height)


def layout(el: Text, dpi: int) -> TextLayout:
    """Where each line of ``el`` goes at ``dpi``. Cached per (element, dpi): a Text is
    immutable, and preview, raster and PDF of one label lay out the same elements."""
    return _layout(el, dpi)


def reset_caches() -> None:
    char_advance.cache_clear()
    _layout.cache_clear()
