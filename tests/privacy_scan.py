"""Scanning anything Sigilo writes for the recipient's hidden details, in every encoding a
renderer or printer language might use.

    from privacy_scan import assert_no_fragments
    assert_no_fragments(data, hidden_fragments(shipment, view), "label.zpl")

Forms searched for each fragment: UTF-8 (NFC and NFD), GB18030, UTF-16 LE/BE, UTF-16BE as hex
(PDF strings and ToUnicode maps), ZPL ^FH hex escapes of the UTF-8 bytes (``_E5_88_98``, any
escape character, either case) and Base64 (standard and URL-safe, at all three byte
alignments). Binary containers are cut to the parts that can carry text first, because a
2-byte needle occurs by chance in any bitmap: ``png_text_parts`` drops pixel data (IDAT),
``printer_text_parts`` drops TSPL/ESC-POS bitmap payloads, ``pdf_text_parts`` adds inflated
streams. Needles shorter than ``min_bytes`` are not searched in that form (stated in the
failure text of ``needles`` for debugging).
"""

from __future__ import annotations

import base64
import re
import struct
import unicodedata
import zlib


def _b64_forms(raw: bytes) -> set[bytes]:
    """Base64 text of ``raw`` as it appears inside a longer encoded stream, whatever the
    fragment's byte offset: only the characters wholly determined by the fragment."""
    forms = set()
    for k in range(3):
        enc = base64.b64encode(b"\0" * k + raw).rstrip(b"=")
        start = -(-8 * k // 6)
        stop = (8 * k + 8 * len(raw)) // 6
        core = enc[start:stop]
        if len(core) >= 4:
            forms.add(core)
            forms.add(core.replace(b"+", b"-").replace(b"/", b"_"))
    return forms


def needles(fragment: str, min_bytes: int = 3) -> list[tuple[str, object]]:
    """(form name, bytes or compiled regex) for one fragment."""
    out: list[tuple[str, object]] = []
    texts = {fragment, unicodedata.normalize("NFC", fragment), unicodedata.normalize("NFD", fragment)}
    for text in texts:
        for codec in ("utf-8", "gb18030", "utf-16-le", "utf-16-be"):
            try:
                raw = text.encode(codec)
            except UnicodeEncodeError:
                continue
            if len(raw) >= min_bytes:
                out.append((codec, raw))
        utf8 = text.encode("utf-8")
        if len(utf8) >= min_bytes:
            hex_bytes = [f"{b:02X}".encode() for b in utf8]
            pattern = rb"(?P<e>[^0-9A-Fa-f])" + rb"(?P=e)".join(re.escape(h) for h in hex_bytes)
            out.append(("zpl-fh-hex", re.compile(pattern, re.IGNORECASE)))
            for form in _b64_forms(utf8):
                out.append(("base64", form))
        utf16 = text.encode("utf-16-be")
        if len(text) >= 2 and len(utf16) >= min_bytes:
            out.append(("utf-16be-hex", re.compile(re.escape(utf16.hex().encode()), re.IGNORECASE)))
        for form in _b64_forms(text.encode("utf-16-le")):
            out.append(("base64-utf16le", form))
    return out


def find_fragments(data: bytes, fragments: list[str], min_bytes: int = 3) -> list[str]:
    """Descriptions of every hidden fragment found in ``data`` (empty when clean)."""
    found = []
    for fragment in fragments:
        if not fragment:
            continue
        for form, needle in needles(fragment, min_bytes):
            if isinstance(needle, bytes):
                at = data.find(needle)
            else:
                match = needle.search(data)
                at = match.start() if match else -1
            if at >= 0:
                found.append(f"{fragment!r} as {form} at byte {at}")
                break
    return found


def assert_no_fragments(data: bytes, fragments: list[str], where: str, min_bytes: int = 3) -> None:
    found = find_fragments(data, fragments, min_bytes)
    # the message names the form and offset; the fragment itself is test data, fine to show
    assert not found, f"hidden recipient details in {where}: " + "; ".join(found)


# --- cutting containers down to what can carry text -------------------------------------

def png_text_parts(png: bytes) -> bytes:
    """Every PNG chunk except pixel data, with zTXt/iTXt/iCCP bodies inflated."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    out = [png[:8]]
    pos = 8
    while pos + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8: pos + 8 + length]
        pos += 12 + length
        if kind == b"IDAT":
            continue
        out.append(kind + body)
        if kind in (b"zTXt", b"iCCP"):
            _, _, rest = body.partition(b"\0")
            out.append(_inflate(rest[1:]))
        elif kind == b"iTXt":
            keyword, _, rest = body.partition(b"\0")
            if rest[:1] == b"\x01":
                _, _, tail = rest[2:].partition(b"\0")  # language tag
                _, _, tail = tail.partition(b"\0")  # translated keyword
                out.append(_inflate(tail))
    return b"\n".join(out)


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data)
    except zlib.error:
        try:
            return zlib.decompressobj().decompress(data)
        except zlib.error:
            return b""


def pdf_text_parts(pdf: bytes) -> bytes:
    """The raw PDF followed by every stream inflated (content streams, fonts' ToUnicode maps,
    metadata)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        start = match.end()
        end = pdf.find(b"endstream", start)
        if end < 0:
            continue
        inflated = _inflate(pdf[start:end])
        if inflated:
            parts.append(inflated)
    return b"\n".join(parts)


def printer_text_parts(data: bytes, language: str) -> bytes:
    """Printer bytes with bitmap payloads removed (TSPL BITMAP, ESC/POS GS v 0 / GS ( L /
    GS 8 L / ESC *), which are pixels, not text. ZPL is all ASCII and kept whole."""
    language = language.lower()
    if language == "zpl":
        return data
    out = bytearray()
    pos = 0
    if language == "tspl":
        pattern = re.compile(rb"BITMAP\s+(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,")
        while True:
            match = pattern.search(data, pos)
            if not match:
                break
            width_bytes, height = int(match.group(3)), int(match.group(4))
            out += data[pos:match.end()]
            pos = match.end() + width_bytes * height
        out += data[pos:]
        return bytes(out)
    if language == "escpos":
        n = len(data)
        while pos < n:
            b = data[pos]
            if data.startswith(b"\x1dv0", pos) and pos + 8 <= n:
                xl, xh, yl, yh = data[pos + 4: pos + 8]
                out += data[pos:pos + 8]
                pos += 8 + (xl + 256 * xh) * (yl + 256 * yh)
            elif data.startswith(b"\x1d(L", pos) and pos + 5 <= n:
                size = data[pos + 3] + 256 * data[pos + 4]
                out += data[pos:pos + 7]
                pos += 5 + size
            elif data.startswith(b"\x1d8L", pos) and pos + 7 <= n:
                size = int.from_bytes(data[pos + 3: pos + 7], "little")
                out += data[pos:pos + 9]
                pos += 7 + size
            elif b == 0x1B and pos + 5 <= n and data[pos + 1] == 0x2A:
                m, nl, nh = data[pos + 2], data[pos + 3], data[pos + 4]
                out += data[pos:pos + 5]
                pos += 5 + (nl + 256 * nh) * (3 if m in (32, 33) else 1)
            else:
                out.append(b)
                pos += 1
        return bytes(out)
    raise ValueError(f"unknown printer language {language!r}")
