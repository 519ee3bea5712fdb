"""Column mappings: which column of an export holds which shipment field. Data, not code: the
known exports ship as resources/import_mappings/*.json and are recognised from the header row;
a merchant maps an unknown export once and it is saved in the station's import_mappings/."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from desktop.importer.errors import MappingError
from desktop.paths import data_dir, resources_dir
from desktop.shipment import PARTY_FIELDS
from desktop.i18n import _

# The fields a column can fill. recipient.address is a whole address in one cell, split by
# desktop.smartpaste; sender.* usually comes from the station's sender (--sender).
FIELDS = (
    ("order_id", "tracking_number", "service")
    + tuple(f"recipient.{f}" for f in PARTY_FIELDS) + ("recipient.address",)
    + tuple(f"sender.{f}" for f in PARTY_FIELDS)
    + ("parcel.weight_kg", "parcel.items", "parcel.declared_value", "parcel.pieces")
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Mapping:
    name: str
    columns: dict[str, str]  # field -> column header
    defaults: dict[str, str] = field(default_factory=dict)  # field -> value when no column gives one
    description: str = ""
    source: str = "bundled"  # "bundled" or "user"

    def missing_fields(self) -> list[str]:
        """Fields a mapping must fill for a row to be a shipment at all."""
        have = set(self.columns) | set(self.defaults)
        missing = [f for f in ("recipient.name", "recipient.phone") if f not in have]
        if "recipient.address" not in have:
            missing += [f for f in ("recipient.city",) if f not in have]
            if "recipient.street" not in have and "recipient.detail" not in have:
                missing.append("recipient.address (or recipient.street)")
        return missing

    def missing_columns(self, headers) -> list[str]:
        present = set(headers)
        return [column for column in self.columns.values() if column not in present]

    def to_json(self) -> dict:
        return {"name": self.name, "description": self.description, "columns": dict(self.columns),
                "defaults": dict(self.defaults)}


def user_dir() -> Path:
    return data_dir() / "import_mappings"


def _load(path: Path, source: str) -> Mapping:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        columns = {str(k): str(v) for k, v in raw["columns"].items()}
        defaults = {str(k): str(v) for k, v in (raw.get("defaults") or {}).items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise MappingError(_("the import mapping {name} cannot be read ({kind})").format(name=path.name, kind=type(exc).__name__),
                           _("fix or delete {path}").format(path=path)) from exc
    unknown = sorted(set(columns) - set(FIELDS)) + sorted(set(defaults) - set(FIELDS))
    if unknown:
        raise MappingError(_("the import mapping {name} names unknown fields: {names}").format(name=path.name, names=', '.join(unknown)),
                           _("fields are: {fields}").format(fields=", ".join(FIELDS)))
    return Mapping(str(raw.get("name") or path.stem), columns, defaults, str(raw.get("description", "")), source)


def list_mappings() -> list[Mapping]:
    """User mappings first, so a merchant's own mapping wins over a bundled one of that name."""
    out: list[Mapping] = []
    seen: set[str] = set()
    for folder, source in ((user_dir(), "user"), (resources_dir() / "import_mappings", "bundled")):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.json")):
            mapping = _load(path, source)
            if mapping.name not in seen:
                seen.add(mapping.name)
                out.append(mapping)
    return out


def find_mapping(name: str) -> Mapping:
    for mapping in list_mappings():
        if mapping.name == name:
            return mapping
    raise MappingError(_("no import mapping named {name!r}").format(name=name),
                       _("known: {names}; save one with --save-mapping NAME --map field=Column ...").format(
                           names=", ".join(m.name for m in list_mappings())))


def recognise(headers) -> Mapping:
    """The mapping whose columns are all in ``headers`` (the one using most columns if several
    fit); else a MappingError that names what is missing and how to map it."""
    headers = tuple(headers)
    fitting = [m for m in list_mappings() if not m.missing_columns(headers)]
    if fitting:
        return max(fitting, key=lambda m: (m.source == "user", len(m.columns)))
    raise unknown_columns(headers)


def unknown_columns(headers) -> MappingError:
    mappings = list_mappings()
    closest = min(mappings, key=lambda m: len(m.missing_columns(headers)), default=None)
    shown = ", ".join(repr(h) for h in headers if h)
    if closest is not None and len(closest.missing_columns(headers)) < len(closest.columns):
        message = _("no saved import mapping fits this file's columns ({columns}); closest is {name!r}, which needs "
                    "the column(s) {missing}").format(columns=shown, name=closest.name,
                                                      missing=", ".join(repr(c) for c in closest.missing_columns(headers)))
    else:
        message = _("no saved import mapping fits this file's columns ({columns})").format(columns=shown)
    return MappingError(
        message,
        _("map the columns once and save the mapping: sigilo batch FILE --save-mapping NAME "
          "--map recipient.name=COLUMN --map recipient.phone=COLUMN --map recipient.address=COLUMN "
          "(or recipient.street/recipient.city/...); fields: {fields}").format(fields=", ".join(FIELDS)))


def mapping_from_pairs(name: str, pairs: list[str], headers, defaults: dict[str, str] | None = None) -> Mapping:
    """A mapping from ``field=Column`` pairs, checked against the file's header row."""
    if not _NAME.match(name):
        raise MappingError(_("{name!r} is not a mapping name").format(name=name), _("use letters, digits, '-', '_' or '.', e.g. myshop"))
    columns: dict[str, str] = {}
    for pair in pairs:
        key, sep, column = pair.partition("=")
        key, column = key.strip(), column.strip()
        if not sep or not key or not column:
            raise MappingError(_("--map {pair!r} is not field=Column").format(pair=pair), _("write e.g. --map recipient.name=Receiver"))
        if key not in FIELDS:
            raise MappingError(_("--map {pair!r}: {key!r} is not a shipment field").format(pair=pair, key=key), _("fields are: {fields}").format(fields=", ".join(FIELDS)))
        columns[key] = column
    mapping = Mapping(name, columns, dict(defaults or {}), "", "user")
    absent = mapping.missing_columns(headers)
    if absent:
        raise MappingError(_("the file has no column {columns}").format(columns=", ".join(repr(c) for c in absent)),
                           _("its columns are: {columns}").format(columns=", ".join(repr(h) for h in headers if h)))
    missing = mapping.missing_fields()
    if missing:
        raise MappingError(_("the mapping leaves out {fields}").format(fields=", ".join(missing)),
                           _("add --map FIELD=COLUMN for each, e.g. --map recipient.phone=Phone"))
    return mapping


def save_user_mapping(mapping: Mapping) -> Path:
    folder = user_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{mapping.name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(mapping.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
