"""One printer's worker thread: all of that printer's device I/O happens here (Electrum's one
device thread), so a slow or jammed printer never blocks another or the GUI.

The loop keeps up to ``window`` labels in the printer and renders the next label while the
printer prints, polls status between labels (desktop.jobs.confirm) and confirms a label only
when the printer says it printed. A printer fault (paper out, head open, pause) pauses this
printer's queue with its reason; the labels already in the printer stay there and are
confirmed once it prints them after the fault clears. A lost connection (unplugged, no answer,
timeout) makes the fate of the labels in flight unknown: after reopening the connection and
waiting for the printer to go idle, those not counted as printed go back to the queue marked
REPRINT and audited, never silently duplicated and never lost.
"""

from __future__ import annotations

from desktop.i18n import _

import logging
import threading
from collections import deque
from concurrent.futures import Future
from typing import Any, Callable

from desktop.jobs.confirm import Link, Reading

IDLE_POLL_SECONDS = 2.0  # how often an idle printer is asked whether it is still there and ready
from desktop.jobs.jobstore import JobStore, bytes_hash, face_of
from desktop.jobs.model import (
    FAULT,
    PAUSED,
    PRINTING,
    READY,
    UNKNOWN_FATE_FAULT_REASON,
    Event,
    LabelWork,
    RenderedLabel,
)

log = logging.getLogger(__name__)


class PrinterWorker(threading.Thread):
    def __init__(self, uri: str, jobs: JobStore, renderer: Callable[[LabelWork], RenderedLabel],
                 opener: Callable[[str], Any], link: Callable[[Any, str], Link],
                 emit: Callable[[Event], None], *, window: int | None = None, poll_interval: float = 0.05,
                 fault_poll_interval: float = 0.2, max_silent_polls: int = 1, actor: str = "system",
                 drain_seconds: float = 10.0, silence_seconds: float | None = None) -> None:
        super().__init__(name=f"printer {uri}", daemon=True)
        self.uri = uri
        self.jobs = jobs
        self.renderer = renderer
        self.opener = opener
        self.make_link = link
        self.emit = emit
        self.fixed_window = window  # None: the printer language's default
        self.poll_interval = poll_interval
        self.fault_poll_interval = fault_poll_interval
        self.max_silent_polls = max_silent_polls
        self.silence_seconds = silence_seconds  # None: the link's own (confirm.SILENCE_SECONDS)
        self.actor = actor
        self.drain_seconds = drain_seconds
        self.wake = threading.Event()
        self._halt = threading.Event()
        self.user_paused = False
        self.transport = None
        self.link: Link | None = None
        self.in_flight: deque[tuple] = deque()  # (id, job, tracking, rendered, face)
        self.prepared: tuple[Any, LabelWork, RenderedLabel] | None = None
        self.staged: tuple | None = None  # a label whose body is in the printer, its PRINT not yet sent
        self.fault: tuple[str, str, bool] | None = None  # (state, reason, connection lost)
        self.state = ""
        self.silent_polls = 0
        self.profile = ""
        self._counter_base: int | None = None
        # has this printer ever answered a status query (in any run: persisted)? Silence is a
        # fault either way; this only words it: "offline" (never heard) or "does not answer"
        self.heard = bool(jobs.store.get_setting(f"printer.answers:{uri}", False))
        self.write_only = False
        self.observed: tuple[str, str] | None = None  # the last state the printer itself reported
        self._quiet_since: float | None = None  # waiting out a fault: since when the printer says nothing
        self._waiting_since: float | None = None  # printing: since when the answer to a poll is due
        self.idle_poll_seconds = IDLE_POLL_SECONDS
        self._idle_checked = 0.0
        self._idle_silent = 0
        self._tasks: deque = deque()  # (fn, profile, Future): device work run on this thread

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

    def run_task(self, fn: Callable[[Any, Any], Any], profile: str = "", reason: str = "") -> Future:
        """Run ``fn(transport, link)`` on this worker's thread, over its one connection, once
        no label is in the printer (a media calibration, say). Returns a Future of its result;
        the light shows ``reason`` meanwhile. The link starts afresh afterwards, so nothing the
        task read or left unread is taken for a status answer."""
        future: Future = Future()
        self._tasks.append((fn, profile, reason, future))
        self.wake.set()
        return future

    def _run_tasks(self) -> None:
        while self._tasks and not self.in_flight and self.staged is None:
            fn, profile, reason, future = self._tasks.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                if profile and self.profile != profile:
                    self._close()
                    self.profile = profile
                if self.transport is None:
                    self._connect()
                self._set_state(PRINTING, reason)
                result = fn(self.transport, self.link)
            except BaseException as exc:  # the caller hears of it; a device error is also a fault
                future.set_exception(exc)
                if _is_device_error(exc):
                    self._on_fault(_fault_state(exc), _describe(exc), lost=True)
                continue
            finally:
                if self.link is not None:
                    self.link.start()
            future.set_result(result)

    # --- the loop -------------------------------------------------------------------
    def run(self) -> None:
        try:
            while not self._halt.is_set():
                try:
                    if self.fault is not None:
                        self._wait_fault_clear()
                    else:
                        self._step()
                except Exception as exc:
                    if not _is_device_error(exc):
                        log.exception("print worker for %s", self.uri)
                    self._on_fault(_fault_state(exc), _describe(exc), lost=True)
            self._drain()
        finally:
            for *_, future in self._tasks:
                if future.set_running_or_notify_cancel():
                    from printers.errors import PrinterError

                    future.set_exception(PrinterError("the printer's worker stopped before it could do this",
                                                      "start the print queue and try again"))
            self._tasks.clear()
            self._close()
            self._stopped()

    def _stopped(self) -> None:
        """Nobody watches the printer any more: what is shown for it is the last state it
        reported (never "printing", which only this worker could have kept true)."""
        try:
            state, reason = self.observed or (READY, "")
            if self.state == FAULT and self.fault is not None:
                state, reason = FAULT, self.fault[1]
            self.jobs.set_printer_state(self.uri, state, reason)
            self.state = state
        except Exception:  # the store closed under us: the reader falls back on the lock
            log.debug("%s: last state not recorded", self.uri)

    def _drain(self) -> None:
        """On a clean stop, let the labels already in the printer finish and confirm them, so a
        restart does not have to reprint them as "fate unknown"."""
        import time

        deadline = time.monotonic() + self.drain_seconds
        try:
            if self.staged is not None and self.transport is not None and self.fault is None:
                self._commit_staged()
            while self.in_flight and self.fault is None and self.transport is not None \
                    and time.monotonic() < deadline:
                before = len(self.in_flight)
                self._poll()
                if len(self.in_flight) == before:
                    time.sleep(max(self.poll_interval, 0.01))
        except Exception as exc:  # stopping anyway: what is unconfirmed is reprinted marked later
            log.info("%s: stopped with labels unconfirmed (%s)", self.uri, _describe(exc))

    def _connect(self) -> None:
        self.transport = self.opener(self.uri)
        profile = self.profile or self._peek_profile()
        # write-only is what the link is (a file, a spooler: the URI) or what the printer is
        # (its profile has no status protocol) - never guessed from silence, which is a fault
        write_only = not getattr(self.transport, "can_read", False) or not reports_status(profile) \
            or _uri_says_no_status(self.uri)
        if write_only and not self.write_only:
            log.warning("%s (%s) reports no status: labels count as printed when sent, and faults cannot "
                        "be seen", self.uri, profile or "no profile")
        self.write_only = write_only
        self.link = self.make_link(self.transport, profile)
        if self.silence_seconds is not None:
            self.link.silence_seconds = self.silence_seconds
        if self._counter_base is not None and hasattr(self.link, "base"):
            self.link.base = self._counter_base  # the printer's counter survives a reconnect
            self.link.copies.extend(item[3].copies for item in self.in_flight)
        self.link.start()

    @property
    def window(self) -> int:
        if self.fixed_window is not None:
            return max(1, self.fixed_window)
        return max(1, getattr(self.link, "default_window", 2))

    def _peek_profile(self) -> str:
        rows = self.jobs.next_labels(self.uri)
        return rows[0]["profile"] if rows else ""

    def _step(self) -> None:
        if self.user_paused and self.staged is not None and self.transport is not None:
            self._commit_staged()  # its body is already in the printer: let it print, then pause
            return
        if self.user_paused and not self.in_flight:
            if self._tasks:
                self._run_tasks()  # paused takes no labels; a calibration asked for still runs
            self._set_state(PAUSED, _("paused by operator"))
            self.wake.wait(0.5)
            self.wake.clear()
            return
        sent_any = False
        while not self.user_paused and not self._tasks and len(self.in_flight) < self.window:
            if self.staged is not None:
                self._commit_staged()
                sent_any = True
                continue
            item = self._take_prepared() or self._prepare()
            self.prepared = None
            if item is None:
                break
            if self.transport is None:
                self._connect()
            self._send(*item)
            sent_any = True
        if self.in_flight and self.staged is None and not self.user_paused and self.fault is None \
                and not self._tasks:  # a calibration waits for the labels in the printer, no more
            self._stage()
        if not self.in_flight and self.staged is not None:
            self._commit_staged()
        if not self.in_flight:
            if self._tasks:
                self._run_tasks()
                if self.fault is not None:
                    return
            self._set_state(READY)
            self._idle_check()
            self.wake.wait(1.0)
            self.wake.clear()
            return
        self._set_state(PRINTING)
        if self.prepared is None and not self.user_paused:
            self.prepared = self._prepare()  # render the next label while the printer prints
        self._poll()
        if not sent_any and self.fault is None:
            self._halt.wait(self.poll_interval)

    def _take_prepared(self):
        """The label rendered ahead, if it is still to be printed (its job may have been
        paused or cancelled since)."""
        item, self.prepared = self.prepared, None
        if item is None:
            return None
        rows = self.jobs.store.query("SELECT l.state, j.state FROM labels l JOIN jobs j ON j.id = l.job_id "
                                     "WHERE l.id=?", (item[0]["id"],))
        if rows and tuple(rows[0]) == ("queued", "active"):
            return item
        return None

    def _prepare(self):
        exclude = [item[0] for item in self.in_flight]
        while True:
            rows = self.jobs.next_labels(self.uri, exclude=exclude)
            if not rows:
                return None
            row = rows[0]
            work = None
            try:
                work = self.jobs.work_for(row)
                rendered = self.renderer(work)
            except Exception as exc:  # this label cannot be printed as given: fail it, go on
                message = _scrub(_describe(exc), work)
                finished = self.jobs.mark_failed(row["id"], message)
                self.emit(Event("label", row["job_id"], "failed", row["id"], row["tracking_number"], message))
                if finished:
                    self.emit(Event("job", row["job_id"], "done"))
                exclude.append(row["id"])
                continue
            if self.profile != work.profile and self.transport is not None and not self.in_flight \
                    and self.staged is None:
                self._close()  # another printer language: a fresh link
            self.profile = work.profile
            return row, work, rendered

    def _send(self, row, work: LabelWork, rendered: RenderedLabel) -> None:
        self.jobs.mark_sent(row["id"])  # before the bytes leave: from here a crash means "fate unknown"
        face = face_of(work.shipment, rendered.masked, work.template, rendered.printed_at, rendered.caption_language)
        self.in_flight.append((row["id"], row["job_id"], row["tracking_number"], rendered, face))
        self.emit(Event("label", row["job_id"], "sent", row["id"], row["tracking_number"]))
        self.transport.write(rendered.data)
        self.transport.drain()
        self.link.sent(rendered.data)
        self.link.committed(rendered.copies)
        if self.write_only or not getattr(self.transport, "can_read", False):
            self._confirm(1)  # a spooler or a file: handing the bytes over is all anyone can know

    def _stage(self) -> None:
        """Send the next label without its final command while the printer prints (TSPL)."""
        split_fn = getattr(self.link, "split", None)
        if split_fn is None or self.write_only or not getattr(self.transport, "can_read", False):
            return
        item = self._take_prepared() or self._prepare()
        self.prepared = None
        if item is None:
            return
        row, work, rendered = item
        parts = split_fn(rendered.data)
        if parts is None:
            self.prepared = item
            return
        body, commit = parts
        self.jobs.mark_sent(row["id"])
        face = face_of(work.shipment, rendered.masked, work.template, rendered.printed_at, rendered.caption_language)
        self.staged = (row["id"], row["job_id"], row["tracking_number"], rendered, face, commit)
        self.emit(Event("label", row["job_id"], "sent", row["id"], row["tracking_number"]))
        self.transport.write(body)
        self.transport.drain()
        self.link.sent(body)

    def _commit_staged(self) -> None:
        *entry, commit = self.staged
        self.staged = None
        self.in_flight.append(tuple(entry))
        self.transport.write(commit)
        self.transport.drain()
        self.link.sent(commit)
        self.link.committed(entry[3].copies)

    def _idle_check(self) -> None:
        """An idle printer is asked for its status every few seconds over the connection this
        worker holds, so an unplugged or paper-out printer turns the light red before the next
        label, not only once one is sent."""
        import time

        if self.transport is None or self.link is None or self.write_only \
                or not getattr(self.transport, "can_read", False):
            return
        now = time.monotonic()
        if now - self._idle_checked < self.idle_poll_seconds:
            return
        self._idle_checked = now
        reading = self.link.check(0)
        if reading.kind == "silent":
            self._idle_silent += 1  # check() says silent only after the link's silence_seconds
            if self._idle_silent >= 1:
                self._idle_silent = 0
                self._on_fault("offline", _("offline: the printer stopped answering ({reason})").format(reason=reading.reason), lost=True)
            return
        self._idle_silent = 0
        if reading.kind == "fault":
            self._on_fault(reading.reason.split(":")[0], reading.reason, lost=False)
        elif reading.kind not in ("waiting", "receiving"):
            self._heard()

    def _poll(self) -> None:
        if not self.in_flight or self.write_only or not getattr(self.transport, "can_read", False):
            return
        reading = self.link.check(len(self.in_flight))
        self._settle(reading)
        if reading.kind == "waiting":
            # no answer yet, but not for long: the printer may still be taking in what was sent.
            # Said (queue view, sigilo jobs, the log) once the wait is long enough to notice, not
            # for every poll that has to wait a moment for its answer
            import time

            now = time.monotonic()
            if self._waiting_since is None:
                self._waiting_since = now
            elif now - self._waiting_since >= 1.0:
                self._set_state(PRINTING, _("waiting for the printer to answer"))
            return
        self._waiting_since = None
        if reading.kind == "silent":
            self.silent_polls += 1
            if self.silent_polls >= self.max_silent_polls:
                if self.heard:
                    self._on_fault("timeout", _("the printer does not answer ({reason})").format(reason=reading.reason), lost=True)
                else:  # its profile says it reports status, and it never has: not there, or miswired
                    self._on_fault("offline", _("offline: the printer has never answered a status query "
                                                    "({reason}); check the cable, port and baud rate, or give it a "
                                                    "profile without status_protocol if it only takes data").format(
                                                        reason=reading.reason), lost=True)
            return
        self.silent_polls = 0
        self._heard()
        self._observe(reading)
        if reading.kind == "fault":
            self._on_fault(reading.reason.split(":")[0], reading.reason, lost=False)
        elif self.state == PRINTING and self.in_flight and getattr(self, "_reason", ""):
            self._set_state(PRINTING, "")

    def _observe(self, reading: Reading) -> None:
        """Remember what the printer last said about itself (not "printing": that is ours)."""
        seen = (READY, "") if reading.kind == "ready" else (FAULT, reading.reason) if reading.kind == "fault" else None
        if seen is not None and seen != self.observed:
            self.observed = seen
            self.jobs.store.set_setting(f"printer.observed:{self.uri}", list(seen))  # read after a kill

    def _settle(self, reading: Reading) -> None:
        """Labels the reading gave up on go back to the queue marked; then those it confirms."""
        if reading.unknown:
            unknown = [self.in_flight.popleft()[0] for _i in range(min(reading.unknown, len(self.in_flight)))]
            self.jobs.requeue_unknown(unknown, UNKNOWN_FATE_FAULT_REASON, actor=self.actor)
            self.prepared = None
        self._confirm(reading.confirmed)

    def _heard(self) -> None:
        if not self.heard:
            self.heard = True
            self.jobs.store.set_setting(f"printer.answers:{self.uri}", True)

    def _confirm(self, count: int) -> None:
        for _i in range(max(0, min(count, len(self.in_flight)))):
            label_id, job_id, tracking, rendered, face = self.in_flight.popleft()
            finished = self.jobs.mark_confirmed(label_id, bytes_hash(rendered.data), rendered.masked,
                                                rendered.qr_text, self.uri, actor=self.actor, face=face)
            self.emit(Event("label", job_id, "confirmed", label_id, tracking))
            if finished:
                self.emit(Event("job", job_id, "done"))
        if self.link is not None and hasattr(self.link, "base"):
            self._counter_base = self.link.base

    # --- faults -----------------------------------------------------------------------
    def _on_fault(self, state: str, reason: str, lost: bool) -> None:
        if self.fault is None:
            self.jobs.set_printer_state(self.uri, FAULT, reason)
            self.jobs.audit.append(self.actor, "fault", self.uri, {"state": state, "reason": reason})
            self.emit(Event("printer", self.uri, FAULT, reason=reason))
            self.state = FAULT
            self.fault = (state, reason, lost)
        elif lost and not self.fault[2]:
            self.fault = (self.fault[0], self.fault[1], True)
        self.silent_polls = 0
        self.prepared = None  # render again on resume: the REPRINT state may change
        if lost:
            self._close()

    def _wait_fault_clear(self) -> None:
        self._halt.wait(self.fault_poll_interval)
        if self._halt.is_set():
            return
        if self._tasks and not self.in_flight and self.staged is None and not self.fault[2]:
            # the printer answers (a fault it reports, not a lost link) and holds no label of
            # ours: a calibration is what a clerk does about "no gap found", so let it run
            self.fault = None
            self._run_tasks()
            return
        state, reason, lost = self.fault
        try:
            if self.transport is None:
                self._connect()
            if self.write_only:
                reading = Reading("ready")
            else:
                reading = self.link.poll(len(self.in_flight))
        except Exception as exc:
            if not _is_device_error(exc):
                raise
            self._close()
            return
        if not lost:
            self._settle(reading)
        if reading.kind in ("silent", "waiting"):
            # no answer on a connection that is open: a query lost as the printer came back
            # (a printer that was off drops what reached it first) is never answered, and its
            # answer is never asked twice on one connection - so reopen it after a while
            import time

            now = time.monotonic()
            if self._quiet_since is None:
                self._quiet_since = now
            elif now - self._quiet_since >= (self.link.silence_seconds if self.link else 5.0):
                self._quiet_since = None
                self._close()
            return
        self._quiet_since = None
        if reading.kind == "fault":
            return
        self._heard()
        self._observe(reading)
        if lost:
            if reading.kind == "printing":
                return  # let the printer finish what it still holds before deciding
            if getattr(self.link, "counts_exactly", False):
                self._confirm(reading.confirmed)
            unknown = [item[0] for item in self.in_flight]
            self.in_flight.clear()
            if self.staged is not None:
                unknown.append(self.staged[0])
                self.staged = None
            if unknown:
                self.jobs.requeue_unknown(unknown, f"fate unknown: printer connection lost ({state}) while printing",
                                          actor=self.actor)
        self.fault = None
        self.silent_polls = 0
        self.jobs.set_printer_state(self.uri, READY, "")
        self.state = READY
        self.emit(Event("printer", self.uri, READY, reason="fault cleared"))

    def _close(self) -> None:
        if self.transport is not None:
            try:
                self.transport.close()
            except Exception:
                pass
        self.transport = None
        self.link = None

    def _set_state(self, state: str, reason: str = "") -> None:
        if (state, reason) != (self.state, getattr(self, "_reason", "")):
            if reason and reason != getattr(self, "_reason", ""):
                log.info("%s: %s (%s)", self.uri, state, reason)  # why it waits, for the log too
            self.state = state
            self._reason = reason
            self.jobs.set_printer_state(self.uri, state, reason)
            self.emit(Event("printer", self.uri, state, reason=reason))


def _is_device_error(exc: Exception) -> bool:
    from printers.errors import PrinterError

    return isinstance(exc, (PrinterError, OSError))


def _fault_state(exc: Exception) -> str:
    name = type(exc).__name__
    return {"TimeoutError": "timeout", "DisconnectedError": "disconnected",
            "NotFoundError": "not found", "BusyError": "busy", "PermissionDeniedError": "permission"}.get(name, "offline")


def _describe(exc: Exception) -> str:
    """A Sigilo or printer error reads as its message and fix; anything else with its type."""
    message = getattr(exc, "message", None)
    if message:
        hint = getattr(exc, "hint", "")
        return f"{message} ({hint})" if hint else message
    return f"{type(exc).__name__}: {exc}"


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


def reports_status(profile: str) -> bool:
    """Does a printer of this profile answer status queries? A profile with no
    ``status_protocol`` is a printer that only takes data."""
    if not profile:
        return True
    try:
        from printers.profiles import load_profile

        return load_profile(profile).status_protocol is not None
    except Exception:  # an unreadable profile fails its labels when they render; assume it answers
        return True


def _uri_says_no_status(uri: str) -> bool:
    """``?status=none`` on a printer URI: a sink that only takes data (a raw print server)."""
    try:
        from printers.transports.uri import parse_uri

        return parse_uri(uri).params.get("status", "").lower() == "none"
    except Exception:
        return False
