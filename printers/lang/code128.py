"""Code128 data for ESC/POS ``GS k 73``, which leaves code-set choice to the sender.

``{B`` carries printable ASCII (``{`` itself doubled as ``{{``); runs of digits switch to
``{C`` and go two digits a byte, which is what keeps a long tracking number short enough for
an 80 mm printer.
"""

from __future__ import annotations


def _digit_runs(value: str) -> list[tuple[bool, str]]:
    """(is_digits, text) chunks, digit chunks only where code set C pays off."""
    chunks: list[tuple[bool, str]] = []
    i = 0
    while i < len(value):
        j = i
        while j < len(value) and value[j].isdigit() and value[j].isascii():
            j += 1
        run = j - i
        at_edge = i == 0 or j == len(value)
        if run >= (4 if at_edge else 6):
            if i == 0 and run % 2:  # an odd leading run: the extra digit at its end goes in B
                chunks.append((True, value[i:j - 1]))
                chunks.append((False, value[j - 1]))
            else:
                if run % 2:
                    chunks.append((False, value[i]))
                    i += 1
                chunks.append((True, value[i:j]))
            i = j
            continue
        k = j if j > i else i + 1
        chunks.append((False, value[i:k]))
        i = k
    merged: list[tuple[bool, str]] = []
    for is_c, text in chunks:
        if merged and merged[-1][0] == is_c and not is_c:
            merged[-1] = (False, merged[-1][1] + text)
        else:
            merged.append((is_c, text))
    return merged


def escpos_code128(value: str) -> bytes:
    out = bytearray()
    for is_c, text in _digit_runs(value):
        if is_c:
            out += b"{C" + bytes(int(text[k:k + 2]) for k in range(0, len(text), 2))
        else:
            out += b"{B" + text.encode("ascii").replace(b"{", b"{{")
    return bytes(out)


def escpos_code128_modules(data: bytes) -> int:
    """Width in modules of the symbol ``GS k 73`` draws from ``data`` (start, symbols,
    check, stop; a set switch after the first costs one symbol)."""
    symbols = 0
    i = 0
    first = True
    while i < len(data):
        if data[i:i + 2] == b"{{":
            symbols += 1
            i += 2
        elif data[i:i + 1] == b"{":
            if not first:
                symbols += 1
            first = False
            i += 2
        else:
            symbols += 1
            i += 1
    return 11 * (symbols + 2) + 13
