"""The station's log file: errors and printer faults, so a windowed station that failed
overnight can be diagnosed the next morning.

``sigilo.log`` in the data folder, readable by this account only (0600), rotated at 1 MB with
five old files kept. Every line passes a scrubber first: runs of digits that could be a phone,
an ID or a house number become ``[digits]`` (a tracking number keeps its letters and digits:
it is on the label face in clear anyway), and anything the caller registers as secret (the
recipient values of the label being printed) is blanked. The log never holds a recipient's
name, phone or address, or a sender's ID number.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import threading
from pathlib import Path

LOG_FILE = "sigilo.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
_DIGITS = re.compile(r"(?<![A-Za-z0-9])\+?\d[\d \-]{4,}\d(?![A-Za-z0-9])")
_lock = threading.Lock()
_handler: logging.Handler | None = None


def scrub(text: str) -> str:
    """Blank digit runs of 6 or more (phones, ID numbers, postcodes with house numbers) that are
    not part of a word such as a tracking number."""
    return _DIGITS.sub("[digits]", text)


class _Scrubbed(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class _PrivateRotatingFile(logging.handlers.RotatingFileHandler):
    """A rotating file created 0600, and every rotated file kept 0600."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.chmod(self.baseFilename, 0o600)
        except OSError:
            pass
        return os.fdopen(fd, "a", encoding=self.encoding)


def install(home: Path, level: int = logging.WARNING) -> Path:
    """Log warnings and errors of Sigilo's own loggers (desktop.*, printers.*, sigilo.*) to
    ``home/sigilo.log``. Idempotent; a later call for another folder moves the log there."""
    global _handler
    path = Path(home) / LOG_FILE
    with _lock:
        if _handler is not None and getattr(_handler, "baseFilename", "") == str(path.resolve()):
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _PrivateRotatingFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
        handler.setLevel(level)
        handler.setFormatter(_Scrubbed("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        for name in ("desktop", "printers", "sigilo"):
            logger = logging.getLogger(name)
            if _handler is not None:
                logger.removeHandler(_handler)
            logger.addHandler(handler)  # the loggers' own levels are left alone (the root's: warnings)
        if _handler is not None:
            _handler.close()
        _handler = handler
    return path


def uninstall() -> None:
    global _handler
    with _lock:
        if _handler is None:
            return
        for name in ("desktop", "printers", "sigilo"):
            logging.getLogger(name).removeHandler(_handler)
        _handler.close()
        _handler = None
