"""History: labels printed at this station, searched by tracking number, order id or day.
A reprint asks for a reason and prints the REPRINT mark; the store keeps only the masked view
and the sealed QR, so that is what is shown and reprinted."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from desktop.ui import config
from desktop.ui.operations import Operations, describe_error

COLUMNS = ("Printed", "Tracking", "Order", "Recipient (as printed)", "Region", "State", "Reprint reason")


class HistoryView(QWidget):
    status_message = Signal(str, int)
    reprinted = Signal(object)

    def __init__(self, ops: Operations, station, printer_source, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.station = station
        self.printer_source = printer_source  # callable -> (PrinterConfig, Calibration)
        self.rows: list = []
        self.pending: dict[str, object] = {}  # reprint job id -> Submitted
        self.ask_reason = self._ask_reason  # replaced in tests by a scripted answer
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        title = QLabel("History 历史")
        title.setObjectName("pageTitle")
        lay.addWidget(title)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("historySearch")
        self.search.setPlaceholderText("Tracking number or order id")
        self.day = QLineEdit()
        self.day.setObjectName("historyDay")
        self.day.setPlaceholderText("Day YYYY-MM-DD")
        self.day.setMaximumWidth(160)
        go = QPushButton("Search")
        self.reprint_button = QPushButton("Reprint…")
        self.reprint_button.setObjectName("reprintButton")
        bar.addWidget(self.search, 1)
        bar.addWidget(self.day)
        bar.addWidget(go)
        bar.addStretch(0)
        bar.addWidget(self.reprint_button)
        lay.addLayout(bar)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("historyTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)
        lay.addWidget(self.table, 1)
        go.clicked.connect(self.refresh)
        self.search.returnPressed.connect(self.refresh)
        self.day.returnPressed.connect(self.refresh)
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.table.doubleClicked.connect(lambda _i: self.reprint_selected())

    def refresh(self) -> None:
        text, day = self.search.text(), self.day.text()
        self.ops.run(lambda: self.station.history(text, day), self._show,
                     lambda exc: self.status_message.emit(" — ".join(describe_error(exc)), 0), key="history")

    def _show(self, rows: list) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            rec = r.masked.get("recipient", {}) if r.masked else {}
            values = (datetime.fromtimestamp(r.done_at).strftime("%Y-%m-%d %H:%M"), r.tracking_number, r.order_id,
                      f"{rec.get('name', '')}  {rec.get('phone', '')}", rec.get("region", ""),
                      r.state if not r.error else f"{r.state}: {r.error}", r.reprint_reason)
            for c, v in enumerate(values):
                item = QTableWidgetItem(str(v))
                item.setData(Qt.UserRole, r.label_id)
                self.table.setItem(i, c, item)
        if rows:
            self.table.selectRow(0)

    def selected(self):
        i = self.table.currentRow()
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def _ask_reason(self, tracking: str) -> str | None:
        reason, ok = QInputDialog.getText(self, "Reprint", f"Why is {tracking} printed again?\n"
                                                           "(damaged, jammed, lost…) — it is audited")
        return reason if ok else None

    def reprint_selected(self) -> None:
        row = self.selected()
        if row is None:
            self.status_message.emit("choose a label to reprint", 3000)
            return
        reason = self.ask_reason(row.tracking_number)
        if reason is None:
            return
        printer, cal = self.printer_source()
        keys = config.station_keys_dir()
        self.ops.run(lambda: self.station.reprint(row.label_id, reason, printer, keys, cal), self._done,
                     lambda exc: self.status_message.emit("Not reprinted: " + " — ".join(describe_error(exc)), 0),
                     key="reprint")

    def on_queue_event(self, ev) -> None:
        if ev.kind == "label" and ev.subject in self.pending:
            sub = self.pending.pop(ev.subject)
            if ev.state == "confirmed":
                self._done(self.station.outcome(ev.label_id, sub.printer))
            elif ev.state == "failed":
                self.status_message.emit(f"Not reprinted: {sub.tracking_number}: {ev.reason}", 0)
            else:
                self.pending[ev.subject] = sub

    def _done(self, outcome) -> None:
        from desktop.ui.station import Submitted

        if isinstance(outcome, Submitted):
            from types import SimpleNamespace

            self.pending[outcome.job_id] = outcome
            self.status_message.emit(f"Reprint of {outcome.tracking_number} sent to {outcome.printer} "
                                     f"(marked REPRINT): waiting for the printer", 0)
            for label_id in outcome.label_ids:  # confirmed before this view heard it was queued?
                state, error = self.station.label_state(label_id)
                if state in ("confirmed", "failed"):
                    self.on_queue_event(SimpleNamespace(kind="label", subject=outcome.job_id, state=state,
                                                        label_id=label_id, reason=error))
            return
        self.status_message.emit(f"Reprinted {outcome.tracking_number} on {outcome.printer} (marked REPRINT)", 0)
        self.reprinted.emit(outcome)
        self.refresh()
