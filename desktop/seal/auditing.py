"""Scans and key changes go into the station's hash-chained audit (DESIGN: every scan and key
change is audited; failed scans feed the "failed scans" alert). Only public facts are written —
tracking number, station id, key ids, the refusal reason — never the opened shipment.

Auditing is best effort: a scanner whose audit store is unavailable still answers, and says so.
"""

from __future__ import annotations

from desktop.i18n import _

import getpass
import sys
from typing import Any


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers and services
        return "cli"


def record(action: str, subject: str = "", details: dict[str, Any] | None = None) -> bool:
    try:
        from desktop.audit import AuditLog
        from desktop.store import open_store

        with open_store() as store:
            AuditLog(store).append(actor(), action, subject, details or {})
        return True
    except Exception as exc:  # the audit must never turn a scan result into a traceback
        print(_("sigilo: warning: could not write the audit entry ({kind})").format(kind=exc.__class__.__name__), file=sys.stderr)
        return False


def claimed_tracking(text: str) -> str:
    """The tracking number a seal's header claims, for the audit of a refused scan ("" if none)."""
    try:
        from desktop.seal.envelope import parse_text

        return parse_text(text).header.tracking_number
    except Exception:
        return ""
