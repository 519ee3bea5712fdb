"""Reading shipments for a batch (JSON array, one JSON object, or JSON Lines) and sorting the
rows into valid shipments and per-row field errors, so one bad row never stops the others."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.compose.errors import ComposeError
from desktop.i18n import _
from desktop.shipment import Shipment

EXTRA_KEYS = ("note", "expect")  # annotations in the shared test data, not shipment fields


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based, as a person counts lines/records
    fields: tuple  # ("recipient.phone", ...)
    messages: tuple

    def describe(self) -> str:
        """"row 4: recipient.phone (Recipient phone): ..." -- the path a file or mapping uses, and
        the field as the form names it, in the clerk's language."""
        from desktop.field_labels import field_label

        parts = [_("{path} ({field}): {message}").format(path=f, field=field_label(f), message=m)
                 for f, m in zip(self.fields, self.messages)]
        return _("row {row}: {problems}").format(row=self.row, problems="; ".join(parts))


class BatchFileError(ComposeError):
    pass


def read_rows(path: Path) -> list[tuple[int, Any]]:
    """(row number, parsed JSON) for every record; a line that is not JSON becomes a problem
    row later rather than stopping the batch."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchFileError(_("Cannot read {path}: {error}").format(path=path, error=exc),
                             _("give a UTF-8 JSON or JSON Lines file of shipments")) from exc
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except RecursionError:
            raise BatchFileError(_("{path} nests its JSON too deeply to read").format(path=path),
                                 _("give a JSON list of shipment objects, or one shipment per line")) from None
        except ValueError as exc:
            raise BatchFileError(_("{path} is not valid JSON: {error}").format(path=path, error=exc),
                                 _("check the file, or give one shipment per line")) from exc
        if not isinstance(data, list):
            raise BatchFileError(_("{path} is not a JSON list of shipments").format(path=path),
                                 _("give a JSON list, or one shipment per line"))
        return [(i + 1, row) for i, row in enumerate(data)]
    rows = []
    # JSON Lines ends a record at "\n" only (and a CR before it): str.splitlines() would also
    # split at U+2028, U+2029, U+0085 and other breaks that JSON strings may hold unescaped
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    if stripped.startswith("{") and len([ln for ln in lines if ln.strip()]) > 1:
        try:  # a single pretty-printed object
            return [(1, json.loads(stripped))]
        except (ValueError, RecursionError):
            pass
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append((number, json.loads(line)))
        except (ValueError, RecursionError):
            rows.append((number, None))
    return rows


def validate_rows(rows: list[tuple[int, Any]]) -> tuple[list[tuple[int, Shipment]], list[RowProblem]]:
    from desktop.validation import validate

    good: list[tuple[int, Shipment]] = []
    bad: list[RowProblem] = []
    for number, row in rows:
        if not isinstance(row, dict):
            bad.append(RowProblem(number, ("row",), (_("not a JSON object of a shipment"),)))
            continue
        result = validate({k: v for k, v in row.items() if k not in EXTRA_KEYS})
        if result.ok:
            good.append((number, result.shipment))
        else:
            bad.append(RowProblem(number, tuple(e.field for e in result.errors), tuple(e.message for e in result.errors)))
    return good, bad
