"""Alerts by identity, as the station already raises them by phone and address.

* identity_bill_swiping: one identity (by keyed hash) sending many near-zero-weight parcels in
  a short window, the empty-parcel "bill swiping" pattern (thresholds: the alert setting
  ``identity_bill_swiping``, else the policy's).
* identity_watch: a record whose keyed hash is on the watch list the compliance office
  distributes (watchlist.py). The clerk is not told; the supervisor's alert list is.

Alerts name the record id and the masked view only.
"""

from __future__ import annotations

import json
import time


def raise_watch(store, record_id: str, view, clock=time.time) -> bool:
    from desktop.alerts.rules import Alerts

    return Alerts(store, clock=clock)._raise(
        "identity_watch", "critical", f"identity:{record_id}",
        f"a sender on the compliance office's watch list was recorded ({view.type_title} {view.number})",
        {"record_id": record_id, "shown": view.number}, dedupe_seconds=None)


def evaluate(alerts, cfg: dict, now: float) -> None:
    """Called from desktop.alerts.rules.Alerts.evaluate with the merged thresholds."""
    store = alerts.store
    window = float(cfg["window_hours"]) * 3600
    rows = store.query("SELECT id_hash, COUNT(*) AS n FROM identity_uses WHERE used_at > ? AND weight_kg IS NOT NULL "
                       "AND weight_kg < ? GROUP BY id_hash HAVING COUNT(*) >= ?",
                       (now - window, float(cfg["max_weight_kg"]), int(cfg["count"])))
    for r in rows:
        labels = store.query("SELECT u.tracking_number, u.record_id FROM identity_uses u WHERE u.id_hash=? AND "
                             "u.used_at > ? AND u.weight_kg < ? ORDER BY u.used_at",
                             (r["id_hash"], now - window, float(cfg["max_weight_kg"])))
        masked = store.query("SELECT masked FROM identity_records WHERE id_hash=? ORDER BY created_at DESC LIMIT 1",
                             (r["id_hash"],))
        shown = json.loads(masked[0][0]).get("number", "") if masked else ""
        alerts._raise("identity_bill_swiping", "critical", f"identity:{r['id_hash'][:16]}",
                      f"{r['n']} parcels under {cfg['max_weight_kg']} kg from one sender ({shown}) "
                      f"within {cfg['window_hours']} h",
                      {"tracking_numbers": [x[0] for x in labels], "records": sorted({x[1] for x in labels}),
                       "shown": shown}, dedupe_seconds=window)
