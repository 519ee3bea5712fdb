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
