"""Finding a font that can draw the label's text, at run time, on any desktop.

Order: ``SIGILO_FONT`` (a .ttf/.ttc path), fontconfig's best Chinese font, then well-known
files on Linux, Windows and macOS. reportlab cannot use CFF-outline fonts (Noto CJK), so the
chosen file must have TrueType outlines; WenQuanYi Micro Hei (Debian fonts-wqy-microhei)
is the reference font here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
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


def _truetype_outlines(path: Path) -> bool:
    """True when the file has 'glyf' outlines (not CFF), which reportlab can embed."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
            if head[:4] == b"ttcf":
                fh.seek(12)
                first = int.from_bytes(fh.read(4), "big")
                fh.seek(first)
                head = fh.read(12)
            num_tables = int.from_bytes(head[4:6], "big")
            tables = fh.read(16 * num_tables)
        tags = {tables[i : i + 4] for i in range(0, len(tables), 16)}
        return b"glyf" in tags
    except OSError:
        return False


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
            raise FontNotFound(f"SIGILO_FONT points to {path}, which does not exist")
        return path
    for candidate in [Path(p) for p in _KNOWN] + _fontconfig_candidates():
        if candidate.is_file() and candidate.suffix.lower() in (".ttf", ".ttc") and _truetype_outlines(candidate):
            return candidate
    raise FontNotFound(
        "no Chinese-capable TrueType font was found for label text",
        "install one (Debian/Ubuntu: apt install fonts-wqy-microhei) or set SIGILO_FONT to a .ttf/.ttc file",
    )


@lru_cache(maxsize=64)
def pil_font(size_px: int):
    """A Pillow font of the label face at ``size_px`` pixels (em size)."""
    from PIL import ImageFont

    return ImageFont.truetype(str(cjk_font_path()), max(1, int(size_px)), index=0)
