"""Windows printers through the spooler in RAW mode: ``win32://ZDesigner GK420d``. The bytes go
to the printer untouched (no GDI driver rendering), which is what a label printer's language
needs. pywin32 is imported only on Windows; elsewhere this transport says so plainly."""

from __future__ import annotations

import sys

from printers.transports.base import Transport
from printers.transports.errors import (
    NotFoundError,
    TransportError,
    UnsupportedTransportError,
)
from printers.transports.uri import PrinterUri


def _win32print():
    if sys.platform != "win32":
        raise UnsupportedTransportError("win32:// printers exist only on Windows",
                                        "on Linux and macOS use cups://QUEUE, usb://, serial:// or tcp://")
    try:
        import win32print  # type: ignore[import-not-found]
    except ImportError as exc:
        raise UnsupportedTransportError("win32:// needs pywin32", "install it with `pip install pywin32`") from exc
    return win32print


class Win32Transport(Transport):
    can_read = False
    chunk_size = 65536

    def __init__(self, uri: PrinterUri) -> None:
        super().__init__(uri.raw)
        self._w = _win32print()
        self.name = uri.target
        try:
            self._handle = self._w.OpenPrinter(self.name)
        except Exception as exc:  # pywintypes.error
            names = []
            try:
                names = [p[2] for p in self._w.EnumPrinters(2 | 4)]  # local | connections
            except Exception:
                pass
            raise NotFoundError(f"no Windows printer named {self.name!r}",
                                ("printers here: " + ", ".join(names)) if names
                                else "add the printer in Settings > Printers, with its manufacturer's driver") from exc
        self._in_doc = False

    def _write_chunk(self, chunk: bytes) -> None:
        try:
            if not self._in_doc:
                self._w.StartDocPrinter(self._handle, 1, ("Sigilo labels", None, "RAW"))
                self._w.StartPagePrinter(self._handle)
                self._in_doc = True
            self._w.WritePrinter(self._handle, chunk)
        except Exception as exc:
            raise TransportError(f"the Windows spooler refused data for {self.name!r}: {exc}",
                                 "check the printer's queue in Settings > Printers; a driver set to 'print directly' can help") from exc

    def drain(self) -> None:
        self._check_open()
        if self._in_doc:
            self._in_doc = False
            self._w.EndPagePrinter(self._handle)
            self._w.EndDocPrinter(self._handle)

    def _close(self) -> None:
        try:
            self.drain_quietly()
        finally:
            self._w.ClosePrinter(self._handle)

    def drain_quietly(self) -> None:
        if self._in_doc:
            self._in_doc = False
            self._w.EndPagePrinter(self._handle)
            self._w.EndDocPrinter(self._handle)
