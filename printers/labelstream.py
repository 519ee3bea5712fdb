"""Split a printer-language byte stream into labels and immediate queries, as a printer does.

Used by the simulated printer (and usable to check what a job will print). A printer acts on
a label when its terminator arrives - TSPL ``PRINT m[,n]``, ZPL ``^XZ``, ESC/POS a cut
(``GS V``) or page-mode print (``ESC FF``) - and answers status queries (``ESC !?``, ``~HQES``,
``DLE EOT n``) as soon as they arrive, without putting them in the label. Binary payloads
whose length is in their header (TSPL ``BITMAP``, ESC/POS ``GS v 0``, ``GS ( L``, ``GS ( k``,
``GS 8 L``, ``ESC *``) are skipped by length, so image bytes that happen to look like a
command do not split a label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    kind: str  # "label" | "query" | "control" | "calibrate" (TSPL media detect) | "discarded" (a TSPL body
    # wiped by CLS before its PRINT)
    data: bytes  # the label's bytes, or the query command
    copies: int = 1


class LabelStream:
    def __init__(self, language: str) -> None:
        language = language.lower()
        if language not in ("tspl", "zpl", "escpos"):
            raise ValueError(f"unknown printer language {language!r}")
        self.language = language
        self.buf = bytearray()
        self.label = bytearray()
        self.in_format = False  # ZPL: between ^XA and ^XZ

    def feed(self, data: bytes) -> list[Event]:
        self.buf += data
        out: list[Event] = []
        step = {"tspl": self._tspl, "zpl": self._zpl, "escpos": self._escpos}[self.language]
        while self.buf:
            if not step(out):
                break
        return out

    @property
    def pending(self) -> bytes:
        """Bytes of a label not yet terminated (a partial job)."""
        return bytes(self.label + self.buf)

    def _take(self, n: int) -> bytes:
        chunk = bytes(self.buf[:n])
        del self.buf[:n]
        return chunk

    # -- TSPL ------------------------------------------------------------------------------
    _BITMAP = re.compile(rb"BITMAP\s+(-?\d+)\s*,\s*(-?\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,", re.IGNORECASE)
    _PRINT = re.compile(rb"\s*PRINT\s+(\d+)(?:\s*,\s*(\d+))?", re.IGNORECASE)

    _IMMEDIATE = re.compile(rb"\s*(GAPDETECT|BLINEDETECT|AUTODETECT|OUT)\b", re.IGNORECASE)
    _CLS = re.compile(rb"(?:^|\n)\s*CLS\s*(?:\r?\n|$)", re.IGNORECASE)
    _SETUP = re.compile(rb"\s*(SIZE|GAP|BLINE|DIRECTION|REFERENCE|OFFSET|SHIFT|SPEED|DENSITY|SET|CODEPAGE|"
                        rb"LIMITFEED|SELFTEST|HOME)\b", re.IGNORECASE)

    @classmethod
    def _setup_tail(cls, label: bytes) -> bytes:
        """The setting lines (SIZE, GAP, DIRECTION, ...) at the end of ``label``: the start of
        the next label, sent before its CLS; they stay when CLS wipes the drawing before them."""
        lines = label.splitlines(keepends=True)
        n = len(lines)
        while n and (cls._SETUP.match(lines[n - 1]) or not lines[n - 1].strip()):
            n -= 1
        return b"".join(lines[n:])

    def _tspl(self, out: list[Event]) -> bool:
        buf = self.buf
        if buf[:1] == b"\x1b":
            if len(buf) < 3:
                return False
            cmd = self._take(3)
            out.append(Event("query" if cmd[2:3] in (b"?", b"S") else "control", cmd))
            return True
        if buf[:2] == b"~!":
            if len(buf) < 3:
                return False
            out.append(Event("query", self._take(3)))
            return True
        if buf[:6].upper() == b"BITMAP":
            m = self._BITMAP.match(buf)
            if m is None:
                if b"\n" in buf[:64] or len(buf) > 64:
                    pass  # malformed: fall through and treat it as a line
                else:
                    return False
            else:
                need = m.end() + int(m.group(3)) * int(m.group(4))
                if len(buf) < need:
                    return False
                self.label += self._take(need)
                return True
        nl = buf.find(b"\n")
        if nl < 0:
            return False
        line = self._take(nl + 1)
        if not self.label and not line.strip():
            return True  # blank lines between labels belong to no label
        immediate = self._IMMEDIATE.match(line)
        if immediate:
            # a media detect (GAPDETECT, BLINEDETECT, AUTODETECT) or an OUT answer runs when it
            # arrives, with the settings sent just before it (SIZE, GAP, BLINE), which it carries
            setup = bytes(self.label) if self._setup_tail(bytes(self.label)) == bytes(self.label) else b""
            if setup:
                self.label.clear()
            kind = "query" if immediate.group(1).upper() == b"OUT" else "calibrate"
            out.append(Event(kind, setup + line))
            return True
        if line.strip().upper() == b"CLS" and self._CLS.search(self.label):
            # CLS clears the image buffer: a body drawn before it (a label cut off before its
            # PRINT, say by a crash of the sender) is wiped, not printed with the next label
            keep = self._setup_tail(bytes(self.label))
            out.append(Event("discarded", bytes(self.label[:len(self.label) - len(keep)])))
            self.label = bytearray(keep)
        self.label += line
        m = self._PRINT.match(line)
        if m:
            copies = int(m.group(1)) * int(m.group(2) or 1)
            out.append(Event("label", bytes(self.label), copies))
            self.label.clear()
        return True

    # -- ZPL -------------------------------------------------------------------------------
    _PQ = re.compile(rb"\^PQ(\d+)")

    def _zpl(self, out: list[Event]) -> bool:
        buf = self.buf
        if self.in_format:
            end = buf.find(b"^XZ")
            if end < 0:
                return False
            self.label += self._take(end + 3)
            m = self._PQ.search(self.label)
            out.append(Event("label", bytes(self.label), int(m.group(1)) if m and int(m.group(1)) > 0 else 1))
            self.label.clear()
            self.in_format = False
            return True
        if buf[:1] == b"~":
            if len(buf) < 3:
                return False
            n = 5 if buf[1:3].upper() == b"HQ" else 3
            if len(buf) < n:
                return False
            out.append(Event("query", self._take(n).upper()))
            return True
        if buf[:1] == b"!":
            nl = buf.find(b"\n")
            if nl < 0:
                return False
            out.append(Event("query", self._take(nl + 1)))
            return True
        if buf[:3].upper() == b"^XA":
            self.in_format = True
            self.label += self._take(3)
            return True
        if len(buf) < 3 and buf[:1] == b"^":
            return False
        self._take(1)  # whitespace or stray bytes between formats
        return True

    # -- ESC/POS ---------------------------------------------------------------------------
    def _escpos(self, out: list[Event]) -> bool:
        buf = self.buf
        b0 = buf[0]
        if b0 == 0x10:  # DLE EOT n / DLE ENQ n: real time
            if len(buf) < 3:
                return False
            if buf[1] in (0x04, 0x05):
                out.append(Event("query" if buf[1] == 0x04 else "control", self._take(3)))
                return True
        if b0 == 0x1D:
            if len(buf) < 2:
                return False
            b1 = buf[1]
            if b1 == 0x56:  # GS V m [n]: cut, ends the label
                if len(buf) < 3:
                    return False
                n = 4 if buf[2] in (65, 66, 97, 98, 103, 104) else 3
                if len(buf) < n:
                    return False
                self.label += self._take(n)
                return self._label_done(out)
            if b1 == 0x28:  # GS ( X pL pH ...
                if len(buf) < 5:
                    return False
                need = 5 + buf[3] + 256 * buf[4]
                if len(buf) < need:
                    return False
                cmd = self._take(need)
                if cmd[2:3] == b"H":  # GS ( H: process id response request
                    out.append(Event("query", cmd))
                else:
                    self.label += cmd
                return True
            if b1 == 0x76:  # GS v 0 m xL xH yL yH data
                if len(buf) < 8:
                    return False
                need = 8 + (buf[4] + 256 * buf[5]) * (buf[6] + 256 * buf[7])
                if len(buf) < need:
                    return False
                self.label += self._take(need)
                return True
            if b1 == 0x38:  # GS 8 L p1 p2 p3 p4 ...
                if len(buf) < 7:
                    return False
                need = 7 + int.from_bytes(buf[3:7], "little")
                if len(buf) < need:
                    return False
                self.label += self._take(need)
                return True
        if b0 == 0x1B:
            if len(buf) < 2:
                return False
            if buf[1] == 0x0C:  # ESC FF: print page-mode data
                self.label += self._take(2)
                return self._label_done(out)
            if buf[1] == 0x2A:  # ESC * m nL nH data
                if len(buf) < 5:
                    return False
                need = 5 + (buf[3] + 256 * buf[4]) * (3 if buf[2] in (32, 33) else 1)
                if len(buf) < need:
                    return False
                self.label += self._take(need)
                return True
        self.label += self._take(1)
        return True

    def _label_done(self, out: list[Event]) -> bool:
        out.append(Event("label", bytes(self.label)))
        self.label.clear()
        return True
