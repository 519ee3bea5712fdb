"""``sigilo audit verify`` checks the station's hash-chained audit and names every edited,
deleted, reordered or inserted entry; ``sigilo audit export`` writes it as JSONL or CSV."""

from __future__ import annotations

import sys
from pathlib import Path

from desktop.i18n import _


def register(subparsers) -> None:
    p = subparsers.add_parser("audit", help=_("verify or export the audit log"))
    sub = p.add_subparsers(dest="audit_command", metavar="ACTION")
    v = sub.add_parser("verify", help=_("check the chain; exit 1 if anything was tampered with"))
    v.add_argument("--home", type=Path, help=_("station data folder (default: the user data folder)"))
    v.add_argument("--public-key", metavar="HEX", help=_("the station's audit public key as recorded by the auditor (`sigilo audit key`); "
                                                         "default: the key file beside the store"))
    v.add_argument("--keys", type=Path, metavar="DIR", help=_("the station's keys folder: check the chain heads its seal key countersigned against "
                                                              "its station.pub (no passphrase needed)"))
    v.set_defaults(handler=_verify)
    k = sub.add_parser("key", help=_("show the station's audit public key, for the auditor to keep"))
    k.add_argument("--home", type=Path)
    k.set_defaults(handler=_key)
    e = sub.add_parser("export", help=_("write the audit log"))
    e.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    e.add_argument("--out", type=Path, help=_("file to write (default: standard output)"))
    e.add_argument("--actor", default="cli", help=_("who exports (recorded in the audit)"))
    e.add_argument("--home", type=Path)
    e.set_defaults(handler=_export)
    p.set_defaults(handler=lambda args: (p.print_help(), 2)[1])


def _verify(args) -> int:
    from desktop.audit import verify_chain
    from desktop.errors import SigiloError
    from desktop.store import open_store

    public = None
    if args.public_key:
        try:
            public = bytes.fromhex(args.public_key.strip())
            if len(public) != 32:
                raise ValueError
        except ValueError:
            raise SigiloError(_("--public-key must be 64 hex digits"), _("copy it from `sigilo audit key`")) from None
    from desktop.store.db import DB_FILE

    home = Path(args.home) if args.home else None
    if home is None:
        from desktop.paths import data_dir

        home = data_dir()
    if not (home / DB_FILE).is_file():
        # never create a store (or an audit key) while verifying: a missing store is the finding
        print(_("audit: there is no store at {value}: the station's audit and labels are gone, or "
                "this is not the station's data folder").format(value=home / DB_FILE), file=sys.stderr)
        print(_("fix: give --home with the station's data folder; if it is right, restore the store "
                "from a backup"),
              file=sys.stderr)
        return 1
    keys = args.keys
    if keys is None and (home / "keys" / "station.pub").is_file():
        keys = home / "keys"  # the station's own keys folder: its seal key checks the anchors
    station = _station_public(keys) if keys else None
    with open_store(home) as store:
        count, problems = verify_chain(store, public, station)
        from desktop.audit.anchor import anchors
        from desktop.audit.verify import Problem

        anchored = anchors(store)
    if anchored and station is None:
        flagged = {p.seq for p in problems if p.kind in ("bad-anchor", "unanchored")}
        for a in (a for a in anchored if a.seq not in flagged):
            problems.append(Problem(a.seq, "unchecked-anchor", _("no station.pub to check its countersignature against; "
                                      "give --keys DIR with the station's keys folder")))
    for problem in problems:
        print(str(problem))
    if problems:
        print(_("audit: {n} problem(s) in {count} entries").format(n=len(problems), count=count), file=sys.stderr)
        return 1
    print(_("audit: {count} entries, chain intact and signed").format(count=count))
    if anchored:
        last = max(anchored, key=lambda a: a.seq)
        print(_("audit: {n} head(s) countersigned by station {station_id}'s seal key (checked "
                "against {value}), the newest at seq {seq}").format(n=len(anchored), station_id=last.station_id, value=keys / 'station.pub', seq=last.seq))
    return 0


def _station_public(keys: Path) -> bytes:
    from desktop.errors import SigiloError
    from desktop.keys.keyfile import load_public
    from desktop.keys.layout import KeysDir
    from desktop.keys.manage import STATION_PUB_FORMAT

    kd = KeysDir.at(keys)
    if not kd.station_pub.exists():
        raise SigiloError(_("{keys} has no station.pub").format(keys=keys), _("give the keys folder of the station that printed"))
    return bytes.fromhex(load_public(kd.station_pub, STATION_PUB_FORMAT, _("station public key"))["public_key"])


def _key(args) -> int:
    from desktop.audit.signing import key_id, load_audit_key, public_hex
    from desktop.paths import data_dir

    public = load_audit_key(args.home or data_dir()).public_key()
    print(_("audit key {key_id}: {public_hex}").format(key_id=key_id(public), public_hex=public_hex(public)))
    return 0


def _export(args) -> int:
    from desktop.audit import AuditLog
    from desktop.audit.export import export_audit
    from desktop.store import open_store

    with open_store(args.home) as store:
        log = AuditLog(store)
        if args.out:
            with open(args.out, "w", encoding="utf-8", newline="") as fh:
                n = export_audit(log, fh, args.format)
        else:
            n = export_audit(log, sys.stdout, args.format)
        log.append(args.actor, "export", "audit", {"format": args.format, "entries": n})
    if args.out:
        print(_("audit: {n} entries written to {out}").format(n=n, out=args.out), file=sys.stderr)
    return 0
