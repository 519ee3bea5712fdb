"""The station as the GUI sees it: its store, print jobs, operators and who is signed in.

Printing goes through desktop.jobs' JobStore, so a label printed from the form is queued,
sent, confirmed (or failed) and audited exactly like one from a batch, and History reads the
same rows: once printed, only the masked view and the sealed QR text are kept.
Qt-free, so background operations can call it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from desktop.errors import SigiloError
from desktop.paths import data_dir
from desktop.shipment import Shipment
from desktop.ui import services
from desktop.i18n import _


@dataclass(frozen=True)
class PrintOptions:
    keys_dir: Path
    copies: int = 1
    offset_x_mm: float = 0.0
    offset_y_mm: float = 0.0
    darkness: int | None = None
    speed: int | None = None
    policy: str | None = None


@dataclass(frozen=True)
class Submitted:
    """A label handed to the print queue; its fate arrives later as queue events."""

    job_id: str
    label_ids: tuple
    tracking_number: str
    printer: str
    uri: str


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
    face: dict = field(default_factory=dict)  # order, service, parcel, region: what a correction refills

    @property
    def reason(self) -> str:
        """Why this row is special: the reprint's reason, or the void's."""
        if self.state == "voided":
            return self.error.removeprefix("void: ")
        return self.reprint_reason


class Station:
    def __init__(self, home: Path | None = None) -> None:
        from desktop.jobs.jobstore import JobStore
        from desktop.store import open_store

        self.store = open_store(home)
        self.jobs = JobStore(self.store)
        self.session = None  # desktop.operators Session once signed in: it locks when left idle
        self.clock = time.time  # the session's clock (tests move it on)
        self.print_queue = None  # desktop.jobs.PrintQueue once started
        self.default_options: PrintOptions | None = None
        self._options: dict[str, PrintOptions] = {}  # per printer URI, read by the queue's renderer

    @property
    def operator(self):
        return self.session.operator if self.session is not None else None

    @property
    def actor(self) -> str:
        return self.operator.username if self.operator is not None else "station"

    def operators(self):
        from desktop.operators.accounts import Operators

        return Operators(self.store, self.jobs.audit, clock=self.clock)

    def has_operators(self) -> bool:
        return bool(self.operators().list())

    def login(self, username: str, password: str):
        from desktop.operators.session import Session

        self.session = Session.login(self.operators(), username, password, clock=self.clock)
        return self.operator

    @property
    def locked(self) -> bool:
        """True once the signed-in operator has left the station idle for the configured
        minutes (setting session.idle_minutes): nothing prints until someone signs in again."""
        return self.session is not None and self.session.locked

    def idle_minutes(self) -> float:
        return float(self.store.get_setting("session.idle_minutes", 10))

    def set_idle_minutes(self, minutes: float) -> None:
        """How long the station may be left alone before it locks (a supervisor's setting once
        operators exist); the signed-in session follows at once."""
        if self.has_operators():
            self.require("settings.change")
        self.store.set_setting("session.idle_minutes", float(minutes))
        if self.session is not None:
            self.session.idle_seconds = float(minutes) * 60

    def touch(self) -> None:
        """The operator did something: the idle time starts again (not once locked)."""
        if self.session is not None and not self.session.locked:
            self.session.touch()

    def require(self, permission: str) -> None:
        if self.session is None:
            return
        if self.session.locked:
            from desktop.operators.session import SessionLocked

            raise SessionLocked(self.operator.username)
        if not self.operator.can(permission):
            from desktop.operators.accounts import PermissionDenied

            raise PermissionDenied(_("{username} ({role}) may not {permission}").format(username=self.operator.username, role=self.operator.role, permission=permission),
                                   _("ask a supervisor to sign in or approve"))

    def needs_approval(self, permission: str) -> bool:
        """A supervisor must approve ``permission`` here: the signed-in operator may not do it
        alone, or (void) nobody is signed in to answer for it."""
        if self.operator is not None:
            return not self.operator.can(permission)
        return permission == "void"

    def approve(self, permission: str, username: str, password: str, subject: str = ""):
        """A supervisor's name and password for one action; returns the approving operator."""
        return self.operators().approve(permission, username.strip(), password, subject)

    def _approver(self, permission: str, approval):
        if approval is not None:
            if not approval.can(permission):
                from desktop.operators.accounts import PermissionDenied

                raise PermissionDenied(_("{username} ({role}) may not approve {permission}").format(username=approval.username, role=approval.role, permission=permission),
                                       _("ask a supervisor to approve"))
            return approval
        if permission == "void" and self.operator is None:
            from desktop.operators.accounts import PermissionDenied

            raise PermissionDenied(_("voiding a label needs a supervisor's approval"),
                                   _("add a supervisor in Settings > Operators, then void with their password"))
        self.require(permission)
        return self.operator

    # ------------------------------------------------------------------ the print queue
    def start_queue(self, on_event) -> list[str]:
        """Start the persistent queue (one worker thread per printer). ``on_event`` is called
        from worker threads with desktop.jobs Events. Returns labels requeued after a crash."""
        from desktop.jobs import PrintQueue

        self.print_queue = PrintQueue(self.store, self._render, actor=self.actor)
        self.jobs = self.print_queue.jobs
        self.print_queue.on_event(on_event)
        return self.print_queue.start()

    def worker_state(self, uri: str) -> tuple[str, str] | None:
        """The queue's view of a printer it is driving (its worker holds the connection, so
        the status light must not open a second one); None when no worker runs for it."""
        q = self.print_queue
        if q is None:
            return None
        worker = q._workers.get(uri)
        if worker is None or not worker.is_alive():
            return None
        return q.printer_state(uri)

    def stop_queue(self) -> None:
        if self.print_queue is not None:
            self.print_queue.stop()
            self.print_queue = None

    def _render(self, work):
        """The queue's renderer (worker thread): compose at the printer's dpi with this
        printer's calibration; a reprint reuses the stored seal and masked view."""
        from desktop.compose import compose_label
        from desktop.jobs import RenderedLabel
        from printers.lang import EncodeOptions, encode
        from printers.profiles import load_profile

        uri = self.store.query("SELECT printer_uri FROM jobs WHERE id=?", (work.job_id,))[0][0]
        opts = self._options.get(uri)
        if opts is None:  # a label left from before a restart: the station's defaults
            opts = self.default_options or PrintOptions(data_dir() / "keys")
        profile = load_profile(work.profile)
        masked = _masked_view(work.masked) if work.masked is not None else None  # a reprint from history
        label = compose_label(work.shipment, work.template, sealer=services.sealer(opts.keys_dir), dpi=profile.dpi,
                              policy=opts.policy, reprint=work.reprint, qr_text=work.qr_text, masked=masked,
                              caption_language=work.caption_language)
        data = encode(label.scene, profile, EncodeOptions(copies=max(1, opts.copies), offset_x_mm=opts.offset_x_mm,
                                                          offset_y_mm=opts.offset_y_mm, darkness=opts.darkness,
                                                          speed=opts.speed))
        return RenderedLabel(data, label.masked.to_dict(), label.qr_text, caption_language=label.caption_language)

    def _options_for(self, printer, keys_dir: Path, copies: int, calibration, policy) -> PrintOptions:
        cal = calibration
        return PrintOptions(keys_dir, max(1, int(copies)), getattr(cal, "offset_x_mm", 0.0),
                            getattr(cal, "offset_y_mm", 0.0), getattr(cal, "darkness", None),
                            getattr(cal, "speed", None), policy)

    # ------------------------------------------------------------------ printing
    def print_shipment(self, shipment: Shipment, printer, template: str, keys_dir: Path, copies: int = 1,
                       calibration=None, policy: str | None = None, identity: str | None = None):
        """A PDF "printer" is written at once (returns a PrintOutcome); a real printer gets the
        label through the queue (returns Submitted; confirmation arrives as an event).
        ``identity``: the sender's identity record id, where real-name sending applies."""
        self.require("print")
        self.identity_gate([shipment], identity, keys_dir)
        if printer.profile != "pdf" and self.print_queue is not None:
            self._options[printer.uri] = self._options_for(printer, keys_dir, copies, calibration, policy)
            job_id = self.print_queue.submit(printer.uri, printer.profile, [shipment], template, actor=self.actor)
            ids = tuple(r[0] for r in self.store.query("SELECT id FROM labels WHERE job_id=? ORDER BY idx", (job_id,)))
            return Submitted(job_id, ids, shipment.tracking_number, printer.name, printer.uri)
        job_id = self.jobs.create_job(printer.uri, printer.profile, [shipment], template, actor=self.actor)
        label_id = self.jobs.store.query("SELECT id FROM labels WHERE job_id=? ORDER BY idx", (job_id,))[0][0]
        return self._send(label_id, shipment, printer, template, keys_dir, copies, calibration, policy)

    def print_batch(self, shipments: list[Shipment], printer, template: str, keys_dir: Path, calibration=None,
                    policy: str | None = None, source: tuple[str, int, int] | None = None) -> Submitted:
        """An import's valid rows as one queue job: the queue prints them in order and reports
        each label by event, so the import page shows progress without waiting on the printer.
        ``source`` (file name, valid, invalid) goes to the audit as an import, as ``sigilo batch``
        records one: the name and counts, never the rows."""
        from desktop.errors import SigiloError

        self.require("print")
        if printer.profile == "pdf" or self.print_queue is None:
            raise SigiloError(_("{name} is not a label printer").format(name=printer.name), _("choose a label printer for a batch"))
        self.identity_gate(shipments, None, keys_dir)
        if source is not None:
            name, valid, invalid = source
            self.jobs.audit.append(self.actor, "import", name, {"rows": valid + invalid, "valid": valid,
                                                                "invalid": invalid})
        self._options[printer.uri] = self._options_for(printer, keys_dir, 1, calibration, policy)
        job_id = self.print_queue.submit(printer.uri, printer.profile, list(shipments), template, actor=self.actor)
        ids = tuple(r[0] for r in self.store.query("SELECT id FROM labels WHERE job_id=? ORDER BY idx", (job_id,)))
        return Submitted(job_id, ids, "", printer.name, printer.uri)

    def identity_gate(self, shipments, identity: str | None, keys_dir: Path) -> int:
        """The real-name check before printing (desktop.identity.gate)."""
        from desktop.identity.gate import before_print

        return before_print(self.store, shipments, identity, keys_dir, clock=self.clock)

    def confirmed_tracking(self, job_ids) -> set[str]:
        """Tracking numbers these jobs printed: a retry prints only the rest."""
        out: set[str] = set()
        for job_id in job_ids:
            rows = self.store.query("SELECT tracking_number FROM labels WHERE job_id=? AND state='confirmed'", (job_id,))
            out |= {r[0] for r in rows}
        return out

    def label_state(self, label_id: int) -> tuple[str, str]:
        """(state, error) of one label now: a fast printer may confirm a label before the GUI
        has heard that it was queued."""
        rows = self.store.query("SELECT state, error FROM labels WHERE id=?", (label_id,))
        return (rows[0]["state"], rows[0]["error"] or "") if rows else ("", "")

    def outcome(self, label_id: int, printer_name: str):
        """What the store kept of a confirmed label, as a PrintOutcome."""
        row = self.store.query("SELECT * FROM labels WHERE id=?", (label_id,))[0]
        return services.PrintOutcome(tracking_number=row["tracking_number"], printer=printer_name,
                                     where=row["printer_uri"], bytes_sent=0, qr_text=row["qr_text"] or "",
                                     masked=json.loads(row["masked"]) if row["masked"] else {}, labels=1,
                                     data_hash=row["bytes_hash"] or "")

    def retry_failed(self, job_id: str, printer, keys_dir: Path, calibration=None) -> int:
        """Send again only the labels of a job that failed (their shipment is still held
        encrypted until confirmed)."""
        job = self.store.query("SELECT printer_uri, profile FROM jobs WHERE id=?", (job_id,))
        if self.print_queue is not None and job and job[0]["profile"] != "pdf":
            self._options.setdefault(job[0]["printer_uri"], self._options_for(printer, keys_dir, 1, calibration, None))
            return self.print_queue.retry_failed(job_id)
        count = self.jobs.retry_failed(job_id)
        rows = self.store.query("SELECT l.*, j.template, j.profile FROM labels l JOIN jobs j ON j.id=l.job_id "
                                "WHERE l.job_id=? AND l.state='queued'", (job_id,))
        for row in rows:
            work = self.jobs.work_for(row)
            self._send(row["id"], work.shipment, printer, work.template, keys_dir, 1, calibration, None,
                       reprint=work.reprint)
        return count

    def set_job_state(self, job_id: str, state: str) -> None:
        if self.print_queue is not None:
            {"paused": self.print_queue.pause, "active": self.print_queue.resume,
             "cancelled": self.print_queue.cancel}[state](job_id)
        else:
            self.jobs.set_job_state(job_id, state)

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
        from desktop.jobs.jobstore import face_of

        self.jobs.mark_confirmed(label_id, outcome.data_hash, outcome.masked, outcome.qr_text, printer.uri,
                                 actor=self.actor, face=face_of(shipment))
        return outcome

    def _printed(self, label_id: int):
        rows = self.store.query("SELECT l.*, j.template FROM labels l JOIN jobs j ON j.id=l.job_id WHERE l.id=?",
                                (label_id,))
        return rows[0] if rows else None

    def reprint(self, label_id: int, reason: str, printer, keys_dir: Path, calibration=None, approval=None):
        """Print a stored label again with its REPRINT mark, from what the store kept: the masked
        view, the sealed QR text (the same seal) and the face's order id, service and parcel;
        the plaintext is gone. ``approval``: a supervisor from approve("reprint", ...) when the
        signed-in operator may not reprint alone."""
        reason = (reason or "").strip()
        if not reason:
            raise SigiloError(_("a reprint needs a reason"), _("type why the label is printed again (damaged, jammed…)"))
        approver = self._approver("reprint", approval)
        approved_by = approver.username if approver is not None and approver is not self.operator else None
        row = self._printed(label_id)
        if row is None or row["state"] != "confirmed" or not row["qr_text"]:
            why = (_("this label was voided, so there is nothing to reprint")
                   if row is not None and row["state"] == "voided"
                   else _("this label was never printed, so there is nothing to reprint"))
            raise SigiloError(why,
                              _("print it from the form or retry it from the queue"))
        masked = _masked_view(json.loads(row["masked"]))
        stub = _face_shipment(row["tracking_number"], json.loads(row["face"]) if row["face"] else {}, masked)
        if printer.profile != "pdf" and self.print_queue is not None:
            self._options[printer.uri] = self._options_for(printer, keys_dir, 1, calibration, None)
            if row["face"]:
                job_id = self.print_queue.reprint([row["tracking_number"]], printer.uri, printer.profile, reason,
                                                  template=row["template"], actor=self.actor, approved_by=approved_by)
            else:  # printed before the store kept faces: what the masked view shows
                job_id = self.print_queue.submit(printer.uri, printer.profile, [stub], row["template"],
                                                 reprint_reason=reason, actor=self.actor, approved_by=approved_by)
            ids = tuple(r[0] for r in self.store.query("SELECT id FROM labels WHERE job_id=?", (job_id,)))
            return Submitted(job_id, ids, row["tracking_number"], printer.name, printer.uri)
        job_id = self.jobs.create_job(printer.uri, printer.profile, [stub], row["template"], actor=self.actor,
                                      reprint_reason=reason, approved_by=approved_by)
        new_id = self.store.query("SELECT id FROM labels WHERE job_id=?", (job_id,))[0][0]
        return self._send(new_id, stub, printer, row["template"], keys_dir, 1, calibration, None,
                          reprint=reason, qr_text=row["qr_text"], masked=masked)

    def void(self, label_id: int, reason: str, approval=None) -> str:
        """Void a printed label (wrong phone, parcel not sent): it stays in history as voided
        with its reason; the audit names who asked and the supervisor who approved."""
        reason = (reason or "").strip()
        if not reason:
            raise SigiloError(_("voiding needs a reason"), _("say why, e.g. 'wrong phone'"))
        approver = self._approver("void", approval)
        row = self._printed(label_id)
        if row is None or row["state"] != "confirmed":
            raise SigiloError(_("only a printed label can be voided"),
                              _("a failed label was never printed; one already voided needs nothing more"))
        self.jobs.void(row["tracking_number"], reason, self.actor, approver.username)
        return row["tracking_number"]

    # ------------------------------------------------------------------ scanning
    def scan(self, text: str, keys_dir: Path, barcode: str | None = None) -> dict:
        """Open a sealed QR with this machine's scanner key, audited like ``sigilo scan``: only
        public facts (tracking number, station, key id, refusal reason), never the shipment."""
        from desktop.seal.auditing import claimed_tracking

        try:
            result = services.open_seal(text, keys_dir, barcode)
        except SigiloError as exc:  # every failed scan is audited, an older trust list too
            default = "not-authorized" if isinstance(exc, services.NotAuthorized) else type(exc).__name__
            reason = getattr(exc, "reason", default)
            self.jobs.audit.append(self.actor, "scan_failed", claimed_tracking(text),
                                   {"reason": reason, "barcode_checked": barcode is not None, "via": "gui"})
            raise
        self.jobs.audit.append(self.actor, "scan", result["tracking_number"],
                               {"station_id": result["station_id"], "fleet_key_id": result["fleet_key_id"],
                                "barcode_checked": barcode is not None, "via": "gui"})
        return result

    # ------------------------------------------------------------------ reading back
    def history(self, text: str = "", day: str = "", limit: int = 500) -> list[HistoryRow]:
        """Printed and failed labels, newest first; ``text`` matches tracking number or order id,
        ``day`` (YYYY-MM-DD, local time) the day it was printed."""
        sql = ("SELECT l.*, COALESCE(json_extract(l.face, '$.order_id'), '') AS order_id FROM labels l "
               "WHERE l.state IN ('confirmed','failed','voided')")
        params: list = []
        if text.strip():
            sql += " AND (l.tracking_number LIKE ? OR json_extract(l.face, '$.order_id') LIKE ?)"
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
                                  json.loads(r["masked"]) if r["masked"] else {}, r["qr_text"] or "", r["error"] or "",
                                  json.loads(r["face"]) if r["face"] else {}))
        return out

    def jobs_progress(self, limit: int = 50) -> list:
        return [self.jobs.progress(j) for j in self.jobs.jobs(limit)]

    def close(self) -> None:
        self.stop_queue()
        self.store.close()


def _masked_view(m: dict):
    from desktop.masking.view import MaskedParty, MaskedView

    return MaskedView(recipient=MaskedParty(**m["recipient"]), sender=MaskedParty(**m["sender"]),
                      policy=m.get("policy", ""))


def _face_shipment(tracking: str, face: dict, masked) -> Shipment:
    """The shipment a reprint composes from: the stored face (order id, service, parcel, sorting
    region) with the masked names and phones; the sealed QR carries the rest unchanged."""
    r, snd = masked.recipient, masked.sender
    region = face.get("recipient", {})
    data = {
        "tracking_number": tracking, "order_id": face.get("order_id", ""), "service": face.get("service") or "standard",
        "recipient": {"name": r.name, "phone": r.phone, "country": r.country or region.get("country", ""),
                      "province": region.get("province", ""), "city": region.get("city", ""),
                      "district": region.get("district", ""), "postcode": r.postcode},
        "sender": {"name": snd.name, "phone": snd.phone, "country": snd.country, "postcode": snd.postcode},
    }
    if face.get("parcel"):
        data["parcel"] = face["parcel"]
    return Shipment.from_dict(data)
