"""``sigilo voids``: the labels this station voided, as a void list signed by the station key
(``export``), for scanners elsewhere to install beside their trust list (``import``) so that
``sigilo scan`` refuses a voided label (exit 28). Format: docs/seal-format.md §8.

Exit statuses: 0 done; 21-25 key problems as for ``sigilo keys``; 26 a void list older than
one accepted before; 29 a void list refused (bad signature, unknown or revoked station,
damaged)."""

from __future__ import annotations

from desktop.i18n import _

import sys
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "voids", help=_("export this station's void list, or install one on a scanner"),
        description=_("export: write the labels this station voided (tracking number, envelope hash, time), signed "
                    "by the station key. import: check a station's void list against the scanner's trust list and "
                    "install it, so `sigilo scan` refuses those labels. list: the installed void lists."))
    p.add_argument("action", choices=("export", "import", "list"))
    p.add_argument("file", nargs="?", type=Path, help=_("import: the void list file"))
    p.add_argument("--out", type=Path, default=None, help=_("export: the file to write (default: voids-STATION.json)"))
    p.add_argument("--keys", type=Path, default=None,
                   help=_("export: the station keys; import/list: the scanner keys (default: the data folder's keys/)"))
    p.add_argument("--passphrase-file", type=Path, default=None,
                   help=_("export: passphrase of the station key (else SIGILO_PASSPHRASE)"))
    p.set_defaults(handler=run)


def run(args) -> int:
    from desktop.paths import data_dir

    keys = args.keys or (data_dir() / "keys")
    if args.action == "export":
        return _export(args, keys)
    if args.action == "import":
        return _import(args, keys)
    return _list(keys)


def _export(args, keys: Path) -> int:
    from desktop.keys.passphrase import from_environment
    from desktop.seal import Sealer
    from desktop.seal.auditing import actor
    from desktop.station import NoStationKeys
    from desktop.station.voids import export_void_list
    from desktop.store import open_store

    if not (keys / "station.json").exists():
        raise NoStationKeys(_("no station keys in {keys}: a void list is signed by the station key").format(keys=keys),
                            _("pass --keys DIR of this station's keys"))
    sealer = Sealer.from_keys_dir(keys, from_environment(args.passphrase_file))
    out = args.out or Path(f"voids-{sealer.station_id}.json")
    with open_store() as store:
        from desktop.audit import AuditLog

        voids = export_void_list(store, sealer, out, AuditLog(store), actor())
    print(_("Wrote void list serial {serial} of station {station_id}: {n} voided label(s), to {out}.").format(serial=voids.serial, station_id=voids.station_id, n=len(voids.voids), out=out))
    return 0


def _import(args, keys: Path) -> int:
    from desktop.errors import SigiloError
    from desktop.seal.auditing import record
    from desktop.seal.voids import import_list

    if args.file is None:
        raise SigiloError(_("which void list? `sigilo voids import FILE --keys SCANNER_KEYS`"),
                          _("give the .json file a station exported with `sigilo voids export`"))
    voids = import_list(keys, args.file)
    record("keys.import", "voids", {"station_id": voids.station_id, "serial": voids.serial,
                                     "labels": len(voids.voids)})
    print(_("Installed void list serial {serial} of station {station_id}: {n} voided label(s) will be refused by `sigilo scan`.").format(serial=voids.serial, station_id=voids.station_id, n=len(voids.voids)))
    return 0


def _list(keys: Path) -> int:
    from desktop.keys import manage
    from desktop.keys.layout import KeysDir
    from desktop.seal.voids import load_lists

    lists = load_lists(keys, manage.load_trust(KeysDir.at(keys)))
    if not lists:
        print(_("No void lists installed in {keys}.").format(keys=keys), file=sys.stderr)
        return 0
    for voids in lists:
        print(_("{station_id}\tkey {station_key_id}\tserial {serial}\t{n} label(s)").format(station_id=voids.station_id, station_key_id=voids.station_key_id, serial=voids.serial, n=len(voids.voids)))
    return 0
