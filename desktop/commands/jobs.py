"""``sigilo jobs``: the print queue from a terminal. ``list`` shows recent jobs with their
label counts and the printer's state, ``show JOB`` each label, ``retry JOB`` queues the failed
labels again, ``cancel JOB`` withdraws what is not yet sent, ``resume [JOB]`` prints what a
job (or every unfinished job) has left - after a crash, the labels whose fate is unknown marked -
with a progress line, ``history [SEARCH]`` finds printed
labels by tracking number or order id, ``reprint TRACKING... --reason R --printer URI`` prints
them again from history with a REPRINT mark and ``void TRACKING --reason R`` voids one - both
approved by a supervisor (``--supervisor NAME``; the password from SIGILO_SUPERVISOR_PASSWORD,
a --password-file, or asked). A running Sigilo (GUI or ``sigilo print``) driving the printer
picks up retried labels."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from desktop.i18n import _



def register(subparsers) -> None:
    p = subparsers.add_parser("jobs", help=_("print jobs: list, show, retry failed, cancel, history"))
    p.add_argument("action", nargs="?", choices=["list", "show", "retry", "cancel", "resume", "history", "reprint",
                                                 "void"],
                   default="list")
    p.add_argument("arg", nargs="?", help=_("job id (show, retry, cancel, resume), search text (history) or tracking "
                                            "number (reprint, void)"))
    p.add_argument("more", nargs="*", help=_("more tracking numbers (reprint)"))
    p.add_argument("--json", action="store_true")
    p.add_argument("--home", type=Path)
    p.add_argument("--reason", help=_("why (reprint, void), e.g. damaged"))
    p.add_argument("--supervisor", help=_("the approving supervisor's user name (reprint, void)"))
    p.add_argument("--password-file", type=Path, help=_("file holding the supervisor's password"))
    p.add_argument("--printer", metavar="URI", help=_("printer for a reprint"))
    p.add_argument("--profile", default="tspl-203", help=_("printer profile for a reprint (default: tspl-203)"))
    p.add_argument("--template", help=_("template for a reprint (default: the one each label was printed on)"))
    p.add_argument("--actor", default="", help=_("who asks (recorded in the audit; default cli:USER)"))
    keys = p.add_mutually_exclusive_group()
    keys.add_argument("--keys", type=Path, default=None, help=_("resume: station keys directory (default: the station's keys/)"))
    keys.add_argument("--demo-keys", action="store_true", help=_("resume: seal with demo keys (DEMO ONLY)"))
    p.add_argument("--passphrase-file", type=Path, default=None,
                   help=_("resume: passphrase of the station key (else SIGILO_PASSPHRASE)"))
    p.set_defaults(handler=_run)


def _when(ts) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S") if ts else "-"


def _run(args) -> int:
    from desktop.errors import SigiloError
    from desktop.jobs.jobstore import JobStore
    from desktop.store import open_store

    if args.action in ("reprint", "void"):
        return _approved(args)
    if args.action == "resume":
        return _resume(args)
    with open_store(args.home) as store:
        jobs = JobStore(store)
        if args.action in ("show", "retry", "cancel") and not args.arg:
            raise SigiloError(_("which job? `sigilo jobs {action} JOB`").format(action=args.action), _("`sigilo jobs list` shows job ids"))
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
            print(_("jobs: {retry_failed} failed label(s) queued again").format(retry_failed=jobs.retry_failed(args.arg)))
        elif args.action == "cancel":
            jobs.progress(args.arg)
            jobs.set_job_state(args.arg, "cancelled")
            print(_("jobs: {arg} cancelled").format(arg=args.arg))
        else:
            for item in jobs.history(args.arg or ""):
                if args.json:
                    print(json.dumps(item, ensure_ascii=False))
                else:
                    who = (item["masked"] or {}).get("recipient", {})
                    print(f"{_when(item['printed_at'])}\t{item['tracking_number']}\t{item['state']}\t"
                          f"{who.get('name', '')} {who.get('phone', '')}"
                          + (f"\tREPRINT: {item['reprint']}" if item["reprint"] else "")
                          + (f"\t{item['error']}" if item["state"] == "voided" and item["error"] else ""))
    return 0


def _password(args) -> str:
    import getpass
    import os

    from desktop.errors import SigiloError

    if args.password_file:
        try:
            return args.password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SigiloError(_("cannot read --password-file {password_file} ({strerror})").format(password_file=args.password_file, strerror=exc.strerror),
                              _("give a readable file holding the password")) from None
    if os.environ.get("SIGILO_SUPERVISOR_PASSWORD"):
        return os.environ["SIGILO_SUPERVISOR_PASSWORD"]
    return getpass.getpass(f"password of {args.supervisor}: ")


def _approved(args) -> int:
    """Reprint and void need a supervisor's name and password, checked like a sign-in."""
    from desktop.errors import SigiloError
    from desktop.operators import Operators
    from desktop.seal.auditing import actor as default_actor

    if args.home:
        import os

        os.environ["SIGILO_HOME"] = str(args.home)
    if not args.arg:
        raise SigiloError(_("which label? `sigilo jobs {action} TRACKING --reason R --supervisor NAME`").format(action=args.action),
                          _("`sigilo jobs history ORDER-ID` finds the tracking number"))
    if not (args.reason or "").strip():
        raise SigiloError(_("a {action} needs a reason").format(action=args.action), _("add --reason, e.g. --reason damaged"))
    if not args.supervisor:
        raise SigiloError(_("a {action} needs a supervisor's approval").format(action=args.action), _("add --supervisor NAME"))
    actor = args.actor or default_actor()
    from desktop.station import Station

    with Station(actor=actor) as station:
        approval = Operators(station.store).approve(args.action, args.supervisor, _password(args), args.arg)
        if args.action == "void":
            station.void_tracking(args.arg, args.reason, approval)
            print(_("jobs: {arg} voided ({reason}), approved by {username}").format(
                arg=args.arg, reason=args.reason, username=approval.username))
            return 0
        if not args.printer:
            raise SigiloError(_("a reprint needs a printer"), _("add --printer URI"))
        progress = station.reprint_and_wait([args.arg, *args.more], args.printer, args.profile, args.reason,
                                            approval=approval, template=args.template)
    done = progress.count("confirmed")
    print(_("jobs: reprinted {done} label(s) marked REPRINT ({reason}), approved by {username}").format(done=done, reason=args.reason, username=approval.username))
    return 0 if done == len(progress.labels) else 1


def _resume(args) -> int:
    """Drive unfinished jobs to their end in this process, as the GUI does when it starts."""
    import os
    import sys

    from desktop.errors import SigiloError
    from desktop.jobs.jobstore import JobStore
    from desktop.jobs.resume import summary, unfinished_jobs
    from desktop.store import open_store

    if args.home:
        os.environ["SIGILO_HOME"] = str(args.home)
    with open_store() as store:
        jobs = JobStore(store)
        if args.arg:
            progress = jobs.progress(args.arg)
            if progress.finished:
                done = progress.count("confirmed")
                print(_("jobs: {job} has nothing left to print ({summary})").format(job=args.arg,
                                                                                  summary=summary(progress)))
                return 0 if done == len(progress.labels) else 1
            if progress.state == "cancelled":
                raise SigiloError(_("job {job} was cancelled").format(job=args.arg),
                                  _("submit its labels again to print them"))
            todo = [args.arg]
        else:
            todo = unfinished_jobs(store)
        if not todo:
            print(_("jobs: nothing to resume (no job has labels left to print)"))
            return 0
        needs_seal = any(_needs_seal(jobs, job) for job in todo)
    sealer = None
    if needs_seal or args.keys or args.demo_keys:
        from desktop.commands.print import _sealer

        sealer = _sealer(args)
    from desktop.station import Station

    with Station(sealer=sealer, actor=args.actor or _default_actor()) as station:
        results = station.resume_and_wait(
            todo, warn=lambda work, warning: print(_("sigilo jobs: label {number}: {warning}").format(
                number=work.index + 1, warning=warning), file=sys.stderr))
    ok = True
    for p in results:
        done = p.count("confirmed")
        print(_("jobs: {job}: {summary} to {printer}.").format(job=p.job_id, summary=summary(p), printer=p.printer_uri))
        ok = ok and done == len(p.labels)
    return 0 if ok else 1


def _needs_seal(jobs, job_id: str) -> bool:
    """Does a label left in the job need sealing (a new label), or only what history kept (a reprint)?"""
    rows = jobs.store.query("SELECT l.*, j.template, j.profile FROM labels l JOIN jobs j ON j.id=l.job_id "
                            "WHERE l.job_id=? AND l.state IN ('queued','sent') AND l.payload IS NOT NULL LIMIT 1",
                            (job_id,))
    if not rows:
        return False
    try:
        return jobs.work_for(rows[0]).qr_text is None
    except Exception:
        return True


def _default_actor() -> str:
    from desktop.seal.auditing import actor

    return actor()
