"""What the GUI remembers between days, in QSettings under the organisation/app name "Sigilo":
configured printers, the chosen printer and template, calibration, sender presets, the outlet's
tracking number range, key folders and the masking policy.

Structured values are stored as JSON strings so the INI/registry backends keep them intact.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from desktop.paths import data_dir

ORG = "Sigilo"
APP = "Sigilo"


@dataclass
class PrinterConfig:
    name: str
    uri: str
    profile: str = "zpl-203"  # "pdf" writes a PDF at true size instead of printer commands


@dataclass
class Calibration:
    offset_x_mm: float = 0.0
    offset_y_mm: float = 0.0
    darkness: int | None = None
    speed: int | None = None


@dataclass
class TrackingRange:
    prefix: str = "SG"
    next: int = 1
    end: int = 99999999
    width: int = 10


@dataclass
class SenderPreset:
    label: str
    party: dict = field(default_factory=dict)


def settings() -> QSettings:
    """The default-constructed QSettings: it honours QSettings.setDefaultFormat/setPath, which
    is how tests (and portable installs) keep settings in a folder of their own."""
    from PySide6.QtCore import QCoreApplication

    if not QCoreApplication.organizationName():
        QCoreApplication.setOrganizationName(ORG)
        QCoreApplication.setApplicationName(APP)
    return QSettings()


def _get_json(key: str, default: Any) -> Any:
    raw = settings().value(key)
    if raw in (None, ""):
        return default
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return default


def _set_json(key: str, value: Any) -> None:
    s = settings()
    s.setValue(key, json.dumps(value, ensure_ascii=False))
    s.sync()


def get(key: str, default: Any = "") -> Any:
    value = settings().value(key)
    return default if value is None else value


def put(key: str, value: Any) -> None:
    s = settings()
    s.setValue(key, value)
    s.sync()


def default_pdf_printer() -> PrinterConfig:
    return PrinterConfig("PDF (labels folder)", (data_dir() / "labels").as_uri() + "/", "pdf")


def printers() -> list[PrinterConfig]:
    rows = _get_json("printers/list", None)
    if not rows:
        return [default_pdf_printer()]
    return [PrinterConfig(**r) for r in rows]


def set_printers(items: list[PrinterConfig]) -> None:
    _set_json("printers/list", [asdict(p) for p in items])


def calibration(printer_name: str) -> Calibration:
    return Calibration(**_get_json(f"calibration/{printer_name}", {}))


def set_calibration(printer_name: str, cal: Calibration) -> None:
    _set_json(f"calibration/{printer_name}", asdict(cal))


def tracking_range() -> TrackingRange | None:
    """The range as windows before 0.x kept it (in QSettings): moved into the station's store
    once (desktop.station.Station.tracking_range), where drawing a number is one transaction."""
    stored = _get_json("tracking/range", None)
    return TrackingRange(**stored) if stored else None


def set_tracking_range(r: TrackingRange) -> None:
    _set_json("tracking/range", asdict(r))


def sender_presets() -> list[SenderPreset]:
    return [SenderPreset(**p) for p in _get_json("sender/presets", [])]


def set_sender_presets(items: list[SenderPreset]) -> None:
    _set_json("sender/presets", [asdict(p) for p in items])


def station_keys_dir() -> Path:
    return Path(get("keys/station_dir", "") or (data_dir() / "keys"))


def scanner_keys_dir() -> Path:
    """Where a scanner key would be, if this machine is authorized to open labels."""
    return Path(get("keys/scanner_dir", "") or station_keys_dir())
