"""Finding fonts that can draw the label's text, at run time, on any desktop.

The label face: ``SIGILO_FONT`` (a .ttf/.ttc path), well-known files on Linux, Windows and
macOS, then fontconfig's best Chinese font. reportlab cannot use CFF-outline fonts (Noto CJK),
so every font chosen here has TrueType outlines; WenQuanYi Micro Hei (Debian
fonts-wqy-microhei) is the reference font.

Glyph coverage: a name may hold a character the label font lacks (𠮷 outside the BMP, an
emoji). Printing the font's empty ".notdef" box silently would lose part of an address, so
each character falls back to another installed TrueType font that has it, and when none
does the renderers draw a visible replacement box and ``missing_glyphs`` lets composition
warn the clerk. Coverage comes from each font's own cmap table, read once per font.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import unicodedata
from functools import lru_cache
from pathlib import Path

from printers.errors import FontNotFound

_KNOWN = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
]

# Fallback fonts tried first, in this order, before any other installed TrueType font:
# broad sans-serif coverage that looks at home next to a CJK sans.
_PREFERRED_FALLBACKS = (
    "DejaVuSans.ttf",
    "DroidSansFallbackFull.ttf",
    "DroidSansFallback.ttf",
    "NotoSans-Regular.ttf",
    "arialuni.ttf",
    "seguisym.ttf",
    "Arial Unicode.ttf",
)

_FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "C:/Windows/Fonts",
    "/System/Library/Fonts",
    "/Library/Fonts",
)

# Characters that are layout, not ink: never "missing", never worth a fallback.
_NO_INK = frozenset("\n\r\t\u200b\u200c\u200d\ufeff")


def no_ink(ch: str) -> bool:
    """Control and format characters (a pasted BEL, a zero-width joiner): drawn as nothing
    by every renderer rather than as a font's ".notdef" box."""
    return ch in _NO_INK or unicodedata.category(ch) in ("Cc", "Cf")


def _table_directory(fh, index: int = 0) -> dict[bytes, tuple[int, int]]:
    """The sfnt table directory (tag -> (offset, length)) of face ``index`` of a TTF/TTC."""
    fh.seek(0)
    head = fh.read(12)
    base = 0
    if head[:4] == b"ttcf":
        fh.seek(12 + 4 * index)
        base = int.from_bytes(fh.read(4), "big")
        fh.seek(base)
        head = fh.read(12)
    num_tables = int.from_bytes(head[4:6], "big")
    raw = fh.read(16 * num_tables)
    tables = {}
    for i in range(0, len(raw), 16):
        tag = raw[i : i + 4]
        offset, length = struct.unpack(">II", raw[i + 8 : i + 16])
        tables[tag] = (offset, length)
    return tables


def _truetype_outlines(path: Path) -> bool:
    """True when the file has 'glyf' outlines (not CFF), which reportlab can embed."""
    try:
        with open(path, "rb") as fh:
            return b"glyf" in _table_directory(fh)
    except (OSError, ValueError, struct.error):
        return False


def _parse_cmap(data: bytes) -> frozenset[int]:
    """The code points a 'cmap' table maps to a real glyph (format 12 preferred, else 4)."""
    count = int.from_bytes(data[2:4], "big")
    best4 = best12 = None
    for i in range(count):
        platform, encoding, offset = struct.unpack(">HHI", data[4 + 8 * i : 12 + 8 * i])
        fmt = int.from_bytes(data[offset : offset + 2], "big")
        unicode_table = platform == 0 or (platform == 3 and encoding in (1, 10))
        if not unicode_table:
            continue
        if fmt == 12 and best12 is None:
            best12 = offset
        elif fmt == 4 and best4 is None:
            best4 = offset
    chars: set[int] = set()
    if best12 is not None:
        n_groups = int.from_bytes(data[best12 + 12 : best12 + 16], "big")
        pos = best12 + 16
        for _ in range(n_groups):
            start, end, glyph = struct.unpack(">III", data[pos : pos + 12])
            pos += 12
            if glyph == 0:
                start += 1
            chars.update(range(start, end + 1))
        return frozenset(chars)
    if best4 is not None:
        seg_x2 = int.from_bytes(data[best4 + 6 : best4 + 8], "big")
        segs = seg_x2 // 2
        ends_at = best4 + 14
        starts_at = ends_at + seg_x2 + 2
        deltas_at = starts_at + seg_x2
        ranges_at = deltas_at + seg_x2
        ends = struct.unpack(f">{segs}H", data[ends_at : ends_at + seg_x2])
        starts = struct.unpack(f">{segs}H", data[starts_at : starts_at + seg_x2])
        deltas = struct.unpack(f">{segs}h", data[deltas_at : deltas_at + seg_x2])
        range_offsets = struct.unpack(f">{segs}H", data[ranges_at : ranges_at + seg_x2])
        for s in range(segs):
            start, end = starts[s], ends[s]
            if start == 0xFFFF:
                continue
            if range_offsets[s] == 0:
                chars.update(c for c in range(start, end + 1) if (c + deltas[s]) & 0xFFFF)
                continue
            for c in range(start, end + 1):
                at = ranges_at + 2 * s + range_offsets[s] + 2 * (c - start)
                glyph = int.from_bytes(data[at : at + 2], "big")
                if glyph and (glyph + deltas[s]) & 0xFFFF:
                    chars.add(c)
    return frozenset(chars)


@lru_cache(maxsize=None)
def font_charset(path: Path) -> frozenset[int]:
    """Code points the font (face 0) can draw; empty when the file cannot be read."""
    try:
        with open(path, "rb") as fh:
            tables = _table_directory(fh)
            if b"cmap" not in tables:
                return frozenset()
            offset, length = tables[b"cmap"]
            fh.seek(offset)
            return _parse_cmap(fh.read(length))
    except (OSError, ValueError, struct.error):
        return frozenset()


def _fontconfig_candidates() -> list[Path]:
    if not shutil.which("fc-match"):
        return []
    try:
        out = subprocess.run(
            ["fc-match", "-s", "--format=%{file}\n", ":lang=zh-cn"],
            capture_output=True, text=True, timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [Path(p) for p in out.splitlines()[:30] if p.strip()]


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """The TrueType file used for label text (Latin and CJK alike)."""
    env = os.environ.get("SIGILO_FONT")
    if env:
        path = Path(env)
        if not path.is_file():
            raise FontNotFound(f"SIGILO_FONT points to {path}, which does not exist",
                               "set SIGILO_FONT to an existing .ttf/.ttc file, or unset it")
        if not _truetype_outlines(path):
            raise FontNotFound(f"SIGILO_FONT points to {path}, which has no TrueType outlines "
                               "(PDF labels cannot embed CFF/OpenType-PostScript fonts such as Noto CJK)",
                               "use a TrueType font such as WenQuanYi Micro Hei (fonts-wqy-microhei)")
        return path
    for candidate in [Path(p) for p in _KNOWN] + _fontconfig_candidates():
        if candidate.is_file() and candidate.suffix.lower() in (".ttf", ".ttc") and _truetype_outlines(candidate):
            return candidate
    raise FontNotFound(
        "no Chinese-capable TrueType font was found for label text",
        "install one (Debian/Ubuntu: apt install fonts-wqy-microhei) or set SIGILO_FONT to a .ttf/.ttc file",
    )


def _installed_font_files() -> list[Path]:
    files: list[Path] = []
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", "--format=%{file}\n"], capture_output=True,
                                 text=True, timeout=10).stdout
            files = [Path(p) for p in out.splitlines() if p.strip()]
        except (OSError, subprocess.SubprocessError):
            files = []
    if not files:
        for folder in _FONT_DIRS:
            root = Path(folder).expanduser()
            if root.is_dir():
                files.extend(p for p in root.rglob("*") if p.suffix.lower() in (".ttf", ".ttc"))
    return files


@lru_cache(maxsize=1)
def fallback_font_paths() -> tuple[Path, ...]:
    """Installed TrueType-outline fonts other than the label font, preferred ones first.
    Only TrueType outlines, so that raster and PDF fall back to the same font."""
    main = cjk_font_path()
    seen = {main.resolve()}
    ranked: list[tuple[int, str, Path]] = []
    for path in _installed_font_files():
        if path.suffix.lower() not in (".ttf", ".ttc"):
            continue
        try:
            real = path.resolve()
        except OSError:
            continue
        if real in seen or not real.is_file():
            continue
        seen.add(real)
        name = real.name
        rank = _PREFERRED_FALLBACKS.index(name) if name in _PREFERRED_FALLBACKS else len(_PREFERRED_FALLBACKS)
        # Bold/italic/mono faces only as a last resort: they look wrong in a sans line.
        if any(word in name for word in ("Bold", "Italic", "Oblique", "Mono", "Serif")):
            rank += 100
        ranked.append((rank, str(real), real))
    ranked.sort()
    return tuple(p for _, _, p in ranked if _truetype_outlines(p))


@lru_cache(maxsize=8192)
def font_for_char(ch: str) -> Path | None:
    """The font that draws ``ch``: the label font when it can, else the first fallback that
    has the glyph, else None (the renderers draw a replacement box)."""
    code = ord(ch)
    main = cjk_font_path()
    if no_ink(ch) or code in font_charset(main):
        return main
    for path in fallback_font_paths():
        if code in font_charset(path):
            return path
    return None


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that no installed font can draw (each once, in order), which
    the label will show as a replacement box: composition warns the clerk about these."""
    out: list[str] = []
    for ch in dict.fromkeys(text):
        if not no_ink(ch) and font_for_char(ch) is None:
            out.append(ch)
    return out


def font_runs(text: str) -> list[tuple[Path | None, str]]:
    """``text`` cut into runs drawn with one font each; a None font marks characters no font
    has, one character per run, so each gets its own replacement box."""
    runs: list[tuple[Path | None, str]] = []
    current: Path | None = None
    buf: list[str] = []
    for ch in text:
        font = font_for_char(ch)
        if font is None:
            if buf:
                runs.append((current, "".join(buf)))
                buf = []
            runs.append((None, ch))
            current = None
            continue
        if font != current and buf:
            runs.append((current, "".join(buf)))
            buf = []
        current = font
        buf.append(ch)
    if buf:
        runs.append((current, "".join(buf)))
    return runs


def replacement_advance(size: int) -> int:
    """Advance, in dots, of the box drawn for a character no font has."""
    return max(2, int(round(size * 0.7)))


@lru_cache(maxsize=256)
def pil_font_file(path: Path, size_px: int):
    """A Pillow font of ``path`` at ``size_px`` pixels (em size). BASIC layout: glyph advances
    add up exactly (no kerning), so every renderer places glyphs at the same positions."""
    from PIL import ImageFont

    return ImageFont.truetype(str(path), max(1, int(size_px)), index=0,
                              layout_engine=ImageFont.Layout.BASIC)


def pil_font(size_px: int):
    """A Pillow font of the label face at ``size_px`` pixels (em size)."""
    return pil_font_file(cjk_font_path(), size_px)


def reset_caches() -> None:
    """Forget every font decision (after SIGILO_FONT or installed fonts change)."""
    for fn in (cjk_font_path, fallback_font_paths, font_for_char, font_charset, pil_font_file):
        fn.cache_clear()
    # everything measured or drawn with the old fonts
    from printers import code128, textlayout
    from printers.render import glyphs, textbitmap

    textlayout.reset_caches()
    code128.geometry.cache_clear()
    glyphs._glyph.cache_clear()
    textbitmap.text_line_bitmap.cache_clear()
