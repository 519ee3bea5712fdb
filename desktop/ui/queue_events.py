"""Print-queue events into the GUI: desktop.jobs calls back on its worker threads; this relay
re-emits each event as a Qt signal, which Qt queues to the main thread, where widgets may be
touched."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class QueueEvents(QObject):
    event = Signal(object)  # desktop.jobs.Event

    def callback(self, event) -> None:
        """Given to PrintQueue.on_event; runs on a worker thread and only emits."""
        self.event.emit(event)
