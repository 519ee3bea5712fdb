"""A PDF file written object by object as it is produced, for runs of thousands of labels.

reportlab's canvas keeps every page's content in memory until ``save()`` (measured here: peak
memory grows by ~32 KB a page with ``pageCompression=1``; there is no option to flush pages
early), so a 20,000-label batch would hold hundreds of megabytes. This writer sends each
page to the output as soon as it is drawn and keeps only the byte offsets (for the
cross-reference table) and, per font, which characters were used. Objects shared by all
pages - the page tree, the resource dictionary, fonts - get their numbers up front and are
written at the end, which PDF allows.

Fonts still come from reportlab: its TrueType parser and subsetter (``TTFont.splitString``,
``TTFontFace.makeSubset``) embed the CJK font as 256-glyph subsets, each with a ToUnicode
map, so the text layer stays searchable and extractable (pdftotext).
Output is reproducible: no dates, and the file ID is a hash of the content.
"""

from __future__ import annotations

import hashlib
import zlib
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from reportlab.pdfbase.ttfonts import SUBSETN, TTFont, TTFontFace


@lru_cache(maxsize=16)
def _reportlab_font(path: Path) -> TTFont:
    """One parsed font per file for the process; per-document state lives in TTFont.state,
    keyed by the writer."""
    return TTFont(f"sigilo-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}", str(path),
                  subfontIndex=0, asciiReadable=False)


def to_unicode_cmap(subset: list[int]) -> bytes:
    """The ToUnicode CMap of one 256-code subset. Written here rather than taken from
    reportlab, whose map truncates characters beyond the BMP (an emoji in a name would
    extract as a wrong letter); UTF-16 surrogate pairs keep them whole."""
    entries = []
    for code, cp in enumerate(subset):
        if code == 0 or cp <= 0:
            continue
        entries.append(b"<%02X> <%s>" % (code, chr(cp).encode("utf-16-be").hex().upper().encode()))
    blocks = []
    for i in range(0, len(entries), 100):
        chunk = entries[i : i + 100]
        blocks.append(b"%d beginbfchar\n%s\nendbfchar\n" % (len(chunk), b"\n".join(chunk)))
    return (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            b"1 begincodespacerange\n<00> <FF>\nendcodespacerange\n" + b"".join(blocks)
            + b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")


def pdf_string(text: str) -> bytes:
    """A PDF literal string for ASCII metadata."""
    return b"(" + text.encode("latin-1", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


class PdfObjectWriter:
    """Numbered objects written straight to ``out``; ``finish()`` adds the xref and trailer."""

    def __init__(self, out: BinaryIO, compress: bool = True) -> None:
        self._out = out
        self._pos = 0
        self._offsets: dict[int, int] = {}
        self._next = 1
        self._hash = hashlib.sha256()
        self.compress = compress
        self._emit(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _emit(self, data: bytes) -> None:
        self._out.write(data)
        self._hash.update(data)
        self._pos += len(data)

    def reserve(self) -> int:
        num = self._next
        self._next += 1
        return num

    def write(self, num: int, body: bytes) -> None:
        if num in self._offsets:
            raise ValueError(f"PDF object {num} written twice")
        self._offsets[num] = self._pos
        self._emit(b"%d 0 obj\n" % num + body + b"\nendobj\n")

    def write_stream(self, num: int, data: bytes, extra: bytes = b"", compress: bool | None = None) -> None:
        if self.compress if compress is None else compress:
            data = zlib.compress(data, 6)
            extra += b" /Filter /FlateDecode"
        self.write(num, b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream")

    def finish(self, root: int, info: int) -> int:
        """Write the cross-reference table and trailer; returns the file size."""
        missing = [n for n in range(1, self._next) if n not in self._offsets]
        if missing:
            raise ValueError(f"PDF objects reserved but never written: {missing[:5]}")
        xref_at = self._pos
        rows = [b"xref\n0 %d\n" % self._next, b"0000000000 65535 f \n"]
        rows.extend(b"%010d 00000 n \n" % self._offsets[n] for n in range(1, self._next))
        file_id = self._hash.hexdigest()[:32].encode()
        rows.append(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
                    % (self._next, root, info, file_id, file_id, xref_at))
        self._emit(b"".join(rows))
        return self._pos


class EmbeddedFonts:
    """The TrueType fonts a document uses, subset on the fly, written at the end."""

    def __init__(self) -> None:
        self._fonts: dict[Path, tuple[TTFont, str]] = {}

    def encode(self, path: Path, text: str) -> list[tuple[str, bytes, list[int]]]:
        """(resource name, code bytes, widths in 1/1000 em) chunks that draw ``text``."""
        if path not in self._fonts:
            self._fonts[path] = (_reportlab_font(path), f"F{len(self._fonts) + 1}")
        font, prefix = self._fonts[path]
        out = []
        pos = 0
        for subset, codes in font.splitString(text, self):
            chars = text[pos : pos + len(codes)]
            pos += len(codes)
            widths = [font.face.getCharWidth(ord(c)) for c in chars]
            out.append((f"{prefix}S{subset}", codes, widths))
        return out

    def write_all(self, writer: PdfObjectWriter) -> dict[str, int]:
        """Write every subset's font objects; returns resource name -> font object number."""
        names: dict[str, int] = {}
        for path, (font, prefix) in self._fonts.items():
            state = font.state.get(self)
            if state is None:
                continue
            face: TTFontFace = font.face
            for n, subset in enumerate(state.subsets):
                base = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX))
                font_num, desc_num, file_num, cmap_num = (writer.reserve() for _ in range(4))
                program = face.makeSubset(subset)
                writer.write_stream(file_num, program, b" /Length1 %d" % len(program))
                writer.write_stream(cmap_num, to_unicode_cmap(subset))
                flags = (face.flags & ~(1 << 5)) | (1 << 2)  # symbolic: codes are subset positions
                bbox = " ".join(str(int(v)) for v in face.bbox)
                writer.write(desc_num, (
                    f"<< /Type /FontDescriptor /FontName /{base.decode('latin-1')} /Flags {flags} "
                    f"/FontBBox [{bbox}] /ItalicAngle {face.italicAngle} /Ascent {int(face.ascent)} "
                    f"/Descent {int(face.descent)} /CapHeight {int(face.capHeight)} /StemV {int(face.stemV)} "
                    f"/MissingWidth {int(face.defaultWidth)} /FontFile2 {file_num} 0 R >>").encode("latin-1"))
                widths = " ".join(str(int(round(face.getCharWidth(c)))) for c in subset)
                writer.write(font_num, (
                    f"<< /Type /Font /Subtype /TrueType /BaseFont /{base.decode('latin-1')} /FirstChar 0 "
                    f"/LastChar {len(subset) - 1} /Widths [{widths}] /FontDescriptor {desc_num} 0 R "
                    f"/ToUnicode {cmap_num} 0 R >>").encode("latin-1"))
                names[f"{prefix}S{n}"] = font_num
            del font.state[self]
        return names
