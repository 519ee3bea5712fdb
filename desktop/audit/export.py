"""Exporting the audit for an auditor: JSON Lines (lossless) or CSV (for a spreadsheet)."""

from __future__ import annotations

import csv
import json
from typing import TextIO

from desktop.audit.log import AuditLog
from desktop.i18n import _, pgettext

CSV_FIELDS = ["seq", "time", "actor", "action", "subject", "details", "prev_hash", "hash"]
# The CSV header row a person reads in a spreadsheet, in the station's language (English keeps
# the field names, which tools read); the JSON Lines export always keeps the field names.
def csv_headers() -> dict[str, str]:
    return {
        "seq": pgettext("audit export header", "seq"),
        "time": pgettext("audit export header", "time"),
        "actor": pgettext("audit export header", "actor"),
        "action": pgettext("audit export header", "action"),
        "subject": pgettext("audit export header", "subject"),
        "details": pgettext("audit export header", "details"),
        "prev_hash": pgettext("audit export header", "prev_hash"),
        "hash": pgettext("audit export header", "hash"),
    }


def export_audit(log: AuditLog, out: TextIO, fmt: str = "jsonl") -> int:
    entries = log.entries()
    if fmt == "jsonl":
        for e in entries:
            out.write(json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
        writer.writerow(csv_headers())
        for e in entries:
            row = e.to_dict()
            row["details"] = json.dumps(row["details"], ensure_ascii=False, sort_keys=True)
            writer.writerow(row)
    else:
        raise ValueError(_("unknown export format {fmt!r}").format(fmt=fmt))
    return len(entries)
