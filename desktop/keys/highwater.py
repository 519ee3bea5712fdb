"""The highest serial of each signed list this machine has accepted, kept apart from the lists.

A signed list (the fleet's trust list of station keys; a void list of labels) is replaced by a
newer one with a higher serial. A valid signature proves who issued a list, not that it is the
newest one: an older list, still validly signed, would bring a revoked station or a voided label
back. So every machine remembers, per list kind and issuing authority, the highest serial it has
accepted, and refuses any lower one however the file arrived — copied over the installed list,
restored from a backup, or imported after the installed list was deleted. The mark lives in the
station's data folder (``SIGILO_HOME/signed-lists.json``), not beside the list, so removing or
replacing a keys directory does not reset it. Whoever can write the data folder itself can reset
it, as they could delete the audit; the mark guards against stale lists, not against root.

Use (one call after the list's signature has been checked, with the serial from the signed body)::

    from desktop.keys.highwater import HighWater, ListRollback

    marks = HighWater()                                   # SIGILO_HOME/signed-lists.json
    marks.accept("void", authority_key_id_hex, serial, what="void list")
    # -> the serial; records it if it is the highest so far; raises ListRollback (exit 26)
    #    if it is lower than one accepted before. The same serial again is accepted.
    marks.check("void", authority_key_id_hex, serial)     # the same test, recording nothing
    marks.highest("void", authority_key_id_hex)           # -> Mark(serial, accepted_at) or None

``kind`` is a short name of the list ("trust", "void"); ``authority`` the hex key id of the key
that signs it, so two fleets (or the demo set and a real one) on one machine never share a mark.
A damaged mark file is refused (``HighWaterDamaged``), never read as "nothing accepted yet".
"""

from __future__ import annotations

import json
import os
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from desktop.keys.errors import KeyMaterialError

FORMAT = "sigilo-signed-lists-1"
FILE_NAME = "signed-lists.json"


class ListRollback(KeyMaterialError):
    """A signed list older than one this machine already accepted."""

    exit_code = 26


class HighWaterDamaged(KeyMaterialError):
    """The file of accepted serials cannot be read; it is not taken as empty."""

    exit_code = 24


@dataclass(frozen=True)
class Mark:
    serial: int
    accepted_at: int


def _fmt(t: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t))


class HighWater:
    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:
            from desktop.paths import data_dir

            path = data_dir() / FILE_NAME
        self.path = Path(path)

    # -- reading and writing ------------------------------------------------------------

    def _read(self) -> dict[str, dict]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise HighWaterDamaged(f"cannot read {self.path}: {exc.strerror or exc}",
                                   "check the data folder's permissions") from None
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT or not isinstance(data.get("lists"), dict):
                raise ValueError("unknown format")
            lists = data["lists"]
            for mark in lists.values():
                if type(mark.get("serial")) is not int or type(mark.get("accepted_at")) is not int:
                    raise ValueError("a mark without an integer serial")
            return lists
        except (ValueError, AttributeError, TypeError) as exc:
            raise HighWaterDamaged(
                f"{self.path}, which remembers the newest signed lists accepted here, is damaged ({exc})",
                "restore it from a backup; if it is lost, remove it and import the newest lists from the key officer "
                "again") from None

    def _write(self, lists: dict[str, dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"format": FORMAT, "lists": lists}, fh, indent=2, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Two scanners (or a scan and an import) on one data folder never lose a mark."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            try:
                import fcntl
            except ImportError:  # Windows: one process per data folder there
                yield
                return
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    # -- the API ------------------------------------------------------------------------

    @staticmethod
    def _key(kind: str, authority: str) -> str:
        return f"{kind}:{authority}"

    def highest(self, kind: str, authority: str) -> Mark | None:
        mark = self._read().get(self._key(kind, authority))
        return Mark(mark["serial"], mark["accepted_at"]) if mark else None

    def check(self, kind: str, authority: str, serial: int, what: str | None = None) -> None:
        self._refuse_if_older(self.highest(kind, authority), serial, what or f"{kind} list")

    @staticmethod
    def _refuse_if_older(mark: Mark | None, serial: int, what: str) -> None:
        if type(serial) is not int or serial < 0:
            raise ListRollback(f"the {what} has no valid serial ({serial!r})", "import a fresh copy from the key officer")
        if mark is not None and serial < mark.serial:
            raise ListRollback(
                f"the {what} has serial {serial}, older than serial {mark.serial} accepted here on "
                f"{_fmt(mark.accepted_at)}; an older list is never used again",
                f"import the newest {what} from the key officer (serial {mark.serial} or later)")

    def accept(self, kind: str, authority: str, serial: int, what: str | None = None,
               now: int | None = None) -> int:
        with self._locked():
            lists = self._read()
            key = self._key(kind, authority)
            old = lists.get(key)
            self._refuse_if_older(Mark(old["serial"], old["accepted_at"]) if old else None, serial,
                                  what or f"{kind} list")
            if old is None or serial > old["serial"]:
                lists[key] = {"serial": serial, "accepted_at": int(time.time() if now is None else now)}
                self._write(lists)
        return serial
