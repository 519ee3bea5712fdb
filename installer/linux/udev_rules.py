"""Write the udev rule that lets the seated user open USB label printers, from the vendor data.

    python3 installer/linux/udev_rules.py > 60-sigilo-printers.rules

The vendors are resources/usb/vendors.json's printer makers (the same list `sigilo printers`
names ports by), plus any device with a printer-class interface (07), whoever made it. Each rule
tags the device ``uaccess`` (logind gives the user at the seat access, so a clerk needs neither
root nor a group) and gives it to group ``lp`` (for a print station run as a service). Generic
serial bridges (CH340, CP210x, FTDI) are left out: they are tty devices, and serial access is
the ``dialout`` group's (docs/install.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

VENDORS = Path(__file__).resolve().parents[2] / "resources" / "usb" / "vendors.json"
ACCESS = 'TAG+="uaccess", GROUP="lp", MODE="0660"'


def rules() -> str:
    vendors = json.loads(VENDORS.read_text(encoding="utf-8"))["vendors"]
    lines = [
        "# Sigilo: USB label printers for the user at the seat (uaccess) and the lp group.",
        "# Written by installer/linux/udev_rules.py from resources/usb/vendors.json.",
        "# Printer-class interfaces (07), whoever made the device:",
        f'SUBSYSTEM=="usb", ENV{{DEVTYPE}}=="usb_device", ENV{{ID_USB_INTERFACES}}=="*:07*", {ACCESS}',
        "# Label printer makers whose devices show a vendor-specific class:",
    ]
    for vid, info in sorted(vendors.items()):
        if info.get("printer_maker"):
            # udev takes comments only on lines of their own
            lines.append(f"# {info['name']}")
            lines.append(f'SUBSYSTEM=="usb", ENV{{DEVTYPE}}=="usb_device", ATTR{{idVendor}}=="{vid.lower()}", {ACCESS}')
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(rules())
