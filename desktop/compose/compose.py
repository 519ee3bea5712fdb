"""From a shipment to a label scene: template + masked view + sealed QR.

The scene is built for one dpi because the QR and the Code128 are placed at whole printer
dots per module (a QR scaled by a fraction of a dot prints unevenly and scans badly).
Sealing happens once per label; the QR matrix is cached by payload (printers.qr), so the
preview, the raster, the PDF and every printer language reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from desktop.compose.errors import BarcodeTooWideError, ComposeError, QrTooLargeError
from desktop.compose.captions import caption_set, language_for
from desktop.compose.fields import label_fields
from desktop.compose.fit import fit_text
from desktop.compose.templates import DEFAULT_TEMPLATE, Layout, Template, load_template, templates_dir
from desktop.masking.view import MaskedView
from desktop.shipment import Shipment
from printers.qr import qr_matrix
from printers.scene import Barcode128, Box, Image, Line, QRCode, Scene, dots_to_mm

from desktop.i18n import _

CODE128_QUIET_MODULES = 10


class SealsShipments(Protocol):
    def seal(self, shipment: Shipment, issued_at: int | None = None) -> str: ...


@dataclass(frozen=True)
class ComposedLabel:
    scene: Scene
    masked: MaskedView
    qr_text: str
    qr_version: int
    template: str
    layout: str = "standard"
    dpi: int = 203
    warnings: tuple = field(default_factory=tuple)
    caption_language: str = "en"  # the caption set of its face ("zh-en", "pt", "en"); a reprint keeps it


def code128_modules(value: str) -> int:
    """Width of a Code128 symbol in modules, start and stop included, quiet zones not."""
    from printers.code128 import modules

    return len(modules(value))


def _qr_placement(template: Template, payload: str, dpi: int) -> tuple[Layout, float, float, int, int]:
    """The first layout whose QR region holds the QR at whole dots per module; else raise
    with the measured version."""
    matrix = qr_matrix(payload, template.qr.get("ec", "M"))
    module = template.qr_module_dots(dpi)
    quiet = int(template.qr.get("quiet_modules", 4))
    side = dots_to_mm((matrix.size + 2 * quiet) * module, dpi)
    room = 0.0
    for lay in template.layouts:
        region = lay.regions["qr"]
        fits_in = min(float(region["w"]), float(region["h"]))
        room = max(room, fits_in)
        if side <= fits_in + 1e-6:
            quiet_mm = dots_to_mm(quiet * module, dpi)
            x = float(region["x"]) + (float(region["w"]) - side) / 2 + quiet_mm
            y = float(region["y"]) + quiet_mm
            if region.get("valign") == "middle":
                y += (float(region["h"]) - side) / 2
            return lay, x, y, module, matrix.version
    raise QrTooLargeError(matrix.version, side, room, module, dpi, template.name)


def _barcode(template: Template, region: dict[str, Any], value: str, dpi: int) -> Barcode128:
    modules = code128_modules(value) + 2 * CODE128_QUIET_MODULES
    room = float(region["w"])
    widths = template.barcode_module_dots(dpi, region.get("module_dots"))
    for dots in sorted(widths, reverse=True):
        width = dots_to_mm(modules * dots, dpi)
        if width <= room + 1e-6:
            bars = dots_to_mm(code128_modules(value) * dots, dpi)
            x = float(region["x"]) + (room - bars) / 2
            return Barcode128(
                x=x, y=float(region["y"]), w=bars, h=float(region["h"]), value=value,
                module_dots=dots, human_readable=True, text_size_mm=float(region.get("text_size_mm", 2.5)),
            )
    raise BarcodeTooWideError("tracking_number", dots_to_mm(modules * min(widths), dpi), room, template.name)


def _logo(region: dict[str, Any]) -> Image | None:
    name = region.get("file")
    if not name:
        return None
    path = Path(name) if Path(name).is_absolute() else templates_dir() / name
    if not path.is_file():
        return None
    return Image(x=float(region["x"]), y=float(region["y"]), w=float(region["w"]), h=float(region["h"]),
                 png=path.read_bytes())


def _missing_glyph_warnings(texts: dict[str, str]) -> list[str]:
    """Fields with characters the label font cannot draw (they would print as blanks/boxes).
    Only the field and the count are named: the characters may be part of a name."""
    try:
        from printers.fonts import missing_glyphs
    except ImportError:
        return []
    out = []
    for fieldname, text in texts.items():
        if not text:
            continue
        missing = missing_glyphs(text)
        if missing:
            out.append(_("{fieldname}: {n} character(s) missing from the label font").format(fieldname=fieldname, n=len(missing)))
    return out


def build_scene(
    template: Template,
    texts: dict[str, str],
    tracking_number: str,
    qr_text: str,
    dpi: int,
) -> tuple[Scene, Layout, int]:
    lay, qx, qy, module, version = _qr_placement(template, qr_text, dpi)
    elements: list = []
    for box in lay.boxes:
        elements.append(Box(x=box[0], y=box[1], w=box[2], h=box[3],
                            thickness=box[4] if len(box) > 4 else 0.3, fill=bool(box[5]) if len(box) > 5 else False))
    for rule in lay.rules:
        elements.append(Line(rule[0], rule[1], rule[2], rule[3], rule[4] if len(rule) > 4 else 0.3))
    for fixed in lay.static:
        text = texts.get(fixed["field"], fixed.get("text", "")) if "field" in fixed else fixed["text"]
        elements.append(fit_text(fixed.get("field", "caption"), text, fixed, dpi, template.name))
    for name, region in lay.regions.items():
        kind = region.get("kind", "text")
        if kind == "qr":
            continue
        if kind == "barcode":
            elements.append(_barcode(template, region, tracking_number, dpi))
            continue
        if kind == "logo":
            logo = _logo(region)
            if logo is not None:
                elements.append(logo)
            continue
        text = region.get("text") or texts.get(region.get("field", name), "")
        if text:
            elements.append(fit_text(region.get("field", name), text, region, dpi, template.name))
    qr = template.qr
    elements.append(QRCode(x=qx, y=qy, payload=qr_text, module_dots=module, ec=qr.get("ec", "M"),
                           quiet_modules=int(qr.get("quiet_modules", 4))))
    scene = Scene(template.width_mm, template.height_mm, tuple(elements), name=template.name).validate(dpi)
    return scene, lay, version


def compose_label(
    shipment: Shipment,
    template: str = DEFAULT_TEMPLATE,
    *,
    sealer: SealsShipments,
    dpi: int = 203,
    policy: str | None = None,
    reprint: str | None = None,
    printed_at: datetime | None = None,
    piece: tuple[int, int] = (1, 1),
    masked: MaskedView | None = None,
    qr_text: str | None = None,
    caption_language: str | None = None,
) -> ComposedLabel:
    """Compose one label. ``qr_text`` lets a caller that already sealed this shipment (a
    reprint from the store, or several templates of one label) reuse the seal.
    ``caption_language`` picks the caption set of the face ("zh-en", "pt", "en"); by default
    the template's, the station's or the one of the recipient's country (desktop.compose.captions)."""
    tpl = load_template(template)
    if not (isinstance(piece, tuple) and len(piece) == 2 and 1 <= piece[0] <= piece[1]):
        raise ComposeError(_("piece {piece!r} is not a piece number of a count").format(piece=piece), _("give (n, total) with 1 <= n <= total"))
    if masked is None:
        from desktop.masking import mask

        masked = mask(shipment, policy)
    if qr_text is None:
        qr_text = sealer.seal(shipment)
    when = printed_at or datetime.now().astimezone()
    # a reprint passes the caption set its label was printed with; a first print (or a reprint
    # of a label printed before faces kept it) chooses by template, station and country
    country = shipment.recipient.country or getattr(masked.recipient, "country", "")
    language = language_for(country, requested=caption_language, template=tpl.caption_language)
    texts = label_fields(
        shipment, masked, carrier=tpl.carrier, printed_at=when, piece=piece, reprint=reprint,
        captions=caption_set(language),
    )
    scene, lay, version = build_scene(tpl, texts, shipment.tracking_number, qr_text, dpi)
    warnings = _missing_glyph_warnings({k: v for k, v in texts.items() if k in lay.regions})
    for name, region in lay.regions.items():
        if region and region.get("kind") == "logo" and region.get("file") and _logo(region) is None:
            warnings.append(_("{name}: the template's logo file {file} is missing; printed without it").format(name=name, file=region['file']))
    return ComposedLabel(scene=scene, masked=masked, qr_text=qr_text, qr_version=version,
                         template=tpl.name, layout=lay.name, dpi=dpi, warnings=tuple(warnings),
                         caption_language=language)
