"""Base45 (RFC 9285): the envelope as text a QR code stores in alphanumeric mode.

Alphanumeric mode packs 5.5 bits a character, so Base45 costs almost nothing over binary mode,
and the text survives printer-native QR commands and keyboard-wedge scanners, which mangle
arbitrary bytes. The EU Digital COVID Certificate chose it for the same reasons.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


class Base45Error(ValueError):
    """The text is not valid Base45."""


def b45encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        c, n = divmod(n, 45)[::-1]
        d, e = divmod(n, 45)[::-1]
        out.append(ALPHABET[c] + ALPHABET[d] + ALPHABET[e])
    if len(data) % 2:
        c, d = divmod(data[-1], 45)[::-1]
        out.append(ALPHABET[c] + ALPHABET[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    if len(text) % 3 == 1:
        raise Base45Error(f"Base45 text of {len(text)} characters cannot be whole (length % 3 == 1)")
    try:
        values = [_VALUE[c] for c in text]
    except KeyError as exc:
        raise Base45Error(f"character {exc.args[0]!r} is not in the Base45 alphabet") from None
    out = bytearray()
    for i in range(0, len(values) - 2, 3):
        n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025
        if n > 0xFFFF:
            raise Base45Error(f"Base45 triplet at {i} is out of range")
        out += n.to_bytes(2, "big")
    if len(values) % 3 == 2:
        n = values[-2] + values[-1] * 45
        if n > 0xFF:
            raise Base45Error("final Base45 pair is out of range")
        out.append(n)
    return bytes(out)
