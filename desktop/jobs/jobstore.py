"""Print jobs at rest. A queued label's shipment is kept only encrypted with the data key
(bound to its row); once the label is confirmed the ciphertext is dropped and only the masked
view, the sealed QR text and a hash of the bytes sent remain."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterable
from datetime import datetime

from desktop.audit.log import AuditLog
from desktop.jobs.matching import address_key, phone_key
from desktop.jobs.model import (
    CANCELLED,
    CONFIRMED,
    FAILED,
    QUEUED,
    SENT,
    UNKNOWN_FATE_REASON,
    JobProgress,
    LabelProgress,
    LabelWork,
)
from desktop.shipment import Shipment
from desktop.i18n import _

DEFAULT_TEMPLATE = "waybill-100x150"
from desktop.store.db import Store


def _aad(job_id: str, index: int) -> bytes:
    return f"label\x00{job_id}\x00{index}".encode()


class JobStore:
    def __init__(self, store: Store, audit: AuditLog | None = None) -> None:
        self.store = store
        self.audit = audit or AuditLog(store)

    # --- submitting -----------------------------------------------------------------
    def create_job(self, printer_uri: str, profile: str, shipments: Iterable[Shipment], template: str,
                   actor: str = "system", reprint_reason: str | None = None, approved_by: str | None = None,
                   options: dict | None = None) -> str:
        """A job of fresh labels, all or nothing: a tracking number that already has a live
        label here (queued, sent or confirmed, not voided) raises DuplicateTracking and nothing
        is queued. ``options`` (copies, policy, virtual_numbers) are the job's, read by the
        renderer for each label, so a label printed after a restart prints as asked."""
        job_id, refused = self.create_job_refusing(printer_uri, profile, shipments, template, actor, reprint_reason,
                                                   approved_by, options, partial=False)
        return job_id  # type: ignore[return-value]

    def create_job_refusing(self, printer_uri: str, profile: str, shipments: Iterable[Shipment], template: str,
                            actor: str = "system", reprint_reason: str | None = None,
                            approved_by: str | None = None, options: dict | None = None,
                            partial: bool = True) -> tuple[str | None, list[tuple[int, str]]]:
        """Queue what may be queued: returns (job id or None when nothing was, [(index, tracking
        number)] refused). The unique index ``labels_live`` decides, inside the one transaction
        that inserts the job, so two processes racing for one number cannot both queue it. A
        fresh shipment marked REPRINT (``reprint_reason``: printed before by another system) is
        refused too when its number is live here: that is a reprint from history, with its
        supervisor (``create_history_reprint``). ``partial=False``: any refusal raises
        DuplicateTracking and rolls the whole job back."""
        import sqlite3

        key = self.store.data_key
        job_id = uuid.uuid4().hex[:16]
        now = time.time()
        rows = []
        for index, shipment in enumerate(shipments):
            blob = key.encrypt(json.dumps(shipment.to_dict(), ensure_ascii=False).encode("utf-8"), _aad(job_id, index))
            weight = shipment.parcel.weight_kg if isinstance(shipment.parcel.weight_kg, (int, float)) else None
            rows.append((job_id, index, printer_uri, shipment.tracking_number, QUEUED, reprint_reason, blob,
                         phone_key(key, shipment), address_key(key, shipment), weight, now, shipment.order_id))
        insert = ("INSERT INTO labels(job_id, idx, printer_uri, tracking_number, state, reprint_reason, payload,"
                  " phone_key, address_key, weight_kg, created_at, order_id, original)"
                  " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)")
        refused: list[tuple[int, str]] = []
        with self.store.tx() as c:
            c.execute("INSERT INTO jobs(id, printer_uri, profile, template, actor, reprint_reason, state, created_at,"
                      " options) VALUES(?,?,?,?,?,?,?,?,?)", (job_id, printer_uri, profile, template, actor,
                                                             reprint_reason, "active", now,
                                                             json.dumps(options or {})))
            queued = []
            for row in rows:
                try:
                    c.execute(insert, (*row, 1))
                except sqlite3.IntegrityError:
                    refused.append((row[1], row[3]))
                    continue
                queued.append(row)
            if refused and not partial:
                index, tracking = refused[0]
                raise duplicate_error(self.store, tracking)
            if not queued:
                c.execute("UPDATE jobs SET state='done' WHERE id=?", (job_id,))
            if reprint_reason:
                for row in queued:
                    self.audit.append(actor, "reprint", row[3], {"job": job_id, "reason": reprint_reason,
                                                                 "approved_by": approved_by}, conn=c)
        if not queued:
            with self.store.tx() as c:  # nothing to print: leave no empty job behind
                c.execute("DELETE FROM jobs WHERE id=? AND NOT EXISTS (SELECT 1 FROM labels WHERE job_id=?)",
                          (job_id, job_id))
            return None, refused
        return job_id, refused

    def create_test_job(self, printer_uri: str, profile: str, actor: str = "system",
                        options: dict | None = None) -> str:
        """A job of one calibration label (no shipment, no tracking number): it goes through the
        printer's worker like any label, so the test never opens a second connection."""
        job_id = uuid.uuid4().hex[:16]
        now = time.time()
        blob = self.store.data_key.encrypt(json.dumps({"test_print": True}).encode(), _aad(job_id, 0))
        with self.store.tx() as c:
            c.execute("INSERT INTO jobs(id, printer_uri, profile, template, actor, reprint_reason, state, created_at,"
                      " options) VALUES(?,?,?,?,?,?,?,?,?)", (job_id, printer_uri, profile, "test-print", actor, None,
                                                             "active", now,
                                                             json.dumps({**(options or {}), "test_print": True})))
            c.execute("INSERT INTO labels(job_id, idx, printer_uri, tracking_number, state, payload, created_at,"
                      " original) VALUES(?,?,?,?,?,?,?,0)", (job_id, 0, printer_uri, "", QUEUED, blob, now))
        return job_id

    def live_label(self, tracking_number: str) -> dict | None:
        """The live label of a tracking number here (queued, sent or confirmed first print), as
        {label_id, job, state, printer, at}; None when the number is free."""
        rows = self.store.query("SELECT id, job_id, state, printer_uri, COALESCE(done_at, sent_at, created_at) AS at "
                                "FROM labels WHERE tracking_number=? AND original=1 AND state IN "
                                "('queued','sent','confirmed') LIMIT 1", (tracking_number,))
        if not rows:
            return None
        r = rows[0]
        return {"label_id": r["id"], "job": r["job_id"], "state": r["state"], "printer": r["printer_uri"],
                "at": r["at"]}

    # --- the worker's side ----------------------------------------------------------
    def printers_with_work(self) -> list[str]:
        return [r[0] for r in self.store.query(
            "SELECT DISTINCT l.printer_uri FROM labels l JOIN jobs j ON j.id=l.job_id "
            "WHERE l.state IN ('queued','sent') AND j.state='active'")]

    def next_labels(self, printer_uri: str, exclude: Iterable[int] = (), limit: int = 1) -> list:
        """The next queued labels for a printer, oldest job first and in job order. The worker
        asks for one at a time: that is found through the job index (the first queued label of
        the oldest active job with work here), so its cost does not grow with the queue."""
        exclude = list(exclude)
        if limit == 1:
            found = self._next_label(printer_uri, exclude)
            if found is not None:
                return found
        marks = ",".join("?" * len(exclude))
        sql = ("SELECT l.*, j.template, j.profile, j.options FROM labels l JOIN jobs j ON j.id=l.job_id "
               "WHERE l.printer_uri=? AND l.state='queued' AND j.state='active'"
               + (f" AND l.id NOT IN ({marks})" if exclude else "") + " ORDER BY j.created_at, l.job_id, l.idx LIMIT ?")
        return self.store.query(sql, (printer_uri, *exclude, limit))

    def _next_label(self, printer_uri: str, exclude: list[int]) -> list | None:
        """None: fall back to the general query (many labels excluded)."""
        if len(exclude) > 8:
            return None
        marks = ",".join("?" * len(exclude))
        skip = f" AND l.id NOT IN ({marks})" if exclude else ""
        jobs = self.store.query("SELECT j.id FROM jobs j WHERE j.state='active' AND j.printer_uri=? "
                                "ORDER BY j.created_at, j.id", (printer_uri,))
        for (job_id,) in jobs:
            rows = self.store.query("SELECT l.*, j.template, j.profile, j.options FROM labels l JOIN jobs j ON "
                                    "j.id=l.job_id WHERE l.job_id=? AND l.state='queued' AND l.printer_uri=?" + skip
                                    + " ORDER BY l.idx LIMIT 1", (job_id, printer_uri, *exclude))
            if rows:
                return rows
        return []  # a job's labels all go to the job's printer

    def unfinished(self, job_id: str) -> bool:
        """Does the job still have labels queued or sent? (One index probe.)"""
        return bool(self.store.query("SELECT EXISTS(SELECT 1 FROM labels WHERE job_id=? AND state IN "
                                     "('queued','sent'))", (job_id,))[0][0])

    def counts(self, job_id: str) -> dict[str, int]:
        """Labels of a job by state, counted through the job index (no label is read)."""
        return {r[0]: r[1] for r in self.store.query("SELECT state, COUNT(*) FROM labels WHERE job_id=? "
                                                     "GROUP BY state", (job_id,))}

    def work_for(self, row) -> LabelWork:
        data = json.loads(self.store.data_key.decrypt(bytes(row["payload"]), _aad(row["job_id"], row["idx"])))
        keys = row.keys()
        options = json.loads(row["options"]) if "options" in keys and row["options"] else {}
        if data.get("test_print"):  # a calibration label: no shipment
            return LabelWork(row["id"], row["job_id"], row["idx"], Shipment.from_dict({}), row["template"],
                             row["profile"], printer_uri=row["printer_uri"], options={**options, "test_print": True})
        if "history" in data:  # a reprint of a printed label: its stored face, masked view and seal
            h = data["history"]
            return LabelWork(row["id"], row["job_id"], row["idx"], Shipment.from_dict(h["face"]),
                             h.get("template") or row["template"], row["profile"], row["reprint_reason"], h["masked"],
                             h["qr_text"], h["face"].get("printed_at"), row["printer_uri"], options,
                             caption_language=h["face"].get("caption_language"))
        return LabelWork(row["id"], row["job_id"], row["idx"], Shipment.from_dict(data),
                         row["template"], row["profile"], row["reprint_reason"], printer_uri=row["printer_uri"],
                         options=options)

    def create_history_reprint(self, tracking_numbers: Iterable[str], printer_uri: str, profile: str,
                               template: str | None, reason: str, actor: str, approved_by: str | None = None,
                               options: dict | None = None) -> str:
        """A job that reprints printed labels from what the store kept (no plaintext needed): the
        same face (template unless ``template`` names another, print time, order, parcel, the
        masked parties) and the same sealed QR, plus the REPRINT mark."""
        key = self.store.data_key
        job_id = uuid.uuid4().hex[:16]
        now = time.time()
        rows = []
        template_of_job = template
        for index, tracking in enumerate(tracking_numbers):
            found = self.store.query("SELECT masked, qr_text, face, phone_key, address_key, weight_kg, order_id FROM labels "
                                     "WHERE tracking_number=? AND state='confirmed' AND face IS NOT NULL "
                                     "ORDER BY done_at DESC LIMIT 1", (tracking,))
            if not found:
                from desktop.errors import SigiloError

                raise SigiloError(_("no printed label {tracking} in this station's history").format(tracking=tracking),
                                  _("check the tracking number; labels older than the retention period are purged"))
            src = found[0]
            face = json.loads(src["face"])
            history = {"face": face, "masked": json.loads(src["masked"]), "qr_text": src["qr_text"],
                       "template": template or face.get("template")}
            blob = key.encrypt(json.dumps({"history": history}, ensure_ascii=False).encode(), _aad(job_id, index))
            rows.append((job_id, index, printer_uri, tracking, QUEUED, reason, blob, src["phone_key"],
                         src["address_key"], src["weight_kg"], now, src["order_id"]))
            template_of_job = template_of_job or history["template"]
        with self.store.tx() as c:
            c.execute("INSERT INTO jobs(id, printer_uri, profile, template, actor, reprint_reason, state, created_at,"
                      " options) VALUES(?,?,?,?,?,?,?,?,?)",
                      (job_id, printer_uri, profile, template_of_job or DEFAULT_TEMPLATE, actor, reason, "active", now,
                       json.dumps(options or {})))
            c.executemany("INSERT INTO labels(job_id, idx, printer_uri, tracking_number, state, reprint_reason, payload,"
                          " phone_key, address_key, weight_kg, created_at, order_id, original)"
                          " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,0)", rows)
            for row in rows:
                self.audit.append(actor, "reprint", row[3], {"job": job_id, "reason": reason,
                                                             "approved_by": approved_by, "from": "history"}, conn=c)
        return job_id

    def void(self, tracking_number: str, reason: str, actor: str, approved_by: str) -> None:
        """Void a printed label (the parcel will not ship under it): kept in history as voided."""
        from desktop.errors import SigiloError

        if not reason.strip():
            raise SigiloError(_("voiding needs a reason"), _("say why, e.g. 'wrong phone'"))
        with self.store.tx() as c:
            by = actor if not approved_by or approved_by == actor else f"{actor}, approved by {approved_by}"
            cur = c.execute("UPDATE labels SET state='voided', error=?, voided_at=?, voided_by=? WHERE tracking_number=? "
                            "AND state='confirmed'", (f"void: {reason}", time.time(), by, tracking_number))
            if cur.rowcount == 0:
                raise SigiloError(_("no printed label {tracking_number} to void").format(tracking_number=tracking_number), _("check the tracking number"))
            self.audit.append(actor, "void", tracking_number, {"reason": reason, "approved_by": approved_by,
                                                               "labels": cur.rowcount}, conn=c)

    def history(self, search: str = "", limit: int = 200, day: str = "") -> list[dict]:
        """Printed, failed and voided labels, newest first. ``search`` matches the tracking
        number or the order id; ``day`` (YYYY-MM-DD, local time) the day it was done.

        Each item: label_id, job, tracking_number, order_id, state, reprint (its reason or None),
        printer, printed_at (epoch seconds), error, masked (MaskedView.to_dict()), qr_text (the
        sealed QR text), face (face_of(): order_id, tracking_number, service, parcel, template,
        printed_at as shown, the sender when a business, the recipient's region as masked) -
        everything the label showed, and nothing of the recipient beyond the masked view."""
        base = ("SELECT l.id, l.job_id, l.tracking_number, l.order_id, l.state, l.reprint_reason, l.printer_uri, "
                "l.done_at, l.error, l.masked, l.qr_text, l.face FROM labels l "
                "WHERE l.state IN ('confirmed','failed','voided') AND l.tracking_number != ''")
        params: list = []
        if day.strip():
            start = time.mktime(time.strptime(day.strip(), "%Y-%m-%d"))
            base += " AND l.done_at >= ? AND l.done_at < ?"
            params += [start, start + 86400]
        order = " ORDER BY l.done_at DESC, l.id DESC LIMIT ?"
        text = search.strip()
        if not text:
            return [_history_item(r) for r in self.store.query(base + order, (*params, limit))]
        # a whole order id or tracking number is found through the indexes; a fragment by scanning
        rows = self.store.query(base + " AND l.id IN (SELECT id FROM labels WHERE tracking_number = ? UNION "
                                "SELECT id FROM labels WHERE order_id = ?)" + order, (*params, text, text, limit))
        if not rows:
            rows = self.store.query(base + " AND (l.tracking_number LIKE ? OR l.order_id LIKE ?)" + order,
                                    (*params, f"%{text}%", f"%{text}%", limit))
        return [_history_item(r) for r in rows]

    def printed_label(self, tracking_number: str) -> dict | None:
        """The newest printed (confirmed) label of a tracking number, as history() gives it."""
        rows = self.store.query("SELECT id, job_id, tracking_number, order_id, state, reprint_reason, printer_uri, "
                                "done_at, error, masked, qr_text, face FROM labels WHERE tracking_number=? AND "
                                "state='confirmed' ORDER BY done_at DESC, id DESC LIMIT 1", (tracking_number,))
        return _history_item(rows[0]) if rows else None

    def mark_sent(self, label_id: int) -> None:
        with self.store.tx() as c:
            c.execute("UPDATE labels SET state=?, attempts=attempts+1, sent_at=? WHERE id=?", (SENT, time.time(), label_id))

    def mark_confirmed(self, label_id: int, data_hash: str, masked: dict, qr_text: str, printer_uri: str,
                       actor: str = "system", face: dict | None = None) -> bool:
        """Record a printed label; True when that finished its job."""
        now = time.time()
        if face is not None and not face.get("printed_at"):  # a renderer that did not say: now, near enough
            face = {**face, "printed_at": datetime.fromtimestamp(now).astimezone().isoformat(timespec="seconds")}
        with self.store.tx() as c:
            row = c.execute("SELECT job_id, idx, tracking_number, reprint_reason FROM labels WHERE id=?",
                            (label_id,)).fetchone()
            c.execute("UPDATE labels SET state=?, payload=NULL, masked=?, qr_text=?, bytes_hash=?, done_at=?, error=NULL, "
                      "face=? WHERE id=?", (CONFIRMED, json.dumps(masked, ensure_ascii=False), qr_text, data_hash,
                                            now, json.dumps(face, ensure_ascii=False) if face else None,
                                            label_id))
            self.audit.append(actor, "print", row["tracking_number"],
                              {"job": row["job_id"], "index": row["idx"], "printer": printer_uri,
                               "reprint": row["reprint_reason"], "bytes_sha256": data_hash, "masked": masked}, conn=c)
            return self._finish_job_if_done(c, row["job_id"])

    def mark_failed(self, label_id: int, error: str) -> bool:
        with self.store.tx() as c:
            row = c.execute("SELECT job_id FROM labels WHERE id=?", (label_id,)).fetchone()
            c.execute("UPDATE labels SET state=?, error=?, done_at=? WHERE id=?", (FAILED, error, time.time(), label_id))
            return self._finish_job_if_done(c, row["job_id"])

    def requeue_unknown(self, label_ids: Iterable[int], reason: str, actor: str = "system") -> list[str]:
        """Labels whose fate is unknown (sent, not confirmed) go back to the queue marked as
        reprints, each with an audit entry, so a second copy is never a silent duplicate."""
        done = []
        with self.store.tx() as c:
            for label_id in label_ids:
                row = c.execute("SELECT job_id, idx, tracking_number, state FROM labels WHERE id=?", (label_id,)).fetchone()
                if row is None or row["state"] != SENT:
                    continue
                c.execute("UPDATE labels SET state=?, reprint_reason=? WHERE id=?", (QUEUED, reason, label_id))
                self.audit.append(actor, "reprint", row["tracking_number"],
                                  {"job": row["job_id"], "index": row["idx"], "reason": reason,
                                   "fate_unknown": True}, conn=c)
                done.append(row["tracking_number"])
        return done

    def recover_after_restart(self, printer_uri: str | None = None) -> list[str]:
        sql = "SELECT id FROM labels WHERE state=?" + (" AND printer_uri=?" if printer_uri else "")
        ids = [r[0] for r in self.store.query(sql, (SENT, printer_uri) if printer_uri else (SENT,))]
        return self.requeue_unknown(ids, UNKNOWN_FATE_REASON)

    def _finish_job_if_done(self, c, job_id: str) -> bool:
        left = c.execute("SELECT EXISTS(SELECT 1 FROM labels WHERE job_id=? AND state IN ('queued','sent'))",
                         (job_id,)).fetchone()[0]
        if not left:
            return c.execute("UPDATE jobs SET state='done' WHERE id=? AND state='active'", (job_id,)).rowcount > 0
        return False

    # --- control --------------------------------------------------------------------
    def set_job_state(self, job_id: str, state: str) -> None:
        with self.store.tx() as c:
            c.execute("UPDATE jobs SET state=? WHERE id=?", (state, job_id))
            if state == "cancelled":
                c.execute("UPDATE labels SET state=?, payload=NULL, done_at=? WHERE job_id=? AND state=?",
                          (CANCELLED, time.time(), job_id, QUEUED))

    def retry_failed(self, job_id: str) -> int:
        """Queue a job's failed labels again (those whose shipment is still held). A label whose
        number has been printed since by another job stays failed, saying so."""
        import sqlite3

        count = 0
        with self.store.tx() as c:
            rows = c.execute("SELECT id, tracking_number FROM labels WHERE job_id=? AND state=? AND payload IS NOT NULL",
                             (job_id, FAILED)).fetchall()
            for row in rows:
                try:
                    c.execute("UPDATE labels SET state=?, error=NULL, done_at=NULL WHERE id=?", (QUEUED, row["id"]))
                    count += 1
                except sqlite3.IntegrityError:
                    c.execute("UPDATE labels SET error=? WHERE id=?",
                              (f"tracking number {row['tracking_number']} was printed since by another job", row["id"]))
            if count:
                c.execute("UPDATE jobs SET state='active' WHERE id=?", (job_id,))
            return count

    def set_printer_state(self, uri: str, state: str, reason: str = "") -> None:
        with self.store.tx() as c:
            c.execute("INSERT INTO printers(uri, state, reason, updated_at) VALUES(?,?,?,?) ON CONFLICT(uri) DO UPDATE "
                      "SET state=excluded.state, reason=excluded.reason, updated_at=excluded.updated_at",
                      (uri, state, reason, time.time()))

    def printer_state(self, uri: str) -> tuple[str, str]:
        """The printer's state as its worker last recorded it. "printing" is only true while a
        worker drives the printer: once no process does (it stopped, or was killed), the last
        state the printer itself reported is shown instead."""
        rows = self.store.query("SELECT state, reason FROM printers WHERE uri=?", (uri,))
        state, reason = (rows[0]["state"], rows[0]["reason"]) if rows else ("ready", "")
        if state == "printing":
            from desktop.jobs.locks import driven_elsewhere_or_here

            if not driven_elsewhere_or_here(self.store.home, uri):
                seen = self.store.get_setting(f"printer.observed:{uri}") or ["ready", ""]
                state, reason = seen[0], seen[1]
        return state, reason

    def progress(self, job_id: str) -> JobProgress:
        jobs = self.store.query("SELECT * FROM jobs WHERE id=?", (job_id,))
        if not jobs:
            from desktop.errors import SigiloError

            raise SigiloError(_("no print job {job_id}").format(job_id=job_id), _("list jobs in the queue window"))
        job = jobs[0]
        labels = [LabelProgress(r["id"], r["idx"], r["tracking_number"], r["state"], r["reprint_reason"], r["attempts"],
                                r["error"])
                  for r in self.store.query("SELECT * FROM labels WHERE job_id=? ORDER BY idx", (job_id,))]
        pstate, reason = self.printer_state(job["printer_uri"])
        return JobProgress(job_id, job["printer_uri"], job["state"], labels, pstate, reason)

    def jobs(self, limit: int = 100) -> list[str]:
        return [r[0] for r in self.store.query("SELECT id FROM jobs ORDER BY created_at DESC LIMIT ?", (limit,))]


def duplicate_error(store: Store, tracking_number: str):
    """The refusal of a second live label for ``tracking_number``, saying where and when the
    first was printed and how to print it again (the reprint path)."""
    from desktop.jobs.errors import DuplicateTracking

    live = JobStore(store).live_label(tracking_number)
    if live is None:
        where = "is already being printed here"
    else:
        when = datetime.fromtimestamp(live["at"]).strftime("%Y-%m-%d %H:%M")
        verb = {"confirmed": "was printed", "sent": "is being printed", "queued": "is queued"}.get(live["state"],
                                                                                                   "is printed")
        where = f"{verb} at this station on {when} (job {live['job']})"
    return DuplicateTracking(f"tracking number {tracking_number} {where}: a waybill number prints once",
                             f"to print it again, reprint it with a reason (sigilo jobs reprint {tracking_number} "
                             "--reason R, or History > Reprint); a new parcel needs a new number",
                             tracking_number)


def face_of(shipment: Shipment, masked: dict | None = None, template: str = "",
            printed_at: str | None = None, caption_language: str | None = None) -> dict:
    """What a label face shows that is not private, kept in clear after printing so the label
    can be reprinted from history exactly: order, service, parcel, template, print time; the
    sender in full when a business (its face shows it unmasked); of the recipient only the
    region parts the masked view shows anyway (sorting needs them for the route code); the
    caption set the face was printed with, so a reprint says the same words in the same language
    whatever the station's or the template's label language is by then."""
    r = shipment.recipient
    shown = " ".join(str((masked or {}).get("recipient", {}).get(k, "")) for k in ("region", "address"))
    face = {"order_id": shipment.order_id, "tracking_number": shipment.tracking_number, "service": shipment.service,
            "parcel": shipment.parcel.to_dict(), "template": template, "printed_at": printed_at,
            "recipient": {"country": r.country,
                          **{k: getattr(r, k) for k in ("province", "city", "district")
                             if getattr(r, k) and (masked is None or getattr(r, k) in shown)}}}
    if masked is not None and masked.get("sender", {}).get("full"):
        face["sender"] = shipment.sender.to_dict()
    if caption_language:
        face["caption_language"] = caption_language
    return face


def _history_item(r) -> dict:
    return {"label_id": r["id"], "job": r["job_id"], "tracking_number": r["tracking_number"],
            "order_id": r["order_id"], "state": r["state"], "reprint": r["reprint_reason"],
            "printer": r["printer_uri"], "printed_at": r["done_at"], "error": r["error"],
            "masked": json.loads(r["masked"]) if r["masked"] else None, "qr_text": r["qr_text"] or "",
            "face": json.loads(r["face"]) if r["face"] else None}


def bytes_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
