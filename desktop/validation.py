"""Shipment validation: field-level errors a clerk can fix, and the normalised shipment.

``validate`` never raises on bad input; it returns every problem at once, each naming its
field the way forms and import reports address it (``recipient.phone``, ``parcel.weight_kg``,
``tracking_number``), so a batch import can list 4 bad rows of 300 and the GUI can mark the
field beside the cursor. ``require_valid`` is the one-line gate before sealing and printing.

What normalisation does, and why:

* Text is NFC-normalised and trimmed; runs of spaces inside a line become one space. Rare
  CJK outside the BMP (𠮷), emoji and middle dots (阿依古丽·买买提) are kept as given.
* Invisible characters that carry no meaning on a label (zero-width space U+200B, word joiner
  U+2060, BOM U+FEFF, soft hyphen U+00AD, Mongolian vowel separator U+180E) are removed:
  pasted from chat apps, they would split a name so that masking hides the wrong characters.
  Zero-width (non-)joiners are kept only between non-letters (emoji sequences).
* Control characters (C0, C1, DEL - including NUL, tab, newline inside a field and ANSI
  escapes) and bidirectional overrides are refused, naming the field: a printer language reads
  them as commands, and an override can make a label show text in another order.
* The tracking number goes into a Code128, the QR header and printer commands, so it is kept
  to a safe alphabet: ``TRACKING_ALPHABET`` (A-Z and 0-9, upper-cased, 8-30 characters).
  Anything else (^ ~ < > quotes, backslash, spaces) is refused.
* Phones become their canonical form (see ``desktop.phones``): "+8613800131563",
  "+861065529988;ext=8021". A possible number the phone library does not know yet is a
  warning, not an error.
* Countries are ISO 3166 alpha-2, upper-cased. A BR postcode (CEP) becomes "01310-100".
* Free text in ``parcel.items`` is kept as given ("^FS^XZ" included): the printer-language
  encoders escape it; refusing it would refuse real product names.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from desktop.errors import SigiloError
from desktop.field_labels import field_label
from desktop.i18n import _, ngettext
from desktop.phones import PhoneError, parse_phone
from desktop.shipment import Parcel, Party, Shipment

TRACKING_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
TRACKING_MIN, TRACKING_MAX = 8, 30

# Longest accepted value per field, in characters after normalisation. Generous where real
# data is long (a 250-character address detail is accepted), tight where a label has no room.
MAX_CHARS = {
    "name": 100,
    "phone": 40,
    "country": 2,
    "province": 60,
    "city": 60,
    "district": 60,
    "street": 200,
    "detail": 300,
    "postcode": 16,
    "order_id": 64,
    "service": 40,
    "items": 500,
}
MAX_WEIGHT_KG = 500.0  # beyond this it is freight, or a typo in grams
HEAVY_WEIGHT_KG = 70.0  # above what couriers take as one parcel: worth a second look
MAX_PIECES = 999
MAX_DECLARED_VALUE = 10_000_000

BR_STATES = {
    "AC": "Acre", "AL": "Alagoas", "AP": "Amapá", "AM": "Amazonas", "BA": "Bahia", "CE": "Ceará",
    "DF": "Distrito Federal", "ES": "Espírito Santo", "GO": "Goiás", "MA": "Maranhão", "MT": "Mato Grosso",
    "MS": "Mato Grosso do Sul", "MG": "Minas Gerais", "PA": "Pará", "PB": "Paraíba", "PR": "Paraná",
    "PE": "Pernambuco", "PI": "Piauí", "RJ": "Rio de Janeiro", "RN": "Rio Grande do Norte",
    "RS": "Rio Grande do Sul", "RO": "Rondônia", "RR": "Roraima", "SC": "Santa Catarina", "SP": "São Paulo",
    "SE": "Sergipe", "TO": "Tocantins",
}
BR_UF = frozenset(BR_STATES)

# China's provincial-level divisions, as a label writes them. A shop export or a chat message
# often drops the suffix (湖北, 内蒙古); the full form is what sorting centres expect.
CN_PROVINCES = (
    "北京市 天津市 上海市 重庆市 河北省 山西省 辽宁省 吉林省 黑龙江省 江苏省 浙江省 安徽省 福建省 江西省 山东省 "
    "河南省 湖北省 湖南省 广东省 海南省 四川省 贵州省 云南省 陕西省 甘肃省 青海省 台湾省 内蒙古自治区 "
    "广西壮族自治区 西藏自治区 宁夏回族自治区 新疆维吾尔自治区 香港特别行政区 澳门特别行政区"
).split()
_CN_SHORT = {re.sub(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)$", "", p): p for p in CN_PROVINCES}
_CN_SHORT.update({p: p for p in CN_PROVINCES})


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))


_BR_BY_NAME = {_fold(name): uf for uf, name in BR_STATES.items()}

_INVISIBLE = {"\u200b", "\u2060", "\ufeff", "\u00ad", "\u180e"}
_JOINERS = {"\u200c", "\u200d"}
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_SPACES = re.compile(r"[\s\u3000]+")
_CEP = re.compile(r"^(\d{5})-?(\d{3})$")


@dataclass(frozen=True)
class FieldError:
    field: str  # "recipient.phone", "parcel.weight_kg", "tracking_number"
    message: str  # what is wrong and how to fix it

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass
class ValidationResult:
    shipment: Shipment
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_for(self, field_name: str) -> list[FieldError]:
        return [e for e in self.errors if e.field == field_name]


class ValidationError(SigiloError):
    """A shipment that cannot be printed; ``errors`` lists every field to fix."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        names = ", ".join(dict.fromkeys(e.field for e in self.errors))
        count = len(self.errors)
        super().__init__(
            ngettext("The shipment has {n} problem, in: {fields}",
                     "The shipment has {n} problems, in: {fields}", count).format(n=count, fields=names),
            "; ".join(str(e) for e in self.errors),
        )


def validate(data: dict[str, Any] | Shipment) -> ValidationResult:
    """Check and normalise a shipment given as a dict (shared-data shape) or a Shipment."""
    return _Validator().run(data)


def require_valid(data: dict[str, Any] | Shipment) -> Shipment:
    """The normalised shipment, or ValidationError naming every field to fix."""
    result = validate(data)
    if not result.ok:
        raise ValidationError(result.errors)
    return result.shipment


def clean_text(value: str, *, single_line: bool = True) -> str:
    """NFC, invisible characters removed, trimmed, inner whitespace runs collapsed. Control
    characters are left in place for ``control_problem`` to find."""
    text = unicodedata.normalize("NFC", value)
    text = _drop_invisible(text)
    text = _trim(text)
    if single_line:
        text = re.sub(r"[ \u3000\u00a0]{2,}", " ", text)
    return text


def _trim(text: str) -> str:
    """Strip spaces of any kind (U+3000, NBSP, em space...) and line ends from both ends. Not
    str.strip(): that also eats the separators U+001C-U+001F and NEL, which must be refused."""
    start, end = 0, len(text)
    while start < end and _is_edge_space(text[start]):
        start += 1
    while end > start and _is_edge_space(text[end - 1]):
        end -= 1
    return text[start:end]


def _is_edge_space(ch: str) -> bool:
    return ch in " \t\r\n" or unicodedata.category(ch) == "Zs"


def control_problem(text: str, field: str = "") -> str | None:
    """A message if ``text`` holds a control character or a bidirectional override; ``field``
    is the field's name as the form gives it (default: "The text")."""
    subject = field or _("The text")
    for index, ch in enumerate(text):
        pos = index + 1
        if ch == "\x1b":
            return _("{field} contains an escape sequence at position {pos}; retype the text without it.").format(
                field=subject, pos=pos)
        if unicodedata.category(ch) == "Cc":
            return _("{field} contains the control character {code} at position {pos}; retype the text "
                     "(it may have been pasted from another program).").format(
                field=subject, code=f"U+{ord(ch):04X}", pos=pos)
        if ch in _BIDI_CONTROLS:
            return _("{field} contains the invisible direction mark {code} at position {pos}; "
                     "retype the text without it.").format(field=subject, code=f"U+{ord(ch):04X}", pos=pos)
        if 0xD800 <= ord(ch) <= 0xDFFF:
            return _("{field} contains a broken character at position {pos}; retype the text.").format(
                field=subject, pos=pos)
    return None


def _drop_invisible(text: str) -> str:
    if not any(ch in _INVISIBLE or ch in _JOINERS for ch in text):
        return text
    out = []
    for i, ch in enumerate(text):
        if ch in _INVISIBLE:
            continue
        if ch in _JOINERS:
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if _is_letter(before) or _is_letter(after) or not before or not after:
                continue
        out.append(ch)
    return "".join(out)


def _is_letter(ch: str) -> bool:
    return bool(ch) and unicodedata.category(ch).startswith("L")


class _Validator:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        self.warnings: list[FieldError] = []

    def error(self, name: str, message: str) -> None:
        self.errors.append(FieldError(name, message))

    def warn(self, name: str, message: str) -> None:
        self.warnings.append(FieldError(name, message))

    def run(self, data: dict[str, Any] | Shipment) -> ValidationResult:
        if isinstance(data, Shipment):
            raw = data.to_dict()
        elif isinstance(data, dict):
            raw = data
        else:
            self.error("shipment", _("Expected a shipment object, got {kind}; pass a dict or Shipment.").format(
                kind=type(data).__name__))
            return ValidationResult(Shipment(), self.errors, self.warnings)

        tracking = self.tracking_number(raw.get("tracking_number"))
        order_id = self.text("order_id", raw.get("order_id"), required=False)
        service = self.text("service", raw.get("service"), required=False) or "standard"
        sender = self.party("sender", raw.get("sender"))
        recipient = self.party("recipient", raw.get("recipient"))
        parcel = self.parcel(raw.get("parcel"))
        shipment = Shipment(
            order_id=order_id, tracking_number=tracking, service=service,
            sender=sender, recipient=recipient, parcel=parcel,
        )
        return ValidationResult(shipment, self.errors, self.warnings)

    # -- text ------------------------------------------------------------------------------

    def text(self, name: str, value: Any, *, required: bool, limit_key: str | None = None,
             single_line: bool = True) -> str:
        key = limit_key or name.rsplit(".", 1)[-1]
        what = field_label(name)
        if value is None:
            value = ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(name, _("{field} must be text, not {kind}; type it as text.").format(
                field=what, kind=type(value).__name__))
            return ""
        if not isinstance(value, str):
            value = str(value)
        text = clean_text(value, single_line=single_line)
        problem = control_problem(text, what)
        if problem:
            self.error(name, problem)
            return text
        if required and not text:
            self.error(name, _("{field} is missing; fill it in.").format(field=what))
            return text
        limit = MAX_CHARS.get(key)
        if limit is not None and len(text) > limit:
            self.error(name, _("{field} is {n} characters long; shorten it to at most {limit}.").format(
                field=what, n=len(text), limit=limit))
        return text

    def tracking_number(self, value: Any) -> str:
        name = "tracking_number"
        if value is None or (isinstance(value, str) and not value.strip()):
            self.error(name, _("The tracking number is missing; scan the pre-printed barcode or draw one "
                               "from the number range."))
            return ""
        if not isinstance(value, str):
            self.error(name, _("The tracking number must be text; type it as letters and digits."))
            return ""
        text = unicodedata.normalize("NFKC", value).strip().upper()
        bad = sorted({ch for ch in text if ch not in TRACKING_ALPHABET})
        if bad:
            shown = " ".join(repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}" for ch in bad[:6])
            self.error(name, _("The tracking number contains {chars}; use only letters A-Z and digits 0-9.").format(
                chars=shown))
            return text
        if not TRACKING_MIN <= len(text) <= TRACKING_MAX:
            self.error(name, _("The tracking number has {n} characters; it needs {min} to {max} letters and "
                               "digits.").format(n=len(text), min=TRACKING_MIN, max=TRACKING_MAX))
        return text

    # -- parties ---------------------------------------------------------------------------

    def party(self, role: str, value: Any) -> Party:
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.error(role, _("{field} must be an object with name, phone and address; got {kind}.").format(
                field=field_label(role), kind=type(value).__name__))
            return Party()
        out: dict[str, Any] = {}
        for key in ("name", "country", "province", "city", "district", "street", "detail", "postcode"):
            out[key] = self.text(f"{role}.{key}", value.get(key), required=key in ("name", "city"))
        country = self.country(role, out["country"])
        out["country"] = country
        if country == "CN" or country == "BR":
            if not out["province"]:
                self.error(f"{role}.province", _("{field} is missing; fill it in.").format(
                    field=field_label(f"{role}.province")))
        if country == "BR" and out["province"]:
            uf = out["province"].upper()
            uf = uf if uf in BR_UF else _BR_BY_NAME.get(_fold(out["province"]), "")
            if uf:
                out["province"] = uf
            else:
                self.error(f"{role}.province", _("{value} is not a Brazilian state; use its two-letter UF, "
                                                 "e.g. SP or RJ.").format(value=repr(out["province"])))
        if country == "CN" and out["province"]:
            full = _CN_SHORT.get(out["province"])
            if full:
                out["province"] = full
            else:
                self.warn(f"{role}.province", _("{value} is not a Chinese province as sorting centres write it; "
                                                "check it, e.g. 湖北省 or 内蒙古自治区.").format(value=repr(out["province"])))
        if not out["street"] and not out["detail"]:
            self.error(f"{role}.street", _("{field} is missing; fill in the street or the building.").format(
                field=field_label(f"{role}.street")))
        out["postcode"] = self.postcode(role, country, out["postcode"])
        # an unknown country is its own error: the phone is then read as international only
        known = country if country in _known_countries() else ""
        out["phone"] = self.phone(role, value.get("phone"), known, country_error=bool(country) and not known)
        business = value.get("business")
        if business is not None and not isinstance(business, bool):
            self.error(f"{role}.business", _("{field} must be true or false, not {value}.").format(
                field=field_label(f"{role}.business"), value=repr(business)))
            business = None
        return Party(**out, business=business)

    def country(self, role: str, text: str) -> str:
        code = text.upper()
        if not code:
            self.error(f"{role}.country", _("{field} is missing; use its two-letter code, e.g. CN or BR.").format(
                field=field_label(f"{role}.country")))
        elif not re.fullmatch(r"[A-Z]{2}", code):
            self.error(f"{role}.country", _("{value} is not a country code; use two letters, e.g. CN, BR or GB.").format(
                value=repr(text)))
        elif code not in _known_countries():
            self.error(f"{role}.country", _("{value} is not a country code Sigilo knows; use the ISO 3166 two-letter "
                                            "code, e.g. CN, BR or GB.").format(value=repr(text)))
        return code

    def postcode(self, role: str, country: str, text: str) -> str:
        name = f"{role}.postcode"
        if not text:
            if country == "BR":
                self.error(name, _("{field} is missing; Brazilian post needs the CEP (8 digits, e.g. "
                                   "01310-100).").format(field=field_label(name)))
            return text
        if country == "BR":
            match = _CEP.match(text)
            if not match:
                self.error(name, _("{value} is not a CEP; write 8 digits, e.g. 01310-100.").format(value=repr(text)))
                return text
            return f"{match.group(1)}-{match.group(2)}"
        if country == "CN" and not re.fullmatch(r"\d{6}", text):
            self.error(name, _("{value} is not a Chinese postcode; write its 6 digits or leave it empty.").format(
                value=repr(text)))
        return text

    def phone(self, role: str, value: Any, country: str, country_error: bool = False) -> str:
        name = f"{role}.phone"
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(name, _("{field} must be text, not {kind}; type it as text.").format(
                field=field_label(name), kind=type(value).__name__))
            return ""
        text = clean_text(value)
        problem = control_problem(text, field_label(name))
        if problem:
            self.error(name, problem)
            return text
        try:
            phone = parse_phone(text, country)
        except PhoneError as exc:
            if country_error and text and not text.startswith("+"):
                return text  # a national number needs the country, whose own error says what to fix
            self.error(name, _("{problem}: {hint}").format(problem=exc.message, hint=exc.hint)
                       if exc.hint else exc.message)
            return text
        if not phone.valid:
            # The number itself stays out of the message: messages reach logs and reports.
            self.warn(name, _("{field} is not in a number range the phone library knows; check it with the "
                              "customer (new ranges open before the library learns them).").format(
                field=field_label(name)))
        elif country and phone.region and phone.region != country and phone.region != "001":
            self.warn(name, _("A {region} number for an address in {country}; check it is the right number.").format(
                region=phone.region, country=country))
        return phone.canonical

    # -- parcel ----------------------------------------------------------------------------

    def parcel(self, value: Any) -> Parcel:
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.error("parcel", _("The parcel must be an object with weight_kg and pieces; got {kind}.").format(
                kind=type(value).__name__))
            return Parcel()
        weight = self.number("parcel.weight_kg", value.get("weight_kg"))
        if weight is not None:
            if weight <= 0:
                self.error("parcel.weight_kg", _("The weight {weight} kg must be more than 0; weigh the parcel and "
                                                 "type kilograms.").format(weight=weight))
            elif weight > MAX_WEIGHT_KG:
                self.error("parcel.weight_kg", _("The weight {weight} kg is beyond {max} kg; type kilograms, not "
                                                 "grams.").format(weight=weight, max=f"{MAX_WEIGHT_KG:g}"))
            elif weight > HEAVY_WEIGHT_KG:
                self.warn("parcel.weight_kg", _("{weight} kg is more than most couriers take as one parcel; check "
                                                "it is kilograms.").format(weight=weight))
        declared = self.number("parcel.declared_value", value.get("declared_value", 0))
        if declared is not None and not 0 <= declared <= MAX_DECLARED_VALUE:
            self.error("parcel.declared_value", _("The declared value {value} must be between 0 and {max}; correct "
                                                  "it.").format(value=declared, max=f"{MAX_DECLARED_VALUE:,}"))
        pieces_raw = value.get("pieces", 1)
        pieces = self.number("parcel.pieces", pieces_raw)
        if pieces is not None:
            if pieces != int(pieces):
                self.error("parcel.pieces", _("The number of pieces {n} must be a whole number; type 1 or "
                                              "more.").format(n=pieces))
            elif not 1 <= pieces <= MAX_PIECES:
                self.error("parcel.pieces", _("The number of pieces {n} must be 1 to {max}; correct it.").format(
                    n=int(pieces), max=MAX_PIECES))
            pieces = int(pieces) if pieces == int(pieces) else pieces
        items = self.text("parcel.items", value.get("items"), required=False)
        return Parcel(
            weight_kg=weight if weight is not None else value.get("weight_kg", 0.0),
            items=items,
            declared_value=declared if declared is not None else 0,
            pieces=pieces if pieces is not None else 1,
        )

    def number(self, name: str, value: Any) -> float | int | None:
        what = field_label(name)
        if isinstance(value, str):  # from a CSV cell: "1.25" or "1,25"
            text = unicodedata.normalize("NFKC", value).strip().replace(",", ".")
            try:
                value = int(text)
            except ValueError:
                try:
                    value = float(text)
                except ValueError:
                    pass
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(name, _("{field} must be a number, not {value}; type digits, e.g. 1.25.").format(
                field=what, value=repr(value)))
            return None
        if not math.isfinite(value):
            self.error(name, _("{field} must be a finite number; type digits, e.g. 1.25.").format(field=what))
            return None
        return value


__all__ = [
    "FieldError", "ValidationResult", "ValidationError", "validate", "require_valid",
    "clean_text", "control_problem", "TRACKING_ALPHABET", "TRACKING_MIN", "TRACKING_MAX", "MAX_CHARS",
]


_COUNTRIES: frozenset[str] | None = None
# ISO 3166-1 codes without a telephone numbering plan of their own in libphonenumber
_NO_PHONE_PLAN = frozenset({"AQ", "BV", "HM", "TF", "UM", "GS", "PN"})


def _known_countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes: the regions the phone library knows (every country and
    territory with a numbering plan), and the few without one."""
    global _COUNTRIES
    if _COUNTRIES is None:
        import phonenumbers

        _COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS) | _NO_PHONE_PLAN
    return _COUNTRIES
