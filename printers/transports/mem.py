"""In-memory printers (``mem://NAME``): a registry that tests, demos and benchmarks can write to
and inspect, with no device. A memory printer can answer status queries when given a
``responder`` (bytes received -> bytes to send back), e.g. a SimulatedPrinter's."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from printers.transports.base import Transport
from printers.transports.errors import DisconnectedError
from printers.transports.uri import PrinterUri


class MemPrinter:
    def __init__(self, name: str, responder: Callable[[bytes], bytes] | None = None) -> None:
        self.name = name
        self.responder = responder
        self.received = bytearray()
        self.writes: list[bytes] = []
        self.outbox = bytearray()
        self.online = True
        self.opened = 0
        self._cond = threading.Condition()

    def feed(self, data: bytes) -> None:
        with self._cond:
            self.received += data
            self.writes.append(bytes(data))
            if self.responder is not None:
                reply = self.responder(bytes(data))
                if reply:
                    self.outbox += reply
                    self._cond.notify_all()

    def answer(self, data: bytes) -> None:
        """Queue bytes for the client to read, as if the printer had sent them."""
        with self._cond:
            self.outbox += data
            self._cond.notify_all()

    def take(self, n: int, timeout: float) -> bytes:
        with self._cond:
            deadline = time.monotonic() + timeout
            while not self.outbox:
                left = deadline - time.monotonic()
                if left <= 0:
                    return b""
                self._cond.wait(left)
            out = bytes(self.outbox[:n])
            del self.outbox[:n]
            return out


_REGISTRY: dict[str, MemPrinter] = {}
_LOCK = threading.Lock()


def mem_printer(name: str, responder: Callable[[bytes], bytes] | None = None) -> MemPrinter:
    """The memory printer called ``name``, created if absent (a responder given replaces the old)."""
    with _LOCK:
        printer = _REGISTRY.get(name)
        if printer is None:
            printer = _REGISTRY[name] = MemPrinter(name, responder)
        elif responder is not None:
            printer.responder = responder
        return printer


def remove_mem_printer(name: str) -> None:
    with _LOCK:
        _REGISTRY.pop(name, None)


def mem_printers() -> dict[str, MemPrinter]:
    with _LOCK:
        return dict(_REGISTRY)


class MemTransport(Transport):
    chunk_size = 65536

    def __init__(self, uri: PrinterUri) -> None:
        super().__init__(uri.raw)
        self.printer = mem_printer(uri.target)
        self.printer.opened += 1

    @property
    def can_read(self) -> bool:  # type: ignore[override]
        return self.printer.responder is not None

    def _alive(self) -> None:
        if not self.printer.online:
            raise DisconnectedError(f"{self.uri} went offline", "reopen the printer")

    def _write_chunk(self, chunk: bytes) -> None:
        self._alive()
        self.printer.feed(chunk)

    def _read(self, n: int, timeout: float) -> bytes:
        self._alive()
        return self.printer.take(n, timeout)
