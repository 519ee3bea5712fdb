"""``sigilo keys``: create, distribute, rotate and revoke the keys behind the seal.

The key officer runs ``init-authority``, ``create-fleet``/``rotate-fleet`` and
``add-station``/``revoke-station``; a print station runs ``create-station`` and imports fleet
public keys; a scanner imports fleet private keys and the trust list. docs/keys.md walks
through it. Private keys are written passphrase-encrypted, 0600.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from desktop.i18n import N_, _, ngettext


def _default_dir() -> Path:
    from desktop.paths import data_dir

    return data_dir() / "keys"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "keys", help=_("create, import, rotate and revoke seal keys"),
        description=_("Keys behind the sealed QR. Key officer: init-authority, create-fleet, add-station, "
                      "revoke-station. Print station: create-station, import-fleet FILE.pub. Scanner: "
                      "import-fleet FILE.key, import-trust. Walk-through: docs/keys.md."))
    sub = p.add_subparsers(dest="keys_command", metavar="ACTION")

    def action(name: str, help_: str, handler, passphrase: bool = True):
        help_ = _(help_)
        a = sub.add_parser(name, help=help_, description=help_[:1].upper() + help_[1:] + ".")
        a.add_argument("--dir", type=Path, default=None, help=_("keys directory (default: the user data folder's keys/)"))
        if passphrase:
            a.add_argument("--passphrase-file", type=Path, help=_("read the passphrase from this file (else SIGILO_PASSPHRASE, else a prompt)"))
        a.set_defaults(handler=handler)
        return a

    a = action("create-fleet", N_("create a scanner-fleet key pair for a region (next epoch unless --epoch)"), _create_fleet)
    a.add_argument("--region", required=True, help=_("e.g. cn, br, intl"))
    a.add_argument("--epoch", type=int, help=_("epoch number (default: one after the newest of the region)"))
    a = action("rotate-fleet", N_("start a new epoch for a region's fleet key (scanners keep the old ones)"), _create_fleet)
    a.add_argument("--region", required=True, help=_("e.g. cn, br, intl"))
    a.set_defaults(epoch=None)
    a = action("create-station", N_("create this print station's signing key"), _create_station)
    a.add_argument("--station-id", required=True, help=_("the station's id, e.g. HZ-0001 (shown by every scan)"))
    a.add_argument("--name", required=True, help=_("a readable name, e.g. the shop or branch (shown by every scan)"))
    a.add_argument("--region", required=True, help=_("the fleet region this station seals to"))
    a.add_argument("--validity-days", type=int, default=180, help=_("how long its seals stay valid (default 180)"))
    a = action("enrol-station", N_("key officer: make one enrolment file that sets a new print station up "
               "(its passphrase-protected key, the fleet public keys, the signed trust list)"), _enrol_station)
    a.add_argument("name", help=_("the station's readable name, e.g. the shop or branch (shown by every scan)"))
    a.add_argument("--out", type=Path, required=True, help=_("the enrolment file to write (give it to the station)"))
    a.add_argument("--region", default="cn", help=_("the fleet region the station seals to (default cn)"))
    a.add_argument("--station-id", help=_("the station's id, e.g. HZ-0001 (default: made from the name)"))
    a.add_argument("--validity-days", type=int, default=180, help=_("how long its seals stay valid (default 180)"))
    a.add_argument("--station-passphrase-file", type=Path,
                   help=_("the new station key's passphrase (else a prompt); tell it to the station separately"))
    a = action("import-enrolment", N_("print station: install the enrolment file from the key officer"), _import_enrolment)
    a.add_argument("file", type=Path, help=_("the enrolment file from `sigilo keys enrol-station`"))
    action("init-authority", N_("create the fleet authority key and an empty signed trust list"), _init_authority)
    a = action("add-station", N_("trust a station: add its station.pub to the signed trust list"), _add_station)
    a.add_argument("station_pub", type=Path, help=_("the station.pub the station sent"))
    a = action("revoke-station", N_("remove a station from the trust list and record it as revoked"), _revoke_station)
    a.add_argument("station_id", help=_("the station id (sigilo keys list-stations shows them)"))
    a.add_argument("--reason", default="", help=_("why, shown to scanners that refuse its labels"))
    a.add_argument("--key-id", help=_("revoke only this key of the station (after it replaced its key)"))
    a = action("import-fleet", N_("import fleet keys: .pub for a print station, .key (stays encrypted) for a scanner"),
               _import_fleet, passphrase=False)
    a.add_argument("files", type=Path, nargs="+", help=_("fleet/<region>-<epoch>.pub or .key files from the key officer"))
    a = action("import-trust", N_("install a trust list after checking its signature"), _import_trust, passphrase=False)
    a.add_argument("file", type=Path, help=_("the trust.json from the key officer"))
    a.add_argument("--authority", type=Path, help=_("authority.pub to trust (first import only)"))
    a = action("list", N_("show the keys in a directory (public facts only)"), _list, passphrase=False)
    a.add_argument("--json", action="store_true", help=_("as JSON"))
    action("list-stations", N_("show the trusted and revoked stations"), _list_stations, passphrase=False)
    a = action("create-identity", N_("create the compliance office's identity key, hash secret and station enrolment "
               "file (real-name sending; docs/identity.md)"), _create_identity)
    a.add_argument("--station-kind", choices=("counter", "merchant", "warehouse"), default="counter",
                   help=_("what kind of station the enrolment is for (the policy's rules depend on it; default counter)"))
    a = action("import-identity", N_("install the compliance office's identity enrolment at a station"), _import_identity,
               passphrase=False)
    a.add_argument("file", type=Path, help=_("identity-enrol.json from the compliance office"))
    a.add_argument("--home", type=Path, help=_("station data folder whose setting identity.station_kind is set"))
    action("remember-passphrase", N_("store the keys' passphrase in the OS keyring (after checking it)"), _remember)
    action("forget-passphrase", N_("remove it from the OS keyring"), _forget, passphrase=False)
    action("demo", N_("create the unencrypted DEMO-ONLY key set (for trying Sigilo out)"), _demo, passphrase=False)
    p.set_defaults(handler=lambda args: (p.print_help(), 2)[1])


def _audit(op: str, subject: str, **details) -> None:
    from desktop.seal.auditing import record

    record("key", subject, {"op": op, **details})


def _kd(args):
    from desktop.keys.layout import KeysDir

    return KeysDir.at(args.dir or _default_dir())


def _new_passphrase(args, what: str) -> str:
    from desktop.keys.passphrase import resolve

    return resolve(args.passphrase_file, what, confirm=True)


def _passphrase(args, what: str) -> str | None:
    """For keys that may be demo keys: None is fine until a key turns out to be encrypted.
    File, SIGILO_PASSPHRASE, the keyring remembered for this directory, then a prompt."""
    from desktop.keys.keyfile import is_encrypted, read_json
    from desktop.keys.passphrase import for_keys_dir, from_environment

    kd = _kd(args)
    encrypted = kd.authority_key.exists() and is_encrypted(read_json(kd.authority_key, "authority key"))
    value = for_keys_dir(kd.root, from_environment(args.passphrase_file), encrypted)
    if value is None and encrypted and sys.stdin.isatty():
        import getpass

        value = getpass.getpass(f"Passphrase for {what}: ") or None
    return value


def _remember(args) -> int:
    from desktop.keys.keyfile import is_encrypted, load_private, read_json
    from desktop.keys.passphrase import remember, resolve

    kd = _kd(args)
    files = [(p, "fleet") for _, _, p in kd.fleet_files(".key")]
    files += [(p, kind) for p, kind in ((kd.station_key, "station"), (kd.authority_key, "authority")) if p.exists()]
    files = [(p, kind) for p, kind in files if is_encrypted(read_json(p, f"{kind} key"))]
    if not files:
        from desktop.keys.errors import MissingKey

        raise MissingKey(_("no passphrase-protected key in {root}").format(root=kd.root), _("point --dir at the station's or scanner's keys"))
    value = resolve(args.passphrase_file, _("the keys in {root}").format(root=kd.root))
    for path, kind in files:  # a wrong passphrase is refused before it is stored
        load_private(path, kind, value)
    remember(kd.root, value)
    _audit("remember-passphrase", str(kd.root), keys=len(files))
    print(_("passphrase for {n} key(s) in {root} stored in the OS keyring; Sigilo now opens them "
            "without asking").format(n=len(files), root=kd.root))
    return 0


def _create_identity(args) -> int:
    from desktop.identity.keys import IdentityPaths, create_identity

    kd = _kd(args)
    bundle = create_identity(kd.root, _new_passphrase(args, "the identity key"), station_kind=args.station_kind)
    paths = IdentityPaths(kd.root)
    _audit("create-identity", bundle["key_id"], key_id=bundle["key_id"], station_kind=args.station_kind)
    print(_("identity key created, key id {key_id} (keep {name} at the compliance office only)").format(key_id=bundle['key_id'], name=paths.key.name))
    print(_("  give each station {enrolment} and the passphrase; they import it with `sigilo keys import-identity FILE`").format(enrolment=paths.enrolment))
    return 0


def _import_identity(args) -> int:
    from desktop.audit import AuditLog
    from desktop.identity.keys import import_enrolment
    from desktop.store import open_store

    kd = _kd(args)
    facts = import_enrolment(kd.root, args.file)
    with open_store(args.home) as store:
        store.set_setting("identity.station_kind", facts["station_kind"])
        AuditLog(store).append(_actor(), "key", facts["key_id"], {"op": "import-identity", **facts})
    print(_("identity key {key_id} installed in {root}: this station seals sender identities it cannot read back; real-name rules for a {station_kind} station apply").format(key_id=facts['key_id'], root=kd.root, station_kind=facts['station_kind']))
    return 0


def _actor() -> str:
    from desktop.seal.auditing import actor

    return actor()


def _forget(args) -> int:
    from desktop.keys.passphrase import forget

    kd = _kd(args)
    found = forget(kd.root)
    _audit("forget-passphrase", str(kd.root), found=found)
    if found:
        print(_("passphrase for {root} removed from the OS keyring").format(root=kd.root))
    else:
        print(_("passphrase for {root} was not in the OS keyring").format(root=kd.root))
    return 0


def _create_fleet(args) -> int:
    from desktop.keys import manage

    kd = _kd(args)
    bundle = manage.create_fleet(kd, args.region, args.epoch, _new_passphrase(args, f"fleet key {args.region}"))
    name = f"{bundle['region']}-{bundle['epoch']}"
    _audit("create-fleet", name, key_id=bundle["key_id"])
    print(_("fleet key {name} created, key id {key_id}").format(name=name, key_id=bundle['key_id']))
    print(_("  public (give to print stations): {fleet_pub}").format(fleet_pub=kd.fleet_pub(bundle['region'], bundle['epoch'])))
    print(_("  private (scanners only):         {fleet_key}").format(fleet_key=kd.fleet_key(bundle['region'], bundle['epoch'])))
    if bundle["epoch"] > 1:
        print(_("  scanners must keep the older epochs' keys to open labels sealed before the "
                "rotation"))
    return 0


def _create_station(args) -> int:
    from desktop.keys import manage

    if not 1 <= args.validity_days <= 3650:
        print(_("sigilo keys: --validity-days must be 1 to 3650 (a seal needs a life; default 180)"), file=sys.stderr)
        return 2
    kd = _kd(args)
    bundle = manage.create_station(kd, args.station_id, args.name, args.region,
                                   _new_passphrase(args, _("the station key")), validity_days=args.validity_days)
    _audit("create-station", bundle["station_id"], key_id=bundle["key_id"], region=args.region)
    print(_("station {station_id} created, key id {key_id}").format(station_id=bundle['station_id'], key_id=bundle['key_id']))
    print(_("  send {station_pub} to the fleet authority (sigilo keys add-station)").format(station_pub=kd.station_pub))
    return 0


def _enrol_station(args) -> int:
    from desktop.keys import enrol
    from desktop.keys.passphrase import resolve

    if not 1 <= args.validity_days <= 3650:
        print(_("sigilo keys: --validity-days must be 1 to 3650 (a seal needs a life; default 180)"), file=sys.stderr)
        return 2
    kd = _kd(args)
    authority = _passphrase(args, "the fleet authority key")
    station_pass = resolve(args.station_passphrase_file, "the new station key", confirm=True)
    bundle = enrol.enrol_station(kd, args.name, args.region, station_pass, authority, args.out,
                                 station_id=args.station_id, validity_days=args.validity_days)
    _audit("enrol-station", bundle["station_id"], key_id=bundle["key_id"], region=args.region)
    print(_("station {station_id} ({name}, key {key_id}) enrolled and added to {trust}").format(station_id=bundle['station_id'], name=bundle['name'], key_id=bundle['key_id'], trust=kd.trust))
    print(_("  give {out} to the station; tell its passphrase separately (never in the same message)").format(out=args.out))
    return 0


def _import_enrolment(args) -> int:
    from desktop.keys import enrol
    from desktop.keys.passphrase import resolve

    kd = _kd(args)
    facts = enrol.import_enrolment(args.file, kd, resolve(args.passphrase_file, "the station key"))
    _audit("import-enrolment", facts["station_id"], key_id=facts["key_id"], region=facts["region"])
    print(_("station {station_id} ({name}) set up in {root}: seals to {join}").format(station_id=facts['station_id'], name=facts['name'], root=kd.root, join=', '.join(facts['fleet'])))
    return 0


def _init_authority(args) -> int:
    from desktop.keys import manage

    kd = _kd(args)
    bundle = manage.init_authority(kd, _new_passphrase(args, _("the fleet authority key")))
    _audit("init-authority", bundle["key_id"], key_id=bundle["key_id"])
    print(_("fleet authority created, key id {key_id}; trust list at {trust}").format(key_id=bundle['key_id'], trust=kd.trust))
    return 0


def _add_station(args) -> int:
    from desktop.keys import manage

    kd = _kd(args)
    bundle = manage.add_station(kd, args.station_pub, _passphrase(args, _("the fleet authority key")))
    _audit("add-station", bundle["station_id"], key_id=bundle["key_id"])
    print(_("station {station_id} ({name}, key {key_id}) added to {trust}").format(station_id=bundle['station_id'], name=bundle['name'], key_id=bundle['key_id'], trust=kd.trust))
    return 0


def _revoke_station(args) -> int:
    from desktop.keys import manage

    kd = _kd(args)
    n = manage.revoke_station(kd, args.station_id, args.reason, _passphrase(args, _("the fleet authority key")),
                              key_id=args.key_id)
    _audit("revoke-station", args.station_id, reason=args.reason, key_id=args.key_id)
    print(ngettext("station {station_id} revoked ({n} key); distribute {trust} to scanners",
                   "station {station_id} revoked ({n} keys); distribute {trust} to scanners", n).format(
        station_id=args.station_id, n=n, trust=kd.trust))
    return 0


def _import_fleet(args) -> int:
    from desktop.keys import manage

    kd = _kd(args)
    for path in args.files:
        bundle = manage.import_fleet(kd, path)
        private = kd.fleet_key(bundle["region"], bundle["epoch"]).exists()
        _audit("import-fleet", f"{bundle['region']}-{bundle['epoch']}", key_id=bundle["key_id"], private=private)
        name = f"{bundle['region']}-{bundle['epoch']}"
        if private:
            print(_("fleet key {name} ({key_id}) imported with its private key: this directory can open "
                    "labels").format(name=name, key_id=bundle["key_id"]))
        else:
            print(_("fleet key {name} ({key_id}) imported").format(name=name, key_id=bundle["key_id"]))
    return 0


def _import_trust(args) -> int:
    from desktop.keys import manage

    kd = _kd(args)
    trust = manage.import_trust(kd, args.file, args.authority)
    _audit("import-trust", f"serial {trust.serial}", authority_key_id=trust.authority_key_id,
           stations=len(trust.stations), revoked=len(trust.revoked))
    print(_("trust list serial {serial} installed: {stations}, {n} revoked").format(serial=trust.serial, stations=_stations(len(trust.stations)), n=len(trust.revoked)))
    return 0


def _when(t: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t))


def _list(args) -> int:
    from desktop.keys import manage

    info = manage.describe(_kd(args))
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    print(_("keys in {dir}").format(dir=info['dir']))
    for f in info["fleet"]:
        kind = "private+public" if f["private"] else "public"
        if f['demo_only']:
            print(_("  fleet {name}: id {key_id} ({kind})  DEMO ONLY").format(name=f['name'], key_id=f['key_id'], kind=kind))
        else:
            print(_("  fleet {name}: id {key_id} ({kind})").format(name=f['name'], key_id=f['key_id'], kind=kind))
    if info["station"]:
        s = info["station"]
        print(_("  station {station_id} ({name}): id {key_id}, seals to region {region}, valid {days} "
                "days").format(station_id=s['station_id'], name=s['name'], key_id=s['key_id'], region=s['region'], days=s.get('validity_days', 180)))
    if info["authority"]:
        a = info["authority"]
        if a['private']:
            print(_("  authority: id {key_id} (private key here)").format(key_id=a['key_id']))
        else:
            print(_("  authority: id {key_id}").format(key_id=a['key_id']))
    if info["trust"]:
        t = info["trust"]
        print(_("  trust list serial {serial} ({when}): {stations}, {n} revoked").format(serial=t['serial'], when=_when(t['issued_at']), stations=_stations(len(t['stations'])), n=len(t['revoked'])))
    identity = _identity_line(_kd(args))
    if identity:
        print(identity)
    if not (info["fleet"] or info["station"] or info["authority"] or identity):
        print(_("  (empty)"))
    return 0


def _identity_line(kd) -> str:
    """The identity key (real-name sending), if this directory holds one."""
    from desktop.identity.keys import IdentityPaths, load_bundle

    paths = IdentityPaths(kd.root)
    if not paths.pub.exists():
        return ""
    bundle = load_bundle(paths.pub)
    role = "private key here: opens identity records" if paths.key.exists() else "seals identity records, cannot open them"
    return f"  identity: id {bundle['key_id']} ({role})"


def _list_stations(args) -> int:
    from desktop.keys import manage

    trust = manage.load_trust(_kd(args))
    print(_("trust list serial {serial}, signed {when}").format(serial=trust.serial, when=_when(trust.issued_at)))
    for s in trust.stations:
        print(_("  trusted  {station_id:<16} {key_id}  {name}  (added {when})").format(station_id=s['station_id'], key_id=s['key_id'], name=s['name'], when=_when(s['added_at'])))
    for s in trust.revoked:
        reason = f": {s['reason']}" if s.get("reason") else ""
        print(_("  REVOKED  {station_id:<16} {key_id}  {name}  ({when}{reason})").format(station_id=s['station_id'], key_id=s['key_id'], name=s['name'], when=_when(s['revoked_at']), reason=reason))
    return 0


def _demo(args) -> int:
    from desktop.seal import ensure_demo_keys

    path = args.dir or _default_dir() / "demo"
    ensure_demo_keys(path)
    print(_("DEMO-ONLY keys (unencrypted) at {path}; never use them for real labels").format(path=path))
    return 0


def _stations(n: int) -> str:
    return f"{n} station" + ("" if n == 1 else "s")
