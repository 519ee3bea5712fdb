"""Submit a batch and wait for it: what ``sigilo print`` does with the queue. The printer is
driven by this process unless another Sigilo process already drives it, in which case that
one prints the job and this one only watches."""

from __future__ import annotations

import sys
from typing import Callable, Iterable

from desktop.jobs.model import Event, JobProgress, LabelWork
from desktop.jobs.queue import PrintQueue
from desktop.jobs.render import compose_renderer
from desktop.shipment import Shipment


def print_and_wait(shipments: Iterable[Shipment], uri: str, profile: str, template: str, sealer, *,
                   reprint: str | None = None, copies: int = 1, actor: str = "cli",
                   warn: Callable[[LabelWork, str], None] | None = None,
                   say: Callable[[str], None] | None = None, virtual_numbers: bool | None = None) -> JobProgress:
    """``virtual_numbers`` (default: the setting virtualnum.enabled): each label shows the
    hotline and the shipment's extension instead of the masked phone."""
    from desktop.store import open_store

    say = say or (lambda text: print(text, file=sys.stderr))
    store = open_store()
    if virtual_numbers is None:
        virtual_numbers = bool(store.get_setting("virtualnum.enabled", False))
    numbers = None
    if virtual_numbers:
        from desktop.virtualnum import VirtualNumbers

        numbers = VirtualNumbers(store)
    queue = PrintQueue(store, compose_renderer(sealer, copies=copies, warn=warn, virtual_numbers=numbers),
                       actor=actor)

    def on_event(event: Event) -> None:
        if event.kind == "printer" and event.state == "fault":
            say(f"sigilo print: printer {uri}: {event.reason}; waiting for it "
                "(Ctrl+C stops; unprinted labels stay queued and print on the next start)")
        elif event.kind == "printer" and event.reason == "fault cleared":
            say(f"sigilo print: printer {uri} is back; resuming")

    queue.on_event(on_event)
    try:
        job = queue.submit(uri, profile, list(shipments), template, reprint_reason=reprint, actor=actor)
        queue.start(printers=[uri])
        return queue.wait(job)
    finally:
        queue.stop()
        _anchor(store, sealer, say)
        store.close()


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
