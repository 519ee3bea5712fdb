"""Print tasks and their documents, at rest in the station's store.

A task (``taskID``) and a document (``documentID``) are known by their ids per origin, so a
page that retries a request - after a timeout, a dropped socket, a reload - prints nothing new
and hears the current states. Each document's state (queued, rendered, printed, failed with a
code, the field at fault and a reason) is a row here, reconciled from the print queue's labels,
so it survives a restart of the station; every change is also written as a numbered notice
that a reconnecting page asks for again (``resume``).

Nothing of the shipment is kept here: the print queue keeps it encrypted until the label is
printed, then only its masked view. A document row holds ids, the tracking number (printed in
clear on the label anyway), its state and timestamps.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from desktop.bridge.errors import BridgeRefusal
from desktop.bridge.printing import LABEL_TO_DOCUMENT, BridgePrinting
from desktop.bridge.protocol import MAX_DOCUMENTS, text_id
from desktop.store.db import Store

QUEUED, RENDERED, PRINTED, FAILED = "queued", "rendered", "printed", "failed"
OPEN_STATES = (QUEUED, RENDERED)
_ORDER = {QUEUED: 0, RENDERED: 1, PRINTED: 2, FAILED: 2}
MAX_COPIES = 20
NOTICE_DAYS = 7  # notices older than this are dropped (a page away longer asks getTaskStatus)
RESUME_BATCH = 2000


@dataclass
class Notice:
    seq: int
    origin: str
    body: dict


def task_status(states: list[str]) -> str:
    """A task's state from its documents': printed when all are, failed when all are final
    and one failed, rendered when none is still queued, else queued."""
    if states and all(s == PRINTED for s in states):
        return PRINTED
    if all(s in (PRINTED, FAILED) for s in states):
        return FAILED
    if all(s != QUEUED for s in states):
        return RENDERED
    return QUEUED


class Tasks:
    def __init__(self, store: Store, printing: BridgePrinting) -> None:
        self.store = store
        self.printing = printing

    # --- print ----------------------------------------------------------------------
    def print_task(self, origin: str, task: Any) -> tuple[dict, list[Notice]]:
        """Accept a task (or answer a retried one). Returns the reply's fields and the notices
        written for documents refused at once."""
        if not isinstance(task, dict):
            raise BridgeRefusal("BAD_TASK", "print needs a task object", "task")
        task_id = text_id(task, "taskID", "task.taskID")
        documents = task.get("documents")
        if not isinstance(documents, list) or not documents:
            raise BridgeRefusal("BAD_TASK", "task.documents must be a non-empty list", "task.documents")
        if len(documents) > MAX_DOCUMENTS:
            raise BridgeRefusal("TOO_MANY_DOCUMENTS",
                                f"the task has {len(documents)} documents; the limit is {MAX_DOCUMENTS} a task "
                                "(split it into several tasks)", "task.documents")
        printer = task.get("printer") or self.printing.default
        if not isinstance(printer, str) or printer not in self.printing.printers:
            raise BridgeRefusal("UNKNOWN_PRINTER", "the task's printer is not one of getPrinters' names",
                                "task.printer", printers=sorted(self.printing.printers))
        doc_ids = []
        for n, doc in enumerate(documents):
            if not isinstance(doc, dict):
                raise BridgeRefusal("BAD_TASK", f"task.documents[{n}] must be an object", f"task.documents[{n}]")
            doc_ids.append(text_id(doc, "documentID", f"task.documents[{n}].documentID"))
        if len(set(doc_ids)) != len(doc_ids):
            raise BridgeRefusal("BAD_TASK", "a documentID appears twice in the task", "task.documents")

        known = self.store.query("SELECT documents FROM bridge_tasks WHERE origin=? AND task_id=?", (origin, task_id))
        if known:
            if json.loads(known[0][0]) != doc_ids:
                raise BridgeRefusal("TASK_CONFLICT", "this taskID was already used for other documents; "
                                    "send new documents under a new taskID", "task.taskID")
            return {**self.status_of(origin, task_id), "retried": True}, []

        now = time.time()
        existing = self._documents(origin, doc_ids)
        plans = []  # (index, doc_id, plan) where plan is ("known", row) | ("fail", code, field, msg) | ("print", ...)
        seen_tracking: set[str] = set()
        for idx, (doc, doc_id) in enumerate(zip(documents, doc_ids)):
            row = existing.get(doc_id)
            if row is not None and row["status"] != FAILED:
                plans.append((idx, doc_id, ("known", row)))
                continue
            plans.append((idx, doc_id, self._plan(doc, idx, seen_tracking)))

        # the documents' rows first: a crash between here and the queue leaves them "queued"
        # without a label, which the next start marks failed (nothing printed; send again)
        with self.store.tx() as c:
            c.execute("INSERT INTO bridge_tasks(origin, task_id, printer, documents, created_at) VALUES(?,?,?,?,?)",
                      (origin, task_id, printer, json.dumps(doc_ids), now))
            for idx, doc_id, plan in plans:
                if plan[0] == "known":
                    continue
                if plan[0] == "fail":
                    _, code, field, msg, tracking = plan
                    status, copies = FAILED, 1
                else:
                    _, shipment, template, copies = plan
                    code = field = msg = ""
                    tracking, status = shipment.tracking_number, QUEUED
                c.execute("INSERT INTO bridge_documents(origin, document_id, task_id, idx, tracking_number, copies,"
                          " status, code, field, msg, created_at) VALUES(?,?,?,?,?,?,?,?,?,?,?) "
                          "ON CONFLICT(origin, document_id) DO UPDATE SET task_id=excluded.task_id, idx=excluded.idx,"
                          " tracking_number=excluded.tracking_number, copies=excluded.copies, status=excluded.status,"
                          " code=excluded.code, field=excluded.field, msg=excluded.msg, label_id=NULL,"
                          " created_at=excluded.created_at, rendered_at=NULL, printed_at=NULL",
                          (origin, doc_id, task_id, idx, tracking, copies, status, code, field, msg, now))
        groups: dict[str, list] = {}
        for idx, doc_id, plan in plans:
            if plan[0] == "print":
                groups.setdefault(plan[2], []).append((doc_id, plan[1], plan[3]))
        for template, items in groups.items():
            try:
                label_ids = self.printing.submit(printer, template, [(s, copies) for _, s, copies in items])
            except Exception as exc:  # noqa: BLE001 - the page hears why; the rows say failed
                from desktop.errors import SigiloError

                reason = exc.message if isinstance(exc, SigiloError) else "the print queue refused the documents"
                with self.store.tx() as c:
                    for doc_id, _, _ in items:
                        c.execute("UPDATE bridge_documents SET status=?, code='PRINT_FAILED', msg=? "
                                  "WHERE origin=? AND document_id=?", (FAILED, reason, origin, doc_id))
                continue
            with self.store.tx() as c:
                for (doc_id, shipment, _), label_id in zip(items, label_ids):
                    if label_id is None:  # the station's index refused it: printed meanwhile
                        c.execute("UPDATE bridge_documents SET status=?, code='DUPLICATE_TRACKING', "
                                  "field='tracking_number', msg=? WHERE origin=? AND document_id=?",
                                  (FAILED, _duplicate_msg(shipment.tracking_number), origin, doc_id))
                        continue
                    c.execute("UPDATE bridge_documents SET label_id=? WHERE origin=? AND document_id=?",
                              (label_id, origin, doc_id))
        failed_now = [doc_id for _, doc_id, plan in plans if plan[0] == "fail"] + [
            doc_id for items in groups.values() for doc_id, _, _ in items]
        reply = self.status_of(origin, task_id)
        notices = []
        failed_entries = [e for e in reply["printStatus"] if e["documentID"] in failed_now and e["status"] == FAILED]
        if failed_entries:
            notices.append(self._notice(origin, task_id, reply["taskStatus"], failed_entries))
        return reply, notices

    def _plan(self, doc: dict, idx: int, seen_tracking: set[str]) -> tuple:
        from desktop.compose.templates import list_templates
        from desktop.validation import validate

        where = f"task.documents[{idx}]"
        contents = doc.get("contents")
        if not isinstance(contents, list) or not contents or not isinstance(contents[0], dict):
            return ("fail", "INVALID_DOCUMENT", "contents", f"{where}.contents must be a list holding one object "
                    "with data", "")
        content = contents[0]
        data = content.get("data")
        if not isinstance(data, dict):
            if "encryptedData" in content:
                return ("fail", "INVALID_DOCUMENT", "contents", "encryptedData is the Cainiao component's; the "
                        "Sigilo bridge needs the shipment in contents[0].data", "")
            return ("fail", "INVALID_DOCUMENT", "contents", "contents[0].data must be a shipment object", "")
        data = dict(data)
        template = data.pop("template", None) or content.get("template") or "waybill-100x150"
        copies = data.pop("copies", 1)
        tracking = data.get("tracking_number") if isinstance(data.get("tracking_number"), str) else ""
        tracking = tracking[:64]
        if not isinstance(template, str) or template not in list_templates():
            return ("fail", "INVALID_DOCUMENT", "template", "the template is not one of this station's "
                    f"({', '.join(list_templates())})", tracking)
        if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= MAX_COPIES:
            return ("fail", "INVALID_DOCUMENT", "copies", f"copies must be a whole number from 1 to {MAX_COPIES}",
                    tracking)
        try:
            result = validate(data)
        except Exception:  # noqa: BLE001 - whatever a page sends, it hears a field, never a traceback
            return ("fail", "INVALID_DOCUMENT", "data", "the shipment cannot be read; see docs/bridge.md for its shape",
                    tracking)
        if not result.ok:
            first = result.errors[0]
            msg = "; ".join(str(e) for e in result.errors)
            return ("fail", "INVALID_DOCUMENT", first.field, msg[:500], tracking)
        shipment = result.shipment
        tracking = shipment.tracking_number
        if tracking in seen_tracking or self.printing.is_live(tracking):
            return ("fail", "DUPLICATE_TRACKING", "tracking_number", _duplicate_msg(tracking), tracking)
        seen_tracking.add(tracking)
        return ("print", shipment, template, copies)

    # --- states -----------------------------------------------------------------------
    def _documents(self, origin: str, doc_ids: list[str]) -> dict[str, Any]:
        out = {}
        for start in range(0, len(doc_ids), 500):
            chunk = doc_ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.store.query(f"SELECT * FROM bridge_documents WHERE origin=? AND document_id IN ({marks})",
                                      (origin, *chunk)):
                out[r["document_id"]] = r
        return out

    def status_of(self, origin: str, task_id: str) -> dict:
        """``{taskID, taskStatus, printStatus: [...]}`` of a known task, documents in order."""
        rows = self.store.query("SELECT documents, printer FROM bridge_tasks WHERE origin=? AND task_id=?",
                                (origin, task_id))
        if not rows:
            raise BridgeRefusal("UNKNOWN_TASK", "no task with this taskID was sent from this origin", "taskID")
        doc_ids = json.loads(rows[0][0])
        docs = self._documents(origin, doc_ids)
        entries = []
        for doc_id in doc_ids:
            row = docs.get(doc_id)
            entries.append(_entry(doc_id, row, task_id) if row is not None else
                           {"documentID": doc_id, "status": FAILED, "code": "PRINT_FAILED", "msg": "unknown document"})
        return {"taskID": task_id, "printer": rows[0][1], "taskStatus": task_status([e["status"] for e in entries]),
                "printStatus": entries}

    def reconcile(self) -> list[Notice]:
        """Bring open documents up to their labels' states; one notice per task that moved.
        Called whenever the queue reports a change, at start, and now and then (another
        Sigilo process may drive the printer and print the labels)."""
        rows = self.store.query(
            "SELECT d.origin, d.document_id, d.task_id, d.status, l.state AS lstate, l.error, l.sent_at, l.done_at "
            "FROM bridge_documents d JOIN labels l ON l.id=d.label_id WHERE d.status IN ('queued','rendered')")
        changes: dict[tuple[str, str], list] = {}
        now = time.time()
        for r in rows:
            new = LABEL_TO_DOCUMENT.get(r["lstate"], QUEUED)
            if _ORDER[new] <= _ORDER[r["status"]]:  # never back: a label requeued after a crash stays "rendered"
                continue
            changes.setdefault((r["origin"], r["task_id"]), []).append((r, new))
        if not changes:
            return []
        notices = []
        with self.store.tx() as c:
            for (origin, task_id), moved in changes.items():
                for r, new in moved:
                    if new == FAILED:
                        c.execute("UPDATE bridge_documents SET status=?, code='PRINT_FAILED', msg=? "
                                  "WHERE origin=? AND document_id=?",
                                  (FAILED, (r["error"] or "the label was not printed")[:500], origin, r["document_id"]))
                    else:
                        rendered = r["sent_at"] or now
                        printed = (r["done_at"] or now) if new == PRINTED else None
                        c.execute("UPDATE bridge_documents SET status=?, rendered_at=COALESCE(rendered_at, ?), "
                                  "printed_at=? WHERE origin=? AND document_id=?",
                                  (new, rendered, printed, origin, r["document_id"]))
        for (origin, task_id), moved in changes.items():
            ids = [r["document_id"] for r, _ in moved]
            docs = self._documents(origin, ids)
            state = self.status_of(origin, task_id)["taskStatus"]
            jumped = [r["document_id"] for r, new in moved if r["status"] == QUEUED and new == PRINTED]
            if jumped:  # a page hears "rendered" before "printed", even when both came at once
                notices.append(self._notice(origin, task_id, RENDERED, [
                    {**_entry(d, docs[d], task_id), "status": RENDERED} for d in jumped]))
            notices.append(self._notice(origin, task_id, state, [_entry(d, docs[d], task_id) for d in ids]))
        return notices

    def repair_after_restart(self) -> list[Notice]:
        """Documents accepted but never queued (the station stopped in between): failed, with
        nothing printed, so the page may send them again."""
        rows = self.store.query("SELECT origin, document_id, task_id FROM bridge_documents "
                                "WHERE status='queued' AND label_id IS NULL")
        if not rows:
            return []
        msg = "the station stopped before this document reached the print queue; nothing was printed; send it again"
        with self.store.tx() as c:
            for r in rows:
                c.execute("UPDATE bridge_documents SET status=?, code='PRINT_FAILED', msg=? "
                          "WHERE origin=? AND document_id=?", (FAILED, msg, r["origin"], r["document_id"]))
        notices = []
        for origin, task_id in {(r["origin"], r["task_id"]) for r in rows}:
            status = self.status_of(origin, task_id)
            ids = {r["document_id"] for r in rows if r["origin"] == origin and r["task_id"] == task_id}
            notices.append(self._notice(origin, task_id, status["taskStatus"],
                                        [e for e in status["printStatus"] if e["documentID"] in ids]))
        return notices

    # --- notices ----------------------------------------------------------------------
    def _notice(self, origin: str, task_id: str, task_state: str, entries: list[dict]) -> Notice:
        body = {"cmd": "notifyPrintResult", "taskID": task_id, "taskStatus": task_state, "printStatus": entries}
        with self.store.tx() as c:
            cur = c.execute("INSERT INTO bridge_notices(origin, task_id, body, created_at) VALUES(?,?,?,?)",
                            (origin, task_id, json.dumps(body, ensure_ascii=False), time.time()))
            seq = cur.lastrowid
        return Notice(seq, origin, {**body, "seq": seq})

    def notices_after(self, origin: str, after: int, limit: int = RESUME_BATCH) -> list[Notice]:
        rows = self.store.query("SELECT seq, body FROM bridge_notices WHERE origin=? AND seq>? ORDER BY seq LIMIT ?",
                                (origin, after, limit))
        return [Notice(r[0], origin, {**json.loads(r[1]), "seq": r[0]}) for r in rows]

    def last_seq(self, origin: str) -> int:
        rows = self.store.query("SELECT MAX(seq) FROM bridge_notices WHERE origin=?", (origin,))
        return int(rows[0][0] or 0)

    def purge_old_notices(self) -> None:
        with self.store.tx() as c:
            c.execute("DELETE FROM bridge_notices WHERE created_at<?", (time.time() - NOTICE_DAYS * 86400,))


def _entry(doc_id: str, row, task_id: str) -> dict:
    entry = {"documentID": doc_id, "status": row["status"], "msg": row["msg"] or ""}
    if row["code"]:
        entry["code"] = row["code"]
    if row["field"]:
        entry["field"] = row["field"]
    if row["task_id"] != task_id:  # printed (or queued) by an earlier task of this page
        entry["taskID"] = row["task_id"]
    if row["tracking_number"]:
        entry["trackingNumber"] = row["tracking_number"]
    return entry


def _duplicate_msg(tracking: str) -> str:
    return (f"a label with the tracking number {tracking} is already printed or queued at this station; "
            "a reprint needs a supervisor at the station, a corrected label a new number")
