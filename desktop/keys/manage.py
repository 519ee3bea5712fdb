"""Creating, importing, rotating and revoking keys: the operations behind ``sigilo keys``.

Each function takes a keys directory (see layout.py) and returns what a person needs to hear
about (ids, paths), leaving the printing to the command.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from desktop.keys.errors import BadKeyFile, MissingKey, TrustListError
from desktop.keys.keyfile import (
    KEY_FORMAT, LoadedKey, load_private, load_public, new_private, private_record, read_json, write_private_file, write_public_file,
)
from desktop.keys.ids import key_id
from desktop.keys.highwater import HighWater, ListRollback
from desktop.keys.layout import KeysDir, check_region
from desktop.keys import trust as trustmod
from desktop.i18n import _

TRUST_KIND = "trust"  # the list kind under which desktop.keys.highwater remembers trust-list serials

FLEET_PUB_FORMAT = "sigilo-fleet-pub-1"
STATION_PUB_FORMAT = "sigilo-station-pub-1"
AUTHORITY_PUB_FORMAT = "sigilo-authority-pub-1"
STATION_CONFIG_FORMAT = "sigilo-station-1"
DEFAULT_VALIDITY_DAYS = 180


def _refuse_overwrite(path: Path) -> None:
    if path.exists():
        raise BadKeyFile(_("{path} already exists; Sigilo never overwrites a key").format(path=path),
                         _("move it away first if you really mean to replace it"))


def create_fleet(kd: KeysDir, region: str, epoch: int | None, passphrase: str | None, *, demo: bool = False) -> dict[str, Any]:
    """A scanner-fleet X25519 key pair for region and epoch (default: the next epoch)."""
    check_region(region)
    known = sorted(set(kd.epochs(region, ".pub")) | set(kd.epochs(region, ".key")))
    if epoch is None:
        epoch = (known[-1] + 1) if known else 1
    _refuse_overwrite(kd.fleet_key(region, epoch))
    _refuse_overwrite(kd.fleet_pub(region, epoch))
    private = new_private("fleet")
    record = private_record("fleet", private, passphrase, {"region": region, "epoch": epoch}, demo=demo)
    write_private_file(kd.fleet_key(region, epoch), record)
    bundle = {"format": FLEET_PUB_FORMAT, "region": region, "epoch": epoch, "key_id": record["key_id"],
              "public_key": record["public_key"], "created_at": record["created_at"]}
    write_public_file(kd.fleet_pub(region, epoch), bundle)
    return bundle


def import_fleet(kd: KeysDir, bundle_path: Path) -> dict[str, Any]:
    """Install a fleet public bundle (.pub, print stations) or a fleet private key file (.key,
    scanners: copied as it is, still encrypted, 0600, with its public bundle beside it)."""
    record = read_json(bundle_path, "fleet key")
    if record.get("format") == KEY_FORMAT:
        return _import_fleet_private(kd, bundle_path, record)
    bundle = load_public(bundle_path, FLEET_PUB_FORMAT, _("fleet public key"))
    region, epoch = check_region(str(bundle["region"])), int(bundle["epoch"])
    target = kd.fleet_pub(region, epoch)
    if target.exists() and read_json(target, _("fleet public key")).get("public_key") != bundle["public_key"]:
        raise BadKeyFile(_("a different fleet key {region}-{epoch} is already imported").format(region=region, epoch=epoch),
                         _("ask the key officer which one is right; remove the wrong file"))
    write_public_file(target, bundle)
    return bundle


def _import_fleet_private(kd: KeysDir, path: Path, record: dict[str, Any]) -> dict[str, Any]:
    try:
        if record["kind"] != "fleet":
            raise ValueError(_("a {kind} key, not a fleet key").format(kind=record['kind']))
        region, epoch = check_region(str(record["region"])), int(record["epoch"])
        if key_id(bytes.fromhex(record["public_key"])).hex() != record["key_id"]:
            raise ValueError(_("key id does not match the key"))
    except (KeyError, TypeError, ValueError) as exc:
        raise BadKeyFile(_("{path} is not a usable fleet key ({exc})").format(path=path, exc=exc), _("ask the key officer for the .key file again")) from None
    for target in (kd.fleet_key(region, epoch), kd.fleet_pub(region, epoch)):
        if target.exists() and read_json(target, "fleet key").get("public_key") != record["public_key"]:
            raise BadKeyFile(_("a different fleet key {region}-{epoch} is already here").format(region=region, epoch=epoch),
                             _("ask the key officer which one is right; remove the wrong file"))
    write_private_file(kd.fleet_key(region, epoch), record)
    bundle = {"format": FLEET_PUB_FORMAT, "region": region, "epoch": epoch, "key_id": record["key_id"],
              "public_key": record["public_key"], "created_at": record.get("created_at", 0)}
    write_public_file(kd.fleet_pub(region, epoch), bundle)
    return bundle


def create_station(kd: KeysDir, station_id: str, name: str, region: str, passphrase: str | None, *,
                   validity_days: int = DEFAULT_VALIDITY_DAYS, demo: bool = False) -> dict[str, Any]:
    if not station_id or not station_id.isprintable():
        raise BadKeyFile(_("a station needs a printable id"), _("e.g. --station-id HZ-0001"))
    check_region(region)
    _refuse_overwrite(kd.station_key)
    private = new_private("station")
    record = private_record("station", private, passphrase, {"station_id": station_id, "name": name}, demo=demo)
    write_private_file(kd.station_key, record)
    bundle = {"format": STATION_PUB_FORMAT, "station_id": station_id, "name": name,
              "key_id": record["key_id"], "public_key": record["public_key"], "created_at": record["created_at"]}
    write_public_file(kd.station_pub, bundle)
    write_public_file(kd.station_json, {"format": STATION_CONFIG_FORMAT, "station_id": station_id, "name": name,
                                        "region": region, "validity_days": int(validity_days)})
    return bundle


def station_config(kd: KeysDir) -> dict[str, Any]:
    config = read_json(kd.station_json, "station configuration")
    if config.get("format") != STATION_CONFIG_FORMAT:
        raise BadKeyFile(_("{station_json} is not a station configuration").format(station_json=kd.station_json), _("recreate it with `sigilo keys create-station`"))
    return config


def init_authority(kd: KeysDir, passphrase: str | None, *, demo: bool = False) -> dict[str, Any]:
    _refuse_overwrite(kd.authority_key)
    private = new_private("authority")
    record = private_record("authority", private, passphrase, demo=demo)
    write_private_file(kd.authority_key, record)
    bundle = {"format": AUTHORITY_PUB_FORMAT, "key_id": record["key_id"], "public_key": record["public_key"],
              "created_at": record["created_at"]}
    write_public_file(kd.authority_pub, bundle)
    _save_trust(kd, trustmod.TrustList(record["key_id"]), private)
    return bundle


def authority_public(kd: KeysDir) -> bytes:
    return bytes.fromhex(load_public(kd.authority_pub, AUTHORITY_PUB_FORMAT, _("fleet authority public key"))["public_key"])


def load_trust(kd: KeysDir, marks: HighWater | None = None) -> trustmod.TrustList:
    """The installed trust list, checked against authority.pub and against the highest serial
    this machine accepted before (desktop.keys.highwater): a list copied over trust.json, or
    imported after deleting it, with a lower serial is refused (ListRollback, exit 26). A
    higher serial becomes the new mark."""
    trust = trustmod.load(kd.trust, authority_public(kd))
    (marks or HighWater()).accept(TRUST_KIND, trust.authority_key_id, trust.serial, "trust list")
    return trust


def _save_trust(kd: KeysDir, trust: trustmod.TrustList, authority_private, now: int | None = None) -> None:
    trust.save(kd.trust, authority_private, now)
    HighWater().accept(TRUST_KIND, trust.authority_key_id, trust.serial, "trust list")


def _authority(kd: KeysDir, passphrase: str | None) -> LoadedKey:
    key = load_private(kd.authority_key, "authority", passphrase)
    if key.public_raw != authority_public(kd):
        raise BadKeyFile(_("authority.key does not match authority.pub"), _("restore both from the key officer's backup"))
    return key


def add_station(kd: KeysDir, bundle_path: Path, passphrase: str | None, now: int | None = None) -> dict[str, Any]:
    bundle = load_public(bundle_path, STATION_PUB_FORMAT, _("station public key"))
    authority = _authority(kd, passphrase)
    trust = load_trust(kd)
    trust.add(bundle, now)
    _save_trust(kd, trust, authority.private, now)
    return bundle


def revoke_station(kd: KeysDir, station_id: str, reason: str, passphrase: str | None, now: int | None = None,
                   key_id: str | None = None) -> int:
    authority = _authority(kd, passphrase)
    trust = load_trust(kd)
    count = trust.revoke(station_id, reason, now, key_id)
    _save_trust(kd, trust, authority.private, now)
    return count


def import_trust(kd: KeysDir, trust_path: Path, authority_path: Path | None = None) -> trustmod.TrustList:
    """Install a trust list (and, the first time, the authority key that signs it) after
    checking the signature; a serial lower than the installed one, or than any this machine
    accepted before (even if trust.json was deleted since), is refused with ListRollback."""
    if authority_path is not None:
        load_public(authority_path, AUTHORITY_PUB_FORMAT, _("fleet authority public key"))
        if kd.authority_pub.exists() and read_json(kd.authority_pub, "authority").get("public_key") != \
                read_json(authority_path, "authority").get("public_key"):
            raise TrustListError(_("this directory already trusts a different fleet authority"),
                                 _("remove authority.pub first if the authority really changed"))
        kd.root.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(authority_path, kd.authority_pub)
    if not kd.authority_pub.exists():
        raise MissingKey(_("no authority.pub to check the trust list with"), _("pass --authority authority.pub"))
    new = trustmod.load(trust_path, authority_public(kd))
    marks = HighWater()
    marks.check(TRUST_KIND, new.authority_key_id, new.serial, "trust list")
    if kd.trust.exists():
        try:
            old = trustmod.load(kd.trust, authority_public(kd))
        except TrustListError:
            old = None  # a damaged installed list is replaced by a valid one; the mark still guards
        if old is not None and new.serial < old.serial:
            raise ListRollback(_("the trust list has serial {serial}, older than the installed serial {serial2}").format(serial=new.serial, serial2=old.serial),
                               _("import the newest trust list from the key officer"))
    write_public_file(kd.trust, read_json(trust_path, "trust list"))
    marks.accept(TRUST_KIND, new.authority_key_id, new.serial, "trust list")
    return new


def describe(kd: KeysDir) -> dict[str, Any]:
    """What the directory holds, for ``sigilo keys list`` (public facts only)."""
    out: dict[str, Any] = {"dir": str(kd.root), "fleet": [], "station": None, "authority": None, "trust": None}
    pubs = {(r, e): p for r, e, p in kd.fleet_files(".pub")}
    keys = {(r, e): p for r, e, p in kd.fleet_files(".key")}
    for region, epoch in sorted(set(pubs) | set(keys)):
        source = keys.get((region, epoch)) or pubs[(region, epoch)]
        record = read_json(source, "fleet key")
        out["fleet"].append({"name": f"{region}-{epoch}", "key_id": record.get("key_id"),
                             "private": (region, epoch) in keys,
                             "demo_only": record.get("protection") == "none-demo-only"})
    if kd.station_json.exists():
        config = station_config(kd)
        pub = read_json(kd.station_pub, _("station public key")) if kd.station_pub.exists() else {}
        out["station"] = {**config, "key_id": pub.get("key_id"), "private": kd.station_key.exists()}
    if kd.authority_pub.exists():
        out["authority"] = {"key_id": read_json(kd.authority_pub, "authority").get("key_id"),
                            "private": kd.authority_key.exists()}
        if kd.trust.exists():
            t = load_trust(kd)
            out["trust"] = {"serial": t.serial, "issued_at": t.issued_at, "stations": t.stations, "revoked": t.revoked}
    return out


def public_key_id_hex(raw: bytes) -> str:
    return key_id(raw).hex()

