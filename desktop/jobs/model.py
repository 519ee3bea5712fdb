"""The vocabulary of print jobs: label states, what a renderer receives and returns, and the
progress a caller sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol

from desktop.shipment import Shipment

# per label: queued -> sent -> confirmed | failed (cancelled: withdrawn before it was sent)
QUEUED, SENT, CONFIRMED, FAILED, CANCELLED = "queued", "sent", "confirmed", "failed", "cancelled"
FINAL_STATES = (CONFIRMED, FAILED, CANCELLED)

# per printer queue
READY, PRINTING, PAUSED, FAULT = "ready", "printing", "paused", "fault"

UNKNOWN_FATE_REASON = "fate unknown after restart"
UNKNOWN_FATE_FAULT_REASON = "fate unknown: the printer reported a fault before it finished the label"
UNKNOWN_FATE_PREFIX = "fate unknown"  # every reason a label's fate was unknown starts so


@dataclass(frozen=True)
class LabelWork:
    """What a renderer needs for one label. ``reprint`` is the reason for a REPRINT mark."""

    label_id: int
    job_id: str
    index: int
    shipment: Shipment
    template: str
    profile: str
    reprint: str | None = None
    masked: dict | None = None  # a reprint from history: the stored masked view ...
    qr_text: str | None = None  # ... and sealed QR (the shipment then holds only the face fields)
    printed_at: str | None = None  # ... and the time first printed (ISO 8601), shown again on the face
    printer_uri: str = ""  # the job's printer (its calibration applies)
    options: dict = field(default_factory=dict)  # the job's print options: copies, policy, virtual_numbers
    caption_language: str | None = None  # a reprint: the caption set it was printed with (the same words again)


@dataclass(frozen=True)
class RenderedLabel:
    data: bytes  # the printer-language bytes to send
    masked: dict  # MaskedView.to_dict(): what the label face shows, kept after printing
    qr_text: str = ""  # the sealed QR text, kept after printing
    copies: int = 1  # physical labels these bytes print (a label counter advances by this much)
    printed_at: str | None = None  # the "Printed" time on the face (ISO 8601 with offset)
    caption_language: str | None = None  # the caption set of the face, kept so a reprint says the same words


class Renderer(Protocol):
    def __call__(self, work: LabelWork) -> RenderedLabel: ...


@dataclass(frozen=True)
class LabelProgress:
    label_id: int
    index: int
    tracking_number: str
    state: str
    reprint: str | None
    attempts: int
    error: str | None


@dataclass(frozen=True)
class JobProgress:
    job_id: str
    printer_uri: str
    state: str  # active | paused | cancelled | done
    labels: list[LabelProgress] = field(default_factory=list)
    printer_state: str = READY
    printer_reason: str = ""
    run: str = ""  # how this run met the job: "" submitted it, "resumed" it, or found it "already printed"

    def count(self, state: str) -> int:
        return sum(1 for label in self.labels if label.state == state)

    @property
    def finished(self) -> bool:
        return all(label.state in FINAL_STATES for label in self.labels)


@dataclass(frozen=True)
class Event:
    """A plain-Python notification: kind is "label", "printer", "job" (submitted, paused,
    active, cancelled, done) or "alert" (subject: the rule; reason: its message)."""

    kind: str
    subject: str  # job id, or printer URI
    state: str
    label_id: int | None = None
    tracking_number: str = ""
    reason: str = ""


EventCallback = Callable[[Event], None]
