"""The alert rules and their evaluation.

Phones and addresses are matched by keyed hash (HMAC with the data key, computed when a label
is queued), so the store can count labels to one phone without ever holding the phone.
An alert names its labels by tracking number and masked view only.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from desktop.i18n import N_, _
from desktop.store.db import Store

DEFAULTS: dict = {
    "reprint_burst": {"count": 5, "window_minutes": 60},
    # copies printed again because the printer's connection or a crash left their fate unknown:
    # counted apart from requested reprints (they point at a printer or a link, not at a clerk)
    "unknown_fate_burst": {"count": 10, "window_minutes": 60},
    "bill_swiping": {"count": 20, "window_hours": 24, "max_weight_kg": 0.05},
    "failed_scans": {"count": 5, "window_minutes": 15},
    "failed_logins": {"count": 5, "window_minutes": 15},
    "after_hours": {"start_hour": 7, "end_hour": 21},
    "printer_fault": {"enabled": True},
    "identity_bill_swiping": {"count": 20, "window_hours": 24, "max_weight_kg": 0.05},  # desktop.identity.alerts
}


def thresholds(store: Store) -> dict:
    merged = {k: dict(v) for k, v in DEFAULTS.items()}
    for rule, values in (store.get_setting("alerts.thresholds", {}) or {}).items():
        merged.setdefault(rule, {}).update(values)
    return merged


@dataclass(frozen=True)
class Alert:
    id: int
    time: float
    rule: str
    severity: str
    subject: str
    message: str
    details: dict
    acknowledged: bool


def _iso_to_epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


class Alerts:
    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    def list(self, include_acknowledged: bool = False) -> list[Alert]:
        sql = "SELECT * FROM alerts" + ("" if include_acknowledged else " WHERE acknowledged=0") + " ORDER BY id"
        return [Alert(r["id"], r["time"], r["rule"], r["severity"], r["subject"], r["message"],
                      json.loads(r["details"]), bool(r["acknowledged"])) for r in self.store.query(sql)]

    def acknowledge(self, alert_id: int, actor: str) -> None:
        from desktop.audit.log import AuditLog

        with self.store.tx() as c:
            c.execute("UPDATE alerts SET acknowledged=1 WHERE id=?", (alert_id,))
            AuditLog(self.store).append(actor, "settings", f"alert {alert_id}", {"change": "acknowledge"}, conn=c)

    def _raise(self, rule: str, severity: str, subject: str, message: str, details: dict,
               dedupe_seconds: float | None, key_time: float | None = None) -> bool:
        now = self.clock()
        with self.store.tx() as c:
            if dedupe_seconds is None:
                # one alert per (rule, subject) ever: for events with their own identity
                dup = c.execute("SELECT 1 FROM alerts WHERE rule=? AND subject=?", (rule, subject)).fetchone()
            else:
                dup = c.execute("SELECT 1 FROM alerts WHERE rule=? AND subject=? AND time > ?",
                                (rule, subject, now - dedupe_seconds)).fetchone()
            if dup:
                return False
            c.execute("INSERT INTO alerts(time, rule, severity, subject, message, details) VALUES(?,?,?,?,?,?)",
                      (key_time or now, rule, severity, subject, message, json.dumps(details, ensure_ascii=False)))
        return True

    def evaluate(self) -> list[Alert]:
        """Run every rule; return the alerts raised by this run."""
        before = {a.id for a in self.list(include_acknowledged=True)}
        t = thresholds(self.store)
        now = self.clock()
        self._window_audit("reprint_burst", "reprint", t["reprint_burst"], now, "warning",
                           N_("{n} reprints within {w} minutes"), fate_unknown=False)
        self._window_audit("unknown_fate_burst", "reprint", t["unknown_fate_burst"], now, "warning",
                           N_("{n} labels printed again within {w} minutes because their fate was unknown "
                              "(connection lost, fault or crash while printing): check the printer and its cable"),
                           fate_unknown=True)
        self._window_audit("failed_scans", "scan_failed", t["failed_scans"], now, "warning",
                           N_("{n} failed scans within {w} minutes"))
        self._window_audit("failed_logins", "login_failed", t["failed_logins"], now, "warning",
                           N_("{n} failed sign-ins within {w} minutes"), by_subject=True)
        self._bill_swiping(t["bill_swiping"], now)
        self._after_hours(t["after_hours"], now)
        from desktop.identity.alerts import evaluate as identity_rules

        identity_rules(self, t["identity_bill_swiping"], now)
        if t["printer_fault"].get("enabled", True):
            self._faults(now)
        return [a for a in self.list(include_acknowledged=True) if a.id not in before]

    def _window_audit(self, rule, action, cfg, now, severity, text, by_subject=False, fate_unknown=None):
        """``fate_unknown``: None counts every entry; True only the copies queued again because
        their fate was unknown, False only the others (reprints someone asked for)."""
        window = float(cfg["window_minutes"]) * 60
        rows = [r for r in self.store.query("SELECT seq, time, subject, details FROM audit WHERE action=? "
                                            "ORDER BY seq DESC LIMIT 5000", (action,))
                if _iso_to_epoch(r["time"]) > now - window
                and (fate_unknown is None or _fate_unknown(r["details"]) == fate_unknown)]
        groups: dict[str, list] = {}
        for r in rows:
            groups.setdefault(r["subject"] if by_subject else "station", []).append(r)
        for subject, items in groups.items():
            if len(items) >= int(cfg["count"]):
                self._raise(rule, severity, subject, _(text).format(n=len(items), w=cfg["window_minutes"]),
                            {"audit_seqs": sorted(r["seq"] for r in items), "subjects": sorted({r["subject"] for r in items})},
                            dedupe_seconds=window)

    def _bill_swiping(self, cfg, now):
        window = float(cfg["window_hours"]) * 3600
        for column, what in (("phone_key", "phone"), ("address_key", "address")):
            rows = self.store.query(
                f"SELECT {column} AS k, COUNT(*) AS n FROM labels WHERE {column} IS NOT NULL AND state='confirmed' "
                f"AND done_at > ? AND weight_kg < ? GROUP BY {column} HAVING COUNT(*) >= ?",
                (now - window, float(cfg["max_weight_kg"]), int(cfg["count"])))
            for r in rows:
                labels = self.store.query(
                    f"SELECT tracking_number, masked FROM labels WHERE {column}=? AND state='confirmed' "
                    f"AND done_at > ? AND weight_kg < ? ORDER BY done_at", (r["k"], now - window, float(cfg["max_weight_kg"])))
                masked = json.loads(labels[0]["masked"] or "{}").get("recipient", {})
                shown = masked.get("phone") if what == "phone" else " ".join(
                    x for x in (masked.get("region", ""), masked.get("address", "")) if x)
                text = (_("{n} labels under {kg} kg to one phone ({shown}) within {h} h") if what == "phone"
                        else _("{n} labels under {kg} kg to one address ({shown}) within {h} h"))
                self._raise("bill_swiping", "critical", f"{what}:{r['k'][:16]}",
                            text.format(n=r["n"], kg=cfg["max_weight_kg"], shown=shown, h=cfg["window_hours"]),
                            {"tracking_numbers": [x["tracking_number"] for x in labels], "shown": shown},
                            dedupe_seconds=window)

    def _after_hours(self, cfg, now):
        start, end = int(cfg["start_hour"]), int(cfg["end_hour"])
        last = int(self.store.get_setting("alerts.after_hours_seq", 0))
        rows = self.store.query("SELECT seq, time, actor, subject FROM audit WHERE action IN ('print','reprint') "
                                "AND seq > ? ORDER BY seq", (last,))
        for r in rows:
            hour = datetime.fromtimestamp(_iso_to_epoch(r["time"])).hour
            if not (start <= hour < end):
                self._raise("after_hours", "warning", f"audit:{r['seq']}",
                            _("label {tracking} printed at {hour:02d}h by {actor}, outside {start:02d}-{end:02d}h").format(
                                tracking=r["subject"], hour=hour, actor=r["actor"], start=start, end=end),
                            {"audit_seq": r["seq"], "tracking_number": r["subject"]}, dedupe_seconds=None,
                            key_time=_iso_to_epoch(r["time"]))
        if rows:
            self.store.set_setting("alerts.after_hours_seq", rows[-1]["seq"])

    def _faults(self, now):
        last = int(self.store.get_setting("alerts.fault_seq", 0))
        rows = self.store.query("SELECT seq, time, subject, details FROM audit WHERE action='fault' AND seq > ? ORDER BY seq",
                                (last,))
        for r in rows:
            d = json.loads(r["details"])
            self._raise("printer_fault", "warning", f"audit:{r['seq']}",
                        _("printer {printer}: {state} {reason}").format(
                            printer=r["subject"], state=d.get("state", "fault"), reason=d.get("reason", "")).strip(),
                        {"audit_seq": r["seq"], **d}, dedupe_seconds=None, key_time=_iso_to_epoch(r["time"]))
        if rows:
            self.store.set_setting("alerts.fault_seq", rows[-1]["seq"])


def _fate_unknown(details: str) -> bool:
    try:
        return bool(json.loads(details or "{}").get("fate_unknown"))
    except (ValueError, AttributeError):
        return False
