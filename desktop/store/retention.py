"""The retention purge: printed-label records, finished jobs, drafts and alerts older than the
configured number of days are deleted, and the file is checkpointed and vacuumed so deleted
rows do not linger in free pages or the WAL. The audit chain is kept (it holds no plaintext)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from desktop.store.db import Store

DAY = 86400.0


@dataclass(frozen=True)
class PurgeResult:
    labels: int
    jobs: int
    drafts: int
    alerts: int
    virtual_numbers: int


def retention_days(store: Store) -> float:
    return float(store.get_setting("retention.days", 90))


def purge(store: Store, days: float | None = None, now: float | None = None, actor: str = "system") -> PurgeResult:
    from desktop.audit.log import AuditLog

    days = retention_days(store) if days is None else float(days)
    cutoff = (time.time() if now is None else now) - days * DAY
    with store.tx() as c:
        labels = c.execute("DELETE FROM labels WHERE state IN ('confirmed','failed','cancelled','voided') AND "
                           "COALESCE(done_at, created_at) < ?", (cutoff,)).rowcount
        jobs = c.execute("DELETE FROM jobs WHERE created_at < ? AND NOT EXISTS "
                         "(SELECT 1 FROM labels WHERE labels.job_id = jobs.id)", (cutoff,)).rowcount
        drafts = c.execute("DELETE FROM drafts WHERE updated_at < ?", (cutoff,)).rowcount
        alerts = c.execute("DELETE FROM alerts WHERE time < ?", (cutoff,)).rowcount
        vnums = c.execute("DELETE FROM virtual_numbers WHERE state='expired' AND allocated_at < ?", (cutoff,)).rowcount
        AuditLog(store).append(actor, "purge", "store", {"days": days, "labels": labels, "jobs": jobs,
                                                         "drafts": drafts, "alerts": alerts,
                                                         "virtual_numbers": vnums}, conn=c)
    compact(store)
    return PurgeResult(labels, jobs, drafts, alerts, vnums)


def compact(store: Store) -> None:
    """Move the WAL into the main file and rebuild it, so removed rows leave no copies."""
    with store._lock:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.conn.execute("VACUUM")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
