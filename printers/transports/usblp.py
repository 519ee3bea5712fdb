"""USB printers through the kernel's usblp driver: ``usb:///dev/usb/lp0``.

The device file is opened read-write when it is a character device, because usblp passes the
printer's back channel (status replies) through read(); a regular file or FIFO (a stand-in, or
a pipe into another program) is write-only. Writes use non-blocking I/O with a poll so that a
printer that stops taking data (paper out on a unidirectional printer) gives a timeout."""

from __future__ import annotations

import errno
import os
import select
import stat
import time

from printers.transports.base import Transport
from printers.transports.errors import (
    BadUriError,
    DisconnectedError,
    TransportTimeoutError,
    from_oserror,
)
from printers.transports.uri import PrinterUri


class UsbLpTransport(Transport):
    chunk_size = 4096

    def __init__(self, uri: PrinterUri) -> None:
        super().__init__(uri.raw)
        self.path = uri.target
        try:
            self.timeout = float(uri.params.get("timeout", "10"))
        except ValueError:
            raise BadUriError(f"timeout={uri.params.get('timeout')!r} is not a number of seconds",
                              "use e.g. timeout=10") from None
        try:
            mode = os.stat(self.path).st_mode
            is_chr = stat.S_ISCHR(mode)
            flags = (os.O_RDWR if is_chr else os.O_WRONLY) | os.O_NONBLOCK
            if stat.S_ISREG(mode):
                flags |= os.O_APPEND
            self._fd = self._open(flags, fifo=stat.S_ISFIFO(mode))
        except OSError as exc:
            raise from_oserror(exc, self.path, "usb", opening=True) from exc
        self.can_read = is_chr

    def _open(self, flags: int, fifo: bool) -> int:
        """A FIFO with no reader yet refuses a non-blocking writer (ENXIO): wait for the
        reader up to the timeout instead of failing at once."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return os.open(self.path, flags)
            except OSError as exc:
                if not (fifo and exc.errno == errno.ENXIO) or time.monotonic() > deadline:
                    raise
            time.sleep(0.01)

    def _write_chunk(self, chunk: bytes) -> None:
        view = memoryview(chunk)
        deadline = time.monotonic() + self.timeout
        while view:
            try:
                view = view[os.write(self._fd, view):]
                continue
            except BlockingIOError:
                pass
            except OSError as exc:
                raise from_oserror(exc, self.path, "usb") from exc
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [self._fd], [], left)[1]:
                raise TransportTimeoutError(f"{self.path} stopped accepting data",
                                   "check paper, head and that the printer is online")

    def _read(self, n: int, timeout: float) -> bytes:
        if timeout > 0 and not select.select([self._fd], [], [], timeout)[0]:
            return b""
        try:
            data = os.read(self._fd, n)
        except BlockingIOError:
            return b""
        except OSError as exc:
            if exc.errno == errno.EAGAIN:
                return b""
            raise from_oserror(exc, self.path, "usb") from exc
        if not data and timeout > 0:
            raise DisconnectedError(f"{self.path} disconnected", "check the USB cable and power")
        return data

    def _close(self) -> None:
        os.close(self._fd)
