"""Printer connections behind one interface, chosen by URI (see uri.py for the forms).

    with open_transport("serial:///dev/ttyUSB0?baud=115200&flow=rtscts") as t:
        t.write(label_bytes)
        t.drain()

Every failure is a TransportError subclass (printers/transports/errors.py) carrying a fix
hint. Optional or platform-bound back ends (pyusb, pywin32, CUPS's lp) are imported or looked
up only when a URI needs them.
"""

from __future__ import annotations

from printers.transports.base import Transport
from printers.transports.errors import (
    BadUriError,
    BusyError,
    DisconnectedError,
    NotFoundError,
    PermissionDeniedError,
    TimeoutError,
    TransportError,
    TransportTimeoutError,
    UnsupportedTransportError,
)
from printers.transports.uri import PrinterUri, parse_uri

__all__ = [
    "BadUriError",
    "BusyError",
    "DisconnectedError",
    "NotFoundError",
    "PermissionDeniedError",
    "PrinterUri",
    "TimeoutError",
    "Transport",
    "TransportError",
    "TransportTimeoutError",
    "UnsupportedTransportError",
    "open_transport",
    "parse_uri",
]


def open_transport(uri: str) -> Transport:
    parsed = parse_uri(uri)
    if parsed.scheme == "serial":
        from printers.transports.serial_port import SerialTransport

        return SerialTransport(parsed)
    if parsed.scheme == "usb":
        if parsed.vid is not None:
            from printers.transports.pyusb import PyUsbTransport

            return PyUsbTransport(parsed)
        from printers.transports.usblp import UsbLpTransport

        return UsbLpTransport(parsed)
    if parsed.scheme == "tcp":
        from printers.transports.tcp import TcpTransport

        return TcpTransport(parsed)
    if parsed.scheme == "cups":
        from printers.transports.cups import CupsTransport

        return CupsTransport(parsed)
    if parsed.scheme == "win32":
        from printers.transports.win32 import Win32Transport

        return Win32Transport(parsed)
    if parsed.scheme == "file":
        from printers.transports.file import FileTransport

        return FileTransport(parsed)
    from printers.transports.mem import MemTransport

    return MemTransport(parsed)
