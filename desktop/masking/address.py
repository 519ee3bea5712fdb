"""Masking an address: keep what sorting needs, drop house, building, unit and room numbers.

The region line is the policy's ``region`` fields joined by its separator, with a repeated
neighbour dropped (上海市 上海市 浦东新区 -> 上海市 浦东新区). The address line is the
policy's ``address`` fields, the street with every ``street_remove`` pattern cut out
(建设路656号 -> 建设路, "Rua Augusta, 1500" -> "Rua Augusta"). The ``detail`` field (building,
unit, room, apartment) is not shown unless the policy sets ``show_detail``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from desktop.shipment import Party


@dataclass(frozen=True)
class StreetMask:
    shown: str
    removed: tuple[str, ...]  # the parts cut out, e.g. ("656号",)


def region_line(party: Party, rules: dict[str, Any]) -> str:
    parts: list[str] = []
    for key in rules.get("region", ["province", "city", "district"]):
        value = str(getattr(party, key, "") or "").strip()
        if value and (not parts or parts[-1] != value):
            parts.append(value)
    return str(rules.get("region_separator", " ")).join(parts)


def mask_street(street: str, patterns: list[re.Pattern[str]]) -> StreetMask:
    text = street.strip()
    removed: list[str] = []
    for pattern in patterns:
        match = pattern.search(text)
        while match and match.group(0):
            removed.append(match.group(0).strip(" ,;-"))
            text = (text[:match.start()] + " " + text[match.end():]).strip(" ,;-")
            match = pattern.search(text)
    return StreetMask(re.sub(r"\s{2,}", " ", text).strip(), tuple(r for r in removed if r))


def address_line(party: Party, rules: dict[str, Any], patterns: list[re.Pattern[str]]) -> tuple[str, StreetMask]:
    street = mask_street(party.street, patterns)
    parts: list[str] = []
    for key in rules.get("address", ["street"]):
        value = street.shown if key == "street" else str(getattr(party, key, "") or "").strip()
        if value and value not in parts:
            parts.append(value)
    if rules.get("show_detail") and party.detail.strip():
        parts.append(party.detail.strip())
    return str(rules.get("address_separator", " ")).join(parts), street
