"""One QR matrix per payload, computed once and shared by preview, raster, PDF and size checks.

The matrix comes from zxing-cpp's encoder (C++, ~0.7 ms for a version-11 symbol, with the
standard's mask-penalty choice and mode optimisation). The pure-Python ``qrcode`` package
takes 15-40 ms for the same symbol, most of it trying the 8 masks; it remains the fallback
where zxing-cpp cannot encode. Either way the matrix is cached per (payload, ec), so a label
pays for it once whatever the number of outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from printers.errors import SceneError

_EC_LEVELS = ("L", "M", "Q", "H")


@dataclass(frozen=True)
class QrMatrix:
    version: int
    ec: str
    rows: tuple  # tuple of tuples of bool, True = dark; no quiet zone

    @property
    def size(self) -> int:
        return len(self.rows)


def _zxing_modules(payload: str, ec: str) -> tuple[int, bytes] | None:
    """(side, one byte per module: 0 dark, 255 light) from zxing-cpp, or None."""
    try:
        import zxingcpp

        barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level=ec)
        image = barcode.to_image(scale=1, add_quiet_zones=False)
        view = memoryview(image)
        side = view.shape[0]
        if view.ndim != 2 or view.shape[1] != side or (side - 17) % 4:
            return None
        return side, view.tobytes()
    except Exception:  # an older zxing-cpp without a writer, or text it refuses: fall back
        return None


def _qrcode_modules(payload: str, ec: str) -> tuple[int, bytes]:
    import qrcode
    import qrcode.constants

    levels = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
              "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}
    code = qrcode.QRCode(error_correction=levels[ec], border=0, box_size=1)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    return len(matrix), bytes(0 if dark else 255 for row in matrix for dark in row)


class QrTooLong(SceneError, ValueError):
    """The payload exceeds the largest QR symbol (version 40) at this error correction."""


@lru_cache(maxsize=128)
def _modules(payload: str, ec: str) -> tuple[int, bytes]:
    if ec not in _EC_LEVELS:
        raise SceneError(f"QR error correction {ec!r} is not one of {', '.join(_EC_LEVELS)}", "use L, M, Q or H")
    made = _zxing_modules(payload, ec)
    if made is not None:
        return made
    try:
        return _qrcode_modules(payload, ec)
    except ValueError as exc:  # qrcode's DataOverflowError and "Invalid version" both are
        raise QrTooLong(f"a QR payload of {len(payload)} characters does not fit a QR code at error "
                        f"correction {ec}", "shorten the payload or use a lower error correction") from exc


@lru_cache(maxsize=128)
def qr_matrix(payload: str, ec: str = "M") -> QrMatrix:
    side, data = _modules(payload, ec)
    rows = tuple(tuple(data[r * side + c] == 0 for c in range(side)) for r in range(side))
    return QrMatrix(version=(side - 17) // 4, ec=ec, rows=rows)


@lru_cache(maxsize=64)
def module_image(payload: str, ec: str = "M"):
    """The matrix as a Pillow "1" image at one pixel per module (dark = 0, as on paper);
    renderers scale it by a whole number of dots with NEAREST, never resampling."""
    from PIL import Image

    side, data = _modules(payload, ec)
    return Image.frombytes("L", (side, side), data).convert("1", dither=Image.Dither.NONE)


@lru_cache(maxsize=16)
def dark_runs(payload: str, ec: str = "M") -> tuple:
    """Horizontal runs of dark modules as (row, first column, length): what a vector output
    (PDF) draws as one rectangle each, far fewer than one per module."""
    side, data = _modules(payload, ec)
    runs = []
    for r in range(side):
        row = data[r * side : (r + 1) * side]
        c = 0
        while c < side:
            if row[c] == 0:
                start = c
                while c < side and row[c] == 0:
                    c += 1
                runs.append((r, start, c - start))
            else:
                c += 1
    return tuple(runs)
