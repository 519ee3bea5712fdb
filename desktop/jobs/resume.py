"""A batch run again after a crash resumes its job rather than printing it twice: what names a
batch at rest (a keyed hash), the job it was last submitted as, the jobs left unfinished (for
``sigilo jobs resume`` and the window's start), and a job's one-line summary. The station
service (desktop.station) drives the printing; this module only answers questions of the
store."""

from __future__ import annotations

from desktop.i18n import _
from desktop.jobs.jobstore import JobStore
from desktop.jobs.model import JobProgress


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


def remember_job(store, job: str, key: str | None, *, what: str = "") -> None:
    """What a resume needs that the job does not hold (its options are kept with the job): the
    batch it came from and the name to show."""
    if key:
        store.set_setting(f"jobs.source:{key}", job)
    store.set_setting(f"jobs.what:{job}", what)


def what_of(store, job: str) -> str:
    return store.get_setting(f"jobs.what:{job}", "") or ""


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
