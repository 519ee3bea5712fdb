"""``sigilo purge``: delete printed-label records, finished jobs, drafts and alerts older than
the retention period (setting ``retention.days``, default 90), and expired virtual numbers; and
sender identity records older than their own retention period (desktop.identity)."""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("purge", help="remove data older than the retention period")
    p.add_argument("--days", type=float, help="keep this many days (default: the retention setting)")
    p.add_argument("--set-days", type=float, help="store a new retention period and purge with it")
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
    print(f"purge: {result.labels} labels, {result.jobs} jobs, {result.drafts} drafts, {result.alerts} alerts, "
          f"{result.virtual_numbers + expired} virtual numbers removed")
    print(f"purge: {identities.records} sender identity record(s) older than {identities.days:g} days removed")
    return 0
