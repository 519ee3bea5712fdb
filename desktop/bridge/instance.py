"""One bridge per computer account: a lock file in the data folder, held while the bridge runs
(the operating system drops it when the process ends, even when killed), and beside it where
the running bridge listens, so a second start says where the first one is."""

from __future__ import annotations

from desktop.i18n import _

import json
import os
from pathlib import Path

from desktop.bridge.errors import BridgeError


class BridgeInstance:
    def __init__(self, home: Path) -> None:
        self.folder = Path(home) / "bridge"
        self.lock_path = self.folder / "bridge.lock"
        self.info_path = self.folder / "running.json"
        self._fd: int | None = None

    def acquire(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _lock(fd):
            os.close(fd)
            where = self.running()
            detail = f" (process {where.get('pid')}, {where.get('url')})" if where else ""
            raise BridgeError(_("a Sigilo bridge already runs for this account{detail}").format(detail=detail),
                              _("pages print through that one; stop it first to start another "
                              "(or give this one another SIGILO_HOME)"))
        self._fd = fd

    def announce(self, url: str, urls: list[str], example: str | None = None) -> None:
        info = {"pid": os.getpid(), "url": url, "urls": urls, "example": example}
        tmp = self.info_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(info), encoding="utf-8")
        os.replace(tmp, self.info_path)

    def running(self) -> dict:
        try:
            return json.loads(self.info_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def release(self) -> None:
        if self._fd is not None:
            try:
                self.info_path.unlink()
            except OSError:
                pass
            os.close(self._fd)
            self._fd = None


def _lock(fd: int) -> bool:
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except ImportError:
        try:
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    except OSError:
        return False
