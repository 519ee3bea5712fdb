"""Find printers attached to this computer: serial ports (RS-232, USB-CDC, Bluetooth SPP),
usblp device files, USB printer-class devices (via pyusb when it and libusb are present),
and the queues the system already knows (CUPS destinations, Windows printers).

Each finding carries a ready-to-use URI, so the settings screen and `sigilo printers` can
offer it directly. Vendor names come from resources/usb/vendors.json (data, not code):
a CH340 adapter is named as such rather than guessed to be a printer.
"""

from __future__ import annotations

import glob
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache

from printers.resources import resource_path

VENDORS_FILE = resource_path("usb", "vendors.json")
PRINTER_CLASS = 7


@dataclass(frozen=True)
class FoundPrinter:
    uri: str
    kind: str  # "serial" | "usblp" | "usb" | "cups" | "win32"
    description: str
    vid: int | None = None
    pid: int | None = None
    vendor: str = ""
    likely_printer: bool = False
    language: str = ""  # a guess from the vendor, empty when unknown


@lru_cache(maxsize=1)
def vendors() -> dict[int, dict]:
    data = json.loads(VENDORS_FILE.read_text(encoding="utf-8"))
    return {int(k, 16): v for k, v in data["vendors"].items()}


def vendor_info(vid: int | None) -> dict:
    return vendors().get(vid, {}) if vid is not None else {}


def list_serial_ports() -> list[FoundPrinter]:
    from serial.tools import list_ports

    found = []
    for port in sorted(list_ports.comports(), key=lambda p: p.device):
        info = vendor_info(port.vid)
        parts = [p for p in (info.get("name"), port.product or port.description, port.serial_number and f"s/n {port.serial_number}")
                 if p and p != "n/a"]
        found.append(FoundPrinter(
            uri=f"serial://{port.device}", kind="serial", description=" - ".join(dict.fromkeys(parts)) or port.device,
            vid=port.vid, pid=port.pid, vendor=info.get("name", port.manufacturer or ""),
            likely_printer=bool(info.get("printer_maker")), language=info.get("language", "")))
    return found


def list_usblp_files(pattern: str = "/dev/usb/lp*") -> list[FoundPrinter]:
    return [FoundPrinter(uri=f"usb://{path}", kind="usblp", description=f"USB printer (usblp) {path}",
                         likely_printer=True) for path in sorted(glob.glob(pattern))]


def list_usb_printers() -> list[FoundPrinter]:
    """USB devices with a printer-class interface. Empty when pyusb or libusb is missing: the
    usblp files and serial ports still show the common cases."""
    try:
        import usb.core
    except ImportError:
        return []
    try:
        devices = list(usb.core.find(find_all=True))
    except usb.core.NoBackendError:
        return []
    found = []
    for dev in devices:
        try:
            classes = {intf.bInterfaceClass for cfg in dev for intf in cfg}
        except Exception:
            continue
        if PRINTER_CLASS not in classes and dev.bDeviceClass != PRINTER_CLASS:
            continue
        info = vendor_info(dev.idVendor)
        try:
            product = dev.product or ""
        except Exception:  # reading strings needs permission on the device
            product = ""
        found.append(FoundPrinter(
            uri=f"usb://0x{dev.idVendor:04x}:0x{dev.idProduct:04x}", kind="usb",
            description=" ".join(x for x in (info.get("name", f"USB {dev.idVendor:04x}"), product) if x),
            vid=dev.idVendor, pid=dev.idProduct, vendor=info.get("name", ""), likely_printer=True,
            language=info.get("language", "")))
    return found


def list_cups_queues(timeout: float = 3.0) -> list[FoundPrinter]:
    """CUPS destinations (``lpstat -e``). A queue may be an office printer, so it is offered,
    not assumed to be a label printer; an unreachable CUPS server gives an empty list."""
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return []
    try:
        result = subprocess.run([lpstat, "-e"], capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if result.returncode != 0:
        return []
    names = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    return [FoundPrinter(uri=f"cups://{name}", kind="cups", description=f"CUPS queue {name}") for name in names]


def list_windows_printers() -> list[FoundPrinter]:
    """Printers known to the Windows spooler (local and connections), for win32:// RAW printing."""
    if sys.platform != "win32":
        return []
    try:
        import win32print  # type: ignore[import-not-found]

        entries = win32print.EnumPrinters(2 | 4)  # PRINTER_ENUM_LOCAL | PRINTER_ENUM_CONNECTIONS
    except Exception:  # noqa: BLE001 - no pywin32 or no spooler: nothing to offer
        return []
    return [FoundPrinter(uri=f"win32://{entry[2]}", kind="win32", description=f"Windows printer {entry[2]}")
            for entry in entries]


def is_plain_serial_port(found: FoundPrinter) -> bool:
    """A serial port built into the computer (``/dev/ttyS0``, ``COM1``): no USB ids, nothing
    says a printer is on it. Most PCs have one or two that nothing is plugged into."""
    if found.kind != "serial" or found.vid is not None:
        return False
    device = found.uri.removeprefix("serial://")
    return bool(re.fullmatch(r"/dev/tty(S|AMA|s)\d+|COM[0-9]+", device))


def discover(include_plain_serial: bool = False) -> list[FoundPrinter]:
    """Everything we can find, printers first; the computer's own serial ports only when asked."""
    found = (list_usblp_files() + list_usb_printers() + list_serial_ports()
             + list_cups_queues() + list_windows_printers())
    if not include_plain_serial:
        found = [f for f in found if not is_plain_serial_port(f)]
    return sorted(found, key=lambda f: (not f.likely_printer, f.kind != "usblp", f.uri))


DEFAULT_PROFILE = {"tspl": "tspl-203", "zpl": "zpl-203", "escpos": "escpos-80"}


def likely_profile(found: FoundPrinter, profiles) -> str:
    """The profile name that most likely fits a found device: one listing its exact USB
    vendor:product id, else one listing its maker (``vvvv:*``), else the generic profile of
    the language its maker is known for, else the generic TSPL one (most China waybill
    printers). ``profiles``: PrinterProfile objects to choose from."""
    if found.vid is not None:
        exact = f"{found.vid:04x}:{(found.pid or 0):04x}"
        maker = f"{found.vid:04x}:*"
        for wanted in (exact, maker):
            for profile in profiles:
                if wanted in profile.usb_ids:
                    return profile.name
    return DEFAULT_PROFILE.get(found.language, "tspl-203")
