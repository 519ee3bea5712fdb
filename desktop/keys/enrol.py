"""One enrolment file that sets a print station up for real, made by the key officer.

``sigilo keys enrol-station NAME --out FILE`` creates the station's signing key under a
passphrase the key officer chooses (told to the station by another channel), puts its public
half on the signed trust list, and writes one ``sigilo-enrolment-1`` JSON file holding
everything the station needs: the still-encrypted station key, its public bundle and
configuration, the fleet public keys of its region, the authority's public key and the signed
trust list. The station imports it (the setup flow in the window, or ``sigilo keys
import-enrolment``) and proves it knows the passphrase by opening the key before anything is
written. The file holds no plaintext private key, so losing it in transit without the
passphrase loses nothing; it is still written 0600.
"""

from __future__ import annotations

from desktop.i18n import _

import json
import re
import shutil
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

from desktop.keys import manage
from desktop.keys.errors import BadKeyFile, MissingKey, TrustListError
from desktop.keys.keyfile import KEY_FORMAT, load_private, load_public, read_json, write_private_file, write_public_file
from desktop.keys.layout import KeysDir, check_region

ENROLMENT_FORMAT = "sigilo-enrolment-1"


def station_id_for(name: str) -> str:
    """A printable id from a readable name when the key officer gives none (ASCII letters and
    digits of the name, upper case, with a short time stamp so two shops named alike differ)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").upper()[:20].strip("-") or "STATION"
    return f"{base}-{time.strftime('%y%m%d%H%M%S')}"


def enrol_station(officer: KeysDir, name: str, region: str, station_passphrase: str, authority_passphrase: str | None,
                  out: Path, *, station_id: str | None = None,
                  validity_days: int = manage.DEFAULT_VALIDITY_DAYS) -> dict[str, Any]:
    """Create a station key, trust it, and write the enrolment file ``out``. Returns the
    station's public bundle."""
    check_region(region)
    name = name.strip()
    if not name:
        raise BadKeyFile("a station needs a name", "e.g. sigilo keys enrol-station \"Hangzhou Wenyi Rd outlet\"")
    if Path(out).exists():
        raise BadKeyFile(f"{out} already exists; Sigilo never overwrites a key", "choose another --out file")
    fleet = [read_json(p, "fleet public key") for r, _e, p in officer.fleet_files(".pub") if r == region]
    if not fleet:
        raise MissingKey(f"no fleet public key for region {region!r} in {officer.fleet_dir}",
                         f"create one first: sigilo keys create-fleet --region {region}")
    if not officer.authority_pub.exists():
        raise MissingKey(f"no fleet authority in {officer.root}", "create it first: sigilo keys init-authority")
    with tempfile.TemporaryDirectory(prefix="sigilo-enrol-") as tmp:
        kd = KeysDir.at(Path(tmp) / "station")
        bundle = manage.create_station(kd, station_id or station_id_for(name), name, region, station_passphrase,
                                       validity_days=validity_days)
        manage.add_station(officer, kd.station_pub, authority_passphrase)
        document = {
            "format": ENROLMENT_FORMAT,
            "created_at": int(time.time()),
            "station_key": read_json(kd.station_key, "station key"),
            "station_pub": read_json(kd.station_pub, "station public key"),
            "station_config": read_json(kd.station_json, "station configuration"),
            "fleet": fleet,
            "authority_pub": read_json(officer.authority_pub, "authority public key"),
            "trust": read_json(officer.trust, "trust list"),
        }
    write_private_file(Path(out), document)
    return bundle


def read_enrolment(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BadKeyFile(f"{Path(path).name} is not a Sigilo enrolment file ({exc.__class__.__name__})",
                         "choose the .enrol file the key officer made with `sigilo keys enrol-station`") from None
    if not isinstance(document, dict) or document.get("format") != ENROLMENT_FORMAT:
        raise BadKeyFile(f"{Path(path).name} is not a Sigilo enrolment file",
                         "choose the .enrol file the key officer made with `sigilo keys enrol-station`")
    for part in ("station_key", "station_pub", "station_config", "fleet", "authority_pub", "trust"):
        if part not in document:
            raise BadKeyFile(f"{Path(path).name} is incomplete (no {part.replace('_', ' ')})",
                             "ask the key officer to make the enrolment file again")
    return document


def describe_enrolment(document: dict[str, Any]) -> dict[str, Any]:
    """Public facts for the setup page before anything is installed."""
    config = document.get("station_config") or {}
    return {"station_id": config.get("station_id", ""), "name": config.get("name", ""),
            "region": config.get("region", ""), "key_id": (document.get("station_pub") or {}).get("key_id", ""),
            "fleet": [f"{f.get('region')}-{f.get('epoch')}" for f in document.get("fleet") or []]}


def import_enrolment(path: Path, target: KeysDir, passphrase: str) -> dict[str, Any]:
    """Check an enrolment file (the passphrase opens the station key; the trust list is signed
    by the authority it names and trusts this station's key) and install it into ``target``,
    which must hold no station key yet. Returns describe_enrolment()."""
    document = read_enrolment(path)
    facts = describe_enrolment(document)
    if target.station_key.exists():
        raise BadKeyFile(f"{target.root} already holds a station key; Sigilo never overwrites a key",
                         "move the old keys folder away first")
    with tempfile.TemporaryDirectory(prefix="sigilo-enrol-") as tmp:
        stage = KeysDir.at(Path(tmp) / "keys")
        try:
            if document["station_key"].get("format") != KEY_FORMAT:
                raise ValueError("station key")
            write_private_file(stage.station_key, document["station_key"])
            write_public_file(stage.station_pub, document["station_pub"])
            write_public_file(stage.station_json, document["station_config"])
            write_public_file(stage.authority_pub, document["authority_pub"])
            write_public_file(stage.trust, document["trust"])
            for bundle in document["fleet"]:
                write_public_file(stage.fleet_pub(check_region(str(bundle["region"])), int(bundle["epoch"])), bundle)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise BadKeyFile(f"{Path(path).name} is damaged ({exc.__class__.__name__})",
                             "ask the key officer to make the enrolment file again") from None
        station = load_private(stage.station_key, "station", passphrase)  # WrongPassphrase names the key
        pub = load_public(stage.station_pub, manage.STATION_PUB_FORMAT, "station public key")
        if pub["public_key"] != station.public_raw.hex():
            raise BadKeyFile(f"{Path(path).name}: the station key does not match its public half",
                             "ask the key officer to make the enrolment file again")
        manage.station_config(stage)
        trusted, revoked = manage.load_trust(stage).find(pub["key_id"])
        if revoked or not trusted:
            raise TrustListError(_("station key {key_id} is {value} on the enrolment's trust list").format(key_id=pub['key_id'], value='revoked' if revoked else 'not'), _("ask the key officer for a new enrolment file"))
        region = manage.station_config(stage)["region"]
        if not stage.epochs(region, ".pub"):
            raise MissingKey(f"the enrolment holds no fleet key for region {region!r}",
                             "ask the key officer to make the enrolment file again")
        target.root.mkdir(parents=True, exist_ok=True)
        for src in sorted(stage.root.rglob("*")):
            if src.is_file():
                dest = target.root / src.relative_to(stage.root)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest)
    return facts
