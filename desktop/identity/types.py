"""The ID documents a sender may show, and how each number is checked.

Individuals: the PRC resident identity card (18 characters, GB 11643 check character and a
plausible date of birth), the residence permit for Hong Kong, Macau and Taiwan residents (the
same scheme, region 81/82/83), passports (5-17 letters and digits), the Mainland travel permit
for Hong Kong and Macau residents (H or M and 8 or 10 digits), the Mainland travel permit for
Taiwan residents (8 or 10 digits), the foreigner's permanent residence card (2023: 18
characters beginning with 9, GB 11643; 2017: 3 letters and 12 digits). Organisations: the
unified social credit code (GB 32100), with the representative's own ID.

Messages say what is wrong without repeating the number: they reach the clerk's status line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Callable

from desktop.i18n import N_, _
from desktop.identity import checks


@dataclass(frozen=True)
class IdType:
    code: str
    title: str  # as the clerk reads it
    title_zh: str  # the document's own name
    organisation: bool
    check: Callable[[str, date | None], str | None]  # error message or None


def _gb11643(number: str, today: date | None, region_ok: Callable[[str], bool], what: str) -> str | None:
    what = _(what)
    if len(number) != 18:
        return _("A {what} has 18 characters; this one has {n}.").format(what=what, n=len(number))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return _("A {what} is 17 digits and a final digit or X.").format(what=what)
    if not region_ok(number):
        return _("This {what} does not begin with a region code it can have.").format(what=what)
    born = checks.birth_date(number)
    if born is None:
        return _("The date of birth in this {what} (characters 7-14) is not a date.").format(what=what)
    if not checks.plausible_birth(born, today):
        return _("The date of birth in this {what} is in the future or more than {years} years ago.").format(
            what=what, years=checks.MAX_AGE_YEARS)
    if checks.gb11643_check(number[:17]) != number[17]:
        return _("The check character of this {what} is wrong (GB 11643): a digit was mistyped.").format(what=what)
    return None


def _resident(number: str, today: date | None) -> str | None:
    return _gb11643(number, today, lambda n: n[0] in "123456" and n[:2] not in ("10", "20", "30", "40", "50", "60"),
                    N_("resident ID number"))


def _residence_permit(number: str, today: date | None) -> str | None:
    return _gb11643(number, today, lambda n: n[:6] in ("810000", "820000", "830000"), N_("residence permit number"))


def _passport(number: str, today: date | None) -> str | None:
    if not 5 <= len(number) <= 17:
        return _("A passport number has 5 to 17 characters; this one has {n}.").format(n=len(number))
    if not re.fullmatch(r"[A-Z0-9]+", number) or not any(ch.isdigit() for ch in number):
        return _("A passport number is letters A-Z and digits, with at least one digit.")
    return None


def _hkmo_permit(number: str, today: date | None) -> str | None:
    if not re.fullmatch(r"[HM]([0-9]{8}|[0-9]{10})", number):
        return _("A travel permit for Hong Kong and Macau residents is H or M followed by 8 (or 10) digits.")
    return None


def _tw_permit(number: str, today: date | None) -> str | None:
    if not re.fullmatch(r"[0-9]{8}|[0-9]{10}", number):
        return _("A travel permit for Taiwan residents is 8 (or 10) digits.")
    return None


def _foreign_permanent(number: str, today: date | None) -> str | None:
    if len(number) == 15:
        if not re.fullmatch(r"[A-Z]{3}[0-9]{12}", number):
            return _("A permanent residence card of 15 characters is 3 letters and 12 digits.")
        return None
    if len(number) == 18:
        return _gb11643(number, today, lambda n: n[0] == "9", N_("permanent residence card number"))
    return _("A foreigner's permanent residence card number has 18 (or 15) characters; this one has {n}.").format(
        n=len(number))


def _credit_code(number: str, today: date | None) -> str | None:
    if len(number) != 18:
        return _("A unified social credit code has 18 characters; this one has {n}.").format(n=len(number))
    bad = [ch for ch in number if ch not in checks.GB32100_ALPHABET]
    if bad:
        return _("A unified social credit code uses digits and capital letters except I, O, Z, S and V.")
    if not number[2:8].isdigit():
        return _("Characters 3-8 of a unified social credit code are the region code (digits).")
    if checks.gb32100_check(number[:17]) != number[17]:
        return _("The check character of this credit code is wrong (GB 32100): a character was mistyped.")
    return None


ID_TYPES: dict[str, IdType] = {t.code: t for t in (
    IdType("cn_resident", N_("PRC resident identity card"), "居民身份证", False, _resident),
    IdType("residence_permit", N_("Residence permit for Hong Kong, Macau and Taiwan residents"), "港澳台居民居住证",
           False, _residence_permit),
    IdType("passport", N_("Passport"), "护照", False, _passport),
    IdType("hkmo_permit", N_("Mainland travel permit for Hong Kong and Macau residents"), "港澳居民来往内地通行证",
           False, _hkmo_permit),
    IdType("tw_permit", N_("Mainland travel permit for Taiwan residents"), "台湾居民来往大陆通行证", False, _tw_permit),
    IdType("foreign_permanent", N_("Foreigner's permanent residence card"), "外国人永久居留身份证", False,
           _foreign_permanent),
    IdType("credit_code", N_("Unified social credit code (organisation)"), "统一社会信用代码", True, _credit_code),
)}

INDIVIDUAL_TYPES = tuple(code for code, t in ID_TYPES.items() if not t.organisation)
