"""Exporting the audit for an auditor: JSON Lines (lossless) or CSV (for a spreadsheet)."""

from __future__ import annotations

import csv
import json
from typing import TextIO

from desktop.audit.log import AuditLog
from desktop.i18n import _

CSV_FIELDS = ["seq", "time", "actor", "action", "subject", "details", "prev_hash", "hash"]


def export_audit(log: AuditLog, out: TextIO, fmt: str = "jsonl") -> int:
    entries = log.entries()
    if fmt == "jsonl":
        for e in entries:
            out.write(json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for e in entries:
            row = e.to_dict()
            row["details"] = json.dumps(row["details"], ensure_ascii=False, sort_keys=True)
            writer.writerow(row)
    else:
        raise ValueError(_("unknown export format {fmt!r}").format(fmt=fmt))
    return len(entries)
