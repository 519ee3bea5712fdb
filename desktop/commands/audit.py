"""``sigilo audit verify`` checks the station's hash-chained audit and names every edited,
deleted, reordered or inserted entry; ``sigilo audit export`` writes it as JSONL or CSV."""

from __future__ import annotations

import sys
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("audit", help="verify or export the audit log")
    sub = p.add_subparsers(dest="audit_command", metavar="ACTION")
    v = sub.add_parser("verify", help="check the chain; exit 1 if anything was tampered with")
    v.add_argument("--home", type=Path, help="station data folder (default: the user data folder)")
    v.add_argument("--public-key", metavar="HEX", help="the station's audit public key as recorded by the auditor "
                   "(`sigilo audit key`); default: the key file beside the store")
    v.add_argument("--keys", type=Path, metavar="DIR", help="the station's keys folder: check the chain heads its "
                   "seal key countersigned against its station.pub (no passphrase needed)")
    v.set_defaults(handler=_verify)
    k = sub.add_parser("key", help="show the station's audit public key, for the auditor to keep")
    k.add_argument("--home", type=Path)
    k.set_defaults(handler=_key)
    e = sub.add_parser("export", help="write the audit log")
    e.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    e.add_argument("--out", type=Path, help="file to write (default: standard output)")
    e.add_argument("--actor", default="cli", help="who exports (recorded in the audit)")
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
            raise SigiloError("--public-key must be 64 hex digits", "copy it from `sigilo audit key`") from None
    station = _station_public(args.keys) if args.keys else None
    with open_store(args.home) as store:
        count, problems = verify_chain(store, public, station)
        from desktop.audit.anchor import anchors

        anchored = anchors(store)
    for problem in problems:
        print(str(problem))
    if problems:
        print(f"audit: {len(problems)} problem(s) in {count} entries", file=sys.stderr)
        return 1
    print(f"audit: {count} entries, chain intact and signed")
    if anchored:
        last = max(anchored, key=lambda a: a.seq)
        print(f"audit: {len(anchored)} head(s) countersigned by station {last.station_id}'s seal key, the newest at "
              f"seq {last.seq}" + ("" if args.keys else " (give --keys DIR to check them against its station.pub)"))
    return 0


def _station_public(keys: Path) -> bytes:
    from desktop.errors import SigiloError
    from desktop.keys.keyfile import load_public
    from desktop.keys.layout import KeysDir
    from desktop.keys.manage import STATION_PUB_FORMAT

    kd = KeysDir.at(keys)
    if not kd.station_pub.exists():
        raise SigiloError(f"{keys} has no station.pub", "give the keys folder of the station that printed")
    return bytes.fromhex(load_public(kd.station_pub, STATION_PUB_FORMAT, "station public key")["public_key"])


def _key(args) -> int:
    from desktop.audit.signing import key_id, load_audit_key, public_hex
    from desktop.paths import data_dir

    public = load_audit_key(args.home or data_dir()).public_key()
    print(f"audit key {key_id(public)}: {public_hex(public)}")
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
        print(f"audit: {n} entries written to {args.out}", file=sys.stderr)
    return 0
