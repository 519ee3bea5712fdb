"""How the queue learns that a label has printed, per printer language (docs/printers.md,
"When a label counts as printed", states the rule with the exact status reads).

Sending bytes proves nothing: a label is confirmed only on evidence that the printer finished it.
  TSPL     ``ESC !?`` answers one byte. A reply with no fault bit and no "printing" bit to a
           query written after a label's PRINT proves that label printed. A paper out, head
           open or pause in between does not undo that: the printer keeps the labels it holds
           and prints them once the fault is cleared (TSC "reprint after error"), and only then
           answers idle; a lost connection does - what was in flight is then of unknown fate
           and printed again, marked (TSPL has no label counter to tell).
  ZPL      ``~HQES`` for faults, ``~HS`` for pause/printing, and the odometer
           (``odometer.total_label_count``), which counts labels exactly, across reconnects;
           a label is confirmed when the counter, read in a poll whose ``~HQES`` reports no
           fault, has moved past it.
  ESC/POS  no "printing" bit: after each label the queue sends ``GS ( H`` with a process id,
           which the printer answers only once everything before it has printed.

Every reply is matched to the query it answers (printers.status.StatusChannel): a late reply to
an earlier query is recognised as such, never read as the answer to the next one, and a reply
that cannot be understood is "unknown", never "ready". A query whose answer is still due is not
written again; the queue keeps waiting for that answer.

Silence: an answer that has not come is "waiting" while the printer may still be busy taking
in what was sent before the query - on a serial line for the bytes' time on the wire, on a
network printer for as long as the socket's send queue keeps moving (TCP back-pressure: the
printer reads what it can take) - and becomes a fault ("the printer does not answer") once the
printer has been silent for ``silence_seconds`` after that, on every transport alike. No baud
rate is ever guessed for a network printer: its own answers pace the queue.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

FAULT_STATES = {"PAPER_OUT", "HEAD_OPEN", "RIBBON_OUT", "PAUSED", "OFFLINE", "ERROR", "JAM"}
SILENCE_SECONDS = 5.0  # a printer silent this long (past the bytes in front of the query) is a fault
BITS_PER_BYTE = 10  # start + 8 data + stop


@dataclass
class Reading:
    kind: str  # ready | printing | fault | silent | waiting (no answer yet, but not for long enough to be a fault)
    reason: str = ""
    confirmed: int = 0  # labels (from the oldest in flight) now known to be printed
    unknown: int = 0  # labels (from the oldest in flight, before ``confirmed``) whose fate can no longer be known


def classify(status: Any) -> tuple[str, str]:
    """(kind, reason) of a status object: anything with ``state`` (an enum or a name) and
    ``detail``; a reply that never came (``raw`` empty and state OFFLINE/UNKNOWN) is silent."""
    state = getattr(status, "state", status)
    name = str(getattr(state, "name", state)).upper().replace("-", "_")
    detail = str(getattr(status, "detail", "") or "")
    raw = getattr(status, "raw", None)
    if name == "UNKNOWN" or (name == "OFFLINE" and raw == b""):
        return "silent", detail or "no answer"
    if name in FAULT_STATES:
        return "fault", name.lower() + (f": {detail}" if detail else "")
    if name == "PRINTING":
        return "printing", detail
    return "ready", detail


class Link:
    """Status and confirmation over one open transport."""

    counts_exactly = False
    split = None  # bytes -> (body, commit): see tspl_split
    # labels to keep in the printer: where only "idle" confirms, more hide the pause while the
    # next batch crosses the wire; each is a possible marked reprint after a crash
    default_window = 2

    def __init__(self, transport: Any, timeout: float = 0.5, silence_seconds: float = SILENCE_SECONDS) -> None:
        self.transport = transport
        self.timeout = timeout
        self.silence_seconds = silence_seconds
        self.unpolled_bytes = 0
        self.taken_by = 0.0  # serial: monotonic time by which the line has carried every byte sent
        self.committed_total = 0  # whole labels put in the printer on this connection
        self.confirmed_total = 0  # ... of which confirmed (or given up as unknown)
        self.silent_since: float | None = None
        self._unsent: int | None = None

    def start(self) -> None:
        """Called once the connection is open, before anything is sent on it: what is waiting
        in the input is an answer to a query of an earlier connection."""
        discard = getattr(self.transport, "discard_input", None)
        if callable(discard):
            try:
                discard()
            except Exception:
                pass

    def sent(self, data: bytes) -> None:
        self.unpolled_bytes += len(data)
        wire = self.line_seconds(len(data))
        if wire is not None:
            self.taken_by = max(self.taken_by, time.monotonic()) + wire

    def line_seconds(self, nbytes: int) -> float | None:
        """How long ``nbytes`` take on the line: the transport's rate (serial) or the URI's
        ``baud``; None where no rate is known (a network printer: its answers pace it)."""
        wire = getattr(self.transport, "wire_seconds", None)
        if callable(wire):
            return wire(nbytes)
        baud = _uri_baud(getattr(self.transport, "uri", ""))
        return nbytes * BITS_PER_BYTE / baud if baud else None

    def ahead(self) -> float:
        """Seconds of bytes still in front of a query written now (0 where unknown)."""
        return max(0.0, self.taken_by - time.monotonic())

    def receiving(self) -> float:
        return self.ahead()

    def committed(self, copies: int) -> None:
        """A whole label (``copies`` physical labels) is now in the printer."""
        self.committed_total += 1

    def check(self, in_flight: int) -> Reading:
        """``poll``, with silence read as "waiting" until the printer has been silent for
        ``silence_seconds`` past the bytes in front of the query, then as "silent" (a fault)."""
        reading = self.poll(in_flight)
        if reading.kind != "silent":
            self.silent_since = None
            self._unsent = None
            self._first_silent = None
            return reading
        now = time.monotonic()
        if getattr(self, "_first_silent", None) is None:
            self._first_silent = now
        quiet = now - self._silence_start(now)
        # whatever the estimate of bytes still going in says, an answer this late is a fault:
        # the queue reconnects rather than wait on for ever
        if quiet < self.silence_seconds and now - self._first_silent < max(30.0, 6 * self.silence_seconds):
            return Reading("waiting", f"waiting for the printer to answer ({reading.reason})",
                           reading.confirmed, reading.unknown)
        return Reading("silent", f"{reading.reason}; silent for {quiet:.0f} s", reading.confirmed, reading.unknown)

    def _silence_start(self, now: float) -> float:
        due = self._due()
        if self.silent_since is None:
            self.silent_since = now if due is None else min(now, due)
        if due is not None:
            self.silent_since = max(self.silent_since, due)
        unsent = _unsent_bytes(self.transport)
        if unsent is not None:
            if self._unsent is not None and unsent < self._unsent:
                self.silent_since = now  # the printer is taking bytes: busy, not silent
            self._unsent = unsent
        return self.silent_since

    def _due(self) -> float | None:
        """When the answer awaited became due (written, plus the bytes ahead of it)."""
        return None

    def _wait(self) -> float:
        """The answer queues behind what we just sent: allow its time on the wire."""
        extra = self.line_seconds(self.unpolled_bytes) or 0.0
        self.unpolled_bytes = 0
        return self.timeout + extra

    def poll(self, in_flight: int) -> Reading:
        raise NotImplementedError

    def printed_count(self) -> int | None:
        return None


class StatusLink(Link):
    """Idle means printed, for a status callable (tests, custom printers) whose answer may carry
    ``pending``: labels still in the printer."""

    def __init__(self, transport, query: Callable[[Any, float], Any], timeout: float = 0.5,
                 silence_seconds: float = SILENCE_SECONDS) -> None:
        super().__init__(transport, timeout, silence_seconds)
        self.query = query

    def poll(self, in_flight: int) -> Reading:
        status = self.query(self.transport, self._wait())
        kind, reason = classify(status)
        if kind in ("fault", "silent"):
            return Reading(kind, reason)
        pending = getattr(status, "pending", None)
        if isinstance(pending, int):
            return Reading(kind, reason, max(0, in_flight - pending))
        return Reading(kind, reason, in_flight if kind == "ready" else 0)


class ChannelLink(Link):
    """A link whose replies come through a StatusChannel (each matched to its query)."""

    language = "tspl"

    def __init__(self, transport, timeout: float = 0.5, silence_seconds: float = SILENCE_SECONDS) -> None:
        super().__init__(transport, timeout, silence_seconds)
        from printers.status import StatusChannel

        self.channel = StatusChannel(transport, self.language)

    def start(self) -> None:
        super().start()
        self.channel.forget()

    def _due(self) -> float | None:
        return self.channel.waiting_since()

    def _status(self):
        """(status, query): the query's ``mark`` is how many labels were whole in the printer
        when it was written - what an idle answer to it proves printed."""
        ahead = self.ahead()
        self.unpolled_bytes = 0
        return self.channel.status(self.timeout, ahead=ahead, mark=self.committed_total)


class TsplLink(ChannelLink):
    """TSPL: idle (no fault, no printing bit) in answer to a query written after a label's PRINT
    proves it printed (see the module docstring)."""

    language = "tspl"

    def __init__(self, transport, timeout: float = 0.5, silence_seconds: float = SILENCE_SECONDS) -> None:
        super().__init__(transport, timeout, silence_seconds)
        self.split = tspl_split

    def poll(self, in_flight: int) -> Reading:
        status, q = self._status()
        kind, reason = classify(status)
        if kind != "ready":
            return Reading(kind, reason)
        # only what was whole in the printer when this query was written: a late answer to an
        # early query says nothing about the labels sent after it
        done = max(0, min(in_flight, q.mark - self.confirmed_total))
        self.confirmed_total += done
        return Reading(kind, reason, done)


class ZplLink(ChannelLink):
    """Counts labels with the odometer. The counter's starting point is read the first time
    the printer is idle with no fault (everything sent has printed then), so labels a previous
    run left in the printer are never counted as ours; until then, idle means printed. Nothing
    is sent ahead of the first label."""

    language = "zpl"

    def __init__(self, transport, timeout: float = 0.5, silence_seconds: float = SILENCE_SECONDS) -> None:
        super().__init__(transport, timeout, silence_seconds)
        self.base: int | None = None
        self.copies: deque[int] = deque()  # physical labels each label in flight makes, oldest first

    def sent(self, data: bytes) -> None:
        super().sent(data)
        self._printed_by_last = zpl_labels_in(data)

    def committed(self, copies: int) -> None:
        # what the bytes say (^PQ) wins over what the renderer declared: a label counter
        # advancing by more than we expect would confirm labels that did not print
        super().committed(copies)
        self.copies.append(max(1, copies, getattr(self, "_printed_by_last", 0)))
        self._printed_by_last = 0

    @property
    def counts_exactly(self) -> bool:  # type: ignore[override]
        return self.base is not None

    def printed_count(self) -> int | None:
        return self.channel.label_count(self.timeout)

    def poll(self, in_flight: int) -> Reading:
        status, q = self._status()
        kind, reason = classify(status)
        if kind in ("fault", "silent"):
            return Reading(kind, reason)
        if self.base is None:
            if kind != "ready":
                return Reading(kind, reason)
            count = self.printed_count()
            if count is None:
                return Reading("silent", "no answer to the label counter")
            self.base = count
            done = max(0, min(in_flight, q.mark - self.confirmed_total, len(self.copies)))
            for _ in range(done):
                self.copies.popleft()
            self.confirmed_total += done
            return Reading(kind, reason, done)
        count = self.printed_count()
        if count is None:
            return Reading("silent", "no answer to the label counter")
        done = 0
        while self.copies and done < in_flight and count - self.base >= self.copies[0]:
            self.base += self.copies.popleft()
            done += 1
        self.confirmed_total += done
        return Reading(kind, reason, done)


_ZPL_FORMAT = re.compile(rb"\^XA(.*?)\^XZ", re.S | re.I)
_ZPL_PQ = re.compile(rb"\^PQ(\d+)", re.I)


def zpl_labels_in(data: bytes) -> int:
    """Physical labels the ZPL formats in ``data`` print: each format once, or ^PQ times."""
    total = 0
    for fmt in _ZPL_FORMAT.finditer(data):
        pq = _ZPL_PQ.search(fmt.group(1))
        total += max(1, int(pq.group(1))) if pq else 1
    return total


class EscposLink(Link):
    counts_exactly = True

    def __init__(self, transport, timeout: float = 0.5, silence_seconds: float = SILENCE_SECONDS) -> None:
        super().__init__(transport, timeout, silence_seconds)
        self.next_id = 0
        self.outstanding: list[bytes] = []  # process ids sent, oldest first
        self.buf = b""
        self.asked_at: float | None = None

    def sent(self, data: bytes) -> None:
        super().sent(data)
        pid = b"%04d" % (self.next_id % 10000)
        self.next_id += 1
        self.transport.write(b"\x1d(H\x06\x0000" + pid)
        self.outstanding.append(pid)

    def _due(self) -> float | None:
        return self.asked_at

    def poll(self, in_flight: int) -> Reading:
        """Ask DLE EOT 1-4 and read the four status bytes, taking the process-id answers
        (``37 22 d1 d2 d3 d4 00``) out of the same stream as they come."""
        from printers.status import ESCPOS_STATUS_QUERY, parse_escpos_status

        if self.asked_at is None:
            self.transport.write(ESCPOS_STATUS_QUERY)
            self.asked_at = time.monotonic() + self.ahead()
        deadline = time.monotonic() + self._wait()
        status = b""
        done = 0
        while True:
            done += self._take_ids()
            while self.buf and self.buf[:1] != b"\x37" and len(status) < 4:
                status += self.buf[:1]
                self.buf = self.buf[1:]
                done += self._take_ids()
            left = deadline - time.monotonic()
            if len(status) >= 4 or left <= 0:
                break
            self.buf += self.transport.read(64, left)
        done = min(done, in_flight)
        if len(status) < 4:
            self.buf = status + self.buf  # the rest of this answer is still to come
            return Reading("printing" if done else "silent", "no answer to DLE EOT", done)
        self.asked_at = None
        kind, reason = classify(parse_escpos_status(status[:4]))
        if kind == "ready" and self.outstanding:
            kind = "printing"  # ESC/POS has no printing bit: unanswered ids mean labels in the printer
        return Reading(kind, reason, done)

    def _take_ids(self) -> int:
        done = 0
        while self.buf[:1] == b"\x37":
            if len(self.buf) >= 2 and self.buf[1:2] != b"\x22":
                self.buf = self.buf[1:]  # a stray byte, not an id answer
                continue
            if len(self.buf) < 7:
                return done
            pid, self.buf = self.buf[2:6], self.buf[7:]
            if pid in self.outstanding:
                n = self.outstanding.index(pid) + 1
                del self.outstanding[:n]
                done += n
        return done


def _unsent_bytes(transport) -> int | None:
    """Bytes this computer still holds for the printer (a socket's send queue), where known."""
    unsent = getattr(transport, "unsent_bytes", None)
    if not callable(unsent):
        return None
    try:
        return unsent()
    except Exception:
        return None


def _uri_baud(uri: str) -> int:
    """The ``baud`` a URI states (a serial-to-Ethernet adapter's line, say); 0 when it states none."""
    from printers.transports import BadUriError, parse_uri

    try:
        baud = int(parse_uri(uri).params.get("baud", 0))
    except (BadUriError, ValueError):
        baud = 0
    return max(baud, 0)


def default_link(transport, profile: str, silence_seconds: float = SILENCE_SECONDS) -> Link:
    language = "tspl"
    if profile:
        from printers.profiles import load_profile

        p = load_profile(profile)
        language = (getattr(p, "status_protocol", None) or p.language).lower()
    if language == "zpl":
        return ZplLink(transport, silence_seconds=silence_seconds)
    if language == "escpos":
        return EscposLink(transport, silence_seconds=silence_seconds)
    return TsplLink(transport, silence_seconds=silence_seconds)


_TSPL_PRINT = re.compile(rb"(?<=\n)PRINT[ \t]+\d+(?:[ \t]*,[ \t]*\d+)?[ \t]*\r?\n?$")


def tspl_split(data: bytes) -> tuple[bytes, bytes] | None:
    """(body, commit) of a TSPL label: everything but its final PRINT, and the PRINT.

    Sending the next label's body while the printer still prints hides its time on the wire:
    without PRINT it only draws into the image buffer, so the printer stays "idle" to ``ESC !?``
    once the current label is out, and the short PRINT then starts it at once. Only a body that
    begins by clearing the image (CLS) is split, so a body left behind by a crash is wiped by
    the next label instead of being printed with it."""
    m = _TSPL_PRINT.search(data)
    if m is None or b"CLS" not in data[:m.start()]:
        return None
    return data[:m.start()], data[m.start():]
