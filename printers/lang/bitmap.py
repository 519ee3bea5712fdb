"""1-bit bitmaps as printer languages want them: packed rows, either polarity, Z64.

Every language packs 8 pixels a byte, most significant bit leftmost, rows padded to whole
bytes. They disagree on what a set bit means: ZPL ``^GF`` and ESC/POS ``GS v 0`` print a 1 as
black, TSPL ``BITMAP`` prints a 0 as black. ``Bitmap`` keeps ink as 1 and each encoder asks
for its polarity, so the quirk lives in one argument that tests pin.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from dataclasses import dataclass
from functools import lru_cache

_INVERT = bytes(b ^ 0xFF for b in range(256))


@dataclass(frozen=True)
class Bitmap:
    width: int  # pixels
    height: int
    rows: bytes  # height * bytes_per_row, 1 = ink, MSB = leftmost pixel, pad bits are 0

    @property
    def bytes_per_row(self) -> int:
        return (self.width + 7) // 8

    def packed(self, one_is_black: bool = True) -> bytes:
        if one_is_black:
            return self.rows
        # 0 = black: ink bits become 0 and the padding (0, no ink) becomes 1, still white
        return self.rows.translate(_INVERT)

    def digest(self) -> str:
        return hashlib.sha256(b"%d,%d," % (self.width, self.height) + self.rows).hexdigest()

    def pixel(self, x: int, y: int) -> bool:
        byte = self.rows[y * self.bytes_per_row + x // 8]
        return bool(byte & (0x80 >> (x % 8)))

    def band(self, first_row: int, rows: int) -> Bitmap:
        bpr = self.bytes_per_row
        return Bitmap(self.width, rows, self.rows[first_row * bpr:(first_row + rows) * bpr])


def clip_origin(x: int, y: int, bitmap: Bitmap) -> tuple[int, int, Bitmap] | None:
    """The part of a bitmap at (x, y) that lies right of and below the label's top-left
    corner: printer languages refuse negative positions (an accent above the first line)."""
    if x >= 0 and y >= 0:
        return x, y, bitmap
    from PIL import Image as PILImage

    left, top = max(0, -x), max(0, -y)
    if left >= bitmap.width or top >= bitmap.height:
        return None
    image = PILImage.frombytes("1", (bitmap.width, bitmap.height), bitmap.rows)  # 1 = ink here
    part = image.crop((left, top, bitmap.width, bitmap.height))
    return x + left, y + top, Bitmap(part.width, part.height, part.tobytes())


def from_image(image) -> Bitmap:
    """A PIL image (any mode; dark = ink) as a Bitmap."""
    from PIL import ImageOps

    if image.mode != "1":
        image = image.convert("L").point(lambda v: 255 if v >= 128 else 0, mode="1")
    # PIL "1" packs 1 = white; invert so 1 = ink
    inverted = ImageOps.invert(image.convert("L")).convert("1")
    return Bitmap(image.width, image.height, inverted.tobytes())


def solid(width: int, height: int) -> Bitmap:
    """An all-ink rectangle (rules and boxes for languages without a line command)."""
    bpr = (width + 7) // 8
    full, rest = divmod(width, 8)
    row = b"\xff" * full + (bytes([(0xFF << (8 - rest)) & 0xFF]) if rest else b"")
    assert len(row) == bpr
    return Bitmap(width, height, row * height)


def knockout(width: int, height: int, holes: list[tuple[int, int, Bitmap]]) -> Bitmap:
    """A solid box with each (x, y, bitmap)'s ink cleared: white-on-black text as one bitmap."""
    from PIL import Image as PILImage

    box = PILImage.new("1", (width, height), 1)  # 1 = ink here
    for x, y, bitmap in holes:
        ink = PILImage.frombytes("1", (bitmap.width, bitmap.height), bitmap.rows)
        box.paste(0, (x, y), ink)
    raw = box.tobytes()
    return Bitmap(width, height, raw)


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/XMODEM (poly 0x1021, init 0), the check ZPL puts after Z64 data."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


@lru_cache(maxsize=4096)
def _z64(rows: bytes) -> str:
    body = base64.b64encode(zlib.compress(rows, 9)).decode("ascii")
    return f":Z64:{body}:{crc16_ccitt(body.encode('ascii')):04X}"


def z64(bitmap: Bitmap) -> str:
    """ZPL's Z64 form of the 1 = black rows: ``:Z64:`` base64(zlib) ``:`` CRC16 in hex."""
    return _z64(bitmap.rows)


def ink_columns(bitmap: Bitmap) -> list[tuple[int, int]]:
    """[start, end) column spans holding ink, separated by columns with none."""
    bpr = bitmap.bytes_per_row
    if not bpr or not bitmap.height:
        return []
    mask = bytearray(bpr)
    rows = bitmap.rows
    for y in range(bitmap.height):
        row = rows[y * bpr:(y + 1) * bpr]
        if any(row):
            mask = bytearray(a | b for a, b in zip(mask, row))
    bits = int.from_bytes(mask, "big") >> (bpr * 8 - bitmap.width)
    spans, start = [], None
    for x in range(bitmap.width):
        ink = (bits >> (bitmap.width - 1 - x)) & 1
        if ink and start is None:
            start = x
        elif not ink and start is not None:
            spans.append((start, x))
            start = None
    if start is not None:
        spans.append((start, bitmap.width))
    return spans


@lru_cache(maxsize=4096)
def split_ink(bitmap: Bitmap, overhead: int) -> list[tuple[int, int, Bitmap]]:
    """The same ink as one or more (dx, dy, bitmap) pieces, each cropped tight to its ink, cut
    at blank columns wherever a separate command (``overhead`` bytes of header) costs less
    than the blank rectangle it leaves out; uncompressed bitmaps (TSPL ``BITMAP``) pay for
    every white byte, and a line of words or a tall glyph beside small ones leaves many."""
    spans = ink_columns(bitmap)
    if not spans:
        return []
    from PIL import Image as PILImage

    image = PILImage.frombytes("1", (bitmap.width, bitmap.height), bitmap.rows)  # 1 = ink here
    rows = []
    for a, b in spans:
        box = image.crop((a, 0, b, bitmap.height)).getbbox()
        rows.append((box[1], box[3]))
    n = len(spans)
    best = [0] + [None] * n  # best[j]: cheapest cost of spans[:j]
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        top, bottom = rows[j - 1]
        for i in range(j - 1, -1, -1):
            top, bottom = min(top, rows[i][0]), max(bottom, rows[i][1])
            cost = best[i] + overhead + (spans[j - 1][1] - spans[i][0] + 7) // 8 * (bottom - top)
            if best[j] is None or cost < best[j]:
                best[j], cut[j] = cost, i
    pieces = []
    j = n
    while j > 0:
        i = cut[j]
        left, right = spans[i][0], spans[j - 1][1]
        top = min(r[0] for r in rows[i:j])
        bottom = max(r[1] for r in rows[i:j])
        part = image.crop((left, top, right, bottom))
        pieces.append((left, top, Bitmap(part.width, part.height, part.tobytes())))
        j = i
    pieces.reverse()
    return pieces


def merge(placed: list[tuple[int, int, Bitmap]]) -> tuple[int, int, Bitmap]:
    """Several (x, y, bitmap) as one bitmap over their union: for languages whose graphics
    only add ink and compress the white (ZPL Z64), one field costs less than several headers."""
    from PIL import Image as PILImage

    left = min(x for x, _, _ in placed)
    top = min(y for _, y, _ in placed)
    right = max(x + b.width for x, _, b in placed)
    bottom = max(y + b.height for _, y, b in placed)
    canvas = PILImage.new("1", (right - left, bottom - top), 0)  # 1 = ink here
    for x, y, bitmap in placed:
        ink = PILImage.frombytes("1", (bitmap.width, bitmap.height), bitmap.rows)
        canvas.paste(1, (x - left, y - top), ink)
    return left, top, Bitmap(canvas.width, canvas.height, canvas.tobytes())
