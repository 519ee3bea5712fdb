"""Printer URIs: one string names a printer and how to reach it, in settings, on the command
line and in the print bridge.

    serial:///dev/ttyUSB0?baud=115200&flow=rtscts&parity=N&bits=8&stop=1
    usb:///dev/usb/lp0          usb://0x1203:0x0230
    tcp://192.168.1.50:9100     cups://Label_Printer
    win32://ZDesigner GK420d    file:///tmp/out.prn?mode=append     mem://bench
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote

from printers.transports.errors import BadUriError

SCHEMES = ("serial", "usb", "tcp", "cups", "win32", "file", "mem")

_EXAMPLES = ("serial:///dev/ttyUSB0?baud=115200, usb:///dev/usb/lp0, usb://0x1203:0x0230, "
             "tcp://192.168.1.50:9100, cups://QUEUE, win32://Printer Name, file:///path/out.prn, mem://NAME")


@dataclass(frozen=True)
class PrinterUri:
    scheme: str
    target: str  # device path, host, queue, printer name or file path
    params: dict[str, str] = field(default_factory=dict)
    port: int | None = None
    vid: int | None = None
    pid: int | None = None
    raw: str = ""


def _bad(uri: str, why: str) -> BadUriError:
    return BadUriError(f"bad printer URI {uri!r}: {why}", f"use one of: {_EXAMPLES}")


def parse_uri(uri: str) -> PrinterUri:
    """Split a printer URI. Hand-rolled rather than urllib's urlsplit because printer names
    contain spaces and Windows paths, and 'COM3' or a bare '/dev/ttyUSB0' are common typos we
    want to answer with a clear message."""
    if not isinstance(uri, str) or not uri.strip():
        raise _bad(str(uri), "it is empty")
    uri = uri.strip()
    if "://" not in uri:
        raise _bad(uri, "it has no scheme (did you mean serial://" + uri + " ?)" if uri.startswith(("/", "COM"))
                   else "it has no scheme")
    scheme, rest = uri.split("://", 1)
    scheme = scheme.lower()
    if scheme not in SCHEMES:
        raise _bad(uri, f"unknown scheme {scheme!r}")
    query = ""
    if "?" in rest and scheme != "win32":
        rest, query = rest.split("?", 1)
    params = {k.lower(): v for k, v in parse_qsl(query, keep_blank_values=True)}
    target = unquote(rest)
    if scheme in ("serial", "file"):
        if not target:
            raise _bad(uri, "it names no path")
        return PrinterUri(scheme, target, params, raw=uri)
    if scheme == "usb":
        m = re.fullmatch(r"(0x)?([0-9a-fA-F]{1,4}):(0x)?([0-9a-fA-F]{1,4})", target)
        if m:
            return PrinterUri(scheme, target, params, vid=int(m.group(2), 16), pid=int(m.group(4), 16), raw=uri)
        if target.startswith("/"):
            return PrinterUri(scheme, target, params, raw=uri)
        raise _bad(uri, "usb:// takes a device file (usb:///dev/usb/lp0) or VID:PID (usb://0x1203:0x0230)")
    if scheme == "tcp":
        host, port = target, "9100"
        if target.startswith("["):  # [ipv6]:port
            m = re.fullmatch(r"\[([^\]]+)\](?::(\d+))?/?", target)
            if not m:
                raise _bad(uri, "malformed IPv6 address")
            host, port = m.group(1), m.group(2) or "9100"
        elif ":" in target:
            host, port = target.rstrip("/").rsplit(":", 1)
        host = host.rstrip("/")
        if not host:
            raise _bad(uri, "it names no host")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise _bad(uri, f"port {port!r} is not a number from 1 to 65535")
        return PrinterUri(scheme, host, params, port=int(port), raw=uri)
    # cups, win32, mem: a name
    if not target:
        raise _bad(uri, "it names no printer")
    return PrinterUri(scheme, target, params, raw=uri)
