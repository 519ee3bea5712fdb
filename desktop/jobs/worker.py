"""One printer's worker thread: all of that printer's device I/O happens here (Electrum's one
device thread), so a slow or jammed printer never blocks another or the GUI.

The loop keeps up to ``window`` labels in the printer's buffer and renders the next label while
the printer prints, polls status between labels where the connection reads back, and on a
fault (paper out, head open, pause, no answer, disconnect) pauses this printer's queue with the
reason, waits for the fault to clear (reopening the connection after a disconnect) and resumes
from the first unconfirmed label. Labels that were in the printer when the fault struck have
an unknown fate: they are printed again with a REPRINT mark, never silently duplicated.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

from desktop.jobs.jobstore import JobStore, bytes_hash
from desktop.jobs.model import FAULT, PAUSED, PRINTING, READY, Event, LabelWork, RenderedLabel

log = logging.getLogger(__name__)

FAULT_STATES = {"PAPER_OUT", "HEAD_OPEN", "RIBBON_OUT", "PAUSED", "OFFLINE", "ERROR", "JAM", "PAPER_JAM"}


@dataclass
class Reading:
    """A status answer reduced to what the queue acts on."""

    kind: str  # ready | printing | fault | unknown
    reason: str = ""
    pending: int | None = None  # labels still in the printer, when the status says so


def read_status(status: Any) -> Reading:
    state = getattr(status, "state", status)
    name = str(getattr(state, "name", getattr(state, "value", state))).upper()
    detail = str(getattr(status, "detail", "") or "")
    pending = None
    for attr in ("pending", "labels_pending", "buffered_labels", "labels_in_buffer", "formats_in_buffer"):
        value = getattr(status, attr, None)
        if isinstance(value, int):
            pending = value if pending is None else pending + value
            break
    remaining = getattr(status, "labels_remaining", None)
    if isinstance(remaining, int) and pending is not None:
        pending = max(pending, remaining)
    elif isinstance(remaining, int):
        pending = remaining
    if name in FAULT_STATES:
        return Reading("fault", name.lower() + (f": {detail}" if detail else ""), pending)
    if name == "READY":
        return Reading("ready", detail, pending)
    if name == "PRINTING":
        return Reading("printing", detail, pending)
    return Reading("unknown", detail or name.lower(), pending)


class PrinterWorker(threading.Thread):
    def __init__(self, uri: str, jobs: JobStore, renderer: Callable[[LabelWork], RenderedLabel],
                 opener: Callable[[str], Any], status: Callable[[Any, str], Any] | None,
                 emit: Callable[[Event], None], *, window: int = 2, poll_interval: float = 0.05,
                 fault_poll_interval: float = 0.2, max_silent_polls: int = 20, actor: str = "system") -> None:
        super().__init__(name=f"printer {uri}", daemon=True)
        self.uri = uri
        self.jobs = jobs
        self.renderer = renderer
        self.opener = opener
        self.status = status
        self.emit = emit
        self.window = max(1, window)
        self.poll_interval = poll_interval
        self.fault_poll_interval = fault_poll_interval
        self.max_silent_polls = max_silent_polls
        self.actor = actor
        self.wake = threading.Event()
        self._halt = threading.Event()
        self.user_paused = False
        self.transport = None
        self.in_flight: deque[tuple[int, str, RenderedLabel]] = deque()
        self.prepared: tuple[Any, LabelWork, RenderedLabel] | None = None
        self.fault: str | None = None
        self.state = READY
        self.silent_polls = 0
        self.idle = threading.Event()
        self._profile_name = ""

    # --- control from other threads ---------------------------------------------------
    def stop(self) -> None:
        self._halt.set()
        self.wake.set()

    def pause(self) -> None:
        self.user_paused = True
        self.wake.set()

    def resume(self) -> None:
        self.user_paused = False
        self.wake.set()

    # --- the loop -------------------------------------------------------------------
    def run(self) -> None:
        try:
            while not self._halt.is_set():
                try:
                    self._step()
                except Exception as exc:  # a device error we did not type: treat as a fault, keep the thread
                    if self._is_transport_error(exc):
                        self._on_fault("offline", f"{type(exc).__name__}: {getattr(exc, 'message', exc)}")
                    else:
                        log.exception("print worker for %s", self.uri)
                        self._on_fault("error", type(exc).__name__)
                    self._close_transport()
        finally:
            self._close_transport()

    @staticmethod
    def _is_transport_error(exc: Exception) -> bool:
        from printers.errors import PrinterError

        return isinstance(exc, (PrinterError, OSError))

    def _step(self) -> None:
        if self.user_paused and not self.in_flight:
            self._set_state(PAUSED, "paused by operator")
            self.wake.wait(0.5)
            self.wake.clear()
            return
        if self.fault is not None:
            self._wait_fault_clear()
            return
        if self.transport is None:
            self.transport = self.opener(self.uri)
        sent_any = False
        while not self.user_paused and len(self.in_flight) < self.window:
            item = self.prepared or self._prepare()
            self.prepared = None
            if item is None:
                break
            self._send(*item)
            sent_any = True
        if self.in_flight:
            self._set_state(PRINTING)
            if self.prepared is None and not self.user_paused:
                self.prepared = self._prepare()  # render the next label while this one prints
            self._poll()
            if not sent_any:
                self._halt.wait(self.poll_interval)
        else:
            self._set_state(READY)
            self.idle.set()
            self.wake.wait(1.0)
            self.wake.clear()
            self.idle.clear()

    def _prepare(self):
        exclude = [lid for lid, _, _ in self.in_flight]
        while True:
            rows = self.jobs.next_labels(self.uri, exclude=exclude)
            if not rows:
                return None
            row = rows[0]
            work = None
            try:
                work = self.jobs.work_for(row)
                self._profile_name = work.profile
                rendered = self.renderer(work)
            except Exception as exc:  # this label cannot be printed as given: fail it, go on
                message = _scrub(f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}", work)
                self.jobs.mark_failed(row["id"], message)
                self.emit(Event("label", row["job_id"], "failed", row["id"], row["tracking_number"], message))
                exclude.append(row["id"])
                continue
            return row, work, rendered

    def _send(self, row, work: LabelWork, rendered: RenderedLabel) -> None:
        self.jobs.mark_sent(row["id"])  # before the bytes leave: a crash from here on is "fate unknown"
        self.in_flight.append((row["id"], row["tracking_number"], rendered))
        self.emit(Event("label", row["job_id"], "sent", row["id"], row["tracking_number"]))
        self.transport.write(rendered.data)
        self.transport.drain()
        if not getattr(self.transport, "can_read", False) or self.status is None:
            self._confirm(1)  # a spooler or a file: handing the bytes over is all we can know

    def _poll(self) -> None:
        if not self.in_flight or self.status is None or not getattr(self.transport, "can_read", False):
            return
        reading = read_status(self.status(self.transport, self._profile()))
        if reading.kind == "unknown":
            self.silent_polls += 1
            if self.silent_polls >= self.max_silent_polls:
                self._on_fault("timeout", "the printer does not answer status queries")
            return
        self.silent_polls = 0
        if reading.kind == "fault":
            self._on_fault(reading.reason.split(":")[0], reading.reason)
            return
        if reading.pending is not None:
            self._confirm(len(self.in_flight) - reading.pending)
        elif reading.kind == "ready":
            self._confirm(len(self.in_flight))

    def _profile(self) -> str:
        return getattr(self, "_profile_name", "") or ""

    def _confirm(self, count: int) -> None:
        for _ in range(max(0, min(count, len(self.in_flight)))):
            label_id, tracking, rendered = self.in_flight.popleft()
            self.jobs.mark_confirmed(label_id, bytes_hash(rendered.data), rendered.masked, rendered.qr_text,
                                     self.uri, actor=self.actor)
            job = self.jobs.store.query("SELECT job_id FROM labels WHERE id=?", (label_id,))[0][0]
            self.emit(Event("label", job, "confirmed", label_id, tracking))

    # --- faults -----------------------------------------------------------------------
    def _on_fault(self, state: str, reason: str) -> None:
        first = self.fault is None
        self.fault = state
        self.silent_polls = 0
        if first:
            self.jobs.set_printer_state(self.uri, FAULT, reason)
            self.jobs.audit.append(self.actor, "fault", self.uri, {"state": state, "reason": reason})
            self.emit(Event("printer", self.uri, FAULT, reason=reason))
        self.state = FAULT
        if self.prepared is not None:
            self.prepared = None  # it may carry a stale REPRINT state; render again on resume

    def _wait_fault_clear(self) -> None:
        self._halt.wait(self.fault_poll_interval)
        if self._halt.is_set():
            return
        try:
            if self.transport is None:
                self.transport = self.opener(self.uri)
            if self.status is None or not getattr(self.transport, "can_read", False):
                reading = Reading("ready")
            else:
                if hasattr(self.transport, "discard_input"):
                    self.transport.discard_input()
                reading = read_status(self.status(self.transport, self._profile()))
        except Exception as exc:
            if not self._is_transport_error(exc):
                raise
            self._close_transport()
            return
        if reading.kind == "ready" and (reading.pending in (None, 0)):
            # whatever was in the printer when the fault struck may or may not have printed
            unknown = [lid for lid, _, _ in self.in_flight]
            self.in_flight.clear()
            reason = f"printer fault ({self.fault}) while printing"
            self.jobs.requeue_unknown(unknown, reason, actor=self.actor)
            self.fault = None
            self.jobs.set_printer_state(self.uri, READY, "")
            self.emit(Event("printer", self.uri, READY, reason="fault cleared"))
            self.state = READY

    def _close_transport(self) -> None:
        if self.transport is not None:
            try:
                self.transport.close()
            except Exception:
                pass
            self.transport = None

    def _set_state(self, state: str, reason: str = "") -> None:
        if state != self.state:
            self.state = state
            self.jobs.set_printer_state(self.uri, state, reason)
            self.emit(Event("printer", self.uri, state, reason=reason))


def _scrub(message: str, work: LabelWork | None) -> str:
    """Error text is persisted and shown: keep its first line and blank out any recipient value
    it quotes, so a failed label never leaks what its face would have hidden."""
    text = (message.splitlines() or ["error"])[0][:300]
    if work is not None:
        r = work.shipment.recipient
        for value in sorted((r.name, r.phone, r.street, r.detail, r.postcode), key=len, reverse=True):
            if value and len(value) >= 2:
                text = text.replace(value, "***")
    return text
