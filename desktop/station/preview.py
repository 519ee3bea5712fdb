"""The live preview: the label composed and rasterised exactly as it will print (same
composer, same raster renderer), in greyscale for the screen."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from desktop.shipment import Shipment

PLACEHOLDER_TRACKING = "SG0000000000"


@dataclass(frozen=True)
class Preview:
    png_gray: bytes  # 8-bit greyscale pixels, row by row
    width: int
    height: int
    dpi: int
    qr_version: int
    qr_mm: float
    qr_text: str
    masked: dict
    warnings: tuple
    placeholder_tracking: bool
    seconds: float


def profile_dpi(profile: str) -> int:
    """The dpi a printer profile prints at (a PDF "printer": 203, the preview's default)."""
    if profile == "pdf":
        return 203
    from printers.profiles import load_profile

    return int(load_profile(profile).dpi)


def render_preview(shipment: Shipment, template: str, keys_dir: Path, dpi: int = 203,
                   policy: str | None = None, sealer=None) -> Preview:
    """The label as it will print. A shipment without a tracking number previews with a
    placeholder number (flagged, so the window can say so). ``sealer`` overrides the station
    keys of ``keys_dir`` (NoStationKeys when there are none)."""
    from desktop.compose import compose_label
    from desktop.station.keys import sealer as station_sealer
    from printers.render.raster import render_raster

    start = time.perf_counter()
    placeholder = not shipment.tracking_number.strip()
    if placeholder:
        shipment = replace(shipment, tracking_number=PLACEHOLDER_TRACKING)
    label = compose_label(shipment, template, sealer=sealer or station_sealer(keys_dir), dpi=dpi,
                          policy=policy or None)
    image = render_raster(label.scene, dpi=dpi, mode="L")
    qr = next(el for el in label.scene.elements if type(el).__name__ == "QRCode")
    return Preview(
        png_gray=image.tobytes(), width=image.width, height=image.height, dpi=dpi,
        qr_version=label.qr_version, qr_mm=round(qr.size_mm(dpi), 1), qr_text=label.qr_text,
        masked=label.masked.to_dict(), warnings=tuple(label.warnings), placeholder_tracking=placeholder,
        seconds=time.perf_counter() - start,
    )
