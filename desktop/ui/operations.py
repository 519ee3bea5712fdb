"""Background operations: the one way the GUI runs slow work (rendering, sealing, printing,
imports, status polls) without freezing the window.

An op is a plain function run on a worker thread of a QThreadPool; its result or exception
comes back to the main thread by a queued signal, and only the callbacks given here - which run
on the main thread - touch widgets. The worker never sees a widget. Modelled on Anki's
``QueryOp`` and Picard's ``run_task``.

``key`` makes an op "latest wins": when the clerk types faster than the preview renders, a
result from an older op with the same key is dropped instead of overwriting a newer one.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


log = logging.getLogger("sigilo.ui")


class _Relay(QObject):
    """Lives in the main thread; the worker emits, Qt queues the call to the main thread."""

    finished = Signal(int, bool, object)


class _Op(QRunnable):
    def __init__(self, ticket: int, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._ticket = ticket
        self._fn = fn
        self._relay = relay

    def run(self) -> None:  # worker thread: no widgets here
        try:
            result = self._fn()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back as a message
            self._relay.finished.emit(self._ticket, False, exc)
        else:
            self._relay.finished.emit(self._ticket, True, result)


class Operations(QObject):
    """Runs ops on its own pool and delivers their outcome on the main thread."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._deliver)
        self._next = 0
        self._pending: dict[int, tuple[str | None, Callable | None, Callable | None]] = {}
        self._latest: dict[str, int] = {}

    def run(self, fn: Callable[[], Any], on_success: Callable[[Any], None] | None = None,
            on_failure: Callable[[BaseException], None] | None = None, key: str | None = None) -> int:
        """Run ``fn()`` in the background. With ``key``, only the newest op of that key reports."""
        self._next += 1
        ticket = self._next
        self._pending[ticket] = (key, on_success, on_failure)
        if key is not None:
            self._latest[key] = ticket
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self.pool.start(_Op(ticket, fn, self._relay))
        return ticket

    def is_busy(self, key: str | None = None) -> bool:
        if key is None:
            return bool(self._pending)
        return any(k == key for k, _, _ in self._pending.values())

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every op has run (shutdown, scripts). Results still arrive by signal."""
        return self.pool.waitForDone(msecs)

    @Slot(int, bool, object)
    def _deliver(self, ticket: int, ok: bool, payload: object) -> None:
        key, on_success, on_failure = self._pending.pop(ticket, (None, None, None))
        if not self._pending:
            self.busy_changed.emit(False)
        if key is not None and self._latest.get(key) != ticket:
            return  # a newer op of the same key was started: this result is stale
        if ok:
            if on_success is not None:
                on_success(payload)
        elif on_failure is not None:
            on_failure(payload)  # type: ignore[arg-type]
        else:
            log.warning("background operation failed: %s", describe_error(payload)[0])


def describe_error(exc: object) -> tuple[str, str]:
    """(message, hint) a person can act on, for Sigilo and printer errors alike; anything else
    by its kind only (desktop.station.errors.describe)."""
    from desktop.station.errors import describe

    return describe(exc)
