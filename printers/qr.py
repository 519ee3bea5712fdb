"""One QR matrix per payload, computed once and shared by preview, raster, PDF and size checks.

The ``qrcode`` package spends most of its time trying all 8 masks; caching the matrix per
(payload, ec) means a label pays for it once whatever the number of outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import qrcode
import qrcode.constants

_EC = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


@dataclass(frozen=True)
class QrMatrix:
    version: int
    ec: str
    rows: tuple  # tuple of tuples of bool, True = dark; no quiet zone

    @property
    def size(self) -> int:
        return len(self.rows)


@lru_cache(maxsize=256)
def qr_matrix(payload: str, ec: str = "M") -> QrMatrix:
    code = qrcode.QRCode(error_correction=_EC[ec], border=0, box_size=1)
    code.add_data(payload)
    code.make(fit=True)
    rows = tuple(tuple(bool(c) for c in row) for row in code.get_matrix())
    return QrMatrix(version=code.version, ec=ec, rows=rows)


@lru_cache(maxsize=256)
def module_image(payload: str, ec: str = "M"):
    """The matrix as a Pillow "1" image at one pixel per module (dark = 0, as on paper);
    renderers scale it by a whole number of dots with NEAREST, never resampling."""
    from PIL import Image

    matrix = qr_matrix(payload, ec)
    n = matrix.size
    data = bytes(0 if dark else 255 for row in matrix.rows for dark in row)
    return Image.frombytes("L", (n, n), data).convert("1", dither=Image.Dither.NONE)


@lru_cache(maxsize=256)
def dark_runs(payload: str, ec: str = "M") -> tuple:
    """Horizontal runs of dark modules as (row, first column, length): what a vector output
    (PDF) draws as one rectangle each, far fewer than one per module."""
    runs = []
    for r, row in enumerate(qr_matrix(payload, ec).rows):
        c = 0
        n = len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                runs.append((r, start, c - start))
            else:
                c += 1
    return tuple(runs)
