"""Label templates as data: resources/templates/<name>.json.

A template gives the label size, where each region sits (mm, origin top-left), the rules
and fixed captions, and the whole-dot module sizes of the QR and the Code128 per dpi. It may
offer alternative layouts (e.g. "large-qr") tried in order when the sealed QR does not fit the
standard one; an alternative overrides only the regions it names (null removes one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from desktop.compose.errors import TemplateDataError, UnknownTemplateError
from desktop.paths import resources_dir
from desktop.i18n import _

DEFAULT_TEMPLATE = "waybill-100x150"
KIND = "label-template"


def templates_dir() -> Path:
    return resources_dir() / "templates"


@dataclass(frozen=True)
class Layout:
    name: str
    regions: dict[str, dict[str, Any]]
    rules: tuple = ()
    boxes: tuple = ()
    static: tuple = ()


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    width_mm: float
    height_mm: float
    carrier: str
    qr: dict[str, Any]
    barcode: dict[str, Any]
    layouts: tuple = field(default_factory=tuple)
    caption_language: str | None = None  # a caption set for every label of this template

    def qr_module_dots(self, dpi: int) -> int:
        return int(_per_dpi(self.qr["module_dots"], dpi, self.name, "qr.module_dots"))

    def barcode_module_dots(self, dpi: int, override: dict[str, Any] | None = None) -> list[int]:
        """Narrow-bar widths to try, widest first (a region may narrow the template's)."""
        value = _per_dpi(override or self.barcode["module_dots"], dpi, self.name, "barcode.module_dots")
        return [int(v) for v in (value if isinstance(value, list) else [value])]


def _per_dpi(table: dict[str, Any], dpi: int, template: str, what: str):
    if str(dpi) in table:
        return table[str(dpi)]
    # nearest dpi listed, scaled to keep the same physical size in whole dots
    nearest = min(table, key=lambda k: abs(int(k) - dpi))
    value = table[nearest]
    scale = dpi / int(nearest)
    if isinstance(value, list):
        return [max(1, round(v * scale)) for v in value]
    return max(1, round(value * scale))


def list_templates() -> list[str]:
    """The names of the installed label templates, sorted."""
    names = []
    for path in sorted(templates_dir().glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("kind") == KIND:
            names.append(data.get("name", path.stem))
    return sorted(names)


@lru_cache(maxsize=32)
def load_template(name: str = DEFAULT_TEMPLATE) -> Template:
    path = templates_dir() / f"{name}.json"
    if not path.is_file():
        raise UnknownTemplateError(name, list_templates())
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise TemplateDataError(_("template {name} is not valid JSON: {exc}").format(name=name, exc=exc), _("reinstall Sigilo")) from exc
    if data.get("kind") != KIND:
        raise UnknownTemplateError(name, list_templates())
    base = Layout(
        name="standard",
        regions=dict(data["regions"]),
        rules=tuple(data.get("rules", ())),
        boxes=tuple(data.get("boxes", ())),
        static=tuple(data.get("static", ())),
    )
    layouts = [base]
    for alt in data.get("layouts", ()):
        regions = dict(base.regions)
        for key, value in alt.get("regions", {}).items():
            if value is None:
                regions.pop(key, None)
            else:
                regions[key] = value
        layouts.append(Layout(
            name=alt["name"],
            regions=regions,
            rules=tuple(alt.get("rules", base.rules)),
            boxes=tuple(alt.get("boxes", base.boxes)),
            static=tuple(alt.get("static", base.static)),
        ))
    return Template(
        name=data.get("name", name),
        title=data.get("title", name),
        width_mm=float(data["width_mm"]),
        height_mm=float(data["height_mm"]),
        carrier=data.get("carrier", "SIGILO"),
        qr=data["qr"],
        barcode=data["barcode"],
        layouts=tuple(layouts),
        caption_language=data.get("caption_language"),
    )
