"""Base45 (RFC 9285): the envelope as text a QR code stores in alphanumeric mode.

Alphanumeric mode packs 5.5 bits a character, so Base45 costs almost nothing over binary mode,
and the text survives printer-native QR commands and keyboard-wedge scanners, which mangle
arbitrary bytes. The EU Digital COVID Certificate chose it for the same reasons.
"""

from __future__ import annotations

import struct

from desktop.i18n import _

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


class Base45Error(ValueError):
    """The text is not valid Base45."""


# every value below 45*45 as its two low characters: one lookup instead of two divmods
_PAIRS = [ALPHABET[r % 45] + ALPHABET[r // 45] for r in range(45 * 45)]


def b45encode(data: bytes) -> str:
    whole = len(data) // 2
    values = struct.unpack(f">{whole}H", data[: 2 * whole])
    out = [_PAIRS[n % 2025] + ALPHABET[n // 2025] for n in values]
    if len(data) % 2:
        out.append(_PAIRS[data[-1]])
    return "".join(out)


def b45decode(text: str) -> bytes:
    if len(text) % 3 == 1:
        raise Base45Error(_("Base45 text of {n} characters cannot be whole (length % 3 == 1)").format(n=len(text)))
    try:
        values = [_VALUE[c] for c in text]
    except KeyError as exc:
        raise Base45Error(_("character {value!r} is not in the Base45 alphabet").format(value=exc.args[0])) from None
    whole = len(values) // 3
    numbers = [values[i] + values[i + 1] * 45 + values[i + 2] * 2025 for i in range(0, 3 * whole, 3)]
    if numbers and max(numbers) > 0xFFFF:
        raise Base45Error(_("Base45 triplet at {value} is out of range").format(value=3 * next(i for i, n in enumerate(numbers) if n > 0xFFFF)))
    out = struct.pack(f">{whole}H", *numbers)
    if len(values) % 3 == 2:
        n = values[-2] + values[-1] * 45
        if n > 0xFF:
            raise Base45Error(_("final Base45 pair is out of range"))
        out += bytes([n])
    return out
