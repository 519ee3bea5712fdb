"""Serial printers: RS-232, USB-CDC adapters and Bluetooth SPP all show up as serial ports.

``serial:///dev/ttyUSB0?baud=115200&flow=rtscts|xonxoff|dsrdtr|none&parity=N|E|O&bits=8&stop=1``
Flow control is left to pyserial and the kernel (hardware RTS/CTS or XON/XOFF), so a printer
whose buffer fills simply holds us off; a printer that holds us off for longer than the write
timeout is reported as a TransportTimeoutError rather than hanging the print queue.
"""

from __future__ import annotations

import errno

import serial

from printers.transports.base import Transport
from printers.transports.errors import (
    BadUriError,
    BusyError,
    DisconnectedError,
    TransportError,
    TransportTimeoutError,
    from_oserror,
)
from printers.transports.uri import PrinterUri

FLOWS = {"none": {}, "rtscts": {"rtscts": True}, "xonxoff": {"xonxoff": True}, "dsrdtr": {"dsrdtr": True}}
PARITIES = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD,
            "M": serial.PARITY_MARK, "S": serial.PARITY_SPACE}
STOPS = {"1": serial.STOPBITS_ONE, "1.5": serial.STOPBITS_ONE_POINT_FIVE, "2": serial.STOPBITS_TWO}
DEFAULT_BAUD = 9600  # the factory setting of most TSPL/ZPL/ESC-POS printers


def serial_settings(uri: PrinterUri) -> dict:
    """pyserial keyword arguments from the URI's query, validated with messages naming the
    parameter, because a wrong baud rate prints garbage rather than failing."""
    p = uri.params
    try:
        baud = int(p.get("baud", DEFAULT_BAUD))
        if baud <= 0:
            raise ValueError
    except ValueError:
        raise BadUriError(f"baud={p.get('baud')!r} is not a baud rate", "use e.g. baud=9600 or baud=115200") from None
    flow = p.get("flow", "none").lower()
    if flow not in FLOWS:
        raise BadUriError(f"flow={flow!r} is not a flow control", "use flow=rtscts, xonxoff, dsrdtr or none")
    parity = p.get("parity", "N").upper()
    if parity not in PARITIES:
        raise BadUriError(f"parity={parity!r} is not a parity", "use parity=N, E or O")
    bits = p.get("bits", "8")
    if bits not in ("5", "6", "7", "8"):
        raise BadUriError(f"bits={bits!r} is not a character size", "use bits=8 (or 7)")
    stop = p.get("stop", "1")
    if stop not in STOPS:
        raise BadUriError(f"stop={stop!r} is not a stop-bit count", "use stop=1 or stop=2")
    try:
        write_timeout = float(p.get("timeout", "5"))
    except ValueError:
        raise BadUriError(f"timeout={p.get('timeout')!r} is not a number of seconds", "use e.g. timeout=5") from None
    settings = {"baudrate": baud, "bytesize": int(bits), "parity": PARITIES[parity], "stopbits": STOPS[stop],
                "xonxoff": False, "rtscts": False, "dsrdtr": False}
    settings.update(FLOWS[flow])
    return {"settings": settings, "write_timeout": write_timeout}


def bits_per_char(settings: dict) -> float:
    """Start bit + data + parity + stop: what one byte costs on the wire."""
    parity = 0 if settings["parity"] == serial.PARITY_NONE else 1
    return 1 + settings["bytesize"] + parity + float(settings["stopbits"])


class SerialTransport(Transport):
    can_read = True
    chunk_size = 1024

    def __init__(self, uri: PrinterUri) -> None:
        super().__init__(uri.raw)
        cfg = serial_settings(uri)
        self.settings = cfg["settings"]
        self.write_timeout = cfg["write_timeout"]
        self.path = uri.target
        try:
            self._port = serial.Serial(self.path, timeout=0, write_timeout=self.write_timeout,
                                       exclusive=True, **self.settings)
        except serial.SerialException as exc:
            raise self._open_error(exc) from exc
        except OSError as exc:
            raise from_oserror(exc, self.path, "serial", opening=True) from exc

    def _open_error(self, exc: serial.SerialException) -> TransportError:
        code = getattr(exc, "errno", None)
        text = str(exc)
        if "exclusively lock" in text:
            return BusyError(f"{self.path} is busy", "another program has it open; close it and retry")
        if code is not None:
            return from_oserror(OSError(code, exc.strerror or text), self.path, "serial", opening=True)
        if "lock" in text.lower():
            return BusyError(f"{self.path} is busy", "another program has it open; close it and retry")
        return TransportError(f"cannot open {self.path}: {text}", "check the port name and its settings")

    def wire_seconds(self, nbytes: int) -> float:
        return nbytes * bits_per_char(self.settings) / self.settings["baudrate"]

    def _write_chunk(self, chunk: bytes) -> None:
        # A chunk may take its wire time plus the printer's hold-off; allow three times the
        # wire time, never less than the configured timeout.
        try:
            wt = max(self.write_timeout, 3 * self.wire_seconds(len(chunk)))
            if self._port.write_timeout != wt:  # the setter reconfigures the port: only on change
                self._port.write_timeout = wt
            self._port.write(chunk)
        except serial.SerialTimeoutException as exc:
            raise TransportTimeoutError(f"{self.path} stopped accepting data",
                               "the printer holds flow control: check paper, head and that it is online") from exc
        except (serial.SerialException, OSError) as exc:
            raise self._lost(exc) from exc

    def _read(self, n: int, timeout: float) -> bytes:
        try:
            if self._port.timeout != max(0.0, timeout):
                self._port.timeout = max(0.0, timeout)
            first = self._port.read(1)
            if not first:
                return b""
            waiting = self._port.in_waiting
            return first + (self._port.read(min(waiting, n - 1)) if waiting and n > 1 else b"")
        except (serial.SerialException, OSError) as exc:
            raise self._lost(exc) from exc

    def _lost(self, exc: Exception) -> TransportError:
        if isinstance(exc, OSError) and exc.errno not in (None, errno.EIO):
            return from_oserror(exc, self.path, "serial")
        return DisconnectedError(f"{self.path} disconnected ({exc})",
                                 "check the cable, power and (for Bluetooth) range, then reopen the printer")

    def drain(self) -> None:
        self._check_open()
        try:
            self._port.flush()
        except (serial.SerialException, OSError) as exc:
            raise self._lost(exc) from exc

    def _close(self) -> None:
        try:
            self._port.close()
        except Exception:
            pass
