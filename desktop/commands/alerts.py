"""``sigilo alerts``: run the alert rules and list what a supervisor should look at;
``sigilo alerts ack ID`` marks one as seen."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from desktop.i18n import _


def register(subparsers) -> None:
    p = subparsers.add_parser("alerts", help=_("list alerts (reprint bursts, bill swiping, faults, ...)"))
    p.add_argument("action", nargs="?", choices=["list", "ack"], default="list")
    p.add_argument("id", nargs="?", type=int, help=_("alert id (for ack)"))
    p.add_argument("--all", action="store_true", help=_("include acknowledged alerts"))
    p.add_argument("--no-check", action="store_true", help=_("list without running the rules first"))
    p.add_argument("--json", action="store_true", help=_("one JSON object a line"))
    p.add_argument("--actor", default="cli")
    p.add_argument("--home", type=Path)
    p.set_defaults(handler=_run)


def _run(args) -> int:
    from desktop.alerts import Alerts
    from desktop.errors import SigiloError
    from desktop.store import open_store

    with open_store(args.home) as store:
        alerts = Alerts(store)
        if args.action == "ack":
            if args.id is None:
                raise SigiloError(_("which alert?"), _("give its id: sigilo alerts ack 3"))
            alerts.acknowledge(args.id, args.actor)
            print(_("alerts: {id} acknowledged").format(id=args.id))
            return 0
        if not args.no_check:
            alerts.evaluate()
        items = alerts.list(include_acknowledged=args.all)
    for a in items:
        if args.json:
            print(json.dumps({"id": a.id, "time": a.time, "rule": a.rule, "severity": a.severity,
                              "message": a.message, "details": a.details, "acknowledged": a.acknowledged},
                             ensure_ascii=False))
        else:
            when = datetime.fromtimestamp(a.time).strftime("%Y-%m-%d %H:%M")
            print(f"{a.id}\t{when}\t{a.severity}\t{a.rule}\t{a.message}{'  (seen)' if a.acknowledged else ''}")
    if not items and not args.json:
        print(_("alerts: none"))
    return 0
