"""``sigilo purge``: delete printed-label records, finished jobs, drafts and alerts older than
the retention period (setting ``retention.days``, default 90), and expired virtual numbers; and
sender identity records older than their own retention period (desktop.identity)."""

from __future__ import annotations

from pathlib import Path

from desktop.i18n import _, ngettext


def register(subparsers) -> None:
    p = subparsers.add_parser("purge", help=_("remove data older than the retention period"))
    p.add_argument("--days", type=float, help=_("keep this many days (default: the retention setting)"))
    p.add_argument("--set-days", type=float, help=_("store a new retention period and purge with it"))
    p.add_argument("--actor", default="cli")
    p.add_argument("--home", type=Path)
    p.set_defaults(handler=_run)


def _run(args) -> int:
    from desktop.audit import AuditLog
    from desktop.store import open_store
    from desktop.store.retention import purge
    from desktop.virtualnum import VirtualNumbers

    with open_store(args.home) as store:
        days = args.days
        if args.set_days is not None:
            store.set_setting("retention.days", args.set_days)
            AuditLog(store).append(args.actor, "settings", "retention.days", {"value": args.set_days})
            days = args.set_days
        expired = VirtualNumbers(store).purge_expired(actor=args.actor)
        result = purge(store, days, actor=args.actor)
        from desktop.identity.export import purge_identities

        # sender identities have their own retention (real-name policy, default 2 years)
        identities = purge_identities(store, actor=args.actor)
    print(_("purge: {labels} labels, {jobs} jobs, {drafts} drafts, {alerts} alerts, {virtual} "
            "virtual numbers removed").format(labels=result.labels, jobs=result.jobs, drafts=result.drafts, alerts=result.alerts, virtual=result.virtual_numbers + expired))
    print(ngettext("purge: {n} sender identity record older than {days:g} days removed",
                   "purge: {n} sender identity records older than {days:g} days removed",
                   identities.records).format(n=identities.records, days=identities.days))
    return 0
