"""A station's own voided labels: refused by its scan, and exported as a signed void list for
scanners elsewhere (desktop.seal.voids holds the format)."""

from __future__ import annotations

from desktop.i18n import _

import time
from pathlib import Path

from desktop.seal.voids import VoidedSeal, VoidList, envelope_hash, sign, voided_error

SERIAL_KEY = "voids.serial"


def voided_here(store, text: str, tracking: str) -> None:
    """Raise VoidedSeal when this station voided the label ``text`` (matched by its sealed QR
    text, whatever case the scanner typed it in): when, by whom and why."""
    from desktop.seal.envelope import normalise_text

    clean = normalise_text(text)
    for row in store.query("SELECT qr_text, voided_at, voided_by, error FROM labels WHERE tracking_number=? "
                           "AND state='voided' AND qr_text IS NOT NULL", (tracking,)):
        if normalise_text(row["qr_text"]) == clean:
            why = (row["error"] or "").removeprefix("void: ")
            raise voided_error(tracking, row["voided_at"], row["voided_by"] or "", why, _("at this station"))


def voided_entries(store) -> list[dict]:
    """(tracking number, envelope hash, time) of every voided label the store still holds,
    oldest first; one entry per sealed QR (a reprint shares its original's seal)."""
    seen: set[str] = set()
    out = []
    for row in store.query("SELECT tracking_number, qr_text, COALESCE(voided_at, done_at) AS at FROM labels "
                           "WHERE state='voided' AND qr_text IS NOT NULL AND qr_text != '' ORDER BY at, id"):
        try:
            digest = envelope_hash(row["qr_text"])
        except ValueError:
            continue
        if digest in seen:
            continue
        seen.add(digest)
        out.append({"tracking_number": row["tracking_number"], "envelope_sha256": digest,
                    "voided_at": int(row["at"] or 0)})
    return out


def export_void_list(store, sealer, out: Path, audit=None, actor: str = "station", now: int | None = None) -> VoidList:
    """Write the station's void list to ``out``, signed with its station key (from the
    unlocked ``sealer``), with the next serial (kept in the store, so it only moves forward)."""
    import json

    from desktop.keys.keyfile import write_public_file

    private = sealer.station_private
    with store.tx() as c:
        row = c.execute("SELECT value FROM settings WHERE key=?", (SERIAL_KEY,)).fetchone()
        serial = (json.loads(row[0]) if row else 0) + 1
        c.execute("INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                  (SERIAL_KEY, json.dumps(serial)))
    voids = VoidList(sealer.station_id, sealer.station_kid.hex(), serial, int(time.time() if now is None else now),
                     voided_entries(store))
    document = sign(voids, private)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    write_public_file(Path(out), document)
    if audit is not None:
        audit.append(actor, "export", "voids", {"serial": serial, "labels": len(voids.voids), "file": Path(out).name})
    return voids


__all__ = ["VoidedSeal", "export_void_list", "voided_entries", "voided_here"]
