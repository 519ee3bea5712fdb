"""Where the bridge prints: the one function pair every bridge document goes through.

Documents go through the station service (desktop.station) like a label from the window or
``sigilo print``: one job per task, template and number of copies on the station's persistent
print queue, composed and sealed by the station's one renderer only when its printer takes it,
a printer fault waited out, a crash resumed, the real-name check applied. The duplicate rule
(one live label per tracking number) is asked before anything is queued, so the page hears a
field-named refusal, and decided again by the store's unique index when the job is written.
"""

from __future__ import annotations

from desktop.i18n import _
from dataclasses import dataclass
from typing import Any, Callable

from desktop.shipment import Shipment


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
    """The station's print queue as the bridge uses it. ``on_change`` is called (from a worker
    thread) whenever a label's state changes, so the bridge looks at its documents again."""

    def __init__(self, station: Any, printers: list[PrinterChoice], *,
                 on_change: Callable[[], None] = lambda: None, queue_options: dict | None = None) -> None:
        """``station``: a desktop.station.Station. When its queue is running (the window's), the
        bridge's documents join it; else the bridge starts it for its printers and stops it
        again. ``queue_options`` go to that queue (poll intervals, in tests)."""
        if not printers:
            from desktop.bridge.errors import BridgeError

            raise BridgeError(_("the bridge has no printer to print to"),
                              _("name one: sigilo serve --printer NAME=URI (e.g. --printer Label=tcp://192.168.1.50:9100)"))
        self.station = station
        self.store = station.store
        self.printers = {p.name: p for p in printers}
        self.default = printers[0].name
        self.own_queue = station.print_queue is None
        if self.own_queue:
            self._queue_options = queue_options or {}
            station.start_queue(printers=[], **self._queue_options)
        self.queue = station.print_queue
        self._unsubscribe = self.queue.on_event(
            lambda event: on_change() if event.kind in ("label", "job") else None)

    @property
    def sealer(self):
        """The station's sealer (previews seal like a print)."""
        return self.station.sealer()

    def start(self) -> None:
        if self.own_queue:
            self.queue.start(printers=[p.uri for p in self.printers.values()])

    def stop(self) -> None:
        self._unsubscribe()
        if self.own_queue:
            self.station.stop_queue()

    # --- what pages see -------------------------------------------------------------
    def printer_list(self) -> list[dict]:
        out = []
        for p in self.printers.values():
            state, reason = self.queue.printer_state(p.uri)
            out.append({"name": p.name, "status": state, "reason": reason, "profile": p.profile})
        return out

    def is_live(self, tracking_number: str) -> bool:
        """Whether a label with this tracking number is queued, in a printer or printed here
        (and not voided): then a new label under it is a duplicate (the station's rule)."""
        return self.station.jobs.live_label(tracking_number) is not None

    def submit(self, printer: str, template: str, items: list[tuple[Shipment, int]]) -> list[int | None]:
        """Queue (shipment, copies) pairs through the station, one job per number of copies (a
        job's copies are kept with it); the label ids in the order given, None where the
        station refused the shipment (its number became live meanwhile)."""
        from desktop.station import Printer

        choice = self.printers[printer]
        target = Printer(choice.name, choice.uri, choice.profile)
        by_copies: dict[int, list[int]] = {}
        for n, (_doc, copies) in enumerate(items):
            by_copies.setdefault(copies, []).append(n)
        ids: list[int | None] = [None] * len(items)
        for copies, where in by_copies.items():
            sub = self.station.submit([items[n][0] for n in where], target, template, copies=copies, partial=True,
                                      by="bridge")
            if not sub.job_id:
                continue
            for idx, label_id in self.store.query("SELECT idx, id FROM labels WHERE job_id=?", (sub.job_id,)):
                ids[where[idx]] = label_id
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
