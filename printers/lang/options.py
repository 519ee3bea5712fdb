"""Per-job settings every printer language understands, checked against the profile."""

from __future__ import annotations

from dataclasses import dataclass

from printers.errors import EncodeError
from printers.profiles import PrinterProfile
from printers.scene import Scene, mm_to_dots


@dataclass(frozen=True)
class EncodeOptions:
    copies: int = 1
    offset_x_mm: float = 0.0  # calibration: shift the whole label right (+) or left (-)
    offset_y_mm: float = 0.0  # and down (+) or up (-)
    darkness: int | None = None  # the printer's own scale (profile.darkness_range)
    speed: int | None = None  # inches per second (profile.speed_range)
    # what a media calibration found (printers.calibration): "gap", "bline" or "continuous", and
    # the gap or mark in mm; None: the profile's gap. TSPL states it in every label (GAP/BLINE)
    media: str | None = None
    gap_mm: float | None = None


def check(scene: Scene, profile: PrinterProfile, options: EncodeOptions) -> None:
    """Refuse what the printer cannot do, before a byte is sent."""
    if not isinstance(options.copies, int) or not 1 <= options.copies <= 9999:
        raise EncodeError(f"copies must be 1..9999, got {options.copies!r}", "ask for between 1 and 9999 copies")
    lo, hi = profile.darkness_range
    if options.darkness is not None and not lo <= options.darkness <= hi:
        raise EncodeError(
            f"darkness {options.darkness} is outside {profile.name}'s range {lo}..{hi}",
            f"choose a darkness between {lo} and {hi}",
        )
    lo, hi = profile.speed_range
    if options.speed is not None and not lo <= options.speed <= hi:
        raise EncodeError(
            f"speed {options.speed} ips is outside {profile.name}'s range {lo}..{hi}",
            f"choose a speed between {lo} and {hi} inches per second",
        )
    if abs(options.offset_x_mm) > 20 or abs(options.offset_y_mm) > 20:
        raise EncodeError("a calibration offset beyond 20 mm is not a calibration", "re-measure the offset")
    width = mm_to_dots(scene.width_mm, profile.dpi)
    if width > profile.print_width_dots + 1:
        raise EncodeError(
            f"the {scene.width_mm} mm wide label is wider than {profile.name}'s {profile.print_width_mm} mm print width",
            "choose a template made for this printer's width",
        )
    if scene.height_mm > profile.max_label_length_mm:
        raise EncodeError(
            f"the {scene.height_mm} mm long label is longer than {profile.name} can print ({profile.max_label_length_mm} mm)",
            "choose a shorter template",
        )
