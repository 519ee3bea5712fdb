"""The station's keys: one policy for every way in.

A station seals with its own keys (``keys/`` in the data folder, or the folder set in the
window's settings). When there are none it refuses, with the fix in the hint; demo keys are
an explicit choice (``sigilo print --demo-keys``, the window's "Use demo keys"), kept in their
own folder and always shown as such - never created silently behind a clerk's back.
Loaded sealers are cached per folder (loading decrypts the station key)."""

from __future__ import annotations

from desktop.i18n import _

import threading
from pathlib import Path

from desktop.errors import SigiloError
from desktop.station.errors import NoStationKeys, NotAuthorized

_lock = threading.Lock()
_sealers: dict[tuple[str, str], object] = {}


def demo_keys_dir() -> Path:
    """Where demo keys live: a folder of their own, so they never pose as the station's keys."""
    from desktop.paths import data_dir

    return data_dir() / "demo-keys"


def has_station_keys(keys_dir: Path) -> bool:
    return (Path(keys_dir) / "station.json").exists()


def is_demo(keys_dir: Path) -> bool:
    """True when ``keys_dir`` holds a DEMO-ONLY key set (unencrypted, known to anyone)."""
    return (Path(keys_dir) / "demo.json").exists()


def use_demo_keys(path: Path | None = None) -> Path:
    """Create (once) and return the demo key set: the explicit choice to try Sigilo before
    the key officer has enrolled the station. Labels sealed with it prove nothing."""
    from desktop.seal import ensure_demo_keys

    path = Path(path) if path is not None else demo_keys_dir()
    ensure_demo_keys(path)
    return path


def sealer(keys_dir: Path, passphrase: str | None = None):
    """The station's Sealer for ``keys_dir`` (cached). Raises NoStationKeys when the folder
    holds no station key: the caller offers demo keys as a choice, never silently."""
    keys_dir = Path(keys_dir)
    cache_key = (str(keys_dir), passphrase or "")
    with _lock:
        if cache_key in _sealers:
            return _sealers[cache_key]
    if not has_station_keys(keys_dir):
        raise NoStationKeys(_("no station keys in {keys_dir}: labels cannot be sealed").format(keys_dir=keys_dir),
                            _("import the station's keys from the key officer (Settings > Keys, or "
                            "`sigilo keys create-station`), or choose demo keys to try Sigilo"))
    from desktop.seal import Sealer

    loaded = Sealer.from_keys_dir(keys_dir, passphrase)
    with _lock:
        _sealers[cache_key] = loaded
    return loaded


def forget_keys() -> None:
    """Drop loaded keys (after the key folder changed in settings)."""
    with _lock:
        _sealers.clear()


def scanner(keys_dir: Path):
    """A Scanner from the scanner keys in ``keys_dir``; NotAuthorized when there are none."""
    from desktop.keys.errors import TrustListError
    from desktop.keys.highwater import HighWaterDamaged, ListRollback
    from desktop.seal import Scanner

    try:
        return Scanner.from_keys_dir(keys_dir)
    except (ListRollback, TrustListError, HighWaterDamaged):
        raise  # the clerk must read "older trust list", not "no scanner key"
    except SigiloError as exc:
        raise NotAuthorized(_("this station holds no scanner key: it cannot open sealed labels"),
                            _("import a scanner (fleet) key in Settings > Keys, or scan with an authorized device")) from exc
    except (OSError, ValueError) as exc:
        raise NotAuthorized(_("this station holds no scanner key: it cannot open sealed labels"),
                            _("import a scanner (fleet) key in Settings > Keys")) from exc
