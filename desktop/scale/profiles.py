"""Scale profiles: how a scale talks, as data (resources/scales/<name>.json), like printer
profiles. A profile names the serial settings, whether the scale sends frames by itself
("continuous") or answers a request ("poll"), the frame's end, a regular expression with the
named groups ``value``, ``unit``, ``status`` (and optionally ``sign``), which statuses mean
stable, and the units it may report."""

from __future__ import annotations

from desktop.i18n import _

import json
import re
from dataclasses import dataclass
from pathlib import Path

from desktop.errors import SigiloError
from desktop.paths import resources_dir


class ScaleProfileError(SigiloError):
    exit_code = 2


@dataclass(frozen=True)
class ScaleProfile:
    name: str
    display_name: str
    mode: str  # "continuous" or "poll"
    baud: int
    bytesize: int
    parity: str
    stopbits: int
    frame_end: bytes
    pattern: re.Pattern
    stable: frozenset
    units: dict
    stable_frames: int = 1
    timeout_s: float = 2.0
    request: bytes = b""
    poll_interval_s: float = 0.25


def scales_dir() -> Path:
    return resources_dir() / "scales"


def list_scale_profiles() -> list[str]:
    return sorted(p.stem for p in scales_dir().glob("*.json"))


def _fail(source: str, field: str, problem: str) -> ScaleProfileError:
    return ScaleProfileError(_("scale profile {source}: {field} {problem}").format(source=source, field=field, problem=problem), _("fix the field in the profile file"))


def parse_scale_profile(raw: object, source: str) -> ScaleProfile:
    if not isinstance(raw, dict):
        raise ScaleProfileError(_("scale profile {source} is not a JSON object").format(source=source), _("the file must hold one {...} object"))
    for key in ("name", "display_name", "mode", "baud", "frame_end", "pattern", "stable", "units"):
        if key not in raw:
            raise _fail(source, key, "is missing")
    if raw["mode"] not in ("continuous", "poll"):
        raise _fail(source, "mode", f"must be continuous or poll, got {raw['mode']!r}")
    if raw["mode"] == "poll" and not raw.get("request"):
        raise _fail(source, "request", "is needed for a scale that answers on request")
    try:
        pattern = re.compile(raw["pattern"])
    except (re.error, TypeError) as exc:
        raise _fail(source, "pattern", f"is not a regular expression ({exc})") from None
    missing = {"value", "unit", "status"} - set(pattern.groupindex)
    if missing:
        raise _fail(source, "pattern", f"lacks the named group(s) {', '.join(sorted(missing))}")
    units = raw["units"]
    if not isinstance(units, dict) or not units or not all(isinstance(v, (int, float)) and v > 0 for v in units.values()):
        raise _fail(source, "units", "must map each unit to its size in kg, e.g. {\"kg\": 1, \"g\": 0.001}")
    if not isinstance(raw["baud"], int) or raw["baud"] <= 0:
        raise _fail(source, "baud", f"must be a baud rate such as 9600, got {raw['baud']!r}")
    return ScaleProfile(
        name=str(raw["name"]), display_name=str(raw["display_name"]), mode=raw["mode"], baud=raw["baud"],
        bytesize=int(raw.get("bytesize", 8)), parity=str(raw.get("parity", "N")), stopbits=int(raw.get("stopbits", 1)),
        frame_end=str(raw["frame_end"]).encode("latin-1"), pattern=pattern, stable=frozenset(raw["stable"]),
        units={str(k): float(v) for k, v in units.items()}, stable_frames=max(1, int(raw.get("stable_frames", 1))),
        timeout_s=float(raw.get("timeout_s", 2.0)), request=str(raw.get("request", "")).encode("latin-1"),
        poll_interval_s=float(raw.get("poll_interval_s", 0.25)),
    )


def load_scale_profile(name: str) -> ScaleProfile:
    """A bundled profile by name ("ascii-st-gs"), or a profile file by path."""
    path = Path(name) if name.endswith(".json") else scales_dir() / f"{name}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScaleProfileError(_("no scale profile {name!r}").format(name=name),
                                _("use one of: {choices}").format(choices=", ".join(list_scale_profiles()))) from None
    except (OSError, ValueError) as exc:
        raise ScaleProfileError(_("scale profile {path} cannot be read ({kind})").format(path=path, kind=exc.__class__.__name__),
                                _("fix the JSON in the file")) from None
    return parse_scale_profile(raw, str(path))
