"""Print jobs that never lose a label: a persistent queue per printer with one worker thread
each, a per-label state machine (queued -> sent -> confirmed | failed), pause on faults and
resume from the first unconfirmed label, and marked reprints when a label's fate is unknown."""

from desktop.jobs.model import (
                                CANCELLED,
                                CONFIRMED,
                                FAILED,
                                QUEUED,
                                SENT,
                                Event,
                                JobProgress,
                                LabelProgress,
                                LabelWork,
                                RenderedLabel,
)
from desktop.jobs.queue import JobError, PrintQueue

__all__ = ["PrintQueue", "JobError", "LabelWork", "RenderedLabel", "JobProgress", "LabelProgress", "Event",
           "QUEUED", "SENT", "CONFIRMED", "FAILED", "CANCELLED"]
