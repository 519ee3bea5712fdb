"""Network printers on a raw socket (port 9100, "JetDirect"/"RAW" printing), with timeouts on
connect, write and read so a printer that vanished from the network is reported, not waited for."""

from __future__ import annotations

import socket

from printers.transports.base import Transport
from printers.transports.errors import (
    BadUriError,
    DisconnectedError,
    NotFoundError,
    TransportTimeoutError,
    from_oserror,
)
from printers.transports.uri import PrinterUri


class TcpTransport(Transport):
    can_read = True
    chunk_size = 16384

    def __init__(self, uri: PrinterUri) -> None:
        super().__init__(uri.raw)
        self.address = (uri.target, uri.port or 9100)
        self.where = f"{uri.target}:{self.address[1]}"
        try:
            self.timeout = float(uri.params.get("timeout", "5"))
        except ValueError:
            raise BadUriError(f"timeout={uri.params.get('timeout')!r} is not a number of seconds",
                              "use e.g. timeout=5") from None
        try:
            self._sock = socket.create_connection(self.address, timeout=self.timeout)
        except socket.gaierror as exc:
            raise NotFoundError(f"cannot resolve printer host {uri.target!r}",
                                "check the host name, or use the printer's IP address") from exc
        except TimeoutError as exc:
            raise TransportTimeoutError(f"no answer from {self.where} within {self.timeout:g} s",
                               "check that the printer is on and on this network") from exc
        except OSError as exc:
            raise from_oserror(exc, self.where, "tcp", opening=True) from exc
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _write_chunk(self, chunk: bytes) -> None:
        self._sock.settimeout(self.timeout)
        try:
            self._sock.sendall(chunk)
        except TimeoutError as exc:
            raise TransportTimeoutError(f"{self.where} stopped accepting data",
                               "the printer's buffer is full or it is paused: check paper and head") from exc
        except OSError as exc:
            raise from_oserror(exc, self.where, "tcp") from exc

    def _read(self, n: int, timeout: float) -> bytes:
        self._sock.settimeout(max(timeout, 0.0))  # 0 = just what has arrived
        try:
            data = self._sock.recv(n)
        except (TimeoutError, BlockingIOError):
            return b""
        except OSError as exc:
            raise from_oserror(exc, self.where, "tcp") from exc
        if not data:
            raise DisconnectedError(f"{self.where} closed the connection",
                                    "the printer restarted or dropped us; reopen the printer")
        return data

    def unsent_bytes(self) -> int | None:
        """Bytes written that the printer has not yet acknowledged (the socket's send queue;
        Linux SIOCOUTQ): while it shrinks the printer is taking data, however slowly. None where
        the system does not say."""
        try:
            import fcntl
            import struct
            import termios

            return struct.unpack("i", fcntl.ioctl(self._sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
        except (ImportError, OSError, AttributeError, ValueError):
            return None

    def _close(self) -> None:
        try:
            self._sock.close()
        except OSError:
            pass
