"""The progress of a long print run on a terminal: one line that updates in place (printed /
total, labels a minute, time left, the printer's state and why it waits), or - when the output
is not a terminal (a log, a pipe, a scheduled task) - a plain line every so often, so that a
2,000-label run that takes half an hour says where it is.

Fed by the queue's events (desktop.jobs.model.Event) from the worker thread; it writes only
when ``tick`` is called (from the thread that waits), so output never interleaves.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Callable, TextIO

from desktop.jobs.model import Event
from desktop.i18n import _

# a terminal line is redrawn at most this often; a plain line written at most this often
TTY_SECONDS = 0.25
PLAIN_SECONDS = 30.0


def _plain_seconds() -> float:
    """SIGILO_PROGRESS_SECONDS: how often a plain progress line is written (default 30)."""
    try:
        return max(0.05, float(os.environ.get("SIGILO_PROGRESS_SECONDS", PLAIN_SECONDS)))
    except ValueError:
        return PLAIN_SECONDS


class ProgressLine:
    def __init__(self, stream: TextIO, total: int, *, done: int = 0, failed: int = 0, printer: str = "",
                 tty: bool | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.total = total
        self.done = done
        self.failed = failed
        self.printer = printer
        self.tty = _isatty(stream) if tty is None else tty
        self.interval = TTY_SECONDS if self.tty else _plain_seconds()
        self.clock = clock
        self.started = clock()
        self.done_at_start = done
        self.state = "ready"
        self.reason = ""
        self._lock = threading.Lock()
        self._last = -1e9
        self._shown = ""
        self._width = 0

    # -- from the worker thread ---------------------------------------------------------------
    def event(self, event: Event) -> None:
        with self._lock:
            if event.kind == "label" and event.state == "confirmed":
                self.done += 1
            elif event.kind == "label" and event.state == "failed":
                self.failed += 1
            elif event.kind == "printer":
                self.state, self.reason = event.state, event.reason if event.reason != "fault cleared" else ""

    # -- from the waiting thread --------------------------------------------------------------
    def text(self) -> str:
        with self._lock:
            done, failed, state, reason = self.done, self.failed, self.state, self.reason
        elapsed = self.clock() - self.started
        fresh = done - self.done_at_start
        parts = [_("printed {done}/{total}").format(done=done, total=self.total)]
        if failed:
            parts.append(_("{failed} failed").format(failed=failed))
        left = self.total - done - failed
        if fresh > 0 and elapsed > 0:
            per_minute = fresh / elapsed * 60
            parts.append(_("{rate} labels a minute").format(rate=f"{per_minute:.0f}"))
            if left > 0:
                parts.append(_("about {duration} left").format(duration=_duration(left / per_minute * 60)))
        elif left > 0:
            parts.append(_("time left not known yet"))
        parts.append(_("printer {state}").format(state=state + (f": {reason}" if reason else "")))
        return " · ".join(parts)

    def tick(self, force: bool = False) -> None:
        now = self.clock()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        line = self.text()
        if self.tty:
            pad = max(0, self._width - len(line))
            self._write("\r" + line + " " * pad)
            self._width = len(line)
        elif force or line != self._shown:
            self._write(line + "\n")
        self._shown = line

    def say(self, message: str) -> None:
        """A message of its own line (a fault, a resume): the progress line is redrawn under it."""
        if self.tty and self._width:
            self._write("\r" + " " * self._width + "\r")
            self._width = 0
        self._write(message + "\n")
        if self.tty:
            self._last = -1e9
            self.tick()

    def close(self) -> None:
        self.tick(force=True)
        if self.tty and self._width:
            self._write("\n")
            self._width = 0

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: printing goes on
            pass


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 90:
        return _("{seconds} s").format(seconds=seconds)
    minutes = seconds // 60
    if minutes < 90:
        return _("{minutes} min").format(minutes=minutes)
    return _("{hours} h {minutes} min").format(hours=minutes // 60, minutes=f"{minutes % 60:02d}")
