"""One process drives a printer at a time: a lock file per printer URI in the data directory,
held while that process's worker runs. The operating system drops it when the process dies
(even by SIGKILL), so a restart can take over and resume."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


class PrinterLock:
    def __init__(self, home: Path, uri: str) -> None:
        self.path = Path(home) / "locks" / (hashlib.sha256(uri.encode()).hexdigest()[:24] + ".lock")
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # Windows: msvcrt locks a byte range instead
            try:
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            except OSError:
                os.close(fd)
                return False
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None


def driven_elsewhere_or_here(home: Path, uri: str) -> bool:
    """Is some process (this one included) driving the printer now? Tries the lock and lets go."""
    probe = PrinterLock(home, uri)
    if not probe.path.exists():
        return False
    if probe.acquire():
        probe.release()
        return False
    return True
