"""History: labels printed at this station, searched by tracking number, order id or day.
A reprint asks for a reason and prints the REPRINT mark; the store keeps only the masked view,
the sealed QR and the face's order id, service and parcel, so that is what is shown and
reprinted. Voiding a label (the customer gave a wrong phone) needs a reason and a supervisor's
approval; the voided label stays listed with its reason. "Void and correct…" voids it the same
way and hands the label to the form to be fixed and printed again."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import _
from desktop.ui import config
from desktop.ui.operations import Operations, describe_error
from desktop.ui.tables import record_table, state_name
from desktop.i18n import N_

HISTORY_SCAN = 5000  # the newest labels searched (a counter prints 30-200 a day: weeks of them)
COLUMNS = (N_("Printed"), N_("Tracking"), N_("Order"), N_("Recipient (as printed)"), N_("Region"), N_("State"),
           N_("Reason"))


class HistoryView(QWidget):
    status_message = Signal(str, int)
    reprinted = Signal(object)
    correct_requested = Signal(object)  # the voided HistoryRow: the form reloads it for correction

    def __init__(self, ops: Operations, station, printer_source, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.station = station
        self.printer_source = printer_source  # callable -> (PrinterConfig, Calibration)
        self.rows: list = []
        self.pending: dict[str, object] = {}  # reprint job id -> Submitted
        self.ask_reason = self._ask_reason  # replaced in tests by a scripted answer
        self.ask_void_reason = self._ask_void_reason
        self.ask_approval = self._ask_approval  # (permission, tracking) -> (user, password) or None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        title = QLabel(_("History"))
        title.setObjectName("pageTitle")
        lay.addWidget(title)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("historySearch")
        self.search.setPlaceholderText(_("Phone's last 4 digits, or part of a tracking number or order id"))
        self.day = QLineEdit()  # from (alone: that one day)
        self.day.setObjectName("historyDay")
        self.day.setPlaceholderText(_("Day or from: YYYY-MM-DD"))
        self.day.setMaximumWidth(170)
        self.day_to = QLineEdit()
        self.day_to.setObjectName("historyDayTo")
        self.day_to.setPlaceholderText(_("to: YYYY-MM-DD"))
        self.day_to.setMaximumWidth(150)
        go = QPushButton(_("Search"))
        self.reprint_button = QPushButton(_("Reprint…"))
        self.reprint_button.setObjectName("reprintButton")
        self.void_button = QPushButton(_("Void…"))
        self.void_button.setObjectName("voidButton")
        self.void_button.setToolTip(_("Cancel a printed label (needs a supervisor's approval)"))
        self.correct_button = QPushButton(_("Void and correct…"))
        self.correct_button.setObjectName("voidCorrectButton")
        self.correct_button.setToolTip(_("Void the label (supervisor's approval) and open it in the form to fix and print "
                                         "again"))
        bar.addWidget(self.search, 1)
        bar.addWidget(self.day)
        bar.addWidget(self.day_to)
        bar.addWidget(go)
        bar.addStretch(0)
        bar.addWidget(self.void_button)
        bar.addWidget(self.correct_button)
        bar.addWidget(self.reprint_button)
        lay.addLayout(bar)
        self.table = record_table(COLUMNS, "historyTable")
        lay.addWidget(self.table, 1)
        self.empty_note = QLabel("")
        self.empty_note.setObjectName("historyEmpty")
        self.empty_note.setWordWrap(True)
        self.empty_note.setVisible(False)
        lay.addWidget(self.empty_note)
        go.clicked.connect(self.refresh)
        self.search.returnPressed.connect(self.refresh)
        self.day.returnPressed.connect(self.refresh)
        self.day_to.returnPressed.connect(self.refresh)
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.void_button.clicked.connect(self.void_selected)
        self.correct_button.clicked.connect(self.void_and_correct_selected)
        self.table.doubleClicked.connect(lambda _i: self.reprint_selected())

    def refresh(self) -> None:
        from desktop.errors import SigiloError
        from desktop.history_query import parse_query

        try:
            query = parse_query(self.search.text(), self.day.text(), self.day_to.text())
        except SigiloError as exc:
            self.status_message.emit(" — ".join(x for x in describe_error(exc) if x), 0)
            return

        def work():
            rows = self.station.history("", "", limit=HISTORY_SCAN)
            return query, [r for r in rows if query.matches(r.tracking_number, r.order_id,
                                                            (r.masked or {}).get("recipient", {}).get("phone", ""),
                                                            r.done_at)]

        self.ops.run(work, lambda pair: self._show(pair[1], pair[0]),
                     lambda exc: self.status_message.emit(" — ".join(describe_error(exc)), 0), key="history")

    def _show(self, rows: list, query=None) -> None:
        self.rows = rows
        self.empty_note.setText(query.nothing_found() if query is not None and not rows else "")
        self.empty_note.setVisible(not rows and query is not None)
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            rec = r.masked.get("recipient", {}) if r.masked else {}
            values = (datetime.fromtimestamp(r.done_at).strftime("%Y-%m-%d %H:%M"), r.tracking_number, r.order_id,
                      f"{rec.get('name', '')}  {rec.get('phone', '')}", rec.get("region", ""),
                      state_name(r.state) if not r.error or r.state == "voided" else f"{state_name(r.state)}: {r.error}", r.reason)
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
        reason, ok = QInputDialog.getText(self, _("Reprint"), _("Why is {tracking} printed again?\n(damaged, jammed, lost…) — it is audited").format(tracking=tracking))
        return reason if ok else None

    def _ask_void_reason(self, tracking: str) -> str | None:
        reason, ok = QInputDialog.getText(self, _("Void"), _("Why is {tracking} voided?\n(wrong phone, parcel not sent…) — it is audited").format(tracking=tracking))
        return reason if ok else None

    def _ask_approval(self, permission: str, tracking: str):
        dialog = ApprovalDialog(permission, tracking, self)
        if dialog.exec() != QDialog.Accepted:
            return None
        return dialog.user.text(), dialog.password.text()

    def _approval(self, permission: str, tracking: str):
        """(True, None) when no approval is needed, (True, approval work) with the supervisor's
        credentials, or (False, None) when the clerk cancelled."""
        if not self.station.needs_approval(permission) or not self.station.has_operators():
            return True, None
        answer = self.ask_approval(permission, tracking)
        if answer is None:
            return False, None
        user, password = answer
        return True, (lambda: self.station.approve(permission, user, password, tracking))

    def void_selected(self) -> None:
        self._void(self.selected(), correct=False)

    def void_and_correct_selected(self) -> None:
        self._void(self.selected(), correct=True)

    def void_and_correct(self, tracking_number: str) -> None:
        """From the label page right after a print: the newest printed label of that number."""
        rows = [r for r in self.station.history(tracking_number)
                if r.tracking_number == tracking_number and r.state == "confirmed"]
        if not rows:
            self.status_message.emit(_("{tracking_number} is not printed (yet): nothing to void").format(tracking_number=tracking_number), 0)
            return
        self._void(rows[0], correct=True)

    def _void(self, row, correct: bool) -> None:
        if row is None:
            self.status_message.emit(_("choose a label to void"), 3000)
            return
        if row.state != "confirmed":
            self.status_message.emit(_("{tracking_number} is {state}: only a printed label can be voided").format(tracking_number=row.tracking_number, state=state_name(row.state)), 0)
            return
        reason = self.ask_void_reason(row.tracking_number)
        if reason is None:
            return
        go, approve = self._approval("void", row.tracking_number)
        if not go:
            return

        def work():
            return self.station.void(row.label_id, reason, approve() if approve else None)

        def done(tracking: str) -> None:
            if correct:
                self.status_message.emit(_("Voided {tracking}: fix the wrong field and press Ctrl+P").format(tracking=tracking), 0)
                self.correct_requested.emit(row)
            else:
                self._voided(tracking)

        self.ops.run(work, done,
                     lambda exc: self.status_message.emit(_("Not voided: {error}").format(error=" — ".join(describe_error(exc))), 0),
                     key="void")

    def _voided(self, tracking: str) -> None:
        self.status_message.emit(_("Voided {tracking}: correct the shipment and print it again").format(tracking=tracking), 0)
        self.refresh()

    def reprint_selected(self) -> None:
        row = self.selected()
        if row is None:
            self.status_message.emit(_("choose a label to reprint"), 3000)
            return
        reason = self.ask_reason(row.tracking_number)
        if reason is None:
            return
        go, approve = self._approval("reprint", row.tracking_number) if reason.strip() else (True, None)
        if not go:
            return
        printer, cal = self.printer_source()
        keys = config.station_keys_dir()

        def work():
            return self.station.reprint(row.label_id, reason, printer, keys, cal, approve() if approve else None)

        self.ops.run(work, self._done,
                     lambda exc: self.status_message.emit(_("Not reprinted: {error}").format(error=" — ".join(describe_error(exc))), 0),
                     key="reprint")

    def on_queue_event(self, ev) -> None:
        if ev.kind == "label" and ev.subject in self.pending:
            sub = self.pending.pop(ev.subject)
            if ev.state == "confirmed":
                self._done(self.station.outcome(ev.label_id, sub.printer))
            elif ev.state == "failed":
                self.status_message.emit(_("Not reprinted: {tracking_number}: {reason}").format(tracking_number=sub.tracking_number, reason=ev.reason), 0)
            else:
                self.pending[ev.subject] = sub

    def _done(self, outcome) -> None:
        from desktop.station import Submitted

        if isinstance(outcome, Submitted):
            from types import SimpleNamespace

            self.pending[outcome.job_id] = outcome
            self.status_message.emit(_("Reprint of {tracking_number} sent to {printer} (marked REPRINT): waiting for the "
                                       "printer").format(tracking_number=outcome.tracking_number, printer=outcome.printer), 0)
            for label_id in outcome.label_ids:  # confirmed before this view heard it was queued?
                state, error = self.station.label_state(label_id)
                if state in ("confirmed", "failed"):
                    self.on_queue_event(SimpleNamespace(kind="label", subject=outcome.job_id, state=state,
                                                        label_id=label_id, reason=error))
            return
        self.status_message.emit(_("Reprinted {tracking_number} on {printer} (marked REPRINT)").format(tracking_number=outcome.tracking_number, printer=outcome.printer), 0)
        self.reprinted.emit(outcome)
        self.refresh()


PERMISSION_NAMES = {"reprint": N_("reprint"), "void": N_("void")}


class ApprovalDialog(QDialog):
    """A supervisor's name and password for one action, typed at the clerk's station."""

    def __init__(self, permission: str, tracking: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Supervisor approval"))
        self.setObjectName("approvalDialog")
        lay = QVBoxLayout(self)
        text = QLabel(_("A supervisor approves: {permission} {tracking}").format(
            permission=_(PERMISSION_NAMES[permission]) if permission in PERMISSION_NAMES else permission,
            tracking=tracking))
        text.setWordWrap(True)
        lay.addWidget(text)
        form = QFormLayout()
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        form.addRow(_("Supervisor"), self.user)
        form.addRow(_("Password"), self.password)
        lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.user.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.accept)
