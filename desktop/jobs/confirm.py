"""How the queue learns that a label has printed, per printer language.

Sending bytes proves nothing: a label is confirmed only when the printer says so.
  TSPL     ``ESC !?`` answers one byte; with no fault and no "printing" bit, every label sent
           before the query has printed (TSPL has no label counter).
  ZPL      ``~HQES`` for faults, ``~HS`` for pause/printing, and the odometer
           (``odometer.total_label_count``), which counts labels exactly, across reconnects.
  ESC/POS  no "printing" bit: after each label the queue sends ``GS ( H`` with a process id,
           which the printer answers only once everything before it has printed.
A status answer that does not come is "silent", not a fault, until it has stayed silent for a
while: a long label in front of the query on a slow line delays the answer. A write returning
proves nothing either (a socket takes kilobytes at once), so the link keeps the time the printer
needs to take in what was sent - at the line's rate, or where the link does not say (a network
printer) at the slowest line a label printer is driven at - and silence within it is "busy".
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

FAULT_STATES = {"PAPER_OUT", "HEAD_OPEN", "RIBBON_OUT", "PAUSED", "OFFLINE", "ERROR", "JAM"}
# a link that does not say its rate (a network printer, whose engine may take its input no
# faster than a serial one) is assumed as slow as the slowest line printers are driven at:
# this only lengthens how long silence counts as "still receiving", never delays a query
SLOWEST_BAUD = 9600
BITS_PER_BYTE = 10  # start + 8 data + stop


@dataclass
class Reading:
    kind: str  # ready | printing | fault | silent | receiving (silent while label bytes are still going in)
    reason: str = ""
    confirmed: int = 0  # labels (from the oldest in flight) now known to be printed


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

    def __init__(self, transport: Any, timeout: float = 0.5) -> None:
        self.transport = transport
        self.timeout = timeout
        self.unpolled_bytes = 0
        self.taken_by = 0.0  # monotonic time by which the printer can have taken in all bytes sent
        self.unanswered = False  # the last query went unanswered (its answer may still come)

    def start(self) -> None:
        """Called once the connection is open, before anything is sent on it."""

    def sent(self, data: bytes) -> None:
        self.unpolled_bytes += len(data)
        self.taken_by = max(self.taken_by, time.monotonic()) + self.wire_seconds(len(data))

    def wire_seconds(self, nbytes: int) -> float:
        """How long ``nbytes`` take to reach the printer: the transport's line rate (serial),
        the URI's ``baud``, else the slowest line printers are driven at."""
        wire = getattr(self.transport, "wire_seconds", None)
        if callable(wire):
            return wire(nbytes)
        return nbytes * BITS_PER_BYTE / _uri_baud(getattr(self.transport, "uri", "")) if nbytes else 0.0

    def receiving(self) -> float:
        """Seconds the printer may still be taking in what was sent (0: all of it is through)."""
        return max(0.0, self.taken_by - time.monotonic())

    def check(self, in_flight: int) -> Reading:
        """``poll``, with silence read as "busy" while the printer may still be taking in label
        bytes: a query queued behind them cannot be answered before they are through, and an
        unanswered one is not asked again meanwhile (its late answer would be read as the
        answer to the next, and answers piling up behind a label say nothing new)."""
        left = self.receiving()
        if self.unanswered and left > 0:
            time.sleep(min(left, self.timeout))
            return Reading("receiving", "receiving the labels sent")
        reading = self.poll(in_flight)
        self.unanswered = reading.kind == "silent"
        if self.unanswered and self.receiving() > 0:
            return Reading("receiving", f"receiving the labels sent ({reading.reason})", reading.confirmed)
        return reading

    def committed(self, copies: int) -> None:
        """A whole label (``copies`` physical labels) is now in the printer."""

    def _wait(self) -> float:
        """The answer queues behind what we just sent: allow its time on the wire."""
        wire = getattr(self.transport, "wire_seconds", None)
        extra = wire(self.unpolled_bytes) if callable(wire) else 0.0
        self.unpolled_bytes = 0
        return self.timeout + extra

    def poll(self, in_flight: int) -> Reading:
        raise NotImplementedError

    def printed_count(self) -> int | None:
        return None


class StatusLink(Link):
    """Idle means printed: a reply with no fault and no "printing" confirms all in flight.
    Also serves a status callable (tests, custom printers) whose answer may carry ``pending``:
    labels still in the printer."""

    def __init__(self, transport, query: Callable[[Any, float], Any], timeout: float = 0.5) -> None:
        super().__init__(transport, timeout)
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


class ZplLink(StatusLink):
    """Counts labels with the odometer. The counter's starting point is read the first time
    the printer is idle with no fault (everything sent has printed then), so labels a previous
    run left in the printer are never counted as ours; until then, idle means printed. Nothing
    is sent ahead of the first label."""

    def __init__(self, transport, timeout: float = 0.5) -> None:
        from printers.status import query_status

        super().__init__(transport, lambda t, to: query_status(t, "zpl", to), timeout)
        self.base: int | None = None
        self.copies: deque[int] = deque()  # physical labels each label in flight makes, oldest first

    def sent(self, data: bytes) -> None:
        super().sent(data)
        self._printed_by_last = zpl_labels_in(data)

    def committed(self, copies: int) -> None:
        # what the bytes say (^PQ) wins over what the renderer declared: a label counter
        # advancing by more than we expect would confirm labels that did not print
        self.copies.append(max(1, copies, getattr(self, "_printed_by_last", 0)))
        self._printed_by_last = 0

    @property
    def counts_exactly(self) -> bool:  # type: ignore[override]
        return self.base is not None

    def printed_count(self) -> int | None:
        from printers.status import query_label_count

        return query_label_count(self.transport, "zpl", self.timeout)

    def poll(self, in_flight: int) -> Reading:
        reading = super().poll(in_flight)
        if reading.kind in ("fault", "silent"):
            return reading
        if self.base is None:
            if reading.kind == "ready":
                self.base = self.printed_count()
                for _ in range(min(reading.confirmed, len(self.copies))):
                    self.copies.popleft()
            return reading
        count = self.printed_count()
        if count is None:
            return Reading("silent", "no answer to the label counter")
        done = 0
        while self.copies and done < in_flight and count - self.base >= self.copies[0]:
            self.base += self.copies.popleft()
            done += 1
        return Reading(reading.kind, reading.reason, done)


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

    def __init__(self, transport, timeout: float = 0.5) -> None:
        super().__init__(transport, timeout)
        self.next_id = 0
        self.outstanding: list[bytes] = []  # process ids sent, oldest first
        self.buf = b""

    def sent(self, data: bytes) -> None:
        super().sent(data)
        pid = b"%04d" % (self.next_id % 10000)
        self.next_id += 1
        self.transport.write(b"\x1d(H\x06\x0000" + pid)
        self.outstanding.append(pid)

    def poll(self, in_flight: int) -> Reading:
        """Ask DLE EOT 1-4 and read the four status bytes, taking the process-id answers
        (``37 22 d1 d2 d3 d4 00``) out of the same stream as they come."""
        import time

        from printers.status import ESCPOS_STATUS_QUERY, parse_escpos_status

        self.transport.write(ESCPOS_STATUS_QUERY)
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
            return Reading("printing" if done else "silent", "no answer to DLE EOT", done)
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


def _uri_baud(uri: str) -> int:
    from printers.transports import BadUriError, parse_uri

    try:
        baud = int(parse_uri(uri).params.get("baud", 0))
    except (BadUriError, ValueError):
        baud = 0
    return baud if baud > 0 else SLOWEST_BAUD


def default_link(transport, profile: str) -> Link:
    language = "tspl"
    if profile:
        from printers.profiles import load_profile

        p = load_profile(profile)
        language = (getattr(p, "status_protocol", None) or p.language).lower()
    if language == "zpl":
        return ZplLink(transport)
    if language == "escpos":
        return EscposLink(transport)
    from printers.status import query_status

    link = StatusLink(transport, lambda t, to: query_status(t, "tspl", to))
    link.split = tspl_split
    return link


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
