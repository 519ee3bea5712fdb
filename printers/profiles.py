"""Printer profiles: what a printer model can do, as data (``resources/printers/*.json``).

Encoders never branch on a model name; they read the profile (language, dpi, print width,
resident fonts and what those fonts can draw, storage, darkness and speed ranges), the way
python-escpos's capability profiles and brother_ql's model tables work. A bad file is refused
at load time with the file and the field named, so a typo never becomes a garbled label.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from printers.errors import PrinterError
from printers.resources import resource_path

LANGUAGES = ("tspl", "zpl", "escpos")
STATUS_PROTOCOLS = ("tspl", "zpl", "escpos", None)
FLOW_CONTROLS = ("none", "rtscts", "xonxoff", "dsrdtr")
# What a resident font can draw. "gb18030" means the one- and two-byte part of GB18030 (the
# GBK repertoire, which 24x24 printer fonts carry); four-byte characters (CJK Extension B,
# emoji) are never in a printer font and always go as bitmaps.
COVERAGES = ("ascii", "latin1", "gb2312", "gb18030")


class ProfileError(PrinterError):
    """A printer profile that is missing or malformed."""


def profiles_dir() -> Path:
    return resource_path("printers")


@dataclass(frozen=True)
class ResidentFont:
    """A font stored in the printer. ``cell`` is (width, height) in dots of a full-width (CJK)
    character at multiplier 1, ``narrow_cell`` that of other characters (the same when not
    given); scalable fonts have none."""

    name: str
    encoding: str
    coverage: str
    cell: tuple = ()
    narrow_cell: tuple = ()
    multipliers: tuple = (1,)
    scalable: bool = False
    codepage: str = ""

    def __getitem__(self, key: str):
        return getattr(self, key)

    def get(self, key: str, default=None):
        return getattr(self, key, default)

    def covers(self, ch: str) -> bool:
        """True when the printer font has a glyph for ``ch`` and can be sent it."""
        if ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0:
            return False
        if self.coverage == "ascii":
            return ord(ch) < 0x7F
        if self.coverage == "latin1":
            return ord(ch) <= 0xFF
        if ord(ch) < 0x7F:
            return True
        codec = "gb2312" if self.coverage == "gb2312" else "gb18030"
        try:
            raw = ch.encode(codec)
        except UnicodeEncodeError:
            return False
        return len(raw) == 2

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    model: str
    language: str
    dpi: int
    print_width_mm: float
    max_label_length_mm: float
    resident_fonts: tuple = ()
    status_protocol: str | None = None
    max_baud: int = 9600
    flow_control: str = "none"
    supports_storage: bool = False
    storage_bytes: int = 0
    darkness_range: tuple = (0, 15)
    speed_range: tuple = (2, 6)
    gap_mm: float = 2.0
    raster_chunk_bytes: int = 4096
    direction: int = 1  # TSPL DIRECTION: which way up the label leaves the printer
    display_name: str = ""  # what a person picks from a list ("TSC TE244 / Xprinter XP-DT425B, 203 dpi")
    models: tuple = ()  # printer models this profile fits, as their makers name them
    usb_ids: tuple = ()  # "vvvv:pppp" (hex) of USB printers it fits; "vvvv:*" for a maker's whole range
    source: str = field(default="", compare=False)

    @property
    def print_width_dots(self) -> int:
        return round(self.print_width_mm * self.dpi / 25.4)


_REQUIRED = {
    "name": str,
    "model": str,
    "language": str,
    "dpi": int,
    "print_width_mm": (int, float),
    "max_label_length_mm": (int, float),
    "resident_fonts": list,
    "status_protocol": (str, type(None)),
    "max_baud": int,
    "flow_control": str,
    "supports_storage": bool,
    "darkness_range": list,
    "speed_range": list,
}
_OPTIONAL = {
    "storage_bytes": int,
    "gap_mm": (int, float),
    "raster_chunk_bytes": int,
    "direction": int,
    "description": str,
    "display_name": str,
    "models": list,
    "usb_ids": list,
}


def _fail(source: str, field_name: str, problem: str) -> ProfileError:
    return ProfileError(
        f"printer profile {source}: field '{field_name}' {problem}",
        "fix that field in the JSON file (see resources/printers/ for working examples)",
    )


def _range(source: str, name: str, value: list) -> tuple:
    if len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in value) or value[0] > value[1]:
        raise _fail(source, name, f"must be [low, high] whole numbers, got {value!r}")
    return (value[0], value[1])


def _font(source: str, index: int, raw: object) -> ResidentFont:
    where = f"resident_fonts[{index}]"
    if not isinstance(raw, dict):
        raise _fail(source, where, "must be an object")
    for key in ("name", "encoding", "coverage"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise _fail(source, f"{where}.{key}", "is required and must be a non-empty string")
    if raw["coverage"] not in COVERAGES:
        raise _fail(source, f"{where}.coverage", f"must be one of {', '.join(COVERAGES)}, got {raw['coverage']!r}")
    try:
        "A".encode(raw["encoding"])
    except LookupError:
        raise _fail(source, f"{where}.encoding", f"names an unknown text encoding {raw['encoding']!r}") from None
    scalable = bool(raw.get("scalable", False))
    cells = {}
    for key in ("cell", "narrow_cell"):
        value = raw.get(key, [])
        if value and (len(value) != 2 or not all(isinstance(v, int) and v > 0 for v in value)):
            raise _fail(source, f"{where}.{key}", f"must be [width, height] in dots, got {value!r}")
        cells[key] = tuple(value)
    if not scalable and not cells["cell"]:
        raise _fail(source, f"{where}.cell", "is required for a bitmap (non-scalable) font")
    multipliers = raw.get("multipliers", [1])
    if not isinstance(multipliers, list) or not multipliers or not all(isinstance(m, int) and 1 <= m <= 10 for m in multipliers):
        raise _fail(source, f"{where}.multipliers", f"must be a list of whole numbers 1..10, got {multipliers!r}")
    return ResidentFont(
        name=raw["name"], encoding=raw["encoding"], coverage=raw["coverage"], cell=cells["cell"],
        narrow_cell=cells["narrow_cell"] or cells["cell"],
        multipliers=tuple(sorted(multipliers)), scalable=scalable, codepage=str(raw.get("codepage", "")),
    )


def parse_profile(raw: object, source: str) -> PrinterProfile:
    """Check a profile's JSON value field by field and build the profile."""
    if not isinstance(raw, dict):
        raise ProfileError(f"printer profile {source} is not a JSON object", "the file must hold one {...} object")
    for key, kind in _REQUIRED.items():
        if key not in raw:
            raise _fail(source, key, "is missing")
        value = raw[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise _fail(source, key, f"has the wrong type ({type(value).__name__})")
    for key, kind in _OPTIONAL.items():
        if key in raw and (not isinstance(raw[key], kind) or isinstance(raw[key], bool)):
            raise _fail(source, key, f"has the wrong type ({type(raw[key]).__name__})")
    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise _fail(source, unknown[0], "is not a known profile field (a typo?)")
    if raw["language"] not in LANGUAGES:
        raise _fail(source, "language", f"must be one of {', '.join(LANGUAGES)}, got {raw['language']!r}")
    if raw["status_protocol"] not in STATUS_PROTOCOLS:
        raise _fail(source, "status_protocol", f"must be tspl, zpl, escpos or null, got {raw['status_protocol']!r}")
    if raw["flow_control"] not in FLOW_CONTROLS:
        raise _fail(source, "flow_control", f"must be one of {', '.join(FLOW_CONTROLS)}, got {raw['flow_control']!r}")
    if raw["dpi"] not in (152, 200, 203, 300, 600):
        raise _fail(source, "dpi", f"must be a printer resolution (203, 300, ...), got {raw['dpi']!r}")
    for key in ("print_width_mm", "max_label_length_mm"):
        if not 10 <= raw[key] <= 2000:
            raise _fail(source, key, f"must be between 10 and 2000 mm, got {raw[key]!r}")
    if raw["max_baud"] not in (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600):
        raise _fail(source, "max_baud", f"must be a standard baud rate, got {raw['max_baud']!r}")
    if raw.get("direction", 1) not in (0, 1):
        raise _fail(source, "direction", f"must be 0 or 1, got {raw['direction']!r}")
    for key in ("models", "usb_ids"):
        if not all(isinstance(v, str) and v for v in raw.get(key, [])):
            raise _fail(source, key, "must be a list of non-empty strings")
    for usb_id in raw.get("usb_ids", []):
        if not re.fullmatch(r"[0-9a-f]{4}:([0-9a-f]{4}|\*)", usb_id):
            raise _fail(source, "usb_ids", f"entries are 'vvvv:pppp' in lower-case hex or 'vvvv:*', got {usb_id!r}")
    fonts = tuple(_font(source, i, f) for i, f in enumerate(raw["resident_fonts"]))
    return PrinterProfile(
        name=raw["name"], model=raw["model"], language=raw["language"], dpi=raw["dpi"],
        print_width_mm=float(raw["print_width_mm"]), max_label_length_mm=float(raw["max_label_length_mm"]),
        resident_fonts=fonts, status_protocol=raw["status_protocol"], max_baud=raw["max_baud"],
        flow_control=raw["flow_control"], supports_storage=raw["supports_storage"],
        storage_bytes=int(raw.get("storage_bytes", 0)),
        darkness_range=_range(source, "darkness_range", raw["darkness_range"]),
        speed_range=_range(source, "speed_range", raw["speed_range"]),
        gap_mm=float(raw.get("gap_mm", 2.0)), raster_chunk_bytes=int(raw.get("raster_chunk_bytes", 4096)),
        direction=int(raw.get("direction", 1)),
        display_name=raw.get("display_name", "") or raw["model"], models=tuple(raw.get("models", [])),
        usb_ids=tuple(raw.get("usb_ids", [])),
        source=source,
    )


_PARSED: dict[tuple[str, float], PrinterProfile] = {}


def load_profile_file(path: str | Path) -> PrinterProfile:
    """Parse a profile file once per version of it (keyed by path and mtime): profiles are
    looked up for every label, and an edited file still takes effect."""
    path = Path(path)
    try:
        key = (str(path.resolve()), path.stat().st_mtime)
    except FileNotFoundError:
        raise ProfileError(f"printer profile file {path} does not exist") from None
    cached = _PARSED.get(key)
    if cached is not None:
        return cached
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"printer profile file {path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise ProfileError(
            f"printer profile {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            "fix the JSON syntax",
        ) from None
    profile = parse_profile(raw, str(path))
    if path.stem != profile.name:
        raise _fail(str(path), "name", f"is {profile.name!r} but the file is named {path.name}")
    _PARSED[key] = profile
    return profile


def list_profiles() -> list[str]:
    return sorted(p.stem for p in profiles_dir().glob("*.json"))


def load_profile(name: str) -> PrinterProfile:
    """A bundled profile by name (``"tspl-203-cn"``), or a profile file by path."""
    if name.endswith(".json") or "/" in name or "\\" in name:
        return load_profile_file(name)
    path = profiles_dir() / f"{name}.json"
    if not path.is_file():
        raise ProfileError(
            f"unknown printer profile {name!r}",
            f"use one of: {', '.join(list_profiles())} (or the path of a profile .json file)",
        )
    return load_profile_file(path)
