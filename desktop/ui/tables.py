"""The read-only, row-selecting table that Queue, History and Alerts each show."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget

from desktop.i18n import N_, _


def record_table(columns: list[str], name: str, stretch_column: int | None = None) -> QTableWidget:
    """One row per record, single selection, not editable; columns fit their contents and
    ``stretch_column`` (default: the last) takes the remaining width."""
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels([_(c) for c in columns])  # columns are marked with N_
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.setSelectionMode(QAbstractItemView.SingleSelection)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeToContents)
    if stretch_column is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch_column, QHeaderView.Stretch)
    table.setAlternatingRowColors(True)
    return table


# Label and job states as the store writes them -> how a clerk reads them.
STATE_NAMES = {
    "queued": N_("queued"), "sending": N_("sending"), "sent": N_("sent"), "confirmed": N_("printed"),
    "failed": N_("failed"), "voided": N_("voided"), "active": N_("active"), "paused": N_("paused"),
    "cancelled": N_("cancelled"), "done": N_("done"), "unknown": N_("fate unknown"),
}


def state_name(state: str) -> str:
    """The translated name of a label or job state (the code itself for one not listed)."""
    return _(STATE_NAMES[state]) if state in STATE_NAMES else state
