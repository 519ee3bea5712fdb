"""Can this station seal now? What the window asks at start, before the form opens.

``none``: no station key (first run: the setup flow); ``demo``: the demo set; ``locked``: a
passphrase-protected station key that nothing (environment, window, keyring) can open yet;
``no-fleet``: the station key exists but the key officer's fleet key is not imported yet;
``ready``: it seals."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop.keys.keyfile import is_encrypted, load_private, read_json
from desktop.keys.layout import KeysDir
from desktop.keys.passphrase import for_keys_dir, unlock


@dataclass(frozen=True)
class Readiness:
    state: str  # none | demo | locked | no-fleet | ready
    station_id: str = ""
    name: str = ""
    region: str = ""


def readiness(keys_dir: str | Path) -> Readiness:
    kd = KeysDir.at(keys_dir)
    if not kd.station_key.exists() or not kd.station_json.exists():
        return Readiness("none")
    record = read_json(kd.station_key, "station key")
    config = read_json(kd.station_json, "station configuration")
    facts = (str(config.get("station_id", "")), str(config.get("name", "")), str(config.get("region", "")))
    if not is_encrypted(record):
        return Readiness("demo", *facts)
    if for_keys_dir(kd.root, None, True) is None:
        return Readiness("locked", *facts)
    if not kd.epochs(facts[2], ".pub"):
        return Readiness("no-fleet", *facts)
    return Readiness("ready", *facts)


def try_unlock(keys_dir: str | Path, passphrase: str) -> None:
    """Open the station key with ``passphrase`` (WrongPassphrase if it does not fit) and hold
    the passphrase for this process."""
    kd = KeysDir.at(keys_dir)
    load_private(kd.station_key, "station", passphrase)
    unlock(kd.root, passphrase)
