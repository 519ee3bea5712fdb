"""Alerts: what a supervisor should look at (reprint bursts, many light parcels to one phone,
failed scans or sign-ins, after-hours printing, printer faults), from desktop.alerts. Listed
newest first; acknowledging one is audited and needs the alerts.ack permission."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.operations import Operations, describe_error
from desktop.ui.tables import record_table
from desktop.i18n import N_, _

COLUMNS = (N_("Time"), N_("Severity"), N_("Rule"), N_("What happened"), N_("Seen"))
MESSAGE_COLUMN = 3
SEVERITY_COLOURS = {"critical": "#c62828", "warning": "#b26a00", "info": "#455a64"}


class AlertsView(QWidget):
    status_message = Signal(str, int)
    count_changed = Signal(int)  # alerts not yet acknowledged

    def __init__(self, ops: Operations, station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.station = station
        self.alerts: list = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        title = QLabel(_("Alerts"))
        title.setObjectName("pageTitle")
        lay.addWidget(title)
        bar = QHBoxLayout()
        self.show_seen = QCheckBox(_("Show acknowledged"))
        self.check_button = QPushButton(_("Check now"))
        self.check_button.setToolTip(_("Run the alert rules over today's printing and the audit"))
        self.ack_button = QPushButton(_("Acknowledge"))
        self.ack_button.setObjectName("ackButton")
        bar.addWidget(self.show_seen)
        bar.addStretch(1)
        bar.addWidget(self.check_button)
        bar.addWidget(self.ack_button)
        lay.addLayout(bar)
        self.empty = QLabel(_("No alerts."))
        self.empty.setObjectName("hint")
        lay.addWidget(self.empty)
        self.table = record_table(COLUMNS, "alertsTable", stretch_column=MESSAGE_COLUMN)
        lay.addWidget(self.table, 1)
        self.show_seen.toggled.connect(lambda _on: self.refresh())
        self.check_button.clicked.connect(self.evaluate)
        self.ack_button.clicked.connect(self.acknowledge_selected)

    def _alerts(self):
        from desktop.alerts import Alerts

        return Alerts(self.station.store)

    def refresh(self) -> None:
        seen = self.show_seen.isChecked()
        self.ops.run(lambda: self._alerts().list(include_acknowledged=seen), self._show, self._failed, key="alerts")

    def evaluate(self) -> None:
        def work():
            self._alerts().evaluate()
            return self._alerts().list(include_acknowledged=seen)

        seen = self.show_seen.isChecked()
        self.ops.run(work, self._show, self._failed, key="alerts")

    def _failed(self, exc) -> None:
        self.status_message.emit("Alerts: " + " — ".join(describe_error(exc)), 0)

    def _show(self, alerts: list) -> None:
        self.alerts = sorted(alerts, key=lambda a: a.time, reverse=True)
        self.empty.setVisible(not self.alerts)
        self.table.setRowCount(len(self.alerts))
        for i, a in enumerate(self.alerts):
            values = (datetime.fromtimestamp(a.time).strftime("%Y-%m-%d %H:%M"), a.severity,
                      a.rule.replace("_", " "), a.message, "yes" if a.acknowledged else "")
            for c, v in enumerate(values):
                item = QTableWidgetItem(str(v))
                item.setData(Qt.UserRole, a.id)
                item.setToolTip(f"{a.rule}: {a.subject}")
                if c == 1:
                    item.setForeground(QColor(SEVERITY_COLOURS.get(a.severity, "#455a64")))
                self.table.setItem(i, c, item)
        if self.alerts:
            self.table.selectRow(0)
        self.count_changed.emit(sum(1 for a in self.alerts if not a.acknowledged))

    def selected(self):
        i = self.table.currentRow()
        return self.alerts[i] if 0 <= i < len(self.alerts) else None

    def acknowledge_selected(self) -> None:
        alert = self.selected()
        if alert is None:
            self.status_message.emit(_("choose an alert to acknowledge"), 3000)
            return

        def work():
            self.station.require("alerts.ack")
            self._alerts().acknowledge(alert.id, self.station.actor)
            return self._alerts().list(include_acknowledged=seen)

        seen = self.show_seen.isChecked()
        self.ops.run(work, self._acknowledged, self._failed, key="alerts")

    def _acknowledged(self, alerts: list) -> None:
        self.status_message.emit(_("Alert acknowledged"), 3000)
        self._show(alerts)

    def on_queue_event(self, ev) -> None:
        """The queue raised an alert: list it; the sidebar's count shows it without taking the
        status bar from the clerk's own messages."""
        if ev.kind == "alert":
            self.refresh()
