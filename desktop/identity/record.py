"""The identity record: what the law asks an outlet to record of a sender, validated.

An individual shows one document (type, number, name). An organisation gives its unified
social credit code and name, and the representative who hands the parcel over shows their own
document. ``method`` says how it was taken: "card" (read from the chip) or "manual" (typed),
and is kept in the sealed record so the compliance office can tell them apart.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from desktop.i18n import _
from desktop.identity.errors import InvalidIdentity
from desktop.identity.keys import normalise_number
from desktop.identity.types import ID_TYPES
from desktop.validation import FieldError

METHODS = ("card", "manual")
MAX_NAME = 60


@dataclass(frozen=True)
class Person:
    id_type: str
    number: str
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"id_type": self.id_type, "number": self.number, "name": self.name}


@dataclass(frozen=True)
class IdentityRecord:
    holder: Person  # the sender, or the organisation (id_type credit_code, its name)
    method: str = "manual"
    representative: Person | None = None  # an organisation's representative
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def organisation(self) -> bool:
        return ID_TYPES[self.holder.id_type].organisation

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"holder": self.holder.to_dict(), "method": self.method}
        if self.representative is not None:
            out["representative"] = self.representative.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "IdentityRecord":
        rep = data.get("representative")
        return cls(Person(**data["holder"]), data.get("method", "manual"), Person(**rep) if rep else None)


def _name(value: str) -> str:
    text = unicodedata.normalize("NFC", value or "")
    text = "".join(ch for ch in text if ch not in "\u200b\u2060\ufeff\u00ad")
    return " ".join(text.split())


def _person(prefix: str, data: dict[str, Any], errors: list[FieldError], today: date | None,
            organisation: bool | None) -> Person:
    id_type = str(data.get("id_type") or "").strip()
    number = normalise_number(str(data.get("number") or ""))
    name = _name(str(data.get("name") or ""))
    kind = ID_TYPES.get(id_type)
    if kind is None:
        errors.append(FieldError(f"{prefix}.id_type", _("Choose the kind of ID document.")))
    elif organisation is not None and kind.organisation != organisation:
        errors.append(FieldError(f"{prefix}.id_type", _("An organisation gives its credit code; a person shows a "
                                                         "personal ID document.") if organisation else
                                 _("The representative shows a personal ID document, not a credit code.")))
    if not number:
        errors.append(FieldError(f"{prefix}.number", _("Type the number as it is printed on the document.")))
    elif kind is not None:
        problem = kind.check(number, today)
        if problem:
            errors.append(FieldError(f"{prefix}.number", problem))
    if not name:
        errors.append(FieldError(f"{prefix}.name", _("Type the name as it is printed on the document.")))
    elif len(name) > MAX_NAME or any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        errors.append(FieldError(f"{prefix}.name", _("A name has at most {n} printable characters.").format(n=MAX_NAME)))
    return Person(id_type, number, name)


def validate_identity(data: dict[str, Any], today: date | None = None) -> tuple[IdentityRecord | None, list[FieldError]]:
    """The normalised record, or None and every problem by field (``identity.number``,
    ``identity.representative.name``...)."""
    errors: list[FieldError] = []
    method = str(data.get("method") or "manual")
    if method not in METHODS:
        errors.append(FieldError("identity.method", _("The record is taken from the card or typed by hand.")))
    holder = _person("identity", data, errors, today, None)
    rep = None
    kind = ID_TYPES.get(holder.id_type)
    if kind is not None and kind.organisation:
        rep_data = data.get("representative")
        rep_data = rep_data if isinstance(rep_data, dict) else {}
        rep = _person("identity.representative", rep_data, errors, today, False)
    if errors:
        return None, errors
    return IdentityRecord(holder, method, rep), []


def require_identity(data: dict[str, Any], today: date | None = None) -> IdentityRecord:
    record, errors = validate_identity(data, today)
    if record is None:
        raise InvalidIdentity(errors)
    return record
