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


SHORT_NUMBER = 6  # digit-only fragments shorter than this (house numbers) are "short numbers"


def is_short_number(fragment: str) -> bool:
    return fragment.isdigit() and len(fragment) < SHORT_NUMBER


def find_fragments(data: bytes, fragments: list[str], min_bytes: int = 3, *, short_numbers: bool = True,
                   allow: tuple = ()) -> list[str]:
    """Descriptions of every hidden fragment found in ``data`` (empty when clean).

    ``allow``: strings that may appear (the sealed QR text), blanked out before the search.
    Short numbers (a house number like 846) occur by chance in coordinates, Base45 and
    Base64, so they are matched only as whole numbers, and only where ``short_numbers`` is
    true: pass False for raw containers and scan their text fields (``zpl_fields``,
    ``tspl_fields``, pdftotext output) with True."""
    for text in allow:
        data = data.replace(text.encode("utf-8") if isinstance(text, str) else text, b" ")
    found = []
    for fragment in fragments:
        if not fragment:
            continue
        if is_short_number(fragment):
            if short_numbers:
                match = re.search(rb"(?<![0-9])" + fragment.encode() + rb"(?![0-9])", data)
                if match:
                    found.append(f"{fragment!r} as a number at byte {match.start()}")
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


def assert_no_fragments(data: bytes, fragments: list[str], where: str, min_bytes: int = 3, *,
                        short_numbers: bool = True, allow: tuple = ()) -> None:
    found = find_fragments(data, fragments, min_bytes, short_numbers=short_numbers, allow=allow)
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
    """The PDF's objects with every stream replaced by its inflated content (page content,
    ToUnicode maps, metadata); binary streams (embedded font programs, images) are left out,
    as pixels and glyph outlines hold 3-byte needles by chance."""
    parts = []
    pos = 0
    for match in re.finditer(rb"stream\r?\n", pdf):
        start = match.end()
        if start < pos:
            continue
        end = pdf.find(b"endstream", start)
        if end < 0:
            continue
        head = pdf[pos:match.start()]
        parts.append(head)
        dictionary = head[head.rfind(b"obj"):]
        binary = any(key in dictionary for key in (b"/Length1", b"/FontFile", b"/Image", b"/DCTDecode"))
        if not binary:
            body = pdf[start:end]
            parts.append(_inflate(body) if b"/FlateDecode" in dictionary else body)
        pos = end
    parts.append(pdf[pos:])
    return b"\n".join(parts)


def printer_text_parts(data: bytes, language: str) -> bytes:
    """Printer bytes with bitmap payloads removed (TSPL BITMAP, ESC/POS GS v 0 / GS ( L /
    GS 8 L / ESC *), which are pixels, not text. ZPL is all ASCII and kept whole."""
    language = language.lower()
    if language == "zpl":
        data = re.sub(rb":Z64:[A-Za-z0-9+/=]+:[0-9A-Fa-f]{4}", b":Z64:", data)
        return re.sub(rb"(\^GF[AB],\d+,\d+,\d+,)[0-9A-Fa-fG-Yg-z,:!]+", rb"\1", data)
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


def zpl_fields(data: bytes) -> bytes:
    """The text of every ^FD field, ^FH hex escapes decoded: what the printer draws as text."""
    out = []
    for match in re.finditer(rb"(\^FH(.)?)?\^FD(.*?)(?=\^FS|\^XZ|$)", data, re.S):
        body = match.group(3)
        if match.group(1):
            escape = re.escape(match.group(2) or b"_")
            body = re.sub(escape + rb"([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), body)
        out.append(body)
    return b"\n".join(out)


def tspl_fields(data: bytes) -> bytes:
    """Every quoted string of a TSPL program (TEXT, BLOCK, BARCODE, QRCODE contents)."""
    return b"\n".join(re.findall(rb'"([^"\r\n]*)"', data))


# --- a sender's identity (real-name sending) ---------------------------------------------

def identity_fragments(number: str, name: str, shown_number: str = "", shown_name: str = "") -> list[str]:
    """What must never be found of a sender's identity: the whole number, its hidden middle
    (what the masked view ``110***********002X`` leaves out, at least 6 characters) and the
    date of birth inside an 18-character number; the whole name and its hidden part. The shown
    parts (first and last characters of the number, the surname) are what the clerk sees."""
    out = {number, number.lower()} if number else set()
    if shown_number:
        hidden = "".join(ch for ch, s in zip(number, shown_number) if s == "*")
        if len(hidden) >= 6:
            out.add(hidden)
    if len(number) == 18 and number[6:14].isdigit():
        out.add(number[6:14])
    if name:
        out.add(name)
        if shown_name:
            rest = "".join(ch for ch, s in zip(name, shown_name) if s == "*")
            if len(rest) >= 2:
                out.add(rest)
    return sorted(out)


def identity_binary_needles(number: str) -> list[bytes]:
    """The number's digits as a big-endian integer (how CBOR or a struct would carry it),
    searched in raw containers beside the text forms of ``needles``."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) < 12:
        return []
    value = int(digits)
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return [raw] if len(raw) >= 6 else []


def assert_no_identity(data: bytes, fragments: list[str], numbers: list[str], where: str, *,
                       min_bytes: int = 4, allow: tuple = ()) -> None:
    found = find_fragments(data, fragments, min_bytes, short_numbers=False, allow=allow)
    for number in numbers:
        for needle in identity_binary_needles(number):
            at = data.find(needle)
            if at >= 0:
                found.append(f"{number!r} as a binary integer at byte {at}")
    assert not found, f"a sender's identity in {where}: " + "; ".join(found)
