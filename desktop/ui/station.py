"""The station as the GUI sees it: its store, print jobs, operators and who is signed in.

Printing goes through desktop.jobs' JobStore, so a label printed from the form is queued,
sent, confirmed (or failed) and audited exactly like one from a batch, and History reads the
same rows: once printed, only the masked view and the sealed QR text are kept.
Qt-free, so background operations can call it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from desktop.errors import SigiloError
from desktop.shipment import Party, Shipment
from desktop.ui import services

_ORDERS_TABLE = ("CREATE TABLE IF NOT EXISTS ui_label_orders (label_id INTEGER PRIMARY KEY, order_id TEXT NOT NULL)")


@dataclass(frozen=True)
class HistoryRow:
    label_id: int
    job_id: str
    tracking_number: str
    order_id: str
    state: str
    reprint_reason: str
    printer_uri: str
    done_at: float
    masked: dict
    qr_text: str
    error: str


class Station:
    def __init__(self, home: Path | None = None) -> None:
        from desktop.jobs.jobstore import JobStore
        from desktop.store import open_store

        self.store = open_store(home)
        self.jobs = JobStore(self.store)
        self.operator = None  # desktop.operators Operator once signed in
        with self.store.tx() as c:
            c.execute(_ORDERS_TABLE)

    @property
    def actor(self) -> str:
        return self.operator.username if self.operator is not None else "station"

    def operators(self):
        from desktop.operators.accounts import Operators

        return Operators(self.store, self.jobs.audit)

    def has_operators(self) -> bool:
        return bool(self.operators().list())

    def login(self, username: str, password: str):
        self.operator = self.operators().authenticate(username, password)
        return self.operator

    def require(self, permission: str) -> None:
        if self.operator is not None and not self.operator.can(permission):
            from desktop.operators.accounts import PermissionDenied

            raise PermissionDenied(f"{self.operator.username} ({self.operator.role}) may not {permission}",
                                   "ask a supervisor to sign in or approve")

    # ------------------------------------------------------------------ printing
    def print_shipment(self, shipment: Shipment, printer, template: str, keys_dir: Path, copies: int = 1,
                       calibration=None, policy: str | None = None) -> services.PrintOutcome:
        self.require("print")
        job_id = self.jobs.create_job(printer.uri, printer.profile, [shipment], template, actor=self.actor)
        label_id = self.jobs.store.query("SELECT id FROM labels WHERE job_id=? ORDER BY idx", (job_id,))[0][0]
        if shipment.order_id:
            with self.store.tx() as c:
                c.execute("INSERT OR REPLACE INTO ui_label_orders(label_id, order_id) VALUES(?,?)",
                          (label_id, shipment.order_id))
        return self._send(label_id, shipment, printer, template, keys_dir, copies, calibration, policy)

    def retry_failed(self, job_id: str, printer, keys_dir: Path, calibration=None) -> int:
        """Send again only the labels of a job that failed (their shipment is still held
        encrypted until confirmed)."""
        count = self.jobs.retry_failed(job_id)
        rows = self.store.query("SELECT l.*, j.template, j.profile FROM labels l JOIN jobs j ON j.id=l.job_id "
                                "WHERE l.job_id=? AND l.state='queued'", (job_id,))
        for row in rows:
            work = self.jobs.work_for(row)
            self._send(row["id"], work.shipment, printer, work.template, keys_dir, 1, calibration, None,
                       reprint=work.reprint)
        return count

    def _send(self, label_id: int, shipment: Shipment, printer, template: str, keys_dir: Path, copies: int,
              calibration, policy, reprint: str | None = None, qr_text: str | None = None, masked=None):
        cal = calibration
        self.jobs.mark_sent(label_id)
        try:
            outcome = services.print_label(
                shipment, printer_name=printer.name, uri=printer.uri, profile=printer.profile, template=template,
                keys_dir=keys_dir, copies=copies, policy=policy, reprint=reprint, qr_text=qr_text, masked=masked,
                offset_x_mm=getattr(cal, "offset_x_mm", 0.0), offset_y_mm=getattr(cal, "offset_y_mm", 0.0),
                darkness=getattr(cal, "darkness", None), speed=getattr(cal, "speed", None))
        except SigiloError as exc:
            self.jobs.mark_failed(label_id, exc.message)
            raise
        except Exception as exc:
            self.jobs.mark_failed(label_id, type(exc).__name__)
            raise
        self.jobs.mark_confirmed(label_id, outcome.data_hash, outcome.masked, outcome.qr_text, printer.uri, actor=self.actor)
        return outcome

    def reprint(self, label_id: int, reason: str, printer, keys_dir: Path, calibration=None) -> services.PrintOutcome:
        """Print a stored label again with its REPRINT mark, from what the store kept (the
        masked view and the sealed QR text): the plaintext is gone, and the QR is the same."""
        from desktop.masking.view import MaskedParty, MaskedView

        reason = (reason or "").strip()
        if not reason:
            raise SigiloError("a reprint needs a reason", "type why the label is printed again (damaged, jammed…)")
        self.require("reprint")
        rows = self.store.query("SELECT l.*, j.template FROM labels l JOIN jobs j ON j.id=l.job_id WHERE l.id=?",
                                (label_id,))
        if not rows or not rows[0]["qr_text"]:
            raise SigiloError("this label was never printed, so there is nothing to reprint",
                              "print it from the form or retry it from the queue")
        row = rows[0]
        m = json.loads(row["masked"])
        masked = MaskedView(recipient=MaskedParty(**m["recipient"]), sender=MaskedParty(**m["sender"]),
                            policy=m.get("policy", ""))
        stub = Shipment(tracking_number=row["tracking_number"],
                        recipient=Party(name=masked.recipient.name, phone=masked.recipient.phone,
                                        country=masked.recipient.country, postcode=masked.recipient.postcode),
                        sender=Party(name=masked.sender.name, phone=masked.sender.phone,
                                     country=masked.sender.country, postcode=masked.sender.postcode))
        job_id = self.jobs.create_job(printer.uri, printer.profile, [stub], row["template"], actor=self.actor,
                                      reprint_reason=reason)
        new_id = self.store.query("SELECT id FROM labels WHERE job_id=?", (job_id,))[0][0]
        order = self.store.query("SELECT order_id FROM ui_label_orders WHERE label_id=?", (label_id,))
        if order:
            with self.store.tx() as c:
                c.execute("INSERT OR REPLACE INTO ui_label_orders(label_id, order_id) VALUES(?,?)",
                          (new_id, order[0][0]))
        return self._send(new_id, stub, printer, row["template"], keys_dir, 1, calibration, None,
                          reprint=reason, qr_text=row["qr_text"], masked=masked)

    # ------------------------------------------------------------------ reading back
    def history(self, text: str = "", day: str = "", limit: int = 500) -> list[HistoryRow]:
        """Printed and failed labels, newest first; ``text`` matches tracking number or order id,
        ``day`` (YYYY-MM-DD, local time) the day it was printed."""
        sql = ("SELECT l.*, o.order_id FROM labels l LEFT JOIN ui_label_orders o ON o.label_id=l.id "
               "WHERE l.state IN ('confirmed','failed')")
        params: list = []
        if text.strip():
            sql += " AND (l.tracking_number LIKE ? OR o.order_id LIKE ?)"
            like = f"%{text.strip()}%"
            params += [like, like]
        if day.strip():
            start = time.mktime(time.strptime(day.strip(), "%Y-%m-%d"))
            sql += " AND COALESCE(l.done_at, l.created_at) >= ? AND COALESCE(l.done_at, l.created_at) < ?"
            params += [start, start + 86400]
        sql += " ORDER BY l.id DESC LIMIT ?"
        params.append(limit)
        out = []
        for r in self.store.query(sql, tuple(params)):
            out.append(HistoryRow(r["id"], r["job_id"], r["tracking_number"], r["order_id"] or "", r["state"],
                                  r["reprint_reason"] or "", r["printer_uri"], r["done_at"] or r["created_at"],
                                  json.loads(r["masked"]) if r["masked"] else {}, r["qr_text"] or "", r["error"] or ""))
        return out

    def queue(self, limit: int = 50) -> list:
        return [self.jobs.progress(j) for j in self.jobs.jobs(limit)]

    def close(self) -> None:
        self.store.close()
