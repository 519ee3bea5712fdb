"""Queue: print jobs with per-label progress; pause, resume, cancel, and retry only the labels
that failed (from desktop.jobs)."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import config
from desktop.ui.operations import Operations, describe_error
from desktop.ui.tables import record_table, state_name
from desktop.i18n import N_, _

# a printer's state as the queue records it, in the clerk's words
PRINTER_STATES = {"ready": N_("ready"), "printing": N_("printing"), "paused": N_("paused"), "fault": N_("fault")}

COLUMNS = (N_("Labels"), N_("Printer"), N_("State"), N_("Progress"), N_("Printed"), N_("Failed"), N_("Waiting"), N_("Printer state"), N_("Job"))


class QueueView(QWidget):
    status_message = Signal(str, int)

    def __init__(self, ops: Operations, station, printer_source, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.station = station
        self.printer_source = printer_source
        self.jobs: list = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        title = QLabel(_("Print queue"))
        title.setObjectName("pageTitle")
        lay.addWidget(title)
        bar = QHBoxLayout()
        self.pause_button = QPushButton(_("Pause"))
        self.resume_button = QPushButton(_("Resume"))
        self.cancel_button = QPushButton(_("Cancel job"))
        self.retry_button = QPushButton(_("Retry failed labels"))
        self.retry_button.setObjectName("retryButton")
        for b in (self.pause_button, self.resume_button, self.cancel_button, self.retry_button):
            bar.addWidget(b)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.table = record_table(COLUMNS, "queueTable")
        self.table.setAlternatingRowColors(False)
        lay.addWidget(self.table, 1)
        self.detail = QLabel("")
        self.detail.setObjectName("queueDetail")
        self.detail.setWordWrap(True)
        lay.addWidget(self.detail)
        self.pause_button.clicked.connect(lambda: self._set_state("paused"))
        self.resume_button.clicked.connect(lambda: self._set_state("active"))
        self.cancel_button.clicked.connect(lambda: self._set_state("cancelled"))
        self.retry_button.clicked.connect(self.retry_failed)
        self.table.itemSelectionChanged.connect(self._show_detail)
        self.timer = QTimer(self)
        self.timer.setInterval(2000)
        self.timer.timeout.connect(self.refresh)

    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        self.refresh()
        self.timer.start()

    def hideEvent(self, event):  # noqa: N802
        super().hideEvent(event)
        self.timer.stop()

    def on_queue_event(self, _ev) -> None:
        """Events come a few per label: the table is re-read at most twice a second, so a
        10,000-label job costs the window what a 100-label one does."""
        if not self.isVisible():
            return
        if not hasattr(self, "_coalesce"):
            self._coalesce = QTimer(self)
            self._coalesce.setSingleShot(True)
            self._coalesce.setInterval(500)
            self._coalesce.timeout.connect(lambda: None if self.ops.is_busy("queue") else self.refresh())
        if not self._coalesce.isActive():
            self._coalesce.start()

    def refresh(self) -> None:
        self.ops.run(self.station.jobs_progress, self._show, lambda exc: self.detail.setText(" — ".join(describe_error(exc))),
                     key="queue")

    def _show(self, jobs: list) -> None:
        keep = self.selected_job()
        self.jobs = jobs
        names = {p.uri: p.name for p in config.printers()}
        self.table.setRowCount(len(jobs))
        for i, j in enumerate(jobs):
            total = len(j.labels) or 1
            done = j.count("confirmed") + j.count("voided")  # a voided label was printed, then voided
            first = j.labels[0].tracking_number if j.labels else ""
            labels = first + (f" +{len(j.labels) - 1}" if len(j.labels) > 1 else "")
            if any(lab.reprint for lab in j.labels):
                labels += "  " + _("REPRINT")
            if j.count("voided"):
                labels += "  " + _("VOIDED")
            values = (labels, names.get(j.printer_uri, j.printer_uri), state_name(j.state), None, done, j.count("failed"),
                      j.count("queued") + j.count("sent"),
                      _(PRINTER_STATES.get(j.printer_state, j.printer_state))
                      + (f": {_(j.printer_reason)}" if j.printer_reason else ""), j.job_id)
            for c, v in enumerate(values):
                if c == 3:
                    bar = QProgressBar()
                    bar.setRange(0, total)
                    bar.setValue(done)
                    bar.setFormat(f"{done}/{len(j.labels)}")
                    self.table.setCellWidget(i, c, bar)
                else:
                    self.table.setItem(i, c, QTableWidgetItem(str(v)))
            if keep and j.job_id == keep:
                self.table.selectRow(i)

    def selected_job(self) -> str | None:
        i = self.table.currentRow()
        return self.jobs[i].job_id if 0 <= i < len(self.jobs) else None

    def _show_detail(self) -> None:
        i = self.table.currentRow()
        if not 0 <= i < len(self.jobs):
            return
        j = self.jobs[i]
        parts = [f"#{lab.index + 1} {lab.tracking_number}: {state_name(lab.state)}" + (f" ({lab.error})" if lab.error else "")
                 + (" REPRINT" if lab.reprint else "") for lab in j.labels[:40]]
        self.detail.setText("   ".join(parts))

    def _set_state(self, state: str) -> None:
        job = self.selected_job()
        if not job:
            return
        self.ops.run(lambda: self.station.set_job_state(job, state), lambda _r: self.refresh(),
                     lambda exc: self.status_message.emit(" — ".join(describe_error(exc)), 0))

    def retry_failed(self) -> None:
        job = self.selected_job()
        if not job:
            return
        printer, cal = self.printer_source()
        keys = config.station_keys_dir()
        self.ops.run(lambda: self.station.retry_failed(job, printer, keys, cal),
                     lambda n: (self.status_message.emit(_("{n} failed label(s) sent again").format(n=n), 4000), self.refresh()),
                     lambda exc: (self.status_message.emit(_("Retry failed: {error}").format(error=" — ".join(describe_error(exc))), 0),
                                  self.refresh()), key="retry")
