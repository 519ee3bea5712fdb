"""The one interface every printer connection has: write, read with a timeout, drain, close,
and whether it can read back (status queries need it; file and spooler outputs cannot)."""

from __future__ import annotations

import time


class Transport:
    """Base class. Subclasses implement ``_write_chunk`` and, when they can read, ``_read``.

    Writes are split into chunks so that a slow serial line or a full socket buffer turns
    into a timeout error on one chunk instead of a silent hang on a whole label."""

    can_read = False
    chunk_size = 4096

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.closed = False
        self.bytes_written = 0

    # -- public interface -------------------------------------------------------------
    def write(self, data: bytes) -> None:
        self._check_open()
        view = memoryview(bytes(data))
        for start in range(0, len(view), self.chunk_size):
            chunk = view[start:start + self.chunk_size]
            self._write_chunk(bytes(chunk))
            self.bytes_written += len(chunk)

    def read(self, n: int, timeout: float) -> bytes:
        """Up to n bytes, waiting at most ``timeout`` seconds for the first of them.
        An empty result means the printer said nothing in time (callers decide whether that is
        an error: ``~HS`` is silent while media is out)."""
        self._check_open()
        if not self.can_read:
            from printers.transports.errors import UnsupportedTransportError

            raise UnsupportedTransportError(f"{self.uri} cannot read back from the printer",
                                            "use a serial, USB or network connection for status")
        return self._read(n, timeout)

    def read_until(self, terminator: bytes, timeout: float, limit: int = 65536) -> bytes:
        """Read until ``terminator`` appears or ``timeout`` passes; returns what arrived."""
        deadline = time.monotonic() + timeout
        buf = b""
        while terminator not in buf and len(buf) < limit:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            buf += self.read(limit - len(buf), left)
        return buf

    def discard_input(self) -> bytes:
        """Throw away stale replies (a status answer that came too late to the previous query)."""
        if not self.can_read:
            return b""
        stale = b""
        while True:
            got = self._read(4096, 0.0)
            if not got:
                return stale
            stale += got

    def drain(self) -> None:
        """Wait until written data has left this computer (serial: tcdrain)."""

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.uri}>"

    # -- for subclasses ---------------------------------------------------------------
    def _write_chunk(self, chunk: bytes) -> None:
        raise NotImplementedError

    def _read(self, n: int, timeout: float) -> bytes:  # pragma: no cover - readers override
        return b""

    def _close(self) -> None:
        pass

    def _check_open(self) -> None:
        if self.closed:
            from printers.transports.errors import DisconnectedError

            raise DisconnectedError(f"{self.uri} is closed", "open the printer again")
