"""Rows of an export -> shipments, each validated, into a per-row report.

What a shop export does not hold comes from ``Defaults``: the station's sender, a parcel
weight, and tracking numbers made from a prefix and the order id. A whole-address column is
split by ``desktop.smartpaste`` (the same parser as the paste box), so an import and a paste
read an address alike. Report messages carry no recipient data: validation messages do not
quote the hidden fields, and ``scrub`` takes out anything of the row's own recipient cells
that a message might still quote."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.importer.mapping import Mapping, recognise
from desktop.importer.reading import Table, read_table
from desktop.shipment import Shipment
from desktop.validation import FieldError, validate
from desktop.field_labels import field_label
from desktop.i18n import _

ADDRESS_FIELDS = ("country", "province", "city", "district", "street", "detail", "postcode")
_TRAILING_POSTCODE = re.compile(r"\s*[(（]\s*(\d{6})\s*[)）]\s*$")  # "...402室(476079)": CN exports
_TOKENS = re.compile(r"[\w\u3400-\u9fff]+")


@dataclass(frozen=True)
class Defaults:
    """What the export does not say. ``tracking_prefix``: tracking number = prefix + the order
    id's letters and digits (for a station whose tracking numbers follow its orders)."""

    sender: dict[str, Any] = field(default_factory=dict)
    weight_kg: float | None = None
    tracking_prefix: str = ""
    service: str = ""


@dataclass(frozen=True)
class RowResult:
    row: int  # as in the file: the header is row 1
    shipment: Shipment | None  # the validated shipment when ok
    errors: tuple[FieldError, ...] = ()
    warnings: tuple[FieldError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportReport:
    source: str  # the file's name, never its rows
    mapping: str
    encoding: str
    rows: tuple[RowResult, ...]

    @property
    def valid(self) -> list[RowResult]:
        return [r for r in self.rows if r.ok]

    @property
    def invalid(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]

    def summary(self) -> str:
        return _("{valid} valid, {invalid} with errors").format(valid=len(self.valid), invalid=len(self.invalid))

    def write_csv(self, path: Path) -> None:
        """row, status, field, message: one line per error or warning (one "ok" line for a
        clean row), so the merchant can sort and filter in a spreadsheet."""
        with open(path, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(("row", "status", "field", "message"))
            for r in self.rows:
                for e in r.errors:
                    writer.writerow((r.row, "error", e.field, e.message))
                for w in r.warnings:
                    writer.writerow((r.row, "warning", w.field, w.message))
                if r.ok and not r.warnings:
                    writer.writerow((r.row, "ok", "", ""))


def import_file(path: Path, mapping: Mapping | None = None, defaults: Defaults | None = None,
                encoding: str | None = None) -> ImportReport:
    table = read_table(Path(path), encoding)
    return import_table(table, mapping or recognise(table.headers), defaults, source=Path(path).name)


def import_table(table: Table, mapping: Mapping, defaults: Defaults | None = None, *, source: str = "") -> ImportReport:
    defaults = defaults or Defaults()
    index = {h: i for i, h in reversed(list(enumerate(table.headers)))}  # first of duplicate headers
    missing = mapping.missing_columns(table.headers)
    if missing:
        from desktop.importer.errors import MappingError

        raise MappingError(_("the mapping {name!r} needs the column(s) {columns}, which this file lacks").format(
                               name=mapping.name, columns=", ".join(repr(c) for c in missing)),
                           _("leave out --mapping to recognise the file, or save a mapping for it with "
                             "--save-mapping NAME --map field=Column ..."))
    phone_column = index.get(mapping.columns.get("recipient.phone", ""))
    phones = frozenset(_digits(cells[phone_column]) for _, cells in table.rows
                       if phone_column is not None and phone_column < len(cells)) - {""}
    results = [_row(number, cells, mapping, index, defaults, phones) for number, cells in table.rows]
    return ImportReport(source, mapping.name, table.encoding, tuple(results))


def _row(number: int, cells: tuple[str, ...], mapping: Mapping, index: dict[str, int], defaults: Defaults,
         phones: frozenset[str] = frozenset()) -> RowResult:
    values: dict[str, str] = {}
    for name, column in mapping.columns.items():
        i = index[column]
        values[name] = cells[i].strip() if i < len(cells) else ""
    for name, value in mapping.defaults.items():
        if not values.get(name):
            values[name] = value
    notes: list[FieldError] = []
    address = values.pop("recipient.address", "")
    if address:
        _split_address(address, values, notes)
    data = _shipment_dict(values, defaults)
    result = validate(data)
    secrets = _secrets([address] + [values.get(f"recipient.{k}", "") for k in ("name", "phone", "street", "detail")])
    errors = tuple(FieldError(e.field, scrub(e.message, secrets, phones)) for e in result.errors)
    warnings = tuple(FieldError(w.field, scrub(w.message, secrets, phones)) for w in list(result.warnings) + notes)
    return RowResult(number, result.shipment if not errors else None, errors, warnings)


def _split_address(address: str, values: dict[str, str], notes: list[FieldError]) -> None:
    from desktop.smartpaste import parse

    postcode = _TRAILING_POSTCODE.search(address)
    if postcode:
        address = address[: postcode.start()]
        if not values.get("recipient.postcode"):
            values["recipient.postcode"] = postcode.group(1)
    parsed = parse(address, values.get("recipient.country", ""))
    for key in ADDRESS_FIELDS:
        if parsed.get(key) and not values.get(f"recipient.{key}"):
            values[f"recipient.{key}"] = parsed.get(key)
    for key in sorted(parsed.uncertain & set(ADDRESS_FIELDS)):
        notes.append(FieldError(f"recipient.{key}", _("{field} was read from the address column by guess; check it").format(
            field=field_label(f"recipient.{key}"))))


def _shipment_dict(values: dict[str, str], defaults: Defaults) -> dict[str, Any]:
    data: dict[str, Any] = {"recipient": {}, "sender": dict(defaults.sender), "parcel": {}}
    for name, value in values.items():
        if "." in name:
            part, key = name.split(".", 1)
            if value or key not in data[part]:
                data[part][key] = value
        else:
            data[name] = value
    if defaults.weight_kg is not None and not data["parcel"].get("weight_kg"):
        data["parcel"]["weight_kg"] = defaults.weight_kg
    if not data["parcel"].get("pieces"):
        data["parcel"].pop("pieces", None)
    if defaults.service and not data.get("service"):
        data["service"] = defaults.service
    if not data.get("tracking_number") and defaults.tracking_prefix and data.get("order_id"):
        data["tracking_number"] = defaults.tracking_prefix + re.sub(r"[^0-9A-Za-z]", "", data["order_id"]).upper()
    return data


def _secrets(texts: list[str]) -> list[str]:
    """The row's recipient cells and their words and numbers, longest first."""
    out: set[str] = set()
    for text in texts:
        if not text:
            continue
        out.add(text)
        for token in _TOKENS.findall(text):
            if len(token) >= 2:
                out.add(token)
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 3:
            out.add(digits)
    return sorted(out, key=len, reverse=True)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def scrub(message: str, secrets: list[str], phones: frozenset[str] = frozenset()) -> str:
    """``message`` without the row's own recipient words and numbers, and without any run of
    5+ digits that is part of a phone elsewhere in the file (a hint's example number may be
    a real customer's)."""
    if phones:
        message = re.sub(r"\d{5,}", lambda m: "…" if any(m.group(0) in p for p in phones) else m.group(0), message)
    for secret in secrets:
        if secret.isdigit():
            message = re.sub(rf"(?<!\d){re.escape(secret)}(?!\d)", "…", message)
        elif secret:
            message = message.replace(secret, "…")
    return message
