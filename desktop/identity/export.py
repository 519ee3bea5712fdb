"""Handing sealed records to the compliance office, opening them there, and the retention
purge.

An export file (JSON, ``sigilo-identity-export-1``) lists, for a period, each record's id,
kind, ID type, how it was taken, when, the tracking numbers it covered, and the sealed record
in Base64. It holds no number, no name and no keyed hash: only the identity private key opens
it (``open_export``). Every export and every purge is an audit entry.
"""

from __future__ import annotations

from desktop.i18n import _

import base64
import json
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from desktop.identity.errors import IdentityError
from desktop.identity.policy import retention_days
from desktop.identity.sealing import open_record

EXPORT_FORMAT = "sigilo-identity-export-1"
DAY = 86400.0


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds")


def export_records(store, out: Path, since: float, until: float | None = None, actor: str = "cli",
                   station_id: str = "") -> int:
    until = time.time() if until is None else until
    rows = store.query("SELECT id, kind, id_type, method, sealed, identity_key_id, created_at FROM identity_records "
                       "WHERE created_at >= ? AND created_at < ? ORDER BY created_at", (since, until))
    records = []
    for r in rows:
        uses = store.query("SELECT tracking_number, used_at FROM identity_uses WHERE record_id=? ORDER BY id", (r["id"],))
        records.append({"id": r["id"], "kind": r["kind"], "id_type": r["id_type"], "method": r["method"],
                        "created_at": _iso(r["created_at"]), "identity_key_id": r["identity_key_id"],
                        "labels": [{"tracking_number": u[0], "at": _iso(u[1])} for u in uses],
                        "sealed": base64.b64encode(r["sealed"]).decode()})
    doc = {"format": EXPORT_FORMAT, "station_id": station_id, "since": _iso(since), "until": _iso(until),
           "exported_at": _iso(time.time()), "count": len(records), "records": records}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    os.replace(tmp, out)
    from desktop.audit import AuditLog

    AuditLog(store).append(actor, "export", "identity records", {"what": "identity", "file": out.name,
                                                                 "since": doc["since"], "until": doc["until"],
                                                                 "records": len(records)})
    return len(records)


@dataclass(frozen=True)
class OpenedRecord:
    record_id: str
    created_at: str
    station_id: str
    kind: str
    method: str
    holder: dict
    representative: dict | None
    labels: list

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.record_id, "created_at": self.created_at, "station_id": self.station_id, "kind": self.kind,
                "method": self.method, "holder": self.holder, "representative": self.representative,
                "labels": self.labels}


def read_export(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IdentityError(_("no export file at {path}").format(path=path), _("check the file name")) from None
    except (OSError, ValueError) as exc:
        raise IdentityError(_("{path} is not a readable identity export ({kind})").format(path=path, kind=exc.__class__.__name__),
                            _("ask the station for the export again")) from None
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT or not isinstance(doc.get("records"), list):
        raise IdentityError(_("{path} is not a Sigilo identity export").format(path=path), _("pass the file `sigilo identity export` wrote"))
    return doc


def open_export(path: Path, private) -> list[OpenedRecord]:
    """Every record of an export, opened with the identity private key (compliance office)."""
    doc = read_export(path)
    out = []
    for i, r in enumerate(doc["records"], start=1):
        try:
            blob = base64.b64decode(r["sealed"], validate=True)
        except (KeyError, TypeError, ValueError):
            raise IdentityError(_("record {i} of {path} is damaged").format(i=i, path=path), _("ask the station for the export again")) from None
        header, record = open_record(blob, private)
        if header.record_id.hex() != r.get("id"):
            raise IdentityError(_("record {i} of {path} was moved under another id").format(i=i, path=path), _("ask for the export again"))
        out.append(OpenedRecord(r["id"], r.get("created_at", ""), header.station_id, r.get("kind", ""), record.method,
                                record.holder.to_dict(), record.representative.to_dict() if record.representative
                                else None, list(r.get("labels", []))))
    return out


@dataclass(frozen=True)
class IdentityPurge:
    records: int
    uses: int
    days: float


def purge_identities(store, days: float | None = None, now: float | None = None, actor: str = "system",
                     compact: bool = True) -> IdentityPurge:
    """Remove records (sealed record, keyed hash, masked view) and their uses older than the
    retention period (policy, default 730 days; setting identity.retention_days)."""
    from desktop.audit import AuditLog

    days = retention_days(store) if days is None else float(days)
    cutoff = (time.time() if now is None else now) - days * DAY
    with store.tx() as c:
        uses = c.execute("DELETE FROM identity_uses WHERE record_id IN (SELECT id FROM identity_records "
                         "WHERE created_at < ?) OR used_at < ?", (cutoff, cutoff)).rowcount
        records = c.execute("DELETE FROM identity_records WHERE created_at < ?", (cutoff,)).rowcount
        AuditLog(store).append(actor, "purge", "identity records", {"what": "identity", "days": days,
                                                                    "records": records, "uses": uses}, conn=c)
    if compact:
        from desktop.store.retention import compact as vacuum

        vacuum(store)
    return IdentityPurge(records, uses, days)
