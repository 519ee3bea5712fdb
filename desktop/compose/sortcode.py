"""The large sort/route code: looked up in resources/templates/sort_codes.json, else derived
from the parts of the destination that the label face shows anyway (province, city,
district, the postcode as masked)."""

from __future__ import annotations

import json
import re
from functools import lru_cache

from desktop.masking.view import MaskedView
from desktop.paths import resources_dir
from desktop.shipment import Shipment


@lru_cache(maxsize=1)
def _table() -> dict:
    return json.loads((resources_dir() / "templates" / "sort_codes.json").read_text(encoding="utf-8"))


def _short(name: str, suffixes: list[str]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def sort_code(shipment: Shipment, masked: MaskedView) -> str:
    r = shipment.recipient
    table = _table()
    best, best_score = None, -1
    for route in table["routes"]:
        keys = [k for k in ("country", "province", "city", "district") if k in route]
        if all(route[k] == getattr(r, k) for k in keys) and len(keys) > best_score:
            best, best_score = route["code"], len(keys)
    if best is not None:
        return best
    patterns = table["derive"]
    pattern = patterns.get(r.country.upper(), patterns["*"])
    postcode = masked.recipient.postcode
    digits = re.sub(r"\D", "", postcode)
    suffixes = table.get("strip_suffixes", [])
    values = {
        "country": r.country.upper(),
        "province": r.province,
        "province_short": table["province_short"].get(r.province, _short(r.province, suffixes)[:2]),
        "city_short": _short(r.city, suffixes),
        "district_short": _short(r.district, suffixes),
        "postcode5": digits[:5] if "*" not in postcode else "",
        "postcode_head": postcode.split(" ")[0] if "*" not in postcode else "",
    }
    code = pattern.format(**values)
    return re.sub(r"\s+", " ", code).strip(" -") or r.country.upper()
