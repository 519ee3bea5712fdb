"""Where the bridge prints: the one function pair every bridge document goes through.

Documents go to the station's persistent print queue (desktop.jobs), one job per task and
template, so a label is composed and sealed only when its printer takes it, a printer fault is
waited out, and a crash resumes. The duplicate rule (one live label per tracking number) is
asked here, before anything is queued, so the bridge refuses what the station would.
"""

from __future__ import annotations

from desktop.i18n import _

import threading
from dataclasses import dataclass
from typing import Any, Callable

from desktop.jobs.model import LabelWork, RenderedLabel
from desktop.shipment import Shipment
from desktop.store.db import Store


@dataclass(frozen=True)
class PrinterChoice:
    """A printer a page may name: its name in getPrinters, its URI and printer profile."""

    name: str
    uri: str
    profile: str = "tspl-203"


# a label state in the queue -> the document state a page sees
LABEL_TO_DOCUMENT = {"queued": "queued", "sent": "rendered", "confirmed": "printed", "voided": "printed",
                     "failed": "failed", "cancelled": "failed"}

LIVE_LABEL_STATES = ("queued", "sent", "confirmed")  # a tracking number held by one of these is taken


class BridgePrinting:
    """The print queue as the bridge uses it. ``on_change`` is called (from a worker thread)
    whenever a label's state changes, so the bridge looks at its documents again."""

    def __init__(self, store: Store, sealer: Any, printers: list[PrinterChoice], *,
                 on_change: Callable[[], None] = lambda: None, queue_options: dict | None = None,
                 queue: Any = None) -> None:
        """``queue``: a print queue already running in this process (the window's), which then
        prints the bridge's documents with its own renderer; else the bridge runs its own."""
        from desktop.jobs import PrintQueue

        if not printers:
            from desktop.bridge.errors import BridgeError

            raise BridgeError(_("the bridge has no printer to print to"),
                              _("name one: sigilo serve --printer NAME=URI (e.g. --printer Label=tcp://192.168.1.50:9100)"))
        self.store = store
        self.sealer = sealer
        self.printers = {p.name: p for p in printers}
        self.default = printers[0].name
        self._renderers: dict[int, Callable[[LabelWork], RenderedLabel]] = {}
        self._lock = threading.Lock()
        self._copies: dict[int, int] = {}  # label id -> copies, until the label is composed
        self.own_queue = queue is None
        self.queue = queue if queue is not None else PrintQueue(store, self._render, actor="bridge",
                                                                 **(queue_options or {}))
        self._unsubscribe = self.queue.on_event(
            lambda event: on_change() if event.kind in ("label", "job") else None)

    def start(self) -> None:
        if self.own_queue:
            self.queue.start(printers=[p.uri for p in self.printers.values()])

    def stop(self) -> None:
        self._unsubscribe()
        if self.own_queue:
            self.queue.stop()

    # --- what pages see -------------------------------------------------------------
    def printer_list(self) -> list[dict]:
        out = []
        for p in self.printers.values():
            state, reason = self.queue.printer_state(p.uri)
            out.append({"name": p.name, "status": state, "reason": reason, "profile": p.profile})
        return out

    def is_live(self, tracking_number: str) -> bool:
        """Whether a label with this tracking number is queued, in a printer or printed here
        (and not voided): then a new label under it is a duplicate."""
        marks = ",".join("?" * len(LIVE_LABEL_STATES))
        return bool(self.store.query(f"SELECT 1 FROM labels WHERE tracking_number=? AND state IN ({marks}) LIMIT 1",
                                     (tracking_number, *LIVE_LABEL_STATES)))

    def submit(self, printer: str, template: str, items: list[tuple[Shipment, int]]) -> list[int]:
        """Queue (shipment, copies) pairs as one job; the label ids, in order. The renderer
        waits on the lock held here, so it learns each label's copies before composing it."""
        choice = self.printers[printer]
        with self._lock:
            job_id = self.queue.submit(choice.uri, choice.profile, [s for s, _ in items], template, actor="bridge")
            rows = self.store.query("SELECT id FROM labels WHERE job_id=? ORDER BY idx", (job_id,))
            ids = [r[0] for r in rows]
            for label_id, (_, copies) in zip(ids, items):
                self._copies[label_id] = copies
        return ids

    def label_states(self, label_ids: list[int]) -> dict[int, tuple]:
        out = {}
        for start in range(0, len(label_ids), 500):
            chunk = label_ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.store.query(f"SELECT id, state, error, sent_at, done_at FROM labels WHERE id IN ({marks})",
                                      tuple(chunk)):
                out[r[0]] = (r[1], r[2], r[3], r[4])
        return out

    # --- composing at print time ----------------------------------------------------
    def _render(self, work: LabelWork) -> RenderedLabel:
        with self._lock:
            copies = self._copies.pop(work.label_id, None)
            if copies is None:  # queued before a restart: the document row knows
                rows = self.store.query("SELECT copies FROM bridge_documents WHERE label_id=?", (work.label_id,))
                copies = max(1, int(rows[0][0])) if rows else 1
            render = self._renderers.get(copies)
            if render is None:
                from desktop.jobs.render import compose_renderer

                render = self._renderers[copies] = compose_renderer(self.sealer, copies=copies)
        return render(work)
