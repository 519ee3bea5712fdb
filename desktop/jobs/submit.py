"""Submit a batch and wait for it: what ``sigilo print`` does with the queue. The printer is
driven by this process unless another Sigilo process already drives it, in which case that
one prints the job and this one only watches. The same batch run again after a crash resumes
its job rather than printing it twice; ``sigilo jobs resume`` drives unfinished jobs on."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Callable, Iterable

from desktop.jobs.jobstore import JobStore
from desktop.jobs.model import Event, JobProgress, LabelWork
from desktop.jobs.progressline import ProgressLine
from desktop.jobs.queue import PrintQueue
from desktop.jobs.render import compose_renderer
from desktop.shipment import Shipment
from desktop.i18n import _


def print_and_wait(shipments: Iterable[Shipment], uri: str, profile: str, template: str, sealer, *,
                   reprint: str | None = None, copies: int = 1, actor: str = "cli",
                   warn: Callable[[LabelWork, str], None] | None = None,
                   say: Callable[[str], None] | None = None, virtual_numbers: bool | None = None,
                   source: str | None = None, what: str = "", command: str = "sigilo print") -> JobProgress:
    """``virtual_numbers`` (default: the setting virtualnum.enabled): each label shows the
    hotline and the shipment's extension instead of the masked phone.

    ``source`` names the batch (the file's content, the printer and every option that changes
    the labels): a run of the same batch after a crash resumes the job the first run left
    unfinished instead of submitting it again, and a batch whose job has printed every label
    prints nothing (see resumable_job)."""
    from desktop.store import open_store

    store = open_store()
    if virtual_numbers is None:
        virtual_numbers = bool(store.get_setting("virtualnum.enabled", False))
    try:
        key = source_key(store, source, uri) if source else None
        existing = resumable_job(store, key) if key else None
        if existing is not None and existing.finished:
            _say = say or (lambda text: print(text, file=sys.stderr))
            _say(_("{command}: job {job} already printed this batch ({what} to {uri}): {summary}; nothing printed "
                   "again. To print a label again, reprint it with a reason: sigilo jobs reprint TRACKING --reason R "
                   "--supervisor NAME --printer URI").format(command=command, job=existing.job_id, what=what or uri,
                                                             uri=uri, summary=summary(existing)))
            return replace(existing, run="already printed")
        queue = _queue(store, sealer, copies, virtual_numbers, warn, actor)
        if existing is not None:
            job = existing.job_id
            line = _line(existing, uri)
            line.say(_("{command}: resuming job {job} for {what}: {summary}; printing what is left (a label whose "
                       "fate is unknown prints marked)").format(command=command, job=job, what=what or uri,
                                                                summary=summary(existing)))
        else:
            items = list(shipments)
            job = queue.submit(uri, profile, items, template, reprint_reason=reprint, actor=actor)
            remember_job(store, job, key, copies=copies, virtual_numbers=virtual_numbers, what=what)
            line = ProgressLine(sys.stderr, len(items), printer=uri)
        progress = _drive(queue, job, uri, line, say, command)
        return replace(progress, run="resumed") if existing is not None else progress
    finally:
        _anchor(store, sealer, say or (lambda text: print(text, file=sys.stderr)))
        store.close()


def resume_and_wait(job_ids: list[str], sealer, *, actor: str = "cli", say: Callable[[str], None] | None = None,
                    warn: Callable[[LabelWork, str], None] | None = None,
                    command: str = "sigilo jobs resume") -> list[JobProgress]:
    """Drive unfinished jobs to the end (``sigilo jobs resume``): each on its own printer, with
    the options its first run was given (copies, virtual numbers); labels whose fate is unknown
    print marked. Returns each job's progress."""
    from desktop.store import open_store

    store = open_store()
    results = []
    try:
        for job in job_ids:
            progress = JobStore(store).progress(job)
            if progress.finished:
                results.append(progress)
                continue
            options = store.get_setting(f"jobs.options:{job}", {}) or {}
            queue = _queue(store, sealer, int(options.get("copies", 1)), bool(options.get("virtual_numbers", False)),
                           warn, actor)
            if progress.state == "paused":
                queue.jobs.set_job_state(job, "active")
            line = _line(progress, progress.printer_uri)
            line.say(_("{command}: job {job} ({what}): {summary}; printing what is left").format(
                command=command, job=job, what=options.get("what") or progress.printer_uri, summary=summary(progress)))
            results.append(_drive(queue, job, progress.printer_uri, line, say, command))
    finally:
        if sealer is not None:
            _anchor(store, sealer, say or (lambda text: print(text, file=sys.stderr)))
        store.close()
    return results


def _queue(store, sealer, copies, virtual_numbers, warn, actor) -> PrintQueue:
    numbers = None
    if virtual_numbers:
        from desktop.virtualnum import VirtualNumbers

        numbers = VirtualNumbers(store)
    return PrintQueue(store, compose_renderer(sealer, copies=copies, warn=warn, virtual_numbers=numbers),
                      actor=actor)


def _line(progress: JobProgress, uri: str) -> ProgressLine:
    return ProgressLine(sys.stderr, len(progress.labels), done=progress.count("confirmed"),
                        failed=progress.count("failed"), printer=uri)


def _drive(queue: PrintQueue, job: str, uri: str, line: ProgressLine, say, command: str) -> JobProgress:
    """Run the printer's worker in this process (unless another Sigilo process drives the
    printer: then that one prints and this one watches) and wait, showing progress."""
    emit = say or line.say

    def on_event(event: Event) -> None:
        if event.kind == "job" or (event.kind == "label" and event.subject != job):
            return
        line.event(event)
        if event.kind == "printer" and event.state == "fault":
            emit(_("{command}: printer {uri}: {reason}; waiting for it (Ctrl+C stops; unprinted labels stay queued: "
                   "run the same command again, or sigilo jobs resume)").format(command=command, uri=uri,
                                                                              reason=event.reason))
        elif event.kind == "printer" and event.reason == "fault cleared":
            emit(_("{command}: printer {uri} is back; resuming").format(command=command, uri=uri))

    queue.on_event(on_event)
    try:
        queue.start(printers=[uri])
        while True:
            progress = queue.wait(job, timeout=line.interval if line.tty else min(line.interval, 1.0))
            if progress.finished:
                return progress
            line.tick()
    finally:
        queue.stop()
        line.close()


def source_key(store, source: str, uri: str) -> str:
    """A batch's identity at rest: a keyed hash (the installation's data key) of what names it,
    so the store never holds the file's content or a plain hash of it."""
    return store.data_key.keyed_hash(f"{uri}\x00{source}", "job-source")


def resumable_job(store, key: str) -> JobProgress | None:
    """The job a batch was last submitted as, if it still exists: unfinished (to resume) or
    finished with every label printed or failed (nothing to print again). A job that was
    cancelled does not count: running the batch again submits what it withdrew."""
    job = store.get_setting(f"jobs.source:{key}")
    if not job:
        return None
    try:
        progress = JobStore(store).progress(job)
    except Exception:  # purged by retention
        return None
    if progress.state == "cancelled" or progress.count("cancelled"):
        return None
    return progress


def remember_job(store, job: str, key: str | None, *, copies: int = 1, virtual_numbers: bool = False,
                 what: str = "") -> None:
    """What a resume needs that the job's labels do not hold: the run's options."""
    if key:
        store.set_setting(f"jobs.source:{key}", job)
    store.set_setting(f"jobs.options:{job}", {"copies": copies, "virtual_numbers": bool(virtual_numbers),
                                             "what": what})


def unfinished_jobs(store) -> list[str]:
    """Jobs with labels still to print (queued, or sent and never confirmed), oldest first."""
    return [r[0] for r in store.query(
        "SELECT j.id FROM jobs j WHERE j.state IN ('active','paused') AND EXISTS (SELECT 1 FROM labels l "
        "WHERE l.job_id=j.id AND l.state IN ('queued','sent')) ORDER BY j.created_at")]


def summary(progress: JobProgress) -> str:
    total = len(progress.labels)
    done, failed = progress.count("confirmed"), progress.count("failed")
    if failed:
        return _("{done} of {total} labels printed, {failed} failed (sigilo jobs retry {job} queues them again)").format(
            done=done, total=total, failed=failed, job=progress.job_id)
    return _("{done} of {total} labels printed").format(done=done, total=total)


def _anchor(store, sealer, say) -> None:
    """The seal key is unlocked for this run: countersign the audit head with it."""
    try:
        from desktop.audit.anchor import anchor_head

        anchor_head(store, sealer)
    except Exception as exc:  # the labels are printed; an anchor is a bonus, never a failure
        say(f"sigilo print: warning: could not countersign the audit head ({type(exc).__name__})")


def reprint_and_wait(tracking_numbers: list[str], uri: str, profile: str, reason: str, *, approval,
                     template: str | None = None, actor: str = "cli",
                     say: Callable[[str], None] | None = None) -> JobProgress:
    """Reprint printed labels from history (what the store kept: no plaintext, no seal key)
    with the REPRINT mark, approved by a supervisor, and wait for them."""
    from desktop.store import open_store

    say = say or (lambda text: print(text, file=sys.stderr))
    store = open_store()
    queue = PrintQueue(store, compose_renderer(None), actor=actor)
    queue.on_event(lambda e: say(f"sigilo jobs: printer {uri}: {e.reason}; waiting for it")
                   if e.kind == "printer" and e.state == "fault" else None)
    try:
        job = queue.reprint(tracking_numbers, uri, profile, reason, template=template, actor=actor,
                            approval=approval)
        queue.start(printers=[uri])
        return queue.wait(job)
    finally:
        queue.stop()
        store.close()
