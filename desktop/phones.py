"""Phone numbers: parse what clerks and shop exports type, and keep one canonical form.

Canonical form (the seal stores it, so it must never drift):

    E.164, then the extension if any, RFC 3966 style:  "+8613800131563"
                                                       "+861065529988;ext=8021"

Parsing uses the ``phonenumbers`` library with the party's country as the default region, so
"13800131563" in a CN address and "+86 138-0013-8000" give the same number. Chinese
extension markers (转, 分机) are understood as well as "ext", "x" and "#". Letters are
refused: ``phonenumbers`` would silently read "1380013800a" as a vanity number, and on a
waybill a letter in a phone number is always a typing slip.

New number ranges are opened before the library's metadata knows them, so a number that has
a possible length but is not (yet) valid is accepted with a warning, never blocked - except
where the shape is certainly wrong (see ``_COUNTRY_SHAPES``: a CN mobile has 11 digits and a
CN landline needs its area code).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

from desktop.errors import SigiloError
from desktop.i18n import N_, _, current_language

MAX_PHONE_CHARS = 40

# Written between the number and its extension; turned into "ext" before parsing.
_EXTENSION_MARKERS = ("分机号", "分機號", "分机", "分機", "转", "轉", "ext.", "ext", "extension", "x", "#")
_EXT_SPLIT = re.compile(
    r"\s*(?:" + "|".join(re.escape(m) for m in sorted(_EXTENSION_MARKERS, key=len, reverse=True)) + r")\s*",
    re.IGNORECASE,
)
# Characters a person writes inside a phone number besides digits.
_NUMBER_PUNCTUATION = set("+-()./ \u00a0\u2010\u2011\u2012\u2013\u2014\u2212")


class PhoneError(SigiloError):
    """A phone number that cannot be dialled as written."""


@dataclass(frozen=True)
class Phone:
    """A parsed phone number. ``canonical`` is what the seal and the store keep."""

    e164: str  # "+8613800131563"
    extension: str  # "" or "8021"
    country_code: int  # 86
    national_number: str  # national significant number, digits only: "13800131563"
    national_prefix_form: str  # as dialled inside the country, digits only: "01065529988"
    region: str  # "CN", or "" when the library cannot tell (an unassigned range)
    valid: bool  # False: possible length, but the library does not know the range

    @property
    def canonical(self) -> str:
        return f"{self.e164};ext={self.extension}" if self.extension else self.e164


def parse_phone(text: str, country: str = "") -> Phone:
    """Parse ``text`` dialled from an address in ``country`` (ISO 3166 alpha-2).

    Raises PhoneError (with a hint) when the number cannot be right. A Phone with
    ``valid=False`` is possible but unknown to the library: warn, do not block."""
    result = _parse_cached(text or "", (country or "").upper(), current_language())
    if isinstance(result, PhoneError):
        raise PhoneError(result.message, result.hint)
    return result


@lru_cache(maxsize=512)
def _parse_cached(text: str, country: str, language: str) -> "Phone | PhoneError":
    """Validation, masking and the privacy checks each read the same number: parse it once.
    Small, so a long-running station keeps only its last few hundred numbers in memory.
    ``language`` is part of the key because a refusal's message is in the language of the day."""
    try:
        return _parse(text, country)
    except PhoneError as exc:
        return exc.with_traceback(None)  # keep no frames (and their locals) alive in the cache


def _parse(text: str, country: str) -> Phone:
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw:
        raise PhoneError(_("the phone number is missing"),
                         _("type the number with its area code, e.g. 139 0000 0000 or 010-1234 5678"))
    if len(raw) > MAX_PHONE_CHARS:
        raise PhoneError(
            _("the phone number is {n} characters long").format(n=len(raw)),
            _("keep it under {max} characters: the number, then an extension if any").format(max=MAX_PHONE_CHARS),
        )
    main, extension = _split_extension(raw)
    for ch in main:
        if not (ch.isdigit() or ch in _NUMBER_PUNCTUATION):
            raise PhoneError(
                _("the phone number contains {char}").format(char=repr(ch)),
                _("use digits only (spaces, dashes and a leading + are fine; write an extension as 转 8021)"),
            )
    if extension and not extension.isdigit():
        raise PhoneError(_("the extension {ext} is not all digits").format(ext=repr(extension)),
                         _("write the extension as digits, e.g. 转 8021"))
    if sum(ch.isdigit() for ch in main) < 5:
        raise PhoneError(_("the phone number is too short"), _("type the full number with its area code"))
    region = country.upper() if len(country or "") == 2 else None
    try:
        number = phonenumbers.parse(main, region)
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            raise PhoneError(
                _("the phone number's country is unknown"),
                _("start an international number with + and its country code, e.g. +55 11 94707-9181"),
            ) from None
        raise PhoneError(_("the phone number cannot be read"), _("type the number with its area code")) from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.TOO_SHORT or reason == ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        raise PhoneError(_("the phone number is too short"), _("type the full number with its area code"))
    if reason == ValidationResult.TOO_LONG:
        raise PhoneError(_("the phone number is too long"), _("check for a doubled digit; write an extension as 转 8021"))
    if reason != ValidationResult.IS_POSSIBLE:
        raise PhoneError(_("the phone number has an impossible length"), _("check the number and its country code"))
    national = phonenumbers.national_significant_number(number)
    _check_country_shape(number.country_code, national)
    valid = phonenumbers.is_valid_number(number)
    bare = phonenumbers.PhoneNumber(country_code=number.country_code, national_number=number.national_number,
                                    italian_leading_zero=number.italian_leading_zero,
                                    number_of_leading_zeros=number.number_of_leading_zeros)
    dialled = phonenumbers.format_number(bare, PhoneNumberFormat.NATIONAL)  # without any extension
    return Phone(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        extension=extension,
        country_code=number.country_code,
        national_number=national,
        national_prefix_form="".join(ch for ch in dialled if ch.isdigit()),
        region=phonenumbers.region_code_for_number(number) or "",
        valid=valid,
    )


def normalise_phone(text: str, country: str = "") -> str:
    """The canonical form of ``text`` (see the module docstring)."""
    return parse_phone(text, country).canonical


def display_phone(text: str, country: str = "") -> str:
    """How a phone shown in full (a business sender's) reads on a label: the national format
    for a number of the address's own country ("0571 8888 0000"), else the international
    one ("+55 11 3003-0000"); the text as given when it does not parse."""
    try:
        phone = parse_phone(text, country)
    except PhoneError:
        return (text or "").strip()
    number = phonenumbers.parse(phone.e164)
    home = phone.region and phone.region == (country or "").upper()
    shown = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL if home else PhoneNumberFormat.INTERNATIONAL)
    return f"{shown} 转 {phone.extension}" if phone.extension and phone.region == "CN" else (
        f"{shown} ext. {phone.extension}" if phone.extension else shown)


def phone_digits(text: str, country: str = "") -> str:
    """The national significant digits of ``text``; for a number that does not parse, every
    digit written (masking must work on an unvalidated draft too)."""
    try:
        return parse_phone(text, country).national_number
    except PhoneError:
        main, _ext = _split_extension(unicodedata.normalize("NFKC", text or ""))
        return "".join(ch for ch in main if ch.isdigit())


def phone_extension(text: str) -> str:
    """The extension written after the number ("" when none)."""
    _main, extension = _split_extension(unicodedata.normalize("NFKC", text or "").strip())
    return extension if extension.isdigit() else ""


def _split_extension(raw: str) -> tuple[str, str]:
    if ";ext=" in raw:  # the canonical form itself
        main, _sep, ext = raw.partition(";ext=")
        return main.strip(), ext.strip()
    parts = _EXT_SPLIT.split(raw, maxsplit=1)
    if len(parts) == 2 and parts[0] and any(ch.isdigit() for ch in parts[0]):
        return parts[0].strip(), parts[1].strip()
    return raw, ""


# Shapes the library accepts as "possible" that are certainly typing slips on a waybill.
# country code -> list of (regex on the national number, message, hint).
_COUNTRY_SHAPES: dict[int, list[tuple[re.Pattern[str], str, str]]] = {
    86: [
        (
            re.compile(r"^1[1-9]\d{0,8}$|^1[1-9]\d{10,}$"),
            N_("a mobile number in China has 11 digits"),
            N_("check for a missing or extra digit"),
        ),
        (
            re.compile(r"^[2-9]\d{0,7}$|^10\d{0,7}$"),
            N_("the landline number has no area code"),
            N_("add the area code in front, e.g. 0571-88880000"),
        ),
    ],
}


def _check_country_shape(country_code: int, national: str) -> None:
    for pattern, message, hint in _COUNTRY_SHAPES.get(country_code, []):
        if pattern.match(national):
            raise PhoneError(_(message), _(hint))
