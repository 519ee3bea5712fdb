"""The station: one application layer that every way in calls - the window, ``sigilo print``
and ``sigilo batch --print``, the print bridge, real-name sending - so a rule holds for all of
them because it lives here once.

A Station owns the store, the print queue (one worker thread per printer, which holds that
printer's only connection), the signed-in operator and the station's keys. It prints, reprints,
voids, test-prints, reads printer status, scans and records imports. It is Qt-free: the
window runs its calls as background operations and receives queue events on its main thread.

Rules it enforces for every caller:

- a waybill number prints once (the store's unique index over live labels; DuplicateTracking);
- a reprint goes through ``reprint``: a reason, a supervisor when the operator may not alone,
  the REPRINT mark, the original print time and seal, an audit entry;
- a void needs a reason and a supervisor; a voided label is refused by ``scan``;
- no silent demo keys: without station keys, sealing raises NoStationKeys until demo keys are
  chosen (``use_demo_keys``);
- a label looks the same whoever printed it: one renderer (desktop.station.render) with the
  job's copies, masking policy and virtual numbers, and the printer's calibration.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop.errors import SigiloError
from desktop.i18n import _
from desktop.jobs.errors import DuplicateTracking
from desktop.shipment import Shipment
from desktop.station.printing import PrintOutcome


@dataclass(frozen=True)
class Printer:
    """A printer as the station knows it: the clerk's name for it, its URI and its profile
    ("pdf" for a file:// PDF folder). The window's PrinterConfig has the same three fields."""

    name: str
    uri: str
    profile: str = "tspl-203"


@dataclass(frozen=True)
class Refusal:
    """A shipment not queued: its index in what was submitted, its number, why and the fix."""

    index: int
    tracking_number: str
    message: str
    hint: str = ""
    field: str = "tracking_number"


@dataclass(frozen=True)
class Submitted:
    """Labels handed to the print queue; their fate arrives later as queue events.
    ``refused``: shipments not queued (a number already live here), by index."""

    job_id: str
    label_ids: tuple
    tracking_number: str
    printer: str
    uri: str
    refused: tuple = ()


@dataclass(frozen=True)
class BatchResult:
    """What ``print_and_wait`` did: the job's final progress (None when nothing was queued) and
    the shipments refused before printing."""

    progress: Any
    refused: tuple = ()
    run: str = ""  # "resumed": an unfinished run of the same batch driven on; "already printed"

    @property
    def job_id(self) -> str:
        return self.progress.job_id if self.progress is not None else ""

    @property
    def labels(self) -> list:
        return self.progress.labels if self.progress is not None else []

    def count(self, state: str) -> int:
        return self.progress.count(state) if self.progress is not None else 0


@dataclass(frozen=True)
class HistoryRow:
    label_id: int
    job_id: str
    tracking_number: str
    order_id: str
    state: str
    reprint_reason: str
    printer_uri: str
    done_at: float
    masked: dict
    qr_text: str
    error: str
    face: dict = field(default_factory=dict)  # order, service, parcel, region: what a correction refills

    @property
    def reason(self) -> str:
        """Why this row is special: the reprint's reason, or the void's."""
        if self.state == "voided":
            return self.error.removeprefix("void: ")
        return self.reprint_reason


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def _progress_line(progress, uri: str):
    from desktop.jobs.progressline import ProgressLine

    return ProgressLine(sys.stderr, len(progress.labels), done=progress.count("confirmed"),
                        failed=progress.count("failed"), printer=uri)


_log = logging.getLogger("desktop.station")


def _log_event(event) -> None:
    """Label failures and printer faults go to the station's log (desktop.station.logfile);
    the worker has already blanked the recipient's values out of a failure's text."""
    if event.kind == "label" and event.state == "failed":
        _log.warning("label %s (job %s) failed: %s", event.tracking_number or "(test print)", event.subject,
                     event.reason)
    elif event.kind == "printer" and event.state == "fault":
        _log.warning("printer %s: %s", event.subject, event.reason)
    elif event.kind == "printer" and event.reason == "fault cleared":
        _log.warning("printer %s: fault cleared, printing again", event.subject)


class Station:
    """The station service. ``home``: the data folder (default: SIGILO_HOME / the user data
    folder). ``keys_dir``: the station's seal keys (default ``home/keys``); ``sealer``: an
    already unlocked Sealer instead (the CLI unlocks with a passphrase first). ``now``: the
    clock that stamps a first print's time (a fixed clock in tests)."""

    def __init__(self, home: Path | None = None, *, keys_dir: Path | None = None, sealer=None,
                 passphrase: str | None = None, now: Callable[[], datetime] | None = None,
                 actor: str | None = None) -> None:
        from desktop.jobs.jobstore import JobStore
        from desktop.store import open_store

        self.store = open_store(home)
        self.home = self.store.home
        self.jobs = JobStore(self.store)
        self.keys_dir = Path(keys_dir) if keys_dir is not None else self.home / "keys"
        self.passphrase = passphrase
        self._sealer = sealer
        self.now = now
        self.default_actor = actor
        self.session = None  # desktop.operators Session once signed in: it locks when left idle
        self.clock = time.time  # the session's clock (tests move it on)
        self.print_queue = None  # desktop.jobs.PrintQueue once started
        self.warn: Callable[[Any, str], None] | None = None  # composition warnings (missing glyphs) per label
        self._calibration: dict[str, Any] = {}  # per printer URI: offsets, darkness, speed
        self._media: dict[str, Any] = {}  # per printer URI: what its media calibration found
        from desktop.station import logfile

        logfile.install(self.home)  # errors and faults, scrubbed, 0600, rotated

    # ------------------------------------------------------------------ keys
    def sealer(self):
        """The Sealer labels are sealed with: the one given, else the station keys of
        ``keys_dir``. Raises NoStationKeys when there are none (demo keys only by choice)."""
        if self._sealer is not None:
            return self._sealer
        from desktop.station.keys import sealer

        return sealer(self.keys_dir, self.passphrase)

    def use_sealer(self, sealer) -> None:
        self._sealer = sealer

    def use_demo_keys(self) -> Path:
        """The explicit choice to try Sigilo with demo keys (their own folder, labels prove
        nothing); the window shows it while they are in use. Returns the folder."""
        from desktop.station.keys import is_demo, use_demo_keys

        path = use_demo_keys(self.home / "demo-keys")
        self.keys_dir = path
        self._sealer = None
        self.jobs.audit.append(self.actor, "keys.demo", str(path), {"demo": is_demo(path)})
        return path

    def demo_keys(self) -> bool:
        """True when labels are sealed with DEMO-ONLY keys."""
        if self._sealer is not None:
            return bool(getattr(self._sealer, "demo", False))
        from desktop.station.keys import is_demo

        return is_demo(self.keys_dir)

    # ------------------------------------------------------------------ operators
    @property
    def operator(self):
        return self.session.operator if self.session is not None else None

    @property
    def actor(self) -> str:
        if self.operator is not None:
            return self.operator.username
        return self.default_actor or "station"

    def operators(self):
        from desktop.operators.accounts import Operators

        return Operators(self.store, self.jobs.audit, clock=self.clock)

    def has_operators(self) -> bool:
        return bool(self.operators().list())

    def login(self, username: str, password: str):
        from desktop.operators.session import Session

        self.session = Session.login(self.operators(), username, password, clock=self.clock)
        return self.operator

    @property
    def locked(self) -> bool:
        """True once the signed-in operator has left the station idle for the configured
        minutes (setting session.idle_minutes): nothing prints until someone signs in again."""
        return self.session is not None and self.session.locked

    def idle_minutes(self) -> float:
        return float(self.store.get_setting("session.idle_minutes", 10))

    def set_idle_minutes(self, minutes: float) -> None:
        """How long the station may be left alone before it locks (a supervisor's setting once
        operators exist); the signed-in session follows at once."""
        if self.has_operators():
            self.require("settings.change")
        self.store.set_setting("session.idle_minutes", float(minutes))
        if self.session is not None:
            self.session.idle_seconds = float(minutes) * 60

    def touch(self) -> None:
        """The operator did something: the idle time starts again (not once locked)."""
        if self.session is not None and not self.session.locked:
            self.session.touch()

    def require(self, permission: str) -> None:
        """Raise unless the signed-in operator may do ``permission`` (no session: allowed)."""
        if self.session is None:
            return
        if self.session.locked:
            from desktop.operators.session import SessionLocked

            raise SessionLocked(self.operator.username)
        if not self.operator.can(permission):
            from desktop.operators.accounts import PermissionDenied

            raise PermissionDenied(_("{username} ({role}) may not {permission}").format(username=self.operator.username, role=self.operator.role, permission=permission),
                                   _("ask a supervisor to sign in or approve"))

    def needs_approval(self, permission: str) -> bool:
        """A supervisor must approve ``permission`` here: the signed-in operator may not do it
        alone, or (void) nobody is signed in to answer for it."""
        if self.operator is not None:
            return not self.operator.can(permission)
        return permission == "void"

    def approve(self, permission: str, username: str, password: str, subject: str = ""):
        """A supervisor's name and password for one action; returns the approving operator."""
        return self.operators().approve(permission, username.strip(), password, subject)

    def _approver(self, permission: str, approval):
        if approval is not None:
            if not approval.can(permission):
                from desktop.operators.accounts import PermissionDenied

                raise PermissionDenied(_("{username} ({role}) may not approve {permission}").format(username=approval.username, role=approval.role, permission=permission),
                                       _("ask a supervisor to approve"))
            return approval
        if permission == "void" and self.operator is None:
            from desktop.operators.accounts import PermissionDenied

            raise PermissionDenied(_("voiding a label needs a supervisor's approval"),
                                   _("add a supervisor in Settings > Operators, then void with their password"))
        self.require(permission)
        return self.operator

    # ------------------------------------------------------------------ the print queue
    def renderer(self):
        """The queue's renderer: desktop.station.render with this station's keys, printer
        calibrations, clock and warning hook."""
        from desktop.jobs.render import label_renderer

        return label_renderer(self.store, lambda work: self.sealer(), calibration=self._calibration.get,
                              media=self.printer_media, now=self.now, warn=lambda work, text: self.warn and self.warn(work, text))

    def start_queue(self, on_event=None, printers: Iterable[str] | None = None, **queue_options) -> list[str]:
        """Start the persistent queue (one worker thread per printer; ``printers``: only these).
        ``on_event`` is called from worker threads with desktop.jobs Events. Returns the
        tracking numbers requeued (marked REPRINT) after a crash. ``queue_options`` go to
        desktop.jobs.PrintQueue (poll intervals, in tests)."""
        from desktop.jobs import PrintQueue

        self.print_queue = PrintQueue(self.store, self.renderer(), actor=self.actor, **queue_options)
        self.jobs = self.print_queue.jobs
        self.print_queue.on_event(_log_event)
        if on_event is not None:
            self.print_queue.on_event(on_event)
        return self.print_queue.start(printers)

    def worker_state(self, uri: str) -> tuple[str, str] | None:
        """The queue's view of a printer it is driving (its worker holds the connection, so
        the status light must not open a second one); None when no worker runs for it."""
        q = self.print_queue
        if q is None:
            return None
        worker = q._workers.get(uri)
        if worker is None or not worker.is_alive():
            return None
        return q.printer_state(uri)

    def stop_queue(self) -> None:
        if self.print_queue is not None:
            self.print_queue.stop()
            self.print_queue = None

    def set_calibration(self, uri: str, calibration) -> None:
        """The printer's offsets (mm), darkness and speed, applied to every label it prints."""
        if calibration is not None:
            self._calibration[uri] = calibration

    def _job_options(self, copies: int = 1, policy: str | None = None, virtual_numbers: bool | None = None) -> dict:
        if virtual_numbers is None:
            virtual_numbers = bool(self.store.get_setting("virtualnum.enabled", False))
        return {"copies": max(1, int(copies)), "policy": policy or None, "virtual_numbers": bool(virtual_numbers)}

    # ------------------------------------------------------------------ printing
    def submit(self, shipments: Iterable[Shipment], printer: Printer, template: str, *, copies: int = 1,
               policy: str | None = None, virtual_numbers: bool | None = None, reprint: str | None = None,
               calibration=None, partial: bool = False, identity: str | None = None,
               identity_checked: bool = False, by: str | None = None) -> Submitted:
        """Queue labels for a label printer (the queue must be started). ``virtual_numbers``
        (default: the setting virtualnum.enabled) shows the hotline and the shipment's
        extension instead of the masked phone. A number already live here is refused:
        ``partial=False`` raises DuplicateTracking and queues nothing; ``partial=True`` queues
        the rest and lists the refused in ``Submitted.refused``. The real-name check
        (desktop.identity.gate) runs here for every way in, with ``identity`` the record taken
        at the counter; ``identity_checked``: the caller ran it already (a command checks before
        it chooses its output). ``by``: who submits when it is not the window's operator (the
        print bridge: a page whose pairing a supervisor approved prints while the window is
        locked); the job and the audit name it."""
        if by is None:
            self.require("print")
        actor = by or self.actor
        items = list(shipments)
        if not items:
            raise SigiloError(_("nothing to print"), _("add at least one shipment"))
        if self.print_queue is None:
            raise SigiloError(_("the print queue is not running"), _("start the station's queue first"))
        from desktop.jobs.queue import _check_uri

        _check_uri(printer.uri)
        self.set_calibration(printer.uri, calibration)
        if reprint is not None and not reprint.strip():
            raise SigiloError(_("a reprint needs a reason"), _("say why, e.g. 'damaged'"))
        self._sealable()
        if not identity_checked:
            self.identity_gate(items, identity)
        job_id, refused = self.jobs.create_job_refusing(
            printer.uri, printer.profile, items, template, actor, reprint, None,
            self._job_options(copies, policy, virtual_numbers), partial=partial)
        refusals = tuple(self._refusal(i, t) for i, t in refused)
        if job_id is None:
            return Submitted("", (), items[0].tracking_number if len(items) == 1 else "", printer.name, printer.uri,
                             refusals)
        self.print_queue._submitted(job_id, printer.uri)
        ids = tuple(r[0] for r in self.store.query("SELECT id FROM labels WHERE job_id=? ORDER BY idx", (job_id,)))
        return Submitted(job_id, ids, items[0].tracking_number if len(items) == 1 else "", printer.name, printer.uri,
                         refusals)

    def identity_gate(self, shipments, identity: str | None = None, keys_dir: Path | None = None,
                      passphrase: str | None = None) -> int:
        """The real-name check before printing (desktop.identity.gate): refuses with
        IdentityRequired when the policy asks for a record that is missing; records which
        record covered which label. Returns how many it covered."""
        from desktop.identity.gate import before_print

        return before_print(self.store, list(shipments), identity, keys_dir or self.keys_dir,
                            passphrase if passphrase is not None else self.passphrase, clock=self.clock)

    def _sealable(self) -> None:
        """Refuse before queueing when nothing could seal the labels (no station keys)."""
        self.sealer()

    def _refusal(self, index: int, tracking: str) -> Refusal:
        from desktop.jobs.jobstore import duplicate_error

        exc = duplicate_error(self.store, tracking)
        return Refusal(index, tracking, exc.message, exc.hint)

    def check_tracking(self, tracking_number: str) -> None:
        """Raise DuplicateTracking when ``tracking_number`` already has a live label here (the
        window checks as the field is left; the store's index decides at print time)."""
        from desktop.jobs.jobstore import duplicate_error

        number = (tracking_number or "").strip()
        if number and self.jobs.live_label(number) is not None:
            raise duplicate_error(self.store, number)

    def print_shipment(self, shipment: Shipment, printer, template: str, keys_dir: Path | None = None,
                       copies: int = 1, calibration=None, policy: str | None = None,
                       virtual_numbers: bool | None = None, identity: str | None = None):
        """The window's print: a PDF "printer" is written at once (returns a PrintOutcome); a
        label printer gets the label through the queue (returns Submitted; confirmation arrives
        as an event). Refuses a number already live here (DuplicateTracking)."""
        if keys_dir is not None:
            self.keys_dir = Path(keys_dir)
        if printer.profile != "pdf":
            return self.submit([shipment], printer, template, copies=copies, policy=policy,
                               virtual_numbers=virtual_numbers, calibration=calibration, identity=identity)
        self.require("print")
        self._sealable()
        self.identity_gate([shipment], identity)
        job_id = self.jobs.create_job(printer.uri, printer.profile, [shipment], template, actor=self.actor,
                                      options=self._job_options(copies, policy, virtual_numbers))
        return self._print_pdf(job_id, printer)

    def _print_pdf(self, job_id: str, printer) -> PrintOutcome:
        """Write a PDF job's labels now, through the same composer as the queue."""
        from desktop.jobs.jobstore import face_of
        from desktop.jobs.render import label_composer
        from desktop.station.printing import write_pdf_label

        compose = label_composer(self.store, lambda work: self.sealer(), now=self.now)
        rows = self.store.query("SELECT l.*, j.template, j.profile, j.options FROM labels l JOIN jobs j "
                                "ON j.id=l.job_id WHERE l.job_id=? AND l.state='queued' ORDER BY l.idx", (job_id,))
        outcome = None
        for row in rows:
            work = self.jobs.work_for(row)
            self.jobs.mark_sent(row["id"])
            try:
                label, copies, when = compose(work, 203)
                where, size, digest = write_pdf_label(label, printer.uri, work.shipment.tracking_number, copies)
            except Exception as exc:
                from desktop.station.errors import describe

                self.jobs.mark_failed(row["id"], describe(exc)[0])
                raise
            masked = label.masked.to_dict()
            self.jobs.mark_confirmed(row["id"], digest, masked, label.qr_text, printer.uri, actor=self.actor,
                                     face=face_of(work.shipment, masked, work.template,
                                                  when.isoformat(timespec="seconds"), label.caption_language))
            outcome = PrintOutcome(work.shipment.tracking_number, printer.name, where, size, label.qr_text, masked,
                                   copies, digest)
        return outcome

    def print_batch(self, shipments: list[Shipment], printer, template: str, keys_dir: Path | None = None,
                    calibration=None, policy: str | None = None, source: tuple[str, int, int] | None = None,
                    virtual_numbers: bool | None = None) -> Submitted:
        """An import's valid rows as one queue job: the queue prints them in order and reports
        each label by event, so the import page shows progress without waiting on the printer.
        ``source`` (file name, valid, invalid) goes to the audit as an import, as ``sigilo batch``
        records one: the name and counts, never the rows. Rows whose number is already live
        here are refused (``Submitted.refused``), the rest queued."""
        self.require("print")
        if keys_dir is not None:
            self.keys_dir = Path(keys_dir)
        if printer.profile == "pdf" or self.print_queue is None:
            raise SigiloError(_("{name} is not a label printer").format(name=printer.name), _("choose a label printer for a batch"))
        if source is not None:
            self.record_import(*source)
        return self.submit(shipments, printer, template, policy=policy, virtual_numbers=virtual_numbers,
                           calibration=calibration, partial=True)

    def record_import(self, name: str, valid: int, invalid: int) -> None:
        """An order file read is an import in the audit: its name and counts, never its rows."""
        self.jobs.audit.append(self.actor, "import", Path(str(name)).name,
                               {"rows": valid + invalid, "valid": valid, "invalid": invalid})

    def print_and_wait(self, shipments: Iterable[Shipment], uri: str, profile: str, template: str, *,
                       reprint: str | None = None, copies: int = 1, virtual_numbers: bool | None = None,
                       policy: str | None = None, calibration=None,
                       warn: Callable[[Any, str], None] | None = None,
                       say: Callable[[str], None] | None = None, source: str | None = None, what: str = "",
                       command: str = "sigilo print") -> BatchResult:
        """What ``sigilo print`` and ``sigilo batch --print`` do: queue the shipments (those
        whose number is already live here are refused, by index, the rest queued), drive the
        printer from this process (unless another Sigilo process drives it: that one prints
        and this one watches), and wait for every label's fate, showing progress on stderr.
        ``say`` reports printer faults (default: the progress line); ``warn(work, text)``
        composition warnings. Countersigns the audit head with the seal key afterwards.

        ``source`` names the batch (the file's content and every option that changes the
        labels): the same batch run again after a crash resumes the job the first run left
        unfinished (``BatchResult.run == "resumed"``) instead of submitting it again, and a
        batch whose job printed every label prints nothing (``run == "already printed"``)."""
        from desktop.jobs import PrintQueue
        from desktop.jobs.progressline import ProgressLine
        from desktop.jobs.resume import remember_job, resumable_job, source_key, summary

        self.warn = warn
        printer = Printer(uri, uri, profile)
        key = source_key(self.store, source, uri) if source else None
        existing = resumable_job(self.store, key) if key else None
        if existing is not None and existing.finished:
            (say or _say)(_("{command}: job {job} already printed this batch ({what} to {uri}): {summary}; nothing "
                            "printed again. To print a label again, reprint it with a reason: sigilo jobs reprint "
                            "TRACKING --reason R --supervisor NAME --printer URI").format(
                command=command, job=existing.job_id, what=what or uri, uri=uri, summary=summary(existing)))
            return BatchResult(existing, (), "already printed")
        self._sealable()
        queue = PrintQueue(self.store, self.renderer(), actor=self.actor)
        self.print_queue = queue
        self.jobs = queue.jobs
        queue.on_event(_log_event)
        try:
            if existing is not None:
                job, refused = existing.job_id, ()
                line = _progress_line(existing, uri)
                line.say(_("{command}: resuming job {job} for {what}: {summary}; printing what is left (a label "
                           "whose fate is unknown prints marked)").format(command=command, job=job,
                                                                          what=what or uri, summary=summary(existing)))
            else:
                items = list(shipments)
                submitted = self.submit(items, printer, template, copies=copies, policy=policy,
                                        virtual_numbers=virtual_numbers, reprint=reprint, calibration=calibration,
                                        partial=True, identity_checked=True)
                if not submitted.job_id:
                    return BatchResult(None, submitted.refused)
                job, refused = submitted.job_id, submitted.refused
                remember_job(self.store, job, key, what=what)
                line = ProgressLine(sys.stderr, len(items) - len(refused), printer=uri)
            progress = self._drive(job, uri, line, say, command)
            return BatchResult(progress, refused, "resumed" if existing is not None else "")
        finally:
            queue.stop()
            self.print_queue = None
            self._anchor(say or _say)

    def resume_and_wait(self, job_ids: list[str], *, say: Callable[[str], None] | None = None,
                        warn: Callable[[Any, str], None] | None = None,
                        command: str = "sigilo jobs resume") -> list:
        """Drive unfinished jobs to the end (``sigilo jobs resume``): each on its own printer,
        with the options its first run was given (kept with the job); labels whose fate is
        unknown print marked. Returns each job's JobProgress."""
        from desktop.jobs import PrintQueue
        from desktop.jobs.jobstore import JobStore
        from desktop.jobs.resume import summary, what_of

        self.warn = warn
        results = []
        try:
            for job in job_ids:
                progress = JobStore(self.store).progress(job)
                if progress.finished:
                    results.append(progress)
                    continue
                if self.print_queue is not None:
                    self.print_queue.stop()
                queue = PrintQueue(self.store, self.renderer(), actor=self.actor)
                self.print_queue = queue
                self.jobs = queue.jobs
                queue.on_event(_log_event)
                if progress.state == "paused":
                    queue.jobs.set_job_state(job, "active")
                line = _progress_line(progress, progress.printer_uri)
                line.say(_("{command}: job {job} ({what}): {summary}; printing what is left").format(
                    command=command, job=job, what=what_of(self.store, job) or progress.printer_uri,
                    summary=summary(progress)))
                try:
                    results.append(self._drive(job, progress.printer_uri, line, say, command))
                finally:
                    queue.stop()
                    self.print_queue = None
        finally:
            if self._sealer is not None:
                self._anchor(say or _say)
        return results

    def _drive(self, job: str, uri: str, line, say, command: str):
        """Run the printer's worker in this process (unless another Sigilo process drives the
        printer: then that one prints and this one watches) and wait, showing progress. Each
        wake-up asks the store one indexed question; the labels are read once, at the end."""
        queue = self.print_queue
        emit = say or line.say

        def on_event(event) -> None:
            if event.kind == "job" or (event.kind == "label" and event.subject != job):
                return
            line.event(event)
            if event.kind == "printer" and event.state == "fault":
                emit(_("{command}: printer {uri}: {reason}; waiting for it (Ctrl+C stops; unprinted labels stay "
                       "queued: run the same command again, or sigilo jobs resume)").format(
                    command=command, uri=uri, reason=event.reason))
            elif event.kind == "printer" and event.reason == "fault cleared":
                emit(_("{command}: printer {uri} is back; resuming").format(command=command, uri=uri))

        queue.on_event(on_event)
        try:
            queue.start(printers=[uri])
            while not queue.settle(job, line.interval if line.tty else min(line.interval, 1.0)):
                line.tick()
            return queue.progress(job)
        finally:
            line.close()

    def wait(self, job_id: str, timeout: float | None = None):
        """Block until every label of the job is confirmed, failed or cancelled; returns its
        JobProgress."""
        return self.print_queue.wait(job_id, timeout)

    def _anchor(self, say) -> None:
        """The seal key is unlocked for this run: countersign the audit head with it."""
        try:
            from desktop.audit.anchor import anchor_head

            anchor_head(self.store, self.sealer())
        except Exception as exc:  # the labels are printed; an anchor is a bonus, never a failure
            say(_("sigilo print: warning: could not countersign the audit head ({kind})").format(kind=type(exc).__name__))

    def confirmed_tracking(self, job_ids) -> set[str]:
        """Tracking numbers these jobs printed: a retry prints only the rest."""
        out: set[str] = set()
        for job_id in job_ids:
            rows = self.store.query("SELECT tracking_number FROM labels WHERE job_id=? AND state='confirmed'", (job_id,))
            out |= {r[0] for r in rows}
        return out

    def label_state(self, label_id: int) -> tuple[str, str]:
        """(state, error) of one label now: a fast printer may confirm a label before the GUI
        has heard that it was queued."""
        rows = self.store.query("SELECT state, error FROM labels WHERE id=?", (label_id,))
        return (rows[0]["state"], rows[0]["error"] or "") if rows else ("", "")

    def label_states(self, job_id: str) -> dict[int, str]:
        """label id -> state for every label of a job, in one read."""
        return {r[0]: r[1] for r in self.store.query("SELECT id, state FROM labels WHERE job_id=?", (job_id,))}

    def outcome(self, label_id: int, printer_name: str) -> PrintOutcome:
        """What the store kept of a confirmed label, as a PrintOutcome (copies as printed)."""
        row = self.store.query("SELECT l.*, j.options FROM labels l JOIN jobs j ON j.id=l.job_id WHERE l.id=?",
                               (label_id,))[0]
        options = json.loads(row["options"]) if row["options"] else {}
        return PrintOutcome(tracking_number=row["tracking_number"], printer=printer_name,
                            where=row["printer_uri"], bytes_sent=0, qr_text=row["qr_text"] or "",
                            masked=json.loads(row["masked"]) if row["masked"] else {},
                            labels=int(options.get("copies", 1) or 1), data_hash=row["bytes_hash"] or "")

    def retry_failed(self, job_id: str, printer=None, keys_dir: Path | None = None, calibration=None) -> int:
        """Send again only the labels of a job that failed (their shipment is still held
        encrypted until confirmed). Returns how many were queued again."""
        if keys_dir is not None:
            self.keys_dir = Path(keys_dir)
        job = self.store.query("SELECT printer_uri, profile FROM jobs WHERE id=?", (job_id,))
        if not job:
            raise SigiloError(_("no print job {job_id}").format(job_id=job_id), _("see the job ids with: sigilo jobs list"))
        if printer is not None:
            self.set_calibration(job[0]["printer_uri"], calibration)
        if self.print_queue is not None and job[0]["profile"] != "pdf":
            return self.print_queue.retry_failed(job_id)
        count = self.jobs.retry_failed(job_id)
        if job[0]["profile"] == "pdf" and count:
            self._print_pdf(job_id, printer or Printer(job[0]["printer_uri"], job[0]["printer_uri"], "pdf"))
        return count

    def set_job_state(self, job_id: str, state: str) -> None:
        if self.print_queue is not None:
            {"paused": self.print_queue.pause, "active": self.print_queue.resume,
             "cancelled": self.print_queue.cancel}[state](job_id)
        else:
            self.jobs.set_job_state(job_id, state)

    def _printed(self, label_id: int):
        rows = self.store.query("SELECT l.*, j.template FROM labels l JOIN jobs j ON j.id=l.job_id WHERE l.id=?",
                                (label_id,))
        return rows[0] if rows else None

    # ------------------------------------------------------------------ reprint and void
    def reprint(self, label_id: int, reason: str, printer, keys_dir: Path | None = None, calibration=None,
                approval=None):
        """Print a stored label again with its REPRINT mark, from what the store kept: the masked
        view, the sealed QR text (the same seal), the face's order id, service and parcel and
        its original print time; the plaintext is gone. ``approval``: a supervisor from
        approve("reprint", ...) when the signed-in operator may not reprint alone."""
        reason = (reason or "").strip()
        if not reason:
            raise SigiloError(_("a reprint needs a reason"), _("type why the label is printed again (damaged, jammed…)"))
        approver = self._approver("reprint", approval)
        approved_by = approver.username if approver is not None and approver is not self.operator else None
        row = self._printed(label_id)
        if row is None or row["state"] != "confirmed" or not row["qr_text"]:
            why = (_("this label was voided, so there is nothing to reprint")
                   if row is not None and row["state"] == "voided"
                   else _("this label was never printed, so there is nothing to reprint"))
            raise SigiloError(why, _("print it from the form or retry it from the queue"))
        tracking = row["tracking_number"]
        if not row["face"]:
            raise SigiloError(_("label {tracking} was printed before the store kept label faces").format(tracking=tracking),
                              _("print a new label for the parcel"))
        self.set_calibration(printer.uri, calibration)
        if printer.profile != "pdf" and self.print_queue is not None:
            job_id = self.print_queue.reprint([tracking], printer.uri, printer.profile, reason,
                                              template=row["template"], actor=self.actor, approved_by=approved_by)
            ids = tuple(r[0] for r in self.store.query("SELECT id FROM labels WHERE job_id=?", (job_id,)))
            return Submitted(job_id, ids, tracking, printer.name, printer.uri)
        job_id = self.jobs.create_history_reprint([tracking], printer.uri, printer.profile, row["template"], reason,
                                                  self.actor, approved_by)
        return self._print_pdf(job_id, printer)

    def reprint_and_wait(self, tracking_numbers: list[str], uri: str, profile: str, reason: str, *, approval,
                         template: str | None = None, say: Callable[[str], None] | None = None):
        """``sigilo jobs reprint``: reprint printed labels from history (no plaintext, no seal
        key) marked REPRINT, approved by a supervisor, and wait for them. Returns JobProgress."""
        from desktop.jobs import PrintQueue

        say = say or _say
        queue = PrintQueue(self.store, self.renderer(), actor=self.actor)
        self.print_queue = queue
        self.jobs = queue.jobs
        queue.on_event(lambda e: say(_("sigilo jobs: printer {uri}: {reason}; waiting for it").format(uri=uri, reason=e.reason))
                       if e.kind == "printer" and e.state == "fault" else None)
        try:
            job = queue.reprint(tracking_numbers, uri, profile, reason, template=template, actor=self.actor,
                                approval=approval)
            queue.start(printers=[uri])
            return queue.wait(job)
        finally:
            queue.stop()
            self.print_queue = None

    def void(self, label_id: int, reason: str, approval=None) -> str:
        """Void a printed label (wrong phone, parcel not sent): it stays in history as voided
        with its reason; the audit names who asked and the supervisor who approved. Returns
        its tracking number. The number is free again, and the station's scan refuses the
        voided label."""
        reason = (reason or "").strip()
        if not reason:
            raise SigiloError(_("voiding needs a reason"), _("say why, e.g. 'wrong phone'"))
        approver = self._approver("void", approval)
        row = self._printed(label_id)
        if row is None or row["state"] != "confirmed":
            raise SigiloError(_("only a printed label can be voided"),
                              _("a failed label was never printed; one already voided needs nothing more"))
        self.jobs.void(row["tracking_number"], reason, self.actor, approver.username)
        return row["tracking_number"]

    def void_tracking(self, tracking_number: str, reason: str, approval) -> None:
        """Void the printed labels of a tracking number (``sigilo jobs void``)."""
        approver = self._approver("void", approval)
        self.jobs.void(tracking_number, reason, self.actor, approver.username)

    # ------------------------------------------------------------------ tracking numbers
    RANGE_KEY = "tracking.range"

    def tracking_range(self) -> dict:
        """The outlet's tracking number range: {prefix, next, end, width} (width: the whole
        number's length, prefix included)."""
        stored = self.store.get_setting(self.RANGE_KEY) or {}
        return {"prefix": str(stored.get("prefix", "SG")), "next": int(stored.get("next", 1)),
                "end": int(stored.get("end", 99999999)), "width": int(stored.get("width", 10))}

    def has_tracking_range(self) -> bool:
        return self.store.get_setting(self.RANGE_KEY) is not None

    def set_tracking_range(self, prefix: str, end: int, width: int, next_number: int | None = None,
                           seen_next: int | None = None) -> dict:
        """Save the range from a settings form. ``next_number`` is written only when the person
        changed it (it differs from ``seen_next``, what the form showed when it opened); else
        the stored next number stays, however far clerks have drawn since - a form never
        writes back a stale range. One transaction; a supervisor's setting once operators exist."""
        if self.has_operators():
            self.require("settings.change")
        prefix = (prefix or "").strip().upper()
        if not prefix.isalnum() and prefix:
            raise SigiloError(_("the tracking prefix {prefix!r} has characters a barcode reader may not send").format(prefix=prefix),
                              _("use letters and digits only"))
        with self.store.tx() as c:
            row = c.execute("SELECT value FROM settings WHERE key=?", (self.RANGE_KEY,)).fetchone()
            current = json.loads(row[0]) if row else {}
            stored_next = int(current.get("next", 1))
            nxt = stored_next
            if next_number is not None and (seen_next is None or int(next_number) != int(seen_next)):
                nxt = int(next_number)
            value = {"prefix": prefix, "next": nxt, "end": int(end), "width": int(width)}
            c.execute("INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET "
                      "value=excluded.value", (self.RANGE_KEY, json.dumps(value)))
            self.jobs.audit.append(self.actor, "settings.change", self.RANGE_KEY,
                                   {"prefix": prefix, "next": nxt, "end": int(end), "width": int(width)}, conn=c)
        return value

    def draw_tracking_number(self) -> str | None:
        """The next number of the outlet's range, advancing it in the same transaction (two
        windows or processes drawing at once get different numbers); a number that already
        has a live label here is passed over. None when the range is used up."""
        with self.store.tx() as c:
            row = c.execute("SELECT value FROM settings WHERE key=?", (self.RANGE_KEY,)).fetchone()
            r = {"prefix": "SG", "next": 1, "end": 99999999, "width": 10, **(json.loads(row[0]) if row else {})}
            prefix, n, end, width = str(r["prefix"]), int(r["next"]), int(r["end"]), int(r["width"])
            number = None
            while n <= end:
                candidate = f"{prefix}{n:0{max(1, width - len(prefix))}d}"
                n += 1
                live = c.execute("SELECT 1 FROM labels WHERE tracking_number=? AND original=1 AND state IN "
                                 "('queued','sent','confirmed') LIMIT 1", (candidate,)).fetchone()
                if live is None:
                    number = candidate
                    break
            c.execute("INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET "
                      "value=excluded.value", (self.RANGE_KEY, json.dumps({**r, "next": n})))
        return number

    # ------------------------------------------------------------------ printer
    def test_print(self, printer, calibration=None):
        """The calibration label on ``printer`` with its offsets and darkness (calibrating is
        printing it, moving the offsets and printing it again). A PDF printer gets a page
        (returns pages written). A label printer gets it through its queue worker, the one
        connection to it (returns Submitted; its fate arrives as an event), so a test print
        after a print never finds the port busy."""
        from desktop.station.printing import test_print_pdf

        if printer.profile == "pdf":
            return test_print_pdf(printer.uri)
        if self.print_queue is None:
            raise SigiloError(_("the print queue is not running"), _("start the station's queue first"))
        from desktop.jobs.queue import _check_uri

        _check_uri(printer.uri)
        self.set_calibration(printer.uri, calibration)
        job_id = self.jobs.create_test_job(printer.uri, printer.profile, self.actor)
        self.print_queue._submitted(job_id, printer.uri)
        ids = tuple(r[0] for r in self.store.query("SELECT id FROM labels WHERE job_id=?", (job_id,)))
        return Submitted(job_id, ids, "", printer.name, printer.uri)

    def _queue_for(self, uri: str) -> bool:
        """Where the queue is not running (the setup flow, before the window opens), start one for
        this printer alone, so a test print or calibration still goes through the printer's one
        connection. True when it was started here (the caller stops it again)."""
        if self.print_queue is not None:
            return False
        from desktop.jobs import PrintQueue

        self.print_queue = PrintQueue(self.store, self.renderer(), actor=self.actor)
        self.jobs = self.print_queue.jobs
        self.print_queue.on_event(_log_event)
        self.print_queue.start(printers=[uri])
        return True

    def test_print_and_wait(self, printer, calibration=None, timeout: float = 20.0) -> tuple[str, str]:
        """A test print that reports its fate: (state, error) of the calibration label,
        "confirmed" when the printer printed it. Where the queue is not running yet (the setup
        flow, before the window opens) a queue for this printer alone drives it and stops
        again, so it is still the one connection to the printer."""
        if printer.profile == "pdf":
            self.test_print(printer, calibration)
            return "confirmed", ""
        own = self._queue_for(printer.uri)
        try:
            sub = self.test_print(printer, calibration)
            if not self.print_queue.settle(sub.job_id, timeout):
                return "sent", _("the printer has not answered yet")
            return self.label_state(sub.label_ids[0])
        finally:
            if own:
                self.stop_queue()

    def calibrate(self, printer, media=None, *, timeout: float = 60.0, min_seconds: float = 3.0):
        """Media calibration (TSPL gap / black-mark detect, ZPL ~JC with ^MN/^LL) on ``printer``
        through its queue worker - the one connection to it - and the result read back and put
        in a clerk's words (desktop.station.calibration.CalibrationResult). ``media``: a
        printers.calibration.Media (default: the template's 100 x 150 mm gap labels). Where the
        queue is not running, a queue for this printer alone drives it and stops again. The
        result is audited and kept as the printer's media (setting ``printer.media:<uri>``).
        Raises SigiloError for a PDF or ESC/POS printer (nothing to calibrate)."""
        from desktop.station.calibration import run_calibration, words_for
        from printers.calibration import Media, can_calibrate
        from printers.profiles import load_profile

        media = media or Media()
        if printer.profile == "pdf":
            raise SigiloError(_("a PDF printer has no labels to calibrate"),
                              _("calibrate the label printer the labels are printed on"))
        profile = load_profile(printer.profile)
        if not can_calibrate(profile.language):
            raise SigiloError(_("{printer} ({language}) has no media calibration").format(
                printer=printer.name, language=profile.language.upper()),
                _("receipt printers feed continuous paper; nothing needs calibrating"))
        try:
            media.check()
        except Exception as exc:
            raise SigiloError(getattr(exc, "message", str(exc)), getattr(exc, "hint", "")) from None
        if self.locked:  # a clerk calibrates a new roll; a station left idle does nothing
            self.require("calibrate")
        from desktop.jobs.queue import _check_uri

        _check_uri(printer.uri)
        own = self._queue_for(printer.uri)
        try:
            future = self.print_queue.run_on_printer(
                printer.uri, printer.profile, lambda transport, link: run_calibration(
                    transport, profile.language, media, profile.dpi, timeout=timeout, min_seconds=min_seconds),
                reason="calibrating")
            try:
                found = future.result(timeout + 15.0)
            except TimeoutError:
                future.cancel()
                found = {"ok": False, "fault": "timeout"}
            except SigiloError:
                raise
            except Exception as exc:  # the printer could not be reached: its own words
                from desktop.station.status import clerk_words

                message = getattr(exc, "message", None) or str(exc)
                found = {"ok": False, "fault": clerk_words(message, printer.uri, printer.name)}
        finally:
            if own:
                self.stop_queue()
        result = words_for(found, media, printer.name, timeout)
        self.jobs.audit.append(self.actor, "printer.calibrate", printer.uri,
                               {"sensor": media.sensor, "ok": result.ok, "length_mm": result.length_mm,
                                "gap_mm": result.gap_mm, "fault": result.fault})
        if result.ok:
            self._media.pop(printer.uri, None)
            self.store.set_setting(f"printer.media:{printer.uri}",
                                   {"sensor": found.get("sensor") or media.sensor, "width_mm": media.width_mm,
                                    "length_mm": result.length_mm or media.length_mm,
                                    "gap_mm": result.gap_mm if result.gap_mm is not None else media.gap_mm})
        return result

    def printer_media(self, uri: str) -> dict | None:
        """The media a calibration of this printer found (sensor, width, length, gap), or None;
        read once per printer (each label's encoding asks), refreshed by calibrate()."""
        if uri not in self._media:
            self._media[uri] = self.store.get_setting(f"printer.media:{uri}")
        return self._media[uri]

    def printer_status(self, printer) -> tuple[str, str]:
        """(STATE, words) for the status light: the queue's view when its worker drives the
        printer (never a second connection), else a status query; in a clerk's words."""
        from desktop.station.status import clerk_words, query_printer

        held = self.worker_state(printer.uri)
        if held is not None:
            state, reason = held
            return queue_light(state, reason)[0], clerk_words(reason, printer.uri, printer.name)
        state, words = query_printer(printer.uri, printer.profile)
        return state, clerk_words(words, printer.uri, printer.name)

    # ------------------------------------------------------------------ scanning
    def scan(self, text: str, keys_dir: Path, barcode: str | None = None) -> dict:
        """Open a sealed QR with this machine's scanner key, audited like ``sigilo scan``: only
        public facts (tracking number, station, key id, refusal reason), never the shipment."""
        from desktop.seal.auditing import claimed_tracking
        from desktop.station.errors import NotAuthorized
        from desktop.station.scanning import open_seal

        try:
            result = open_seal(text, keys_dir, barcode)
            self.refuse_voided(text, result["tracking_number"], keys_dir)
        except SigiloError as exc:  # every failed scan is audited, an older trust list too
            default = "not-authorized" if isinstance(exc, NotAuthorized) else type(exc).__name__
            reason = getattr(exc, "reason", default)
            self.jobs.audit.append(self.actor, "scan_failed", claimed_tracking(text),
                                   {"reason": reason, "barcode_checked": barcode is not None, "via": "gui"})
            raise
        self.jobs.audit.append(self.actor, "scan", result["tracking_number"],
                               {"station_id": result["station_id"], "fleet_key_id": result["fleet_key_id"],
                                "barcode_checked": barcode is not None, "via": "gui"})
        return result

    def refuse_voided(self, text: str, tracking: str, keys_dir: Path | None = None) -> None:
        """Raise VoidedSeal (desktop.seal.voids) when this station voided the label, saying
        when, by whom and why, or when a void list installed in ``keys_dir`` names it."""
        from desktop.station.voids import voided_here

        voided_here(self.store, text, tracking)
        if keys_dir is not None and (Path(keys_dir) / "voids").is_dir():
            from desktop.keys import manage
            from desktop.keys.layout import KeysDir
            from desktop.seal.voids import check, load_lists

            check(text, tracking, load_lists(keys_dir, manage.load_trust(KeysDir.at(keys_dir))))

    def export_voids(self, out: Path):
        """Write this station's signed void list (``sigilo voids export``); returns the VoidList."""
        from desktop.station.voids import export_void_list

        self.require("keys.manage")
        return export_void_list(self.store, self.sealer(), Path(out), self.jobs.audit, self.actor)

    # ------------------------------------------------------------------ reading back
    def history(self, text: str = "", day: str = "", limit: int = 500) -> list[HistoryRow]:
        """Printed, failed and voided labels, newest first; ``text`` matches tracking number or
        order id, ``day`` (YYYY-MM-DD, local time) the day it was printed."""
        out = []
        for r in self.jobs.history(text, limit, day):
            out.append(HistoryRow(r["label_id"], r["job"], r["tracking_number"], r["order_id"] or "", r["state"],
                                  r["reprint"] or "", r["printer"], r["printed_at"] or 0.0, r["masked"] or {},
                                  r["qr_text"] or "", r["error"] or "", r["face"] or {}))
        return out

    def jobs_progress(self, limit: int = 50) -> list:
        return [self.jobs.progress(j) for j in self.jobs.jobs(limit)]

    def close(self) -> None:
        self.stop_queue()
        self.store.close()

    def __enter__(self) -> Station:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def queue_light(state: str, reason: str) -> tuple[str, str]:
    """The status light for a queue state ("ready", "printing", "paused", "fault" with the
    queue's reason such as "paper_out: ..."): (LIGHT, reason)."""
    state = (state or "").lower()
    if state == "fault":
        head = (reason or "").split(":")[0].strip().upper().replace(" ", "_").replace("-", "_")
        aliases = {"PRINT_HEAD_OPEN": "HEAD_OPEN"}
        head = aliases.get(head, head)
        known = {"PAPER_OUT", "HEAD_OPEN", "RIBBON_OUT", "PAUSED"}
        return (head if head in known else "OFFLINE"), reason
    return {"ready": "READY", "printing": "PRINTING", "paused": "PAUSED"}.get(state, "UNKNOWN"), reason


__all__ = [
    "BatchResult",
    "DuplicateTracking",
    "HistoryRow",
    "PrintOutcome",
    "Printer",
    "Refusal",
    "Station",
    "Submitted",
    "queue_light",
]
