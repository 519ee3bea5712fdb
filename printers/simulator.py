"""A simulated label printer, for tests, demos and benchmarks without hardware.

It serves one of three endpoints: a real pseudo-terminal pair made by socat (the client opens
``serial://<link>``, the simulator the other end with pyserial), a TCP port on 127.0.0.1
(``tcp://127.0.0.1:<port>``), or a memory printer (``mem://<name>``). It understands TSPL,
ZPL and ESC/POS enough to split the stream into labels (printers.labelstream) and answers
status queries from its own state, in the language's real reply format (printers.status).

Timing, like a real printer:
  * bytes are taken at the configured baud rate (10 bits a byte: ptys do not pace by
    themselves, so the simulator sleeps per chunk; throughput = baud / 10 bytes a second);
  * each label takes ``seconds_per_label`` of mechanical time (or label length / speed).

What "printed" means: a label counts as printed - appears in ``labels`` and advances the
counter - only after its whole mechanical time has passed with paper in, head closed and not
paused. A fault during that time leaves it unprinted and pending; it prints from the start
once the fault clears (as a real printer reprints the interrupted label). Faults: paper out,
head open, ribbon out, pause, and vanishing (see vanish/come_back). ``received`` holds
every byte that arrived, ``queries`` every status query.

How a client (a print queue) detects each state, per language:
  fault          TSPL ESC !?          ZPL ~HQES (then ~HS)           ESC/POS DLE EOT 1-4
  paper out      bit2 (0x04)          error flag 0x1; ~HS silent     EOT2 bit5, EOT4 bits 5-6
  head open      bit0 (0x01)          error flag 0x4; ~HS silent     EOT2 bit2 (cover open)
  ribbon out     bit3 (0x08)          error flag 0x2; ~HS silent     (direct thermal: none)
  paused         bit4 (0x10)          ~HS string 1 pause flag        EOT1 bit3 (offline)
  printing       bit5 (0x20)          ~HS formats/labels remaining   (no bit in ESC/POS)
  vanished       no answer (timeout) and DisconnectedError on write/read through the transport;
                 after ``come_back()`` the same URI opens again.
Confirming a label: TSPL - after the label's bytes, poll ESC !? until bit5 (printing) and
every fault bit are clear; ZPL - ``! U1 getvar "odometer.total_label_count"`` returns the
printed-label counter (compare before/after), or ~HS shows no formats or labels left;
ESC/POS - ``GS ( H`` (process id, fn 48) is answered ``37 22 d1 d2 d3 d4 00`` only once every
label sent before it has printed. TSPL has no label-counter query in its manual, so none is
simulated.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from printers import status as st
from printers.labelstream import Event, LabelStream

MEDIA = ("gap", "bline", "continuous")  # the labels loaded: die-cut with gaps, black marks, continuous
_TSPL_SETTING = re.compile(rb"(?:^|\n)\s*(SIZE|GAP|BLINE)\s+(-?[\d.]+\s*(?:mm|dot)?)\s*(?:,\s*(-?[\d.]+\s*(?:mm|dot)?))?",
                           re.IGNORECASE)
_ZPL_PRINTS = re.compile(rb"\^(F[A-Z]|G[A-Z]|X[GF]|B[0-9A-Z]|D[FG])")


def _tspl_mm(value: bytes, dpi: int = 203) -> float:
    """A SIZE/GAP/BLINE value in mm ("100 mm", "4" inches, "812 dot")."""
    text = value.strip().lower()
    if text.endswith(b"mm"):
        return float(text[:-2])
    if text.endswith(b"dot"):
        return round(float(text[:-3]) * 25.4 / dpi, 1)
    return round(float(text) * 25.4, 1)


def _zpl_settings_only(fmt: bytes) -> bool:
    """A format with settings (^MN, ^LL, ^JUS ...) and nothing to print: it feeds no label."""
    return _ZPL_PRINTS.search(fmt) is None and re.search(rb"\^(MN|LL|JU|PW)", fmt) is not None


class Pacer:
    """Hold a byte stream to ``baud`` / ``bits_per_byte`` bytes a second. Idle time gives no
    credit (a line that sat idle does not then burst). Clock and sleep are injectable so the
    arithmetic is testable without waiting."""

    def __init__(self, baud: int | None, bits_per_byte: float = 10.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.baud = baud
        self.bits_per_byte = bits_per_byte
        self.clock, self.sleep = clock, sleep
        self._due = 0.0

    @property
    def bytes_per_second(self) -> float:
        return float("inf") if not self.baud else self.baud / self.bits_per_byte

    def chunk_size(self, interval: float = 0.02) -> int:
        """Bytes to take per read so pacing stays smooth at ~``interval`` seconds a step."""
        if not self.baud:
            return 65536
        return max(1, int(self.bytes_per_second * interval))

    def take(self, n: int) -> float:
        """Account for n bytes; sleep until they would have crossed the wire. Returns the sleep."""
        if not self.baud or n <= 0:
            return 0.0
        now = self.clock()
        self._due = max(self._due, now) + n * self.bits_per_byte / self.baud
        wait = self._due - now
        if wait > 0:
            self.sleep(wait)
        return max(wait, 0.0)


def wire_seconds(nbytes: int, baud: int, bits_per_byte: float = 10.0) -> float:
    return nbytes * bits_per_byte / baud


class SimulatorError(RuntimeError):
    pass


_LIVE_SOCATS: set[subprocess.Popen] = set()


@atexit.register
def _end_socats() -> None:
    """A simulator that was never stopped (a crashed test, an interrupted demo) must not leave
    its socat running after Python exits."""
    for proc in list(_LIVE_SOCATS):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()


class SimulatedPrinter:
    def __init__(self, language: str = "tspl", baud: int | None = 115200, seconds_per_label: float = 0.5, *,
                 pty: str | os.PathLike | None = None, tcp_port: int | None = None, mem: str | None = None,
                 label_length_mm: float | None = None, speed_ips: float | None = None,
                 on_label: Callable[[int, bytes], None] | None = None, media: str = "gap",
                 media_length_mm: float = 150.0, media_gap_mm: float = 3.0, dpi: int = 203,
                 detect_seconds: float = 0.3) -> None:
        if sum(x is not None for x in (pty, tcp_port, mem)) != 1:
            raise ValueError("give exactly one of pty=, tcp_port= or mem=")
        self.language = language.lower()
        LabelStream(self.language)  # validates the language
        if tcp_port is not None and not 0 <= tcp_port <= 65535:
            raise SimulatorError(f"TCP port {tcp_port} is not a port number; use 1 to 65535, or 0 for any free one")
        if baud is not None and baud < 0:
            raise SimulatorError(f"baud {baud} is negative; use e.g. 9600 or 115200 (0: no pacing)")
        if seconds_per_label < 0:
            raise SimulatorError(f"a label cannot take {seconds_per_label:g} seconds; use 0 or more")
        self.baud = baud
        if label_length_mm and speed_ips:
            seconds_per_label = label_length_mm / 25.4 / speed_ips
        self.seconds_per_label = seconds_per_label
        self.pty_link = Path(pty) if pty is not None else None
        self.tcp_port = tcp_port
        self.mem_name = mem
        self.on_label = on_label
        if media not in MEDIA:
            raise SimulatorError(f"unknown media {media!r}; use one of {', '.join(MEDIA)}")
        # the labels loaded (what a calibration finds) and what the printer is set to
        self.media = media
        self.media_length_mm = float(media_length_mm)
        self.media_gap_mm = float(media_gap_mm)
        self.dpi = dpi
        self.detect_seconds = detect_seconds
        self.setting = {"width_mm": 100.0, "length_mm": 150.0, "gap_mm": 2.0, "bline_mm": 0.0,
                        "sensor": "gap", "tracking": "Y", "label_dots": 1200}
        self.calibrations: list[str] = []  # each calibration run: "gap: found 150 mm, gap 3 mm", ...
        # state
        self.paper = True
        self.head_closed = True
        self.paused = False
        self.ribbon = True
        self.vanished = False
        self.stalled = threading.Event()  # set: the printer takes no bytes and answers nothing
        self.discarded: list[bytes] = []  # TSPL bodies wiped by CLS before their PRINT
        self.labels: list[bytes] = []
        self.printed_times: list[float] = []  # wall-clock time (time.time()) each label came out
        self.received = bytearray()
        self.queries: list[bytes] = []
        self.printed_count = 0
        self._pending: deque = deque()  # ("label", bytes) or ("pid", bytes)
        self._printing_since: float | None = None
        self._lock = threading.RLock()
        self._send_lock = threading.Lock()  # replies come from the I/O and the engine threads
        self._changed = threading.Condition(self._lock)
        self._running = False
        self._threads: list[threading.Thread] = []
        self._stream = LabelStream(self.language)
        self._socat: subprocess.Popen | None = None
        self._port = None  # pyserial end of the pty pair
        self._listener: socket.socket | None = None
        self._conn: socket.socket | None = None
        self._io_stop = threading.Event()
        self._io_thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------
    @property
    def uri(self) -> str:
        if self.pty_link is not None:
            return f"serial://{self.pty_link}?baud={self.baud or 115200}"
        if self.tcp_port is not None:
            return f"tcp://127.0.0.1:{self.tcp_port}"
        return f"mem://{self.mem_name}"

    def start(self) -> SimulatedPrinter:
        self._running = True
        engine = threading.Thread(target=self._engine, name="sim-engine", daemon=True)
        engine.start()
        self._threads.append(engine)
        self._open_endpoint()
        return self

    def stop(self) -> None:
        self._running = False
        with self._changed:
            self._changed.notify_all()
        self._close_endpoint()
        for t in self._threads:
            t.join(timeout=5)
        self._threads.clear()
        if self.mem_name is not None:
            from printers.transports.mem import remove_mem_printer

            remove_mem_printer(self.mem_name)

    def __enter__(self) -> SimulatedPrinter:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- faults and control ------------------------------------------------------------
    def paper_out(self) -> None:
        self._set(paper=False)

    def paper_in(self) -> None:
        self._set(paper=True)

    def head_open(self) -> None:
        self._set(head_closed=False)

    def head_close(self) -> None:
        self._set(head_closed=True)

    def ribbon_out(self) -> None:
        self._set(ribbon=False)

    def ribbon_in(self) -> None:
        self._set(ribbon=True)

    def pause(self) -> None:
        self._set(paused=True)

    def resume(self) -> None:
        self._set(paused=False)

    def vanish(self) -> None:
        """Go away as an unplugged cable or a powered-off network printer does: the pty or
        socket closes and nothing answers. Labels received whole stay pending; a label cut
        off part-way is dropped, as a printer drops a broken job, so what arrives after the
        return is read from a clean start (not as the rest of that label's bitmap)."""
        with self._lock:
            if self.vanished:
                return
            self.vanished = True
        self._close_endpoint()
        with self._changed:
            self._stream = LabelStream(self.language)

    def stall(self) -> None:
        """Stop taking bytes, as a printer whose firmware is busy (or whose buffer is full) does:
        nothing sent is read, no query is answered; the link stays up. Queries sent meanwhile
        are answered all at once by ``unstall()``, in order, as a real printer does."""
        self.stalled.set()

    def unstall(self) -> None:
        self.stalled.clear()

    def come_back(self) -> None:
        """Reappear at the same pty link or TCP port."""
        with self._lock:
            if not self.vanished:
                return
            self.vanished = False
        self._open_endpoint()

    def command(self, word: str) -> str:
        """The control channel's words (CLI stdin): paper-out, paper-in, head-open, head-close,
        ribbon-out, ribbon-in, pause, resume, vanish, return, stall, unstall, status, labels."""
        actions = {"paper-out": self.paper_out, "paper-in": self.paper_in, "head-open": self.head_open,
                   "head-close": self.head_close, "ribbon-out": self.ribbon_out, "ribbon-in": self.ribbon_in,
                   "pause": self.pause, "resume": self.resume,
                   "vanish": self.vanish, "return": self.come_back, "stall": self.stall, "unstall": self.unstall}
        word = word.strip().lower()
        if word.startswith("media "):
            parts = word.split()
            self.load_media(parts[1], *(float(x) for x in parts[2:4]))
            return f"ok media {parts[1]}"
        if word in actions:
            actions[word]()
            return f"ok {word}"
        if word == "status":
            return "status " + str(self.status())
        if word == "labels":
            return f"labels {self.printed_count}"
        raise ValueError(f"unknown command {word!r}; use one of {', '.join(list(actions) + ['status', 'labels'])}")

    def _set(self, **changes) -> None:
        with self._changed:
            for key, value in changes.items():
                setattr(self, key, value)
            self._changed.notify_all()

    # -- what a client can observe -----------------------------------------------------
    def flags(self) -> set[str]:
        with self._lock:
            flags = set()
            if not self.paper:
                flags.add("paper_out")
            if not self.head_closed:
                flags.add("head_open")
            if not self.ribbon:
                flags.add("ribbon_out")
            if self.paused:
                flags.add("paused")
            if not flags and any(kind in ("label", "calibrate") for kind, _ in self._pending):
                flags.add("printing")
            return flags

    def status(self) -> st.PrinterStatus:
        return st.from_flags(self.flags())

    @property
    def pending_labels(self) -> int:
        with self._lock:
            return sum(1 for kind, _ in self._pending if kind == "label")

    def wait_printed(self, count: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.printed_count < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def wait_received(self, nbytes: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.received) < nbytes:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    # -- the protocol ------------------------------------------------------------------
    def _reply(self, query: bytes) -> bytes:
        flags = self.flags()
        lang = self.language
        if lang == "tspl":
            if query == st.TSPL_STATUS_QUERY:
                return st.tspl_status_byte(flags)
            if query == st.TSPL_EXTENDED_QUERY:
                return st.tspl_extended_reply(flags)
            if query == b"~!T":
                return b"SIGILO SIM TSPL\r"
            if b"OUT" in query.upper():
                with self._changed:
                    self._apply_tspl_settings(query)
                    self._pending.append(("out", query))  # answered in turn, after a detect before it
                    self._changed.notify_all()
            return b""
        if lang == "zpl":
            if query == st.ZPL_HQES_QUERY:
                return st.zpl_hqes_reply(flags)
            if query == st.ZPL_HS_QUERY:
                if flags & {"paper_out", "head_open", "ribbon_out"}:
                    return b""  # real printers stay silent here (see printers.status)
                with self._lock:
                    remaining = self.pending_labels + sum(1 for kind, _ in self._pending if kind == "calibrate")
                    dots = int(self.setting["label_dots"])
                return st.zpl_hs_reply(flags, formats=remaining, remaining=remaining, label_dots=dots)
            if query == b"~JC":
                with self._changed:
                    self._pending.append(("calibrate", b"~JC"))
                    self._changed.notify_all()
                return b""
            if query.startswith(b"! U1 getvar") and b"odometer.total_label_count" in query:
                return b'"%d"' % self.printed_count
            if query.startswith(b"! U1 getvar"):
                return b'"?"'
            return b""
        if query[:2] == b"\x10\x04" and len(query) == 3:
            return st.escpos_status_reply(query[2], flags)
        if query[:3] == b"\x1d(H" and len(query) >= 11 and query[5:7] == b"00":
            with self._changed:
                self._pending.append(("pid", query[7:11]))
                self._changed.notify_all()
            return b""  # answered by the engine once everything before it has printed
        return b""

    def _consume(self, data: bytes) -> None:
        """Act on labels and queries in stream order, so a query's answer (and an ESC/POS
        process id's place in the queue) reflects exactly the labels sent before it."""
        replies = b""
        with self._changed:
            self.received += data
            events: list[Event] = self._stream.feed(data)
            for ev in events:
                if ev.kind == "calibrate":
                    self._apply_tspl_settings(ev.data)
                    self._pending.append(("calibrate", ev.data))
                    continue
                if ev.kind == "label" and self.language == "zpl" and _zpl_settings_only(ev.data):
                    self._apply_zpl_settings(ev.data)  # a format of settings prints nothing
                    continue
                if ev.kind == "label" and self.language == "tspl":
                    self._apply_tspl_settings(ev.data)
                if ev.kind == "label":
                    for _ in range(max(1, ev.copies)):
                        self._pending.append(("label", ev.data))
                elif ev.kind == "query":
                    self.queries.append(ev.data)
                    replies += self._reply(ev.data)
                elif ev.kind == "discarded":
                    self.discarded.append(ev.data)
            self._changed.notify_all()
        if replies:
            self._send(replies)  # one write for queries that came together (DLE EOT 1-4)

    def _engine(self) -> None:
        """The mechanism: prints pending labels one at a time while paper, head and pause allow."""
        with self._changed:
            while self._running:
                if not self._pending:
                    self._changed.wait(0.2)
                    continue
                kind, data = self._pending[0]
                if kind == "out" and not (self.paper and self.head_closed):
                    self._changed.wait(0.2)  # a printer stopped in error reads no further commands
                    continue
                if kind == "out":
                    self._pending.popleft()
                    answer = self._tspl_answer()
                    self._lock.release()
                    try:
                        self._send(answer)
                    finally:
                        self._lock.acquire()
                    continue
                if kind == "calibrate" and (self.paper and self.head_closed and not self.paused):
                    if self._printing_since is None:
                        self._printing_since = time.monotonic()
                    left = self._printing_since + self.detect_seconds - time.monotonic()
                    if left > 0:
                        self._changed.wait(min(left, 0.2))
                        continue
                    self._pending.popleft()
                    self._printing_since = None
                    self._calibrate(data)
                    self._changed.notify_all()
                    continue
                if kind == "pid":
                    self._pending.popleft()
                    self._lock.release()
                    try:
                        self._send(b"\x37\x22" + data + b"\x00")
                    finally:
                        self._lock.acquire()
                    continue
                if not (self.paper and self.head_closed and self.ribbon and not self.paused):
                    self._printing_since = None
                    self._changed.wait(0.2)
                    continue
                if self._printing_since is None:
                    self._printing_since = time.monotonic()
                left = self._printing_since + self.seconds_per_label - time.monotonic()
                if left > 0:
                    self._changed.wait(min(left, 0.2))
                    continue
                self._pending.popleft()
                self._printing_since = None
                self.labels.append(data)
                self.printed_times.append(time.time())
                self.printed_count += 1
                count = self.printed_count
                self._changed.notify_all()
                if self.on_label is not None:
                    self._lock.release()
                    try:
                        self.on_label(count, data)
                    finally:
                        self._lock.acquire()

    # -- media calibration -------------------------------------------------------------
    def _apply_tspl_settings(self, data: bytes) -> None:
        """SIZE, GAP and BLINE lines change what the printer is set to, as on a real one."""
        for m in _TSPL_SETTING.finditer(data):
            word, first, second = m.group(1).upper(), _tspl_mm(m.group(2)), _tspl_mm(m.group(3) or b"0")
            if word == b"SIZE":
                self.setting.update(width_mm=first, length_mm=second)
            elif word == b"GAP":
                self.setting.update(gap_mm=first, sensor="continuous" if first == 0 else "gap")
            else:
                self.setting.update(bline_mm=first, sensor="bline")

    def _apply_zpl_settings(self, data: bytes) -> None:
        m = re.search(rb"\^MN([NYWMA])", data)
        if m:
            self.setting["tracking"] = m.group(1).decode()
        m = re.search(rb"\^LL(\d+)", data)
        if m:
            self.setting["label_dots"] = int(m.group(1))
        m = re.search(rb"\^PW(\d+)", data)
        if m:
            self.setting["width_mm"] = round(int(m.group(1)) * 25.4 / self.dpi, 1)

    def _calibrate(self, data: bytes) -> None:
        """What the loaded media lets the sensor find. A sensor looking for a gap or mark that is
        not there feeds until it gives up and stops out of paper, as real printers do."""
        if self.language == "zpl":
            tracking = self.setting["tracking"]
            wanted = {"Y": ("gap",), "W": ("gap",), "M": ("bline",), "A": ("gap", "bline"), "N": ()}[tracking]
            if not wanted:
                self.calibrations.append("continuous: sensors set")
                return
            if self.media not in wanted:
                self.paper = False
                self.calibrations.append(f"{tracking}: no {'/'.join(wanted)} found on {self.media} media")
                return
            self.setting["label_dots"] = round(self.media_length_mm * self.dpi / 25.4)
            self.calibrations.append(f"{tracking}: found {self.media_length_mm:g} mm")
            return
        word = data.strip().splitlines()[-1].split()[0].upper() if data.strip() else b""
        wanted = {b"GAPDETECT": ("gap",), b"BLINEDETECT": ("bline",), b"AUTODETECT": ("gap", "bline")}.get(word, ())
        if self.media not in wanted:
            self.paper = False
            self.calibrations.append(f"{word.decode().lower()}: nothing found on {self.media} media")
            return
        self.setting["length_mm"] = self.media_length_mm
        if self.media == "gap":
            self.setting.update(gap_mm=self.media_gap_mm, sensor="gap")
        else:
            self.setting.update(bline_mm=self.media_gap_mm, sensor="bline")
        self.calibrations.append(f"{self.media}: found {self.media_length_mm:g} mm, {self.media_gap_mm:g} mm")

    def _tspl_answer(self) -> bytes:
        from printers.calibration import tspl_answer

        s = self.setting
        return tspl_answer(s["length_mm"], s["gap_mm"] if s["sensor"] != "bline" else 0.0,
                           s["bline_mm"] if s["sensor"] == "bline" else 0.0)

    def load_media(self, media: str, length_mm: float | None = None, gap_mm: float | None = None) -> None:
        """Load another kind of labels (control word ``media gap|bline|continuous``)."""
        if media not in MEDIA:
            raise ValueError(f"unknown media {media!r}; use one of {', '.join(MEDIA)}")
        with self._changed:
            self.media = media
            if length_mm is not None:
                self.media_length_mm = float(length_mm)
            if gap_mm is not None:
                self.media_gap_mm = float(gap_mm)
            self._changed.notify_all()

    # -- endpoints ---------------------------------------------------------------------
    def _send(self, data: bytes) -> None:
        with self._send_lock:
            self._send_now(data)

    def _send_now(self, data: bytes) -> None:
        try:
            if self._port is not None:
                self._port.write(data)
            elif self._conn is not None:
                self._conn.sendall(data)
            elif self.mem_name is not None and not self.vanished:
                from printers.transports.mem import mem_printer

                mem_printer(self.mem_name).answer(data)
        except (OSError, Exception):
            pass  # the client went away; like a printer, we do not care

    def _open_endpoint(self) -> None:
        self._io_stop = threading.Event()
        if self.pty_link is not None:
            self._open_pty()
            target = self._serve_pty
        elif self.tcp_port is not None:
            self._open_tcp()
            target = self._serve_tcp
        else:
            from printers.transports.mem import mem_printer

            printer = mem_printer(self.mem_name)
            printer.responder = self._mem_responder
            printer.online = True
            return
        self._io_thread = threading.Thread(target=target, args=(self._io_stop,), name="sim-io", daemon=True)
        self._io_thread.start()

    def _close_endpoint(self) -> None:
        self._io_stop.set()
        if self.mem_name is not None:
            from printers.transports.mem import mem_printers

            printer = mem_printers().get(self.mem_name)
            if printer is not None:
                printer.online = False
        for sock_attr in ("_conn", "_listener"):
            sock = getattr(self, sock_attr)
            setattr(self, sock_attr, None)
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
        if self._io_thread is not None:
            self._io_thread.join(timeout=5)
            self._io_thread = None
        port, self._port = self._port, None
        if port is not None:
            port.close()
        proc, self._socat = self._socat, None
        _LIVE_SOCATS.discard(proc)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.pty_link is not None:
            for link in (self.pty_link, self._inner_link):
                if link.is_symlink():
                    link.unlink()

    def _mem_responder(self, data: bytes) -> bytes:
        self._consume(data)
        return b""

    @property
    def _inner_link(self) -> Path:
        return self.pty_link.with_name(self.pty_link.name + ".printer")

    def _open_pty(self) -> None:
        socat = shutil.which("socat")
        if socat is None:
            raise SimulatorError("the simulated serial printer needs socat (Debian: `apt install socat`)")
        for link in (self.pty_link, self._inner_link):
            if link.is_symlink():
                link.unlink()
        self._socat = subprocess.Popen(
            [socat, f"pty,raw,echo=0,link={self.pty_link}", f"pty,raw,echo=0,link={self._inner_link}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        _LIVE_SOCATS.add(self._socat)
        deadline = time.monotonic() + 10
        while not (self.pty_link.exists() and self._inner_link.exists()):
            if self._socat.poll() is not None or time.monotonic() > deadline:
                self._socat.kill()
                self._socat.wait()
                raise SimulatorError(f"socat could not create the pty pair at {self.pty_link}")
            time.sleep(0.01)
        import serial

        self._port = serial.Serial(str(self._inner_link), baudrate=self.baud or 115200, timeout=0.05)

    def _serve_pty(self, stop: threading.Event) -> None:
        pacer = Pacer(self.baud)
        port = self._port
        size = pacer.chunk_size()
        while not stop.is_set():
            if self.stalled.is_set():
                time.sleep(0.02)
                continue
            try:
                data = port.read(1)  # waits up to the port timeout for the first byte
                if data:
                    waiting = min(port.in_waiting, size - 1)
                    if waiting:
                        data += port.read(waiting)
            except Exception:
                return  # closed under us (vanish/stop)
            if data:
                pacer.take(len(data))
                self._consume(data)

    def _open_tcp(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", self.tcp_port or 0))
        except OSError as exc:
            listener.close()
            raise SimulatorError(f"cannot listen on 127.0.0.1:{self.tcp_port}: {exc.strerror}; "
                                 "another program uses the port (pick another, or 0 for any free one)") from exc
        listener.listen(1)
        listener.settimeout(0.1)
        self.tcp_port = listener.getsockname()[1]
        self._listener = listener

    def _serve_tcp(self, stop: threading.Event) -> None:
        pacer = Pacer(self.baud)
        size = pacer.chunk_size()
        listener = self._listener
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(0.1)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._conn = conn
            while not stop.is_set():
                if self.stalled.is_set():
                    time.sleep(0.02)
                    continue
                try:
                    data = conn.recv(size)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not data:
                    break
                pacer.take(len(data))
                self._consume(data)
            if self._conn is conn:
                self._conn = None
                conn.close()


def run_forever(printer: SimulatedPrinter, lines, write: Callable[[str], None]) -> bool:
    """Drive ``printer`` from a stream of control words (the CLI's stdin). Returns True when told
    to quit, False when the stream simply ended."""
    for line in lines:
        word = line.strip()
        if not word:
            continue
        if word in ("quit", "exit"):
            return True
        try:
            write(printer.command(word))
        except ValueError as exc:
            write(f"error {exc}")
    return False


__all__ = ["Pacer", "SimulatedPrinter", "SimulatorError", "run_forever", "wire_seconds"]
