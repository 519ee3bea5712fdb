"""The print queue the GUI, the CLI and the bridge submit to: persistent (it survives a crash
or a kill and resumes on the next start), one worker thread per printer, per-label progress and
plain-Python event callbacks (no Qt: the GUI marshals them to its main thread)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable, Iterable

from desktop.audit.log import AuditLog
from desktop.errors import SigiloError
from desktop.jobs.confirm import Link, StatusLink, default_link
from desktop.jobs.jobstore import JobStore
from desktop.jobs.locks import PrinterLock
from desktop.jobs.model import (
    FINAL_STATES,
    Event,
    EventCallback,
    JobProgress,
    LabelWork,
    RenderedLabel,
)
from desktop.jobs.worker import PrinterWorker
from desktop.shipment import Shipment
from desktop.store.db import Store
from desktop.i18n import _

log = logging.getLogger(__name__)


class JobError(SigiloError):
    pass


def default_opener(uri: str):
    from printers.transports import open_transport

    return open_transport(uri)




class PrintQueue:
    """``renderer`` turns a LabelWork into the bytes to send plus what to keep (masked view,
    QR text); it is injected so the queue does not depend on how labels are composed."""

    def __init__(self, store: Store, renderer: Callable[[LabelWork], RenderedLabel], *,
                 opener: Callable[[str], Any] = default_opener,
                 link: Callable[[Any, str], Link] = default_link,
                 status: Callable[[Any, str], Any] | None = None,
                 window: int | None = None, poll_interval: float = 0.05, fault_poll_interval: float = 0.2,
                 max_silent_polls: int = 1, actor: str = "system", silence_seconds: float | None = None) -> None:
        """``status`` (transport, profile) -> a status object replaces the language's own
        confirmation (``link``) with "idle means printed" or the status's ``pending`` count.
        ``silence_seconds``: how long a printer may be silent (past the bytes in front of the
        query) before that is a fault (default confirm.SILENCE_SECONDS, on every transport)."""
        self.store = store
        self.audit = AuditLog(store)
        self.jobs = JobStore(store, self.audit)
        self.renderer = renderer
        self.opener = opener
        if status is not None:
            link = lambda transport, profile: StatusLink(transport, lambda t, timeout: status(t, profile))  # noqa: E731
        self.link = link
        setting = store.get_setting("jobs.window")
        self.window = window if window is not None else (int(setting) if setting else None)
        self.poll_interval = poll_interval
        self.fault_poll_interval = fault_poll_interval
        self.max_silent_polls = max_silent_polls
        if silence_seconds is None and store.get_setting("jobs.silence_seconds") is not None:
            silence_seconds = float(store.get_setting("jobs.silence_seconds"))
        self.silence_seconds = silence_seconds
        self.actor = actor
        self._workers: dict[str, PrinterWorker] = {}
        self._callbacks: list[EventCallback] = []
        self._lock = threading.RLock()
        self._locks: dict[str, PrinterLock] = {}
        self._only: set[str] | None = None
        self._changed = threading.Condition()
        self._events = 0  # events emitted so far: a waiter that saw N sleeps only while it is still N
        self.started = False
        self.check_alerts = True  # run the alert rules when a job ends or a printer faults

    # --- lifecycle ------------------------------------------------------------------
    def start(self, printers: Iterable[str] | None = None) -> list[str]:
        """Resume after a restart: for each printer this process may drive (all with work, or
        ``printers``), labels sent but never confirmed are queued again, marked as reprints
        and audited, and the printer gets its worker. A printer another Sigilo process is
        driving is left to it. Returns the tracking numbers that will be reprinted."""
        self.started = True
        self._only = None if printers is None else set(printers)
        self._daily_purge()
        reprinted: list[str] = []
        for uri in (self.jobs.printers_with_work() if printers is None else list(printers)):
            reprinted += self._claim(uri)
        return reprinted

    def _daily_purge(self) -> None:
        """The retention purge runs by itself at most once a day (setting ``retention.auto``)."""
        if not self.store.get_setting("retention.auto", True):
            return
        last = float(self.store.get_setting("retention.last_run", 0) or 0)
        if time.time() - last < 86400:
            return
        try:
            from desktop.store.retention import purge
            from desktop.virtualnum import VirtualNumbers

            self.store.set_setting("retention.last_run", time.time())
            VirtualNumbers(self.store).purge_expired()
            purge(self.store)
        except Exception:  # never keep a station from printing over housekeeping
            log.exception("retention purge failed")

    def _claim(self, uri: str) -> list[str]:
        """Take the printer's lock (once), recover its unknown labels, start its worker."""
        if self._only is not None and uri not in self._only:
            return []
        with self._lock:
            lock = self._locks.get(uri)
            if lock is None:
                lock = PrinterLock(self.store.home, uri)
                if not lock.acquire():
                    log.info("%s is driven by another Sigilo process; its jobs print there", uri)
                    return []
                self._locks[uri] = lock
                fresh = True
            else:
                fresh = False
        reprinted = self.jobs.recover_after_restart(uri) if fresh else []
        for tracking in reprinted:
            log.warning("label %s: fate unknown after restart, reprinting it marked REPRINT", tracking)
        self._worker(uri)
        return reprinted

    def stop(self, timeout: float = 15.0) -> None:
        """Stop taking labels; each worker lets what is already in its printer finish."""
        with self._lock:
            workers = list(self._workers.values())
            self._workers.clear()
        for w in workers:
            w.stop()
        for w in workers:
            w.join(timeout)
        with self._lock:
            for lock in self._locks.values():
                lock.release()
            self._locks.clear()
        self.started = False

    def __enter__(self) -> "PrintQueue":
        if not self.started:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _worker(self, uri: str) -> PrinterWorker:
        with self._lock:
            w = self._workers.get(uri)
            if w is None or not w.is_alive():
                w = PrinterWorker(uri, self.jobs, self.renderer, self.opener, self.link, self._emit,
                                  window=self.window, poll_interval=self.poll_interval,
                                  fault_poll_interval=self.fault_poll_interval,
                                  max_silent_polls=self.max_silent_polls, actor=self.actor,
                                  silence_seconds=self.silence_seconds)
                self._workers[uri] = w
                w.start()
            return w

    # --- the API --------------------------------------------------------------------
    def submit(self, printer_uri: str, profile: str, shipments: Iterable[Shipment | dict],
               template: str = "waybill-100x150", reprint_reason: str | None = None, *,
               actor: str | None = None, approved_by: str | None = None) -> str:
        items = [s if isinstance(s, Shipment) else Shipment.from_dict(s) for s in shipments]
        if not items:
            raise JobError(_("nothing to print"), _("add at least one shipment"))
        _check_uri(printer_uri)
        if reprint_reason is not None and not reprint_reason.strip():
            raise JobError(_("a reprint needs a reason"), _("say why, e.g. 'damaged'"))
        job_id = self.jobs.create_job(printer_uri, profile, items, template, actor or self.actor,
                                      reprint_reason, approved_by)
        return self._submitted(job_id, printer_uri)

    def reprint(self, tracking_numbers: Iterable[str], printer_uri: str, profile: str, reason: str, *,
                template: str | None = None, actor: str | None = None, approved_by: str | None = None,
                approval=None) -> str:
        """Reprint printed labels from history (masked view + sealed QR as kept; the plaintext
        is gone), marked REPRINT with the reason, audited with who approved it. ``approval``:
        the supervisor from Operators.approve("reprint", ...)."""
        if not reason or not reason.strip():
            raise JobError(_("a reprint needs a reason"), _("say why, e.g. 'damaged'"))
        _check_uri(printer_uri)
        if approval is not None:
            if not approval.can("reprint"):
                from desktop.operators.accounts import PermissionDenied

                raise PermissionDenied(_("{username} ({role}) may not approve a reprint").format(username=approval.username, role=approval.role),
                                       _("ask a supervisor to approve"))
            approved_by = approval.username
        job_id = self.jobs.create_history_reprint(list(tracking_numbers), printer_uri, profile, template, reason,
                                                  actor or self.actor, approved_by)
        return self._submitted(job_id, printer_uri)

    def _submitted(self, job_id: str, printer_uri: str) -> str:
        """Announce a new job and wake (or start) its printer's worker."""
        self._emit(Event("job", job_id, "submitted"))
        if self.started:
            self._claim(printer_uri)
            worker = self._workers.get(printer_uri)
            if worker is not None:
                worker.wake.set()
        return job_id

    def run_on_printer(self, printer_uri: str, profile: str, fn: Callable[[Any, Any], Any], reason: str = ""):
        """Run ``fn(transport, link)`` on the printer's worker thread, over its one connection,
        once no label of ours is in the printer (a media calibration). Returns a Future."""
        _check_uri(printer_uri)
        if not self.started:
            raise JobError("the print queue is not running", "start the station's queue first")
        self._claim(printer_uri)
        worker = self._workers.get(printer_uri)
        if worker is None:
            raise JobError(f"{printer_uri} is driven by another Sigilo process",
                           "do this from the window or command that is printing to it")
        return worker.run_task(fn, profile, reason)

    def history(self, search: str = "", limit: int = 200, day: str = "") -> list[dict]:
        """See JobStore.history: printed labels found by tracking number or order id."""
        return self.jobs.history(search, limit, day)

    def printed_label(self, tracking_number: str) -> dict | None:
        return self.jobs.printed_label(tracking_number)

    def void(self, tracking_number: str, reason: str, *, actor: str, approval) -> None:
        """Void a printed label; ``approval`` is the supervisor from Operators.approve("void", ...)."""
        from desktop.operators.accounts import PermissionDenied

        if approval is None or not approval.can("void"):
            raise PermissionDenied(_("voiding a label needs a supervisor's approval"),
                                   _("ask a supervisor to enter their name and password"))
        self.jobs.void(tracking_number, reason, actor, approval.username)

    def progress(self, job_id: str) -> JobProgress:
        return self.jobs.progress(job_id)

    def printer_state(self, uri: str) -> tuple[str, str]:
        return self.jobs.printer_state(uri)

    def pause_printer(self, uri: str) -> None:
        worker = self._workers.get(uri)
        if worker is not None:
            worker.pause()

    def resume_printer(self, uri: str) -> None:
        worker = self._workers.get(uri)
        if worker is not None:
            worker.resume()

    def pause(self, job_id: str) -> None:
        self.jobs.set_job_state(job_id, "paused")
        self._emit(Event("job", job_id, "paused"))

    def resume(self, job_id: str) -> None:
        self.jobs.set_job_state(job_id, "active")
        self._emit(Event("job", job_id, "active"))
        self._wake_job(job_id)

    def cancel(self, job_id: str) -> None:
        """Withdraw the labels not yet sent (those already in the printer finish)."""
        self.jobs.set_job_state(job_id, "cancelled")
        self._emit(Event("job", job_id, "cancelled"))

    def retry_failed(self, job_id: str) -> int:
        n = self.jobs.retry_failed(job_id)
        if n:
            self._wake_job(job_id)
        return n

    def _wake_job(self, job_id: str) -> None:
        if self.started:
            uri = self.progress(job_id).printer_uri
            self._claim(uri)
            worker = self._workers.get(uri)
            if worker is not None:
                worker.wake.set()

    def _check_alerts(self) -> None:
        """Run the alert rules when a job ends or a printer faults; new alerts become events."""
        try:
            from desktop.alerts import Alerts

            raised = Alerts(self.store).evaluate()
        except Exception:  # alerts must never stop printing
            log.exception("alert rules failed")
            return
        for alert in raised:
            self._emit(Event("alert", alert.rule, alert.severity, reason=alert.message))

    def on_event(self, callback: EventCallback) -> Callable[[], None]:
        """Register a callback (called from worker threads); returns a function that removes it."""
        self._callbacks.append(callback)
        return lambda: self._callbacks.remove(callback) if callback in self._callbacks else None

    def _emit(self, event: Event) -> None:
        if self.check_alerts and ((event.kind == "job" and event.state == "done")
                                  or (event.kind == "printer" and event.state == "fault")):
            self._check_alerts()
        for cb in list(self._callbacks):
            try:
                cb(event)
            except Exception:
                log.exception("event callback failed")
        with self._changed:
            self._events += 1
            self._changed.notify_all()

    def wait(self, job_id: str, timeout: float | None = None,
             until: Callable[[JobProgress], bool] | None = None) -> JobProgress:
        """Block until every label of the job is confirmed, failed or cancelled (or ``until``).
        The waiting thread sleeps until the queue's next event (or a second, for a printer
        another process drives) and then asks one indexed question - is anything of the job
        still queued or sent? - so its cost stays the same whatever the job's size; the
        labels are read once, when it returns. ``until`` (given a JobProgress) reads them at
        each event."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._changed:
                seen = self._events
            if until is not None:
                progress = self.progress(job_id)
                if until(progress):
                    return progress
            elif not self.jobs.unfinished(job_id):
                return self.progress(job_id)
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return self.progress(job_id)
            with self._changed:
                if self._events == seen:
                    self._changed.wait(1.0 if left is None else min(1.0, left))


    def settle(self, job_id: str, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the job to finish; True once nothing of it is queued
        or sent. Sleeps until the queue's next event and asks one indexed question, reading no
        labels, so a caller that shows progress between calls pays the same at any job size."""
        deadline = time.monotonic() + timeout
        while True:
            with self._changed:
                seen = self._events
            if not self.jobs.unfinished(job_id):
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with self._changed:
                if self._events == seen:
                    self._changed.wait(min(1.0, left))


def _check_uri(uri: str) -> None:
    """A URI that can never work is refused now, not waited for as an offline printer."""
    from printers.transports import BadUriError, parse_uri

    try:
        parse_uri(uri)
    except BadUriError as exc:
        raise JobError(exc.message, exc.hint) from None


__all__ = ["PrintQueue", "JobError", "FINAL_STATES"]
