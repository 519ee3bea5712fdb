"""Printers found on this machine as a person chooses among them: by the model name of the
profile that likely fits each (``display_name`` in resources/printers/*.json), with where it is
plugged in, likely printers first and the computer's own serial ports left out unless asked."""

from __future__ import annotations

from dataclasses import dataclass

from printers.errors import PrinterError


@dataclass(frozen=True)
class FoundDevice:
    name: str  # "TSC / Xprinter / Gprinter label printer, 203 dpi"
    uri: str
    profile: str
    where: str  # "USB /dev/usb/lp0", "serial /dev/ttyUSB0 (WinChipHead CH340 serial bridge)"
    likely_printer: bool


KINDS = {"usblp": "USB", "usb": "USB", "serial": "serial", "cups": "CUPS", "win32": "Windows"}


def profile_choices() -> list[tuple[str, str]]:
    """(profile name, display name) of every bundled printer profile, for a model chooser."""
    from printers.profiles import list_profiles, load_profile

    out = []
    for name in list_profiles():
        try:
            out.append((name, load_profile(name).display_name))
        except PrinterError:
            continue
    return out


def offer(found, profiles) -> list[FoundDevice]:
    """FoundPrinter findings named by the model of their likely profile."""
    from printers.discovery import likely_profile

    names = {p.name: p.display_name for p in profiles}
    out = []
    for dev in found:
        profile = likely_profile(dev, profiles)
        place = dev.uri.split("://", 1)[-1]
        where = f"{KINDS.get(dev.kind, dev.kind)} {place}" + (
            f" ({dev.vendor})" if dev.vendor and dev.vendor not in place else "")
        model = names.get(profile, profile)
        if dev.kind == "serial" and not dev.likely_printer:  # a bare adapter: the model is only a guess
            model = f"{dev.description or place}: {model}?"
        out.append(FoundDevice(model, dev.uri, profile, where, bool(dev.likely_printer)))
    return out


def discovered(include_plain_serial: bool = False) -> list[FoundDevice]:
    """What discovery finds here, offered by model; empty when discovery itself fails."""
    try:
        from printers.discovery import discover
        from printers.profiles import list_profiles, load_profile

        found = discover(include_plain_serial=include_plain_serial)
        profiles = [load_profile(n) for n in list_profiles()]
    except (ImportError, PrinterError, OSError):
        return []
    return offer(found, profiles)
