"""What a printer says about itself, in its own language, parsed into one PrinterStatus.

Each language has its own query and reply; the layouts below are from the manufacturers'
programming manuals:

TSPL (TSC TSPL/TSPL2 Programming Manual, "<ESC>!?" and "<ESC>!S"):
  ``ESC ! ?`` answers one byte, immediately, even while printing or in error:
    bit0 head opened, bit1 paper jam, bit2 out of paper, bit3 out of ribbon, bit4 pause,
    bit5 printing, bit6 cover opened (models with a cover sensor), bit7 other error;
    0x00 is normal. Several bits combine (0x05 = out of paper and head opened).
  ``ESC ! S`` (firmware V6.29 and later) answers 8 bytes ``STX s1 s2 s3 s4 ETX CR LF``; each
    status byte has bit6 set (0x40 '@' = normal). s1 message: 0x60 pause, 0x50 printing batch,
    0x45 printer error, ...; s2 warning: 0x48 receive buffer full; s3 error: 0x41 head overheat,
    0x42 motor overheat, 0x48 cutter jam, 0x50 insufficient memory; s4 error: 0x41 paper empty,
    0x42 paper jam, 0x44 ribbon empty, 0x48 ribbon jam; bit5 (0x60) is read as head open,
    which is not confirmed against the manual (ESC !? remains the primary query).

ZPL II (Zebra ZPL Programming Guide, ``~HQES`` and ``~HS``):
  ``~HQES`` answers ``STX CR LF "PRINTER STATUS" CR LF "   ERRORS:  f gggggggg hhhhhhhh" CR LF
    "   WARNINGS:  f gggggggg hhhhhhhh" CR LF ETX CR LF``; f is 1 when any flag is set, the
    last group of hex digits carries the flags. Errors: 0x1 media out, 0x2 ribbon out,
    0x4 head open, 0x8 cutter fault, 0x10 printhead over temperature, 0x20 motor over
    temperature, 0x40 bad printhead element, 0x80 printhead detection error. Warnings: 0x1
    calibrate media, 0x2 clean printhead, 0x4 replace printhead, 0x8 paper near end.
  ``~HS`` answers three ``STX ... ETX CR LF`` strings. String 1 ``aaa,b,c,dddd,eee,...``:
    b paper out, c pause, eee formats in the receive buffer. String 2
    ``mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www``: o head up, p ribbon out, uuuuuuuu labels remaining
    in batch. The manual warns ``~HS`` is NOT answered while media or ribbon is out, the head
    is open or over temperature, so silence is "offline or in error", never "ready"; we ask
    ``~HQES`` first and ``~HS`` only for pause and printing.
  A printed-label counter: the SGD query ``! U1 getvar "odometer.total_label_count"`` answers
    the count in double quotes (Link-OS printers).

ESC/POS (Epson ESC/POS reference, ``DLE EOT n``, real-time, answered even when offline):
  each reply byte has bit1 and bit4 set and bit0 and bit7 clear (0x12 is "all clear").
  n=1 printer: bit2 drawer pin 3, bit3 offline, bit5 waiting for online recovery, bit6 feed
  button pressed. n=2 offline cause: bit2 cover open, bit3 feeding by button, bit5 printing
  stopped by paper end, bit6 error. n=3 error: bit2 mechanical error, bit3 autocutter error,
  bit5 unrecoverable error, bit6 automatically recoverable error (head temperature).
  n=4 roll paper sensor: bits 2-3 paper near end, bits 5-6 paper end.
  ESC/POS has no "printing" bit: PRINTING is never reported for it.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field
from enum import Enum

STX, ETX = b"\x02", b"\x03"


class PrinterState(str, Enum):
    READY = "ready"
    PRINTING = "printing"
    PAUSED = "paused"
    PAPER_OUT = "paper-out"
    HEAD_OPEN = "head-open"
    RIBBON_OUT = "ribbon-out"
    JAM = "jam"
    ERROR = "error"
    OFFLINE = "offline"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class PrinterStatus:
    """``state`` is the one condition a clerk must act on first (a head open outranks paper out,
    which outranks pause); ``flags`` keeps every condition the reply carried, ``raw`` the reply."""

    state: PrinterState
    detail: str = ""
    raw: bytes = b""
    flags: frozenset[str] = field(default_factory=frozenset)

    READY = PrinterState.READY
    PRINTING = PrinterState.PRINTING
    PAUSED = PrinterState.PAUSED
    PAPER_OUT = PrinterState.PAPER_OUT
    HEAD_OPEN = PrinterState.HEAD_OPEN
    RIBBON_OUT = PrinterState.RIBBON_OUT
    JAM = PrinterState.JAM
    ERROR = PrinterState.ERROR
    OFFLINE = PrinterState.OFFLINE
    UNKNOWN = PrinterState.UNKNOWN

    @property
    def ok(self) -> bool:
        """The printer can take (or is taking) labels."""
        return self.state in (PrinterState.READY, PrinterState.PRINTING)

    @property
    def fault(self) -> bool:
        return self.state in (PrinterState.PAPER_OUT, PrinterState.HEAD_OPEN, PrinterState.RIBBON_OUT,
                              PrinterState.JAM, PrinterState.ERROR, PrinterState.PAUSED, PrinterState.OFFLINE)

    def __str__(self) -> str:
        return f"{self.state.value}" + (f" ({self.detail})" if self.detail else "")


# Order of precedence when several conditions hold, and the words a clerk reads.
_PRECEDENCE = [
    ("head_open", PrinterState.HEAD_OPEN, "print head open"),
    ("cover_open", PrinterState.HEAD_OPEN, "cover open"),
    ("jam", PrinterState.JAM, "paper jam"),
    ("cutter_error", PrinterState.JAM, "cutter jam"),
    ("paper_out", PrinterState.PAPER_OUT, "out of paper"),
    ("ribbon_out", PrinterState.RIBBON_OUT, "out of ribbon"),
    ("ribbon_jam", PrinterState.RIBBON_OUT, "ribbon jam"),
    ("head_overheat", PrinterState.ERROR, "print head too hot"),
    ("motor_overheat", PrinterState.ERROR, "motor too hot"),
    ("error", PrinterState.ERROR, "printer error"),
    ("paused", PrinterState.PAUSED, "paused"),
    ("offline", PrinterState.OFFLINE, "offline"),
    ("printing", PrinterState.PRINTING, "printing"),
]
_WARNINGS = {"paper_near_end": "paper near end", "clean_head": "clean the print head",
             "calibrate": "calibrate the media", "replace_head": "replace the print head",
             "buffer_full": "receive buffer full"}


def from_flags(flags: set[str] | frozenset[str], raw: bytes = b"", source: str = "") -> PrinterStatus:
    flags = frozenset(flags)
    state, words = PrinterState.READY, []
    for flag, st, text in _PRECEDENCE:
        if flag in flags:
            if state is PrinterState.READY:
                state = st
            words.append(text)
    words += [text for flag, text in _WARNINGS.items() if flag in flags]
    detail = ", ".join(dict.fromkeys(words))
    if source:
        detail = f"{detail}; {source}" if detail else source
    return PrinterStatus(state, detail, raw, flags)


def _unknown(raw: bytes, why: str) -> PrinterStatus:
    return PrinterStatus(PrinterState.UNKNOWN, why, raw)


# -- TSPL -----------------------------------------------------------------------------------
TSPL_STATUS_QUERY = b"\x1b!?"
TSPL_EXTENDED_QUERY = b"\x1b!S"
_TSPL_BITS = ["head_open", "jam", "paper_out", "ribbon_out", "paused", "printing", "cover_open", "error"]


def parse_tspl_status(raw: bytes) -> PrinterStatus:
    if len(raw) != 1:
        return _unknown(raw, f"expected one status byte after ESC !?, got {len(raw)}")
    byte = raw[0]
    return from_flags({name for bit, name in enumerate(_TSPL_BITS) if byte & (1 << bit)}, raw)


def tspl_status_byte(flags: set[str]) -> bytes:
    return bytes([sum(1 << bit for bit, name in enumerate(_TSPL_BITS) if name in flags)])


_TSPL_S1 = {0x60: "paused", 0x45: "error", 0x50: "printing", 0x57: "printing", 0x43: "printing", 0x46: "printing"}
_TSPL_S3 = {0x01: "head_overheat", 0x02: "motor_overheat", 0x08: "cutter_error", 0x10: "error"}
_TSPL_S4 = {0x01: "paper_out", 0x02: "jam", 0x04: "ribbon_out", 0x08: "ribbon_jam", 0x20: "head_open"}


def parse_tspl_extended(raw: bytes) -> PrinterStatus:
    if len(raw) < 6 or raw[0:1] != STX or raw[5:6] != ETX or any(b & 0xC0 != 0x40 for b in raw[1:5]):
        return _unknown(raw, "not an ESC !S reply (STX, four status bytes, ETX)")
    s1, s2, s3, s4 = raw[1:5]
    flags = set()
    if s1 in _TSPL_S1:
        flags.add(_TSPL_S1[s1])
    if s2 & 0x08:
        flags.add("buffer_full")
    flags |= {name for bit, name in _TSPL_S3.items() if s3 & bit}
    flags |= {name for bit, name in _TSPL_S4.items() if s4 & bit}
    return from_flags(flags, raw)


def tspl_extended_reply(flags: set[str]) -> bytes:
    s1 = 0x60 if "paused" in flags else 0x45 if flags & {"paper_out", "head_open", "ribbon_out", "jam"} \
        else 0x50 if "printing" in flags else 0x40
    s4 = 0x40 | sum(bit for bit, name in _TSPL_S4.items() if name in flags)
    return STX + bytes([s1, 0x40, 0x40, s4]) + ETX + b"\r\n"


# -- ZPL ------------------------------------------------------------------------------------
ZPL_HQES_QUERY = b"~HQES"
ZPL_HS_QUERY = b"~HS"
ZPL_LABEL_COUNT_QUERY = b'! U1 getvar "odometer.total_label_count"\r\n'
_ZPL_ERRORS = {0x1: "paper_out", 0x2: "ribbon_out", 0x4: "head_open", 0x8: "cutter_error",
               0x10: "head_overheat", 0x20: "motor_overheat", 0x40: "error", 0x80: "error"}
_ZPL_WARNINGS = {0x1: "calibrate", 0x2: "clean_head", 0x4: "replace_head", 0x8: "paper_near_end"}
_HQES_LINE = re.compile(rb"(ERRORS|WARNINGS):\s*([01])\s+([0-9A-Fa-f]{8})\s+([0-9A-Fa-f]{8})")


def parse_zpl_hqes(raw: bytes) -> PrinterStatus:
    found = {m.group(1): (int(m.group(3), 16), int(m.group(4), 16)) for m in _HQES_LINE.finditer(raw)}
    if b"ERRORS" not in found:
        return _unknown(raw, "not a ~HQES reply")
    flags = set()
    errors = found[b"ERRORS"][1]
    flags |= {name for bit, name in _ZPL_ERRORS.items() if errors & bit}
    if found[b"ERRORS"][0] and not flags:
        flags.add("error")
    warnings = found.get(b"WARNINGS", (0, 0))[1]
    flags |= {name for bit, name in _ZPL_WARNINGS.items() if warnings & bit}
    return from_flags(flags, raw)


def zpl_hqes_reply(flags: set[str]) -> bytes:
    errors = 0
    for bit, name in _ZPL_ERRORS.items():
        if name in flags and name != "error":
            errors |= bit
    warnings = sum(bit for bit, name in _ZPL_WARNINGS.items() if name in flags)
    return (b"\x02\r\n  PRINTER STATUS\r\n"
            + b"   ERRORS:         %d 00000000 %08X\r\n" % (1 if errors else 0, errors)
            + b"   WARNINGS:       %d 00000000 %08X\r\n" % (1 if warnings else 0, warnings)
            + b"\x03\r\n")


def parse_zpl_hs(raw: bytes) -> PrinterStatus:
    strings = re.findall(rb"\x02([^\x02\x03]*)\x03", raw)
    if len(strings) < 2:
        return _unknown(raw, "incomplete ~HS reply")
    one, two = strings[0].split(b","), strings[1].split(b",")
    if len(one) < 12 or len(two) < 11:
        return _unknown(raw, "malformed ~HS reply")
    flags = set()
    if one[1] == b"1":
        flags.add("paper_out")
    if one[2] == b"1":
        flags.add("paused")
    if one[5] == b"1":
        flags.add("buffer_full")
    if two[2] == b"1":
        flags.add("head_open")
    if two[3] == b"1":
        flags.add("ribbon_out")
    counts = [one[4] or b"0", two[8] or b"0"]
    if not all(re.fullmatch(rb"\d{1,9}", c) for c in counts):  # a garbled reply, never a traceback
        return _unknown(raw, "malformed ~HS reply")
    formats, remaining = (int(c) for c in counts)
    if formats or remaining:
        flags.add("printing")
    status = from_flags(flags, raw)
    extra = f"{formats} format(s) waiting, {remaining} label(s) left in batch" if formats or remaining else ""
    return PrinterStatus(status.state, ", ".join(x for x in (status.detail, extra) if x), raw, status.flags)


def zpl_hs_reply(flags: set[str], formats: int = 0, remaining: int = 0, label_dots: int = 1200) -> bytes:
    one = b"\x02030,%d,%d,%04d,%03d,0,0,0,000,0,0,0\x03\r\n" % (
        "paper_out" in flags, "paused" in flags, label_dots, min(formats, 999))
    two = b"\x02001,0,%d,%d,0,2,4,0,%08d,1,000\x03\r\n" % ("head_open" in flags, "ribbon_out" in flags, remaining)
    return one + two + b"\x021234,0\x03\r\n"


def parse_zpl_label_count(raw: bytes) -> int | None:
    m = re.search(rb'"(\d{1,12})"', raw)  # an odometer, not a 5,000-digit number
    return int(m.group(1)) if m else None


# -- ESC/POS --------------------------------------------------------------------------------
def escpos_query(n: int) -> bytes:
    return bytes([0x10, 0x04, n])


ESCPOS_STATUS_QUERY = escpos_query(1) + escpos_query(2) + escpos_query(3) + escpos_query(4)


def _escpos_valid(byte: int) -> bool:
    return byte & 0x93 == 0x12


def parse_escpos_status(raw: bytes) -> PrinterStatus:
    """The four replies to DLE EOT 1, 2, 3 and 4, in that order."""
    if len(raw) != 4:
        return _unknown(raw, f"expected four DLE EOT replies, got {len(raw)} byte(s)")
    if not all(_escpos_valid(b) for b in raw):
        return _unknown(raw, "not an ESC/POS status reply (fixed bits wrong)")
    printer, offline, error, paper = raw
    flags = set()
    if printer & 0x08:
        flags.add("offline")
    if offline & 0x04:
        flags.add("cover_open")
    if offline & 0x20 or paper & 0x60:
        flags.add("paper_out")
    if offline & 0x40 and not flags & {"cover_open", "paper_out"}:
        flags.add("error")
    if error & 0x08:
        flags.add("cutter_error")
    if error & 0x24:
        flags.add("error")
    if error & 0x40:
        flags.add("head_overheat")
    if paper & 0x0C:
        flags.add("paper_near_end")
    if "offline" in flags and len(flags) > 1:
        flags.discard("offline")  # the cause says more than "offline"
    return from_flags(flags, raw)


def escpos_status_reply(n: int, flags: set[str]) -> bytes:
    byte = 0x12
    stopped = bool(flags & {"cover_open", "head_open", "paper_out", "error", "cutter_error", "paused", "ribbon_out"})
    if n == 1 and (stopped or "offline" in flags):
        byte |= 0x08
    elif n == 2:
        byte |= (0x04 if flags & {"cover_open", "head_open"} else 0) | (0x20 if "paper_out" in flags else 0) \
            | (0x40 if flags & {"error", "cutter_error"} else 0)
    elif n == 3:
        byte |= (0x08 if "cutter_error" in flags else 0) | (0x20 if "error" in flags else 0)
    elif n == 4:
        byte |= (0x60 if "paper_out" in flags else 0) | (0x0C if flags & {"paper_out", "paper_near_end"} else 0)
    return bytes([byte])


# -- querying a live printer ----------------------------------------------------------------
LANGUAGES = ("tspl", "zpl", "escpos")


def query_status(transport, language: str, timeout: float = 1.0) -> PrinterStatus:
    """Ask the printer on ``transport`` for its status. A printer that does not answer within
    ``timeout`` is OFFLINE (never READY); a transport that cannot read back gives UNKNOWN."""
    language = language.lower()
    if language not in LANGUAGES:
        raise ValueError(f"unknown printer language {language!r}; use one of {', '.join(LANGUAGES)}")
    if not transport.can_read:
        return PrinterStatus(PrinterState.UNKNOWN, f"{transport.uri} cannot read back status")
    transport.discard_input()
    if language == "tspl":
        transport.write(TSPL_STATUS_QUERY)
        raw = transport.read(1, timeout)
        if not raw:
            return PrinterStatus(PrinterState.OFFLINE, f"no answer to ESC !? within {timeout:g} s")
        status = parse_tspl_status(raw)
        if raw[0] & 0x80:
            # "other error" says nothing a clerk can act on; ESC !S (newer firmware) names it
            transport.write(TSPL_EXTENDED_QUERY)
            extended = parse_tspl_extended(_read_frames(transport, 1, min(timeout, 0.5)))
            if extended.state is not PrinterState.UNKNOWN:
                flags = (status.flags - {"error"}) | extended.flags
                merged = from_flags(flags or {"error"}, raw + extended.raw)
                return merged
        return status
    if language == "zpl":
        transport.write(ZPL_HQES_QUERY)
        raw = _read_frames(transport, 1, timeout)
        if not raw:
            return PrinterStatus(PrinterState.OFFLINE, f"no answer to ~HQES within {timeout:g} s")
        status = parse_zpl_hqes(raw)
        if status.state is not PrinterState.READY:
            return status
        transport.write(ZPL_HS_QUERY)
        hs = _read_frames(transport, 3, timeout)
        if not hs:
            return PrinterStatus(PrinterState.UNKNOWN, "~HQES reports no error but ~HS went unanswered", raw)
        detail = parse_zpl_hs(hs)
        if detail.state is PrinterState.UNKNOWN:
            # a reply that is not three ~HS strings (a late ~HQES answer, a cut-off frame) says
            # nothing about pause or printing: unknown, never folded into "ready"
            return PrinterStatus(PrinterState.UNKNOWN, f"~HS answer not understood ({detail.detail})", raw + hs)
        flags = status.flags | detail.flags
        merged = from_flags(flags, raw + hs)
        return PrinterStatus(merged.state, detail.detail or merged.detail, raw + hs, flags)
    transport.write(ESCPOS_STATUS_QUERY)
    raw = _read_exact(transport, 4, timeout)
    if not raw:
        return PrinterStatus(PrinterState.OFFLINE, f"no answer to DLE EOT within {timeout:g} s")
    return parse_escpos_status(raw)


def query_label_count(transport, language: str, timeout: float = 1.0) -> int | None:
    """The printer's own count of printed labels, where its language has one (ZPL's SGD
    ``odometer.total_label_count``); None where it has none (TSPL, ESC/POS) or no answer came."""
    if language.lower() != "zpl" or not transport.can_read:
        return None
    transport.discard_input()
    transport.write(ZPL_LABEL_COUNT_QUERY)
    deadline = time.monotonic() + timeout
    buf = b""
    while buf.count(b'"') < 2 and time.monotonic() < deadline:
        buf += transport.read(64, max(0.0, deadline - time.monotonic()))
    return parse_zpl_label_count(buf)


def _read_frames(transport, count: int, timeout: float) -> bytes:
    """Read until ``count`` ETX-terminated frames (plus their CR LF) or the timeout."""
    deadline = time.monotonic() + timeout
    buf = b""
    while buf.count(ETX) < count or not buf.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        buf += transport.read(4096, left)
    return buf


def _read_exact(transport, n: int, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    buf = b""
    while len(buf) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        buf += transport.read(n - len(buf), left)
    return buf


# -- one connection's replies, each matched to its query -------------------------------------
class Query:
    """A status query written to the printer and not yet answered. ``mark`` is what the caller
    wants to remember about the moment it was sent (the queue: how many labels were complete in
    the printer then); ``ahead`` the seconds of bytes queued in front of it on the line."""

    __slots__ = ("kind", "sent_at", "ahead", "mark", "raw", "answered_at")

    def __init__(self, kind: str, sent_at: float, ahead: float = 0.0, mark: int = 0) -> None:
        self.kind, self.sent_at, self.ahead, self.mark = kind, sent_at, ahead, mark
        self.raw: bytes | None = None
        self.answered_at: float | None = None


_QUERY_BYTES = {"tspl": {"status": TSPL_STATUS_QUERY, "extended": TSPL_EXTENDED_QUERY},
                "zpl": {"hqes": ZPL_HQES_QUERY, "hs": ZPL_HS_QUERY, "count": ZPL_LABEL_COUNT_QUERY}}


class StatusChannel:
    """Status queries and their replies over one open connection, each reply matched to the query
    it answers.

    A printer answers its queries in the order they arrive, but not always at once: a stalled
    printer answers a dozen queries together when it recovers, and a ZPL printer never answers
    ``~HS`` while media is out. Reading "the next bytes" after a query would then take a late
    reply to an earlier query (or a reply of another kind) for the answer. So every reply is
    recognised by its shape (TSPL: by the order of the queries, as every TSPL query is answered;
    ZPL: a ``~HQES`` frame names its ERRORS line, ``~HS`` is three strings, the label counter a
    quoted number), matched to the oldest unanswered query of its kind, and any older query of
    another kind still unanswered is given up (the printer answers in order: it skipped it).
    A query whose answer is still due is never written again: the caller waits for that answer
    instead, so replies never pile up behind a stalled line."""

    def __init__(self, transport, language: str, clock=time.monotonic) -> None:
        language = language.lower()
        if language not in _QUERY_BYTES:
            raise ValueError(f"no status channel for {language!r}")
        self.transport = transport
        self.language = language
        self.clock = clock
        self.outstanding: deque[Query] = deque()
        self.buf = b""
        self._hs_frames: list[bytes] = []
        self.stale = 0  # replies that answered a query nobody waits for any more
        self.last_reply_at: float | None = None

    # -- asking ---------------------------------------------------------------------------
    def ask(self, kind: str, ahead: float = 0.0, mark: int = 0) -> Query:
        """The unanswered query of this kind if one is due, else a new one written now."""
        for q in self.outstanding:
            if q.kind == kind:
                return q
        q = Query(kind, self.clock(), ahead, mark)
        self.transport.write(_QUERY_BYTES[self.language][kind])
        self.outstanding.append(q)
        return q

    def wait(self, q: Query, timeout: float) -> bytes | None:
        """The reply to ``q`` (None: not within ``timeout``; ask again later to keep waiting)."""
        deadline = self.clock() + timeout
        while q.raw is None:
            self._parse()
            if q.raw is not None or q not in self.outstanding:
                break
            left = deadline - self.clock()
            if left <= 0:
                break
            data = self.transport.read(4096, left)
            if data:
                self.buf += data
        return q.raw

    def request(self, kind: str, timeout: float, ahead: float = 0.0, mark: int = 0) -> tuple[bytes | None, Query]:
        """Ask (or keep waiting for the answer already due) and wait: a new query also waits out
        the ``ahead`` seconds of bytes in front of it."""
        fresh = not any(q.kind == kind for q in self.outstanding)
        q = self.ask(kind, ahead, mark)
        return self.wait(q, timeout + (ahead if fresh else 0.0)), q

    def waiting_since(self) -> float | None:
        """When the oldest unanswered query became due (sent, plus the bytes ahead of it)."""
        if not self.outstanding:
            return None
        return min(q.sent_at + q.ahead for q in self.outstanding)

    def forget(self) -> None:
        """After a reconnect nothing sent before can be answered on this connection."""
        self.outstanding.clear()
        self.buf = b""
        self._hs_frames = []

    # -- matching -------------------------------------------------------------------------
    def _answer(self, kind: str, raw: bytes) -> None:
        now = self.clock()
        self.last_reply_at = now
        for i, q in enumerate(self.outstanding):
            if q.kind == kind:
                for _ in range(i):  # asked before it and never answered: skipped by the printer
                    self.outstanding.popleft()
                self.outstanding.popleft()
                q.raw, q.answered_at = raw, now
                return
        self.stale += 1  # nobody asked (a reply to a query from before a reconnect): dropped

    def _parse(self) -> None:
        step = self._tspl if self.language == "tspl" else self._zpl
        while self.buf and step():
            pass

    def _tspl(self) -> bool:
        head = self.outstanding[0] if self.outstanding else None
        if head is not None and head.kind == "extended":
            buf = self.buf
            if buf[:1] == STX:
                if len(buf) < 6:
                    return False
                if buf[5:6] == ETX and all(b & 0xC0 == 0x40 for b in buf[1:5]):
                    n = 6 + (2 if buf[6:8] == b"\r\n" else 0)
                    if n == 6 and len(buf) < 8 and buf[6:7] in (b"", b"\r"):
                        return False  # its CR LF is still on the way
                    self.buf = buf[n:]
                    self._answer("extended", buf[:n])
                    return True
            self.outstanding.popleft()  # not an ESC !S reply: firmware without ESC !S skipped it
            return True
        byte, self.buf = self.buf[:1], self.buf[1:]
        self._answer("status", byte)
        return True

    def _zpl(self) -> bool:
        buf = self.buf.lstrip(b"\r\n \t")
        self.buf = buf
        if not buf:
            return False
        if buf[:1] == b'"':
            end = buf.find(b'"', 1)
            if end < 0:
                return False
            self.buf = buf[end + 1:]
            self._answer("count", buf[:end + 1])
            return True
        if buf[:1] == STX:
            end = buf.find(ETX)
            if end < 0:
                return False
            frame, self.buf = buf[:end + 1], buf[end + 1:]
            if self.buf[:2] == b"\r\n":
                self.buf = self.buf[2:]
            if b"ERRORS" in frame or b"PRINTER STATUS" in frame:
                self._hs_frames = []
                self._answer("hqes", frame + b"\r\n")
            else:
                self._hs_frames.append(frame + b"\r\n")
                if len(self._hs_frames) == 3:
                    raw, self._hs_frames = b"".join(self._hs_frames), []
                    self._answer("hs", raw)
            return True
        self.buf = buf[1:]  # a stray byte between replies
        return True

    # -- what the queue asks ----------------------------------------------------------------
    def status(self, timeout: float, ahead: float = 0.0, mark: int = 0) -> tuple[PrinterStatus, Query]:
        """The printer's status, like query_status, from matched replies. ``UNKNOWN`` with an
        empty ``raw`` means no answer yet (the query stays due: call again to keep waiting)."""
        if self.language == "tspl":
            raw, q = self.request("status", timeout, ahead, mark)
            if raw is None:
                return PrinterStatus(PrinterState.UNKNOWN, f"no answer to ESC !? within {timeout:g} s"), q
            status = parse_tspl_status(raw)
            if raw[0] & 0x80:
                ext, _ = self.request("extended", min(timeout, 0.5))
                if ext is not None:
                    extended = parse_tspl_extended(ext)
                    if extended.state is not PrinterState.UNKNOWN:
                        return from_flags((status.flags - {"error"}) | extended.flags or {"error"}, raw + ext), q
            return status, q
        raw, q = self.request("hqes", timeout, ahead, mark)
        if raw is None:
            return PrinterStatus(PrinterState.UNKNOWN, f"no answer to ~HQES within {timeout:g} s"), q
        status = parse_zpl_hqes(raw)
        if status.state is not PrinterState.READY:
            return status, q
        hs, _ = self.request("hs", timeout)
        if hs is None:
            return PrinterStatus(PrinterState.UNKNOWN, "~HQES reports no error but ~HS went unanswered"), q
        detail = parse_zpl_hs(hs)
        if detail.state is PrinterState.UNKNOWN:
            return PrinterStatus(PrinterState.UNKNOWN, f"~HS answer not understood ({detail.detail})"), q
        flags = status.flags | detail.flags
        merged = from_flags(flags, raw + hs)
        return PrinterStatus(merged.state, detail.detail or merged.detail, raw + hs, flags), q

    def label_count(self, timeout: float) -> int | None:
        if self.language != "zpl":
            return None
        raw, _ = self.request("count", timeout)
        return None if raw is None else parse_zpl_label_count(raw)
