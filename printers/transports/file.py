"""Printer bytes into a file: for printing to a share, handing a .prn to another program, or
checking what Sigilo would send. ``file:///path?mode=append`` appends; the default overwrites."""

from __future__ import annotations

import os

from printers.transports.base import Transport
from printers.transports.errors import BadUriError, from_oserror
from printers.transports.uri import PrinterUri


class FileTransport(Transport):
    can_read = False
    chunk_size = 65536

    def __init__(self, uri: PrinterUri) -> None:
        super().__init__(uri.raw)
        mode = uri.params.get("mode", "overwrite")
        if mode not in ("append", "overwrite"):
            raise BadUriError(f"mode={mode!r} is not a file mode", "use mode=append or mode=overwrite")
        self.path = uri.target
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "append" else os.O_TRUNC)
        try:
            self._fd = os.open(self.path, flags, 0o644)
        except OSError as exc:
            raise from_oserror(exc, self.path, "file", opening=True) from exc

    def _write_chunk(self, chunk: bytes) -> None:
        view = memoryview(chunk)
        try:
            while view:
                view = view[os.write(self._fd, view):]
        except OSError as exc:
            raise from_oserror(exc, self.path, "file") from exc

    def drain(self) -> None:
        self._check_open()
        try:
            os.fsync(self._fd)
        except OSError:
            pass  # pipes and some shares cannot fsync; the data has left us either way

    def _close(self) -> None:
        os.close(self._fd)
