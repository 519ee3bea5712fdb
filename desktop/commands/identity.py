"""``sigilo identity``: real-name sending at the counter and at the compliance office.

Station: ``record`` (typed details as JSON on stdin, or ``--reader URI`` for the ID card
reader) seals a record and prints its id, the masked view and how often the sender was seen;
``sigilo print --identity ID`` prints that sender's parcels. ``business`` records a business
sender's credit code once. ``export`` writes the sealed records of a period for the compliance
office; ``purge`` removes records older than the retention period; ``watchlist import``
installs the office's signed, hashed watch list; ``status`` says how the station is set up.
Compliance office: ``open --keys DIR FILE`` lists an export's records; ``watchlist create``.
The number is never taken from the command line (it would stay in the shell history and the
process list).
"""

from __future__ import annotations

from desktop.i18n import N_, _, ngettext

import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path


def _keys_default() -> Path:
    from desktop.paths import data_dir

    return data_dir() / "keys"


def register(subparsers) -> None:
    p = subparsers.add_parser("identity", help=_("real-name sending: record, export, open, purge sender identities"),
                              description=__doc__.split("\n\n")[1] if __doc__ else None)
    sub = p.add_subparsers(dest="identity_command", metavar="ACTION")

    def action(name, help_, handler):
        help_ = _(help_)
        a = sub.add_parser(name, help=help_, description=help_[:1].upper() + help_[1:] + ".")
        a.add_argument("--home", type=Path, help=_("station data folder (default: SIGILO_HOME or the user data folder)"))
        a.add_argument("--actor", default=None, help=_("who does it, for the audit (default: the OS user)"))
        a.set_defaults(handler=handler)
        return a

    a = action("record", N_("seal a sender's identity: JSON on stdin, or read from the ID card reader"), _record)
    a.add_argument("--reader", metavar="URI", help=_("the ID card reader, e.g. serial:///dev/ttyUSB0 (default: stdin JSON)"))
    a.add_argument("--keys", type=Path, help=_("station keys directory with identity.pub (default: the station's keys/)"))
    a.add_argument("--passphrase-file", type=Path, help=_("passphrase of the identity hash secret"))
    a.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    a = action("business", N_("record a business sender's credit code and representative once (JSON on stdin)"),
               _business)
    a.add_argument("--keys", type=Path)
    a.add_argument("--passphrase-file", type=Path)
    a = action("export", N_("write the sealed records of a period for the compliance office"), _export)
    a.add_argument("--since", required=True, help=_("first day, YYYY-MM-DD (UTC)"))
    a.add_argument("--until", help=_("day after the last, YYYY-MM-DD (default: now)"))
    a.add_argument("--out", required=True, type=Path, help=_("the export file to write"))
    a = action("open", N_("list the records of an export with the identity private key (compliance office)"), _open)
    a.add_argument("file", type=Path)
    a.add_argument("--keys", required=True, type=Path, help=_("the compliance office's identity key directory"))
    a.add_argument("--passphrase-file", type=Path)
    a.add_argument("--json", action="store_true")
    a = action("purge", N_("remove identity records older than the retention period (default 2 years)"), _purge)
    a.add_argument("--days", type=float, help=_("keep this many days (default: the policy, or identity.retention_days)"))
    a.add_argument("--set-days", type=float, help=_("store a new retention period and purge with it"))
    a = action("status", N_("how real-name sending is set up at this station"), _status)
    a.add_argument("--keys", type=Path)
    a = action("watchlist", N_("create (compliance office) or import (station) the hashed watch list"), _watchlist)
    a.add_argument("op", choices=("create", "import"))
    a.add_argument("file", type=Path, help=_("create: lines 'ID_TYPE NUMBER [note]' read from this file; import: the list"))
    a.add_argument("--keys", type=Path, help=_("create: the office's identity key directory; import: station keys"))
    a.add_argument("--out", type=Path, help=_("create: where to write the signed list"))
    a.add_argument("--serial", type=int, help=_("create: the list's serial (default: the time)"))
    a.add_argument("--passphrase-file", type=Path)
    p.set_defaults(handler=lambda args: (p.print_help(), 2)[1])


def _actor(args) -> str:
    if args.actor:
        return args.actor
    from desktop.seal.auditing import actor

    return actor()


def _store(args):
    from desktop.store import open_store

    return open_store(args.home)


def _passphrase(args):
    from desktop.keys.passphrase import from_environment

    return from_environment(getattr(args, "passphrase_file", None))


def _stdin_json(what: str) -> dict:
    from desktop.identity.errors import IdentityError

    if sys.stdin.isatty():
        print(_("Type the {what} as one JSON object, then Ctrl+D:").format(what=what), file=sys.stderr)
    try:
        data = json.loads(sys.stdin.read())
    except ValueError:
        raise IdentityError(_("the {what} on stdin is not JSON").format(what=what),
                            _('give e.g. {"id_type": "cn_resident", "number": "...", "name": "..."}')) from None
    if not isinstance(data, dict):
        raise IdentityError(_("the {what} on stdin is not a JSON object").format(what=what), _("give one JSON object"))
    return data


def _print_entered(entered, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"record_id": entered.record_id, "masked": entered.masked.to_dict(), "seen": entered.seen,
                          "seen_text": entered.seen_text()}, ensure_ascii=False))
        return
    m = entered.masked
    print(_("identity recorded: {record_id}").format(record_id=entered.record_id))
    print(f"  {m.type_title}: {m.number}  {m.name}  ({_('read from the card') if m.method == 'card' else _('typed')})")
    if m.representative:
        print(_("  representative: {representative}").format(representative=m.representative))
    print(f"  {entered.seen_text()}")


def _record(args) -> int:
    from desktop.identity.book import IdentityBook

    if args.reader:
        from desktop.identity.reader.client import read_card

        data = read_card(args.reader)
    else:
        data = _stdin_json("sender's identity")
        data.setdefault("method", "manual")
    with _store(args) as store:
        entered = IdentityBook(store, args.keys or _keys_default(), _passphrase(args)).enter(data, _actor(args))
    _print_entered(entered, args.json)
    return 0


def _business(args) -> int:
    from desktop.identity.book import IdentityBook
    from desktop.identity.errors import IdentityError

    data = _stdin_json("business's credit code and representative")
    data.setdefault("id_type", "credit_code")
    if data["id_type"] != "credit_code":
        raise IdentityError(_("a business account is recorded by its unified social credit code"),
                            _('give "id_type": "credit_code" (or leave it out)'))
    with _store(args) as store:
        entered = IdentityBook(store, args.keys or _keys_default(), _passphrase(args)).enter(data, _actor(args))
    _print_entered(entered, False)
    print(_("  its labels now print without asking again (sender name as recorded)"))
    return 0


def _day(text: str, option: str) -> float:
    from desktop.errors import SigiloError

    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise SigiloError(_("{option} {text!r} is not a date").format(option=option, text=text), _("write it as YYYY-MM-DD, e.g. 2026-12-01")) from None


def _export(args) -> int:
    from desktop.identity.export import export_records

    since = _day(args.since, "--since")
    until = _day(args.until, "--until") if args.until else time.time()
    station_id = ""
    try:
        from desktop.keys.layout import KeysDir
        from desktop.keys.manage import station_config

        station_id = str(station_config(KeysDir.at(_keys_default())).get("station_id", ""))
    except Exception:  # an export without the station's id is still an export
        pass
    with _store(args) as store:
        n = export_records(store, args.out, since, until, actor=_actor(args), station_id=station_id)
    print(_("identity export: {n} sealed record(s) written to {out}; only the compliance office's identity key opens them").format(n=n, out=args.out))
    return 0


def _open(args) -> int:
    from desktop.identity.export import open_export
    from desktop.identity.keys import compliance_private

    key = compliance_private(args.keys, _passphrase(args))
    records = open_export(args.file, key.private)
    for r in records:
        if args.json:
            print(json.dumps(r.to_dict(), ensure_ascii=False))
            continue
        h = r.holder
        labels = ", ".join(x["tracking_number"] for x in r.labels) or _("no label")
        print(_("{created_at}  {value}  {id_type}  {number}  {name}  ({method})  labels: {labels}").format(created_at=r.created_at, value=r.station_id or '-', id_type=h['id_type'], number=h['number'], name=h['name'], method=r.method, labels=labels))
        if r.representative:
            rep = r.representative
            print(_("    representative: {id_type}  {number}  {name}").format(id_type=rep['id_type'], number=rep['number'], name=rep['name']))
    if not args.json:
        print(ngettext("{n} record", "{n} records", len(records)).format(n=len(records)))
    return 0


def _purge(args) -> int:
    from desktop.audit import AuditLog
    from desktop.identity.export import purge_identities

    with _store(args) as store:
        days = args.days
        if args.set_days is not None:
            store.set_setting("identity.retention_days", args.set_days)
            AuditLog(store).append(_actor(args), "settings", "identity.retention_days", {"value": args.set_days})
            days = args.set_days
        result = purge_identities(store, days, actor=_actor(args))
    print(_("identity purge: {records} record(s) and {uses} label link(s) older than {days:g} days removed").format(records=result.records, uses=result.uses, days=result.days))
    return 0


def _status(args) -> int:
    from desktop.identity.keys import IdentityPaths
    from desktop.identity.policy import retention_days, station_kind, station_policy

    paths = IdentityPaths(args.keys or _keys_default())
    with _store(args) as store:
        kind = station_kind(store) or _("not set (real-name sending not required here)")
        policy = station_policy(store)
        count = store.query("SELECT COUNT(*) FROM identity_records")[0][0]
        watch = store.query("SELECT COUNT(*) FROM identity_watch")[0][0]
        days = retention_days(store)
    print(_("station kind: {kind}").format(kind=kind))
    print(_("policy: {id} ({source})").format(id=policy.id, source=policy.source))
    print(_("identity key: {value}").format(value=_('installed') if paths.pub.exists() and paths.secret.exists() else _('not installed')))
    print(_("records kept: {count}; retention {days:g} days; watch list entries: {watch}").format(count=count, days=days, watch=watch))
    return 0


def _watchlist(args) -> int:
    from desktop.errors import SigiloError
    from desktop.identity import watchlist
    from desktop.identity.keys import compliance_hasher, compliance_signer, load_bundle, IdentityPaths

    if args.op == "create":
        if not args.keys or not args.out:
            raise SigiloError(_("watchlist create needs --keys (the office's identity keys) and --out"),
                              _("sigilo identity watchlist create LIST.txt --keys DIR --out watch.json"))
        entries = []
        for line in args.file.read_text(encoding="utf-8").splitlines():
            parts = line.split(None, 2)
            if parts and not line.lstrip().startswith("#"):
                if len(parts) < 2:
                    raise SigiloError(_("watch list line {value!r}… needs an ID type and a number").format(value=line[:12]),
                                      _("write: ID_TYPE NUMBER [note]"))
                entries.append((parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
        paths = IdentityPaths(args.keys)
        bundle = load_bundle(paths.pub)
        pp = _passphrase(args)
        doc = watchlist.build(entries, compliance_hasher(args.keys, pp), compliance_signer(args.keys, pp).private,
                              args.serial or int(time.time()), bundle["hash_key_id"])
        from desktop.keys.keyfile import write_public_file

        write_public_file(args.out, doc)
        print(ngettext("watch list serial {serial}: {n} hashed entry written to {out}",
                       "watch list serial {serial}: {n} hashed entries written to {out}", len(doc["entries"])).format(
                           serial=doc["serial"], n=len(doc["entries"]), out=args.out))
        return 0
    paths = IdentityPaths(args.keys or _keys_default())
    bundle = load_bundle(paths.pub)
    with _store(args) as store:
        n = watchlist.install(store, args.file, bytes.fromhex(bundle["sign_public_key"]))
    print(ngettext("watch list installed: {n} entry", "watch list installed: {n} entries", n).format(n=n))
    return 0
