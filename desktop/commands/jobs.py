"""``sigilo jobs``: the print queue from a terminal. ``list`` shows recent jobs with their
label counts and the printer's state, ``show JOB`` each label, ``retry JOB`` queues the failed
labels again, ``cancel JOB`` withdraws what is not yet sent, ``history [SEARCH]`` finds printed
labels by tracking number or order id. A running Sigilo (GUI or ``sigilo print``) driving the
printer picks up retried labels."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("jobs", help="print jobs: list, show, retry failed, cancel, history")
    p.add_argument("action", nargs="?", choices=["list", "show", "retry", "cancel", "history"], default="list")
    p.add_argument("arg", nargs="?", help="job id (show, retry, cancel) or search text (history)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--home", type=Path)
    p.set_defaults(handler=_run)


def _when(ts) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S") if ts else "-"


def _run(args) -> int:
    from desktop.errors import SigiloError
    from desktop.jobs.jobstore import JobStore
    from desktop.store import open_store

    with open_store(args.home) as store:
        jobs = JobStore(store)
        if args.action in ("show", "retry", "cancel") and not args.arg:
            raise SigiloError(f"which job? `sigilo jobs {args.action} JOB`", "`sigilo jobs list` shows job ids")
        if args.action == "list":
            for job_id in jobs.jobs(50):
                p = jobs.progress(job_id)
                counts = {s: p.count(s) for s in ("queued", "sent", "confirmed", "failed", "cancelled")}
                if args.json:
                    print(json.dumps({"job": job_id, "printer": p.printer_uri, "state": p.state, **counts,
                                      "printer_state": p.printer_state, "printer_reason": p.printer_reason}))
                else:
                    shown = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
                    printer = p.printer_state + (f" ({p.printer_reason})" if p.printer_reason else "")
                    print(f"{job_id}\t{p.state}\t{shown}\t{p.printer_uri}: {printer}")
        elif args.action == "show":
            p = jobs.progress(args.arg)
            for label in p.labels:
                row = {"index": label.index, "tracking_number": label.tracking_number, "state": label.state,
                       "reprint": label.reprint, "attempts": label.attempts, "error": label.error}
                print(json.dumps(row, ensure_ascii=False) if args.json else
                      f"{label.index}\t{label.tracking_number}\t{label.state}"
                      + (f"\tREPRINT: {label.reprint}" if label.reprint else "")
                      + (f"\t{label.error}" if label.error else ""))
        elif args.action == "retry":
            jobs.progress(args.arg)
            print(f"jobs: {jobs.retry_failed(args.arg)} failed label(s) queued again")
        elif args.action == "cancel":
            jobs.progress(args.arg)
            jobs.set_job_state(args.arg, "cancelled")
            print(f"jobs: {args.arg} cancelled")
        else:
            for item in jobs.history(args.arg or ""):
                if args.json:
                    print(json.dumps(item, ensure_ascii=False))
                else:
                    who = (item["masked"] or {}).get("recipient", {})
                    print(f"{_when(item['printed_at'])}\t{item['tracking_number']}\t{item['state']}\t"
                          f"{who.get('name', '')} {who.get('phone', '')}"
                          + (f"\tREPRINT: {item['reprint']}" if item["reprint"] else ""))
    return 0
