"""The merchant's batch import: open a shop's order export (CSV/XLSX), see the mapping that
read it and the defaults the export lacks, every row ok or its errors by field, then print the
valid rows as one queue job. The reading and checking is ``desktop.importer`` (the same as
``sigilo batch``); this page only shows it. The table holds row numbers, order ids, tracking
numbers and the importer's scrubbed messages - never the recipient's cells."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import config
from desktop.ui.operations import Operations, describe_error
from desktop.i18n import N_, _, ngettext

RECOGNISE = N_("(recognise from the header)")


def _read(path: Path, mapping_name: str, defaults):
    """Worker thread: read, pick the mapping, check every row."""
    from desktop.importer import find_mapping, import_table, read_table, recognise

    table = read_table(path)
    mapping = find_mapping(mapping_name) if mapping_name else recognise(table.headers)
    return mapping, import_table(table, mapping, defaults, source=path.name)


class ImportView(QWidget):
    status_message = Signal(str, int)

    def __init__(self, ops: Operations, station, printer_and_calibration, keys_and_policy,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importView")
        self.ops = ops
        self.station = station
        self._printer_and_calibration = printer_and_calibration
        self._keys_and_policy = keys_and_policy
        self.path: Path | None = None
        self.mapping = None
        self.report = None
        self.jobs: list[str] = []  # this page's print jobs: a retry skips what they printed
        self.job_labels: dict[str, set[int]] = {}
        self.done: dict[int, str] = {}  # label id -> confirmed / failed
        self.tally: dict[str, dict[str, int]] = {}  # job id -> confirmed / failed counts: O(1) a queue event
        self.total = 0

        lay = QVBoxLayout(self)
        title = QLabel(_("Import — print a shop's order export"))
        title.setObjectName("pageTitle")
        lay.addWidget(title)

        top = QHBoxLayout()
        self.open_button = QPushButton(_("Open CSV/XLSX…"))
        self.open_button.clicked.connect(self.choose_file)
        self.file_label = QLabel(_("No file opened"))
        top.addWidget(self.open_button)
        top.addWidget(self.file_label, 1)
        lay.addLayout(top)

        form = QFormLayout()
        mrow = QHBoxLayout()
        self.mapping_combo = QComboBox()
        self.save_mapping_button = QPushButton(_("Save mapping as…"))
        self.save_mapping_button.setEnabled(False)
        self.save_mapping_button.clicked.connect(self._save_mapping)
        mrow.addWidget(self.mapping_combo, 1)
        mrow.addWidget(self.save_mapping_button)
        form.addRow(_("Mapping"), mrow)
        self.mapping_label = QLabel("")
        self.mapping_label.setWordWrap(True)
        form.addRow("", self.mapping_label)
        self.sender_combo = QComboBox()
        form.addRow(_("Sender (rows without one)"), self.sender_combo)
        self.weight = QDoubleSpinBox()
        self.weight.setRange(0, 999)
        self.weight.setDecimals(2)
        self.weight.setSuffix(_(" kg"))
        self.weight.setSpecialValueText(_("none"))
        form.addRow(_("Weight (rows without one)"), self.weight)
        self.prefix = QLineEdit()
        self.prefix.setPlaceholderText(_("e.g. SG: tracking number = prefix + order id"))
        form.addRow(_("Tracking prefix"), self.prefix)
        lay.addLayout(form)
        self.mapping_combo.activated.connect(lambda _i: self.reload())
        self.sender_combo.activated.connect(lambda _i: self.reload())
        self.weight.editingFinished.connect(self.reload)
        self.prefix.editingFinished.connect(self.reload)

        self.summary = QLabel("")
        self.summary.setObjectName("importSummary")
        lay.addWidget(self.summary)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([_("Row"), _("Status"), _("Order / tracking"), _("Errors by field")])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        lay.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.print_button = QPushButton(_("Print valid"))
        self.print_button.setObjectName("primary")
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(self.print_valid)
        self.retry_button = QPushButton(_("Retry failed (re-open the file)"))
        self.retry_button.setEnabled(False)
        self.retry_button.setToolTip(_("Fixed the rows in the shop export? Re-read it and print what was not printed"))
        self.retry_button.clicked.connect(self.retry_failed)
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m printed")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setTextVisible(False)  # until something prints
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.retry_button)
        bottom.addWidget(self.progress, 1)
        lay.addLayout(bottom)

    # ------------------------------------------------------------------ settings
    def load_settings(self) -> None:
        from desktop.importer import list_mappings

        current = self.mapping_combo.currentText()
        self.mapping_combo.clear()
        self.mapping_combo.addItem(_(RECOGNISE))
        for m in list_mappings():
            self.mapping_combo.addItem(m.name)
        if current:
            self.mapping_combo.setCurrentText(current)
        self.presets = config.sender_presets()
        self.sender_combo.clear()
        self.sender_combo.addItem(_("(none)"))
        for p in self.presets:
            self.sender_combo.addItem(p.label)
        if self.presets:
            self.sender_combo.setCurrentIndex(1)

    def defaults(self):
        from desktop.importer import Defaults

        i = self.sender_combo.currentIndex()
        sender = dict(self.presets[i - 1].party) if i >= 1 and i - 1 < len(self.presets) else {}
        weight = self.weight.value() or None
        return Defaults(sender=sender, weight_kg=weight, tracking_prefix=self.prefix.text().strip().upper())

    # ------------------------------------------------------------------ reading
    def choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, _("Open an order export"), str(self.path.parent if self.path else ""),
                                              _("Order exports (*.csv *.xlsx)"))
        if name:
            self.open_file(Path(name))

    def open_file(self, path: Path) -> None:
        self.path = Path(path)
        self.file_label.setText(self.path.name)
        self.reload()

    def reload(self, then=None) -> None:
        if self.path is None:
            return
        name = self.mapping_combo.currentText()
        name = "" if name in ("", _(RECOGNISE)) else name
        path, defaults = self.path, self.defaults()
        self.summary.setText(_("Reading {name}…").format(name=path.name))
        self.ops.run(lambda: _read(path, name, defaults), lambda r: self._shown(r, then), self._failed, key="import")

    def _shown(self, result, then=None) -> None:
        self.mapping, self.report = result
        report = self.report
        columns = ", ".join(f"{f} ← {c}" for f, c in sorted(self.mapping.columns.items()))
        text = (_("{name} (saved by you; {encoding}): {columns}") if self.mapping.source == "user"
                else _("{name} (bundled; {encoding}): {columns}"))
        self.mapping_label.setText(text.format(name=self.mapping.name, encoding=report.encoding, columns=columns))
        self.save_mapping_button.setEnabled(True)
        self.summary.setText(f"{report.source}: {report.summary()}" + self._hint(report))
        self.table.setRowCount(len(report.rows))
        for i, row in enumerate(report.rows):
            order = ""
            if row.shipment:
                order = f"{row.shipment.order_id} / {row.shipment.tracking_number}"
            errors = "; ".join(f"{e.field}: {e.message}" for e in row.errors)
            if not errors and row.warnings:
                errors = _("warning: {warnings}").format(warnings="; ".join(f"{w.field}: {w.message}" for w in row.warnings))
            cells = (str(row.row), _("ok") if row.ok else _("error"), order, errors)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if c == 1 and not row.ok:
                    item.setForeground(Qt.red)
                self.table.setItem(i, c, item)
        self.table.resizeColumnsToContents()
        n = len(self._to_print())
        self.print_button.setText(_("Print {n} valid").format(n=n))
        self.print_button.setEnabled(n > 0 and not self.ops.is_busy("batch"))
        self.status_message.emit(_("Imported {source}: {summary}").format(source=report.source, summary=report.summary()), 0)
        if then is not None:
            then()

    def _hint(self, report) -> str:
        """Exports rarely hold the sender, a weight or tracking numbers: name the default that
        supplies what the rows lack, once, instead of leaving it to N identical errors."""
        fields = {e.field for row in report.invalid for e in row.errors}
        d = self.defaults()
        lacks = []
        if not d.sender and any(f == "sender" or f.startswith("sender.") for f in fields):
            lacks.append(_("a sender preset"))
        if d.weight_kg is None and "parcel.weight_kg" in fields:
            lacks.append(_("a weight"))
        if not d.tracking_prefix and "tracking_number" in fields:
            lacks.append(_("a tracking prefix"))
        return _(" — the export lacks what these give: {options}").format(options=", ".join(lacks)) if lacks else ""

    def _failed(self, exc) -> None:
        message, hint = describe_error(exc)
        self.summary.setText(_("Not read: {message}").format(message=message) + (f" — {hint}" if hint else ""))
        self.report = None
        self.table.setRowCount(0)
        self.print_button.setEnabled(False)
        self.status_message.emit(_("Import failed: {message}").format(message=message), 0)

    def _save_mapping(self) -> None:
        if self.mapping is None:
            return
        name, ok = QInputDialog.getText(self, _("Save mapping"), _("Name for this mapping:"))
        if ok and name.strip():
            self.save_mapping(name.strip())

    def save_mapping(self, name: str) -> Path:
        """The mapping that read this file, under the merchant's own name, for later files."""
        from dataclasses import replace

        from desktop.importer import save_user_mapping

        path = save_user_mapping(replace(self.mapping, name=name, source="user"))
        self.load_settings()
        self.mapping_combo.setCurrentText(name)
        self.status_message.emit(_("Saved mapping {name!r}").format(name=name), 4000)
        return path

    # ------------------------------------------------------------------ printing
    def _to_print(self) -> list:
        printed = self.station.confirmed_tracking(self.jobs) if self.jobs else set()
        return [r for r in (self.report.valid if self.report else []) if r.shipment.tracking_number not in printed]

    def print_valid(self) -> None:
        if self.report is None or self.ops.is_busy("batch"):
            return
        rows = self._to_print()
        if not rows:
            self.status_message.emit(_("Nothing to print: every valid row is printed"), 0)
            return
        printer, cal = self._printer_and_calibration()
        if printer is None:
            self.status_message.emit(_("No printer configured: add one in Settings"), 0)
            return
        template = config.get("print/template", "") or "waybill-100x150"
        keys, policy = self._keys_and_policy()
        shipments = [r.shipment for r in rows]
        source = (self.report.source, len(self.report.valid), len(self.report.invalid))
        self.print_button.setEnabled(False)
        self.total = len(shipments)
        self.progress.setRange(0, self.total)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.status_message.emit(_("Sending {total} label(s) to {name}…").format(total=self.total, name=printer.name), 0)
        self.ops.run(lambda: self.station.print_batch(shipments, printer, template, keys, cal, policy, source),
                     self._submitted, self._print_failed, key="batch")

    def _submitted(self, sub) -> None:
        if sub.refused:  # numbers already printed here: a waybill number prints once
            self.total -= len(sub.refused)
            self.progress.setRange(0, max(self.total, 1))
            first = sub.refused[0]
            self.status_message.emit(ngettext("{n} row not printed: {message} — {hint}",
                                              "{n} rows not printed: {message} — {hint}", len(sub.refused)).format(
                                                  n=len(sub.refused), message=first.message, hint=first.hint), 0)
        if not sub.job_id:
            self.print_button.setEnabled(True)
            return
        self.jobs.append(sub.job_id)
        self.job_labels[sub.job_id] = set(sub.label_ids)
        self.tally[sub.job_id] = {"confirmed": 0, "failed": 0}
        self.retry_button.setEnabled(True)
        # a fast printer may have confirmed some before this: one read of the job, not one a label
        for label_id, state in self.station.label_states(sub.job_id).items():
            if state in ("confirmed", "failed"):
                self._mark(sub.job_id, label_id, state)
        self._progress()

    def _mark(self, job_id: str, label_id: int, state: str) -> None:
        before = self.done.get(label_id)
        if before == state:
            return
        tally = self.tally.setdefault(job_id, {"confirmed": 0, "failed": 0})
        if before in tally:
            tally[before] -= 1
        tally[state] += 1
        self.done[label_id] = state

    def _print_failed(self, exc) -> None:
        message, hint = describe_error(exc)
        self.print_button.setEnabled(True)
        self.status_message.emit(_("Not printed: {message}").format(message=message) + (f" — {hint}" if hint else ""), 0)

    def on_queue_event(self, ev) -> None:
        if ev.kind == "label" and ev.subject in self.job_labels and ev.state in ("confirmed", "failed"):
            self._mark(ev.subject, ev.label_id, ev.state)
            self._progress()

    def counts(self) -> tuple[int, int]:
        """(confirmed, failed) labels of the latest job."""
        if not self.jobs:
            return 0, 0
        tally = self.tally.get(self.jobs[-1], {})
        return tally.get("confirmed", 0), tally.get("failed", 0)

    def _progress(self) -> None:
        ok, failed = self.counts()
        self.progress.setValue(ok + failed)
        if ok + failed >= self.total and self.total:
            if failed:
                self.status_message.emit(_("Printed {ok} of {total} label(s); {failed} failed: fix them and press "
                                           "Retry failed").format(ok=ok, total=self.total, failed=failed), 0)
            else:
                self.status_message.emit(_("Printed {ok} of {total} label(s)").format(ok=ok, total=self.total), 0)
            left = len(self._to_print())
            self.print_button.setText(_("Print {left} valid").format(left=left))
            self.print_button.setEnabled(left > 0)

    def retry_failed(self) -> None:
        """Re-read the file (rows fixed since) and print the valid rows not printed yet."""
        self.reload(then=self.print_valid)
