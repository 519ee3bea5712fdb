"""Typed transport errors, each with the fix a clerk or an installer can act on.

A print station fails in a handful of ways that need different fixes: the port belongs to
another group (add the user to it, or install a udev rule), another program or the usblp
driver holds the device, the device is not there (we list what is), the printer stops
answering (timeout), or it goes away mid-job (disconnected: cable, power, Bluetooth range).
``from_oserror`` maps errno values onto these, so callers never see a bare OSError.
"""

from __future__ import annotations

import errno
import glob
import os

from printers.errors import PrinterError


class TransportError(PrinterError):
    """Base of every error talking to a printer over a connection."""


class BadUriError(TransportError):
    """A printer URI Sigilo cannot understand."""


class UnsupportedTransportError(TransportError):
    """A transport that this platform or installation cannot use."""


class PermissionDeniedError(TransportError):
    """The operating system refused access to the device."""


class BusyError(TransportError):
    """Another program (or a kernel driver) holds the device."""


class NotFoundError(TransportError):
    """The device, queue or host does not exist."""


class TransportTimeoutError(TransportError):
    """The printer did not accept or answer data in time."""


# The name the transport interface was agreed under; prefer TransportTimeoutError, which
# does not shadow the builtin.
TimeoutError = TransportTimeoutError


class DisconnectedError(TransportError):
    """The printer went away while we were talking to it."""


def existing_devices(kind: str) -> list[str]:
    """What does exist, for a not-found message: serial ports or usblp files."""
    if kind == "usb":
        return sorted(glob.glob("/dev/usb/lp*"))
    try:
        from serial.tools import list_ports

        return sorted(p.device for p in list_ports.comports())
    except Exception:  # pragma: no cover - list_ports missing on exotic platforms
        return []


def permission_hint(path: str, kind: str) -> str:
    group = "lp" if kind == "usb" else "dialout"
    user = os.environ.get("USER") or "$USER"
    return (f"run `sudo usermod -aG {group} {user}` and log in again, or add a udev rule such as "
            f"SUBSYSTEM==\"{'usbmisc' if kind == 'usb' else 'tty'}\", MODE=\"0660\", GROUP=\"{group}\" "
            f"in /etc/udev/rules.d/60-sigilo-printer.rules, then `sudo udevadm control --reload && sudo udevadm trigger` "
            f"({path})")


def not_found_hint(kind: str) -> str:
    found = existing_devices(kind)
    what = "USB printer files" if kind == "usb" else "serial ports"
    if found:
        return f"{what} present now: {', '.join(found)}; or run `sigilo printers` to list printers"
    return f"no {what} are present: check the cable and power, then run `sigilo printers`"


_DISCONNECT = {errno.EIO, errno.EPIPE, errno.ECONNRESET, errno.ENODEV, errno.ENXIO,
               errno.ESHUTDOWN, errno.ECONNABORTED, errno.EBADF}


def from_oserror(exc: OSError, target: str, kind: str = "serial", opening: bool = False) -> TransportError:
    """Map an OSError raised at the device boundary onto the typed error with its fix.

    ``opening`` matters for ENODEV/ENXIO: while opening they mean "not there", afterwards
    they mean the device left (unplugged, powered off)."""
    code = exc.errno
    detail = exc.strerror or str(exc)
    if code in (errno.EACCES, errno.EPERM):
        return PermissionDeniedError(f"permission denied opening {target}", permission_hint(target, kind))
    if code == errno.EBUSY:
        holder = ("the usblp kernel driver or another program (a CUPS queue, a printer tool) holds it"
                  if kind == "usb" else "another program holds it (a serial console, ModemManager, another Sigilo)")
        return BusyError(f"{target} is busy", f"{holder}; close it and retry; `fuser -v {target}` shows who")
    if code == errno.ENOENT or (opening and code in (errno.ENODEV, errno.ENXIO)):
        return NotFoundError(f"{target} does not exist", not_found_hint(kind))
    if code in (errno.ETIMEDOUT, errno.EAGAIN):
        return TransportTimeoutError(f"{target} did not respond in time ({detail})",
                            "check that the printer is on, online and not paused")
    if code in (errno.ECONNREFUSED,):
        return NotFoundError(f"nothing accepts connections at {target}",
                             "check the printer's IP address and that raw printing on port 9100 is enabled")
    if code in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN):
        return NotFoundError(f"{target} cannot be reached ({detail})",
                             "check the network cable or Wi-Fi and the printer's IP address")
    if code in _DISCONNECT:
        return DisconnectedError(f"{target} disconnected ({detail})",
                                 "check the cable, power and (for Bluetooth) range, then reopen the printer")
    return TransportError(f"{target}: {detail}", "check the printer's connection and settings")
