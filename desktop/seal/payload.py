"""The sealed plaintext: a Shipment as compact CBOR with integer keys, and back, exactly.

Every byte here becomes about 1.5 QR characters, so the map is terse: integer keys, empty
strings and defaults left out, phones in E.164 as integers, all-digit postcodes as integers,
float weights as whole grams when that is exact, and CJK-heavy text as UTF-16 when that is
shorter than UTF-8 (2 bytes a Han character instead of 3). No compression: it does not shrink
~150 bytes of addresses and it leaks length. The tracking number travels in the clear header,
not here. ``docs/seal-format.md`` is the normative description of this mapping.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import cbor2
import phonenumbers

from desktop.seal.strictcbor import CBORError, decode_one
from desktop.shipment import PARTY_FIELDS, Parcel, Party, Shipment
from desktop.i18n import _

# top-level keys
K_ORDER, K_SERVICE, K_SENDER, K_RECIPIENT, K_PARCEL = 1, 2, 3, 4, 5
# party keys: PARTY_FIELDS in order are 1..9, business is 10
PARTY_KEYS = {name: i + 1 for i, name in enumerate(PARTY_FIELDS)}
K_BUSINESS = 10
# parcel keys
P_WEIGHT, P_WEIGHT_G, P_ITEMS, P_VALUE, P_VALUE_CENTS, P_PIECES = 1, 2, 3, 4, 5, 6

DEFAULT_SERVICE = "standard"
PAD_BUCKET = 16
MAX_POSTCODE_DIGITS = 18  # fits an unsigned 64-bit integer
MAX_E164 = 10**15  # E.164 numbers have at most 15 digits
MAX_SCALED_UNITS = 10**12  # the encoder scales only values up to 1e12 (grams, cents)


class PayloadError(ValueError):
    """The plaintext is not a valid Sigilo payload (after successful decryption)."""


# -- text ---------------------------------------------------------------------------------

def _enc_text(value: str) -> str | bytes:
    """UTF-8 text, or a byte string of UTF-16BE when that is strictly shorter."""
    utf8 = value.encode("utf-8")
    utf16 = value.encode("utf-16-be")
    return utf16 if len(utf16) < len(utf8) else value


def _dec_text(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        if len(value) % 2:
            raise PayloadError(_("{where}: UTF-16 byte string of odd length").format(where=where))
        try:
            return value.decode("utf-16-be")
        except UnicodeDecodeError as exc:
            raise PayloadError(_("{where}: invalid UTF-16").format(where=where)) from exc
    raise PayloadError(_("{where}: expected text, got {kind}").format(where=where, kind=type(value).__name__))


# -- phone --------------------------------------------------------------------------------

def _e164_digits(number: str, country: str) -> int | None:
    """The E.164 digits if ``number`` is exactly the E.164 form of a possible number."""
    if not (number.startswith("+") and number[1:].isascii() and number[1:].isdigit()):
        return None
    if number[1] == "0" or not 7 <= len(number) <= 16:
        return None
    try:
        parsed = phonenumbers.parse(number, country.upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    if phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) != number:
        return None
    return int(number[1:])


def _enc_phone(phone: str, country: str) -> Any:
    base, sep, ext = phone.partition(";ext=")
    digits = _e164_digits(base, country)
    if digits is not None:
        if not sep:
            return digits
        if ext and ext.isascii() and ext.isdigit():
            return [digits, ext]
    return _enc_text(phone)


def _dec_phone(value: Any) -> str:
    if isinstance(value, bool):
        raise PayloadError(_("phone: unexpected boolean"))
    if isinstance(value, int):
        if not 0 < value < MAX_E164:
            raise PayloadError(_("phone: E.164 digits must be 1 to 15 digits"))
        return f"+{value}"
    if isinstance(value, list):
        if (len(value) != 2 or isinstance(value[0], bool) or not isinstance(value[0], int)
                or not 0 < value[0] < MAX_E164):
            raise PayloadError(_("phone: expected [E.164 digits, extension]"))
        return f"+{value[0]};ext={_dec_text(value[1], 'phone extension')}"
    return _dec_text(value, "phone")


# -- postcode -----------------------------------------------------------------------------

def _enc_postcode(postcode: str) -> Any:
    if postcode.isascii() and postcode.isdigit() and len(postcode) <= MAX_POSTCODE_DIGITS:
        n = int(postcode)
        return n if str(n) == postcode else [n, len(postcode)]
    return _enc_text(postcode)


def _dec_postcode(value: Any) -> str:
    if isinstance(value, bool):
        raise PayloadError(_("postcode: unexpected boolean"))
    if isinstance(value, int):
        if not 0 <= value < 10**MAX_POSTCODE_DIGITS:
            raise PayloadError(_("postcode: expected at most 18 digits"))
        return str(value)
    if isinstance(value, list):
        if (len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
                or not 0 <= value[0] < 10**MAX_POSTCODE_DIGITS
                or not len(str(value[0])) <= value[1] <= MAX_POSTCODE_DIGITS):
            raise PayloadError(_("postcode: expected [digits, length]"))
        return str(value[0]).zfill(value[1])
    return _dec_text(value, "postcode")


# -- numbers ------------------------------------------------------------------------------

def _same_float(a: float, b: float) -> bool:
    return struct.pack(">d", a) == struct.pack(">d", b)


def _scaled(value: Any, scale: int) -> int | None:
    """``value`` as a whole count of 1/scale units, if value is a float that count gives back
    bit for bit (count / scale in IEEE double is correctly rounded everywhere)."""
    if type(value) is not float or not math.isfinite(value) or value < 0 or value > 1e12:
        return None
    count = round(value * scale)
    return count if _same_float(count / scale, value) else None


def _enc_native(value: Any) -> Any:
    return _enc_text(value) if isinstance(value, str) else value


def _dec_native(value: Any, where: str) -> Any:
    if isinstance(value, bytes):
        return _dec_text(value, where)
    if isinstance(value, (bool, int, float, str)):
        return value
    raise PayloadError(_("{where}: unexpected {kind}").format(where=where, kind=type(value).__name__))


def _is_default(value: Any, default: Any) -> bool:
    return type(value) is type(default) and repr(value) == repr(default)


# -- parties and parcel -------------------------------------------------------------------

def _enc_party(party: Party) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for name, key in PARTY_KEYS.items():
        value = getattr(party, name)
        if value == "":
            continue
        if name == "phone":
            out[key] = _enc_phone(value, party.country)
        elif name == "postcode":
            out[key] = _enc_postcode(value)
        else:
            out[key] = _enc_text(value)
    if party.business is not None:
        out[K_BUSINESS] = bool(party.business)
    return out


def _dec_party(data: Any, where: str) -> Party:
    if not isinstance(data, dict):
        raise PayloadError(_("{where}: expected a map").format(where=where))
    unknown = set(data) - set(PARTY_KEYS.values()) - {K_BUSINESS}
    if unknown:
        raise PayloadError(_("{where}: unknown keys {sorted}").format(where=where, sorted=sorted(unknown, key=repr)))
    kwargs: dict[str, Any] = {}
    for name, key in PARTY_KEYS.items():
        if key not in data:
            kwargs[name] = ""
        elif name == "phone":
            kwargs[name] = _dec_phone(data[key])
        elif name == "postcode":
            kwargs[name] = _dec_postcode(data[key])
        else:
            kwargs[name] = _dec_text(data[key], f"{where}.{name}")
    business = data.get(K_BUSINESS)
    if business is not None and not isinstance(business, bool):
        raise PayloadError(_("{where}.business: expected a boolean").format(where=where))
    return Party(**kwargs, business=business)


def _enc_parcel(parcel: Parcel) -> dict[int, Any]:
    defaults = Parcel()
    out: dict[int, Any] = {}
    for value, default, key, scaled_key, scale in (
        (parcel.weight_kg, defaults.weight_kg, P_WEIGHT, P_WEIGHT_G, 1000),
        (parcel.declared_value, defaults.declared_value, P_VALUE, P_VALUE_CENTS, 100),
    ):
        if _is_default(value, default):
            continue
        count = _scaled(value, scale)
        if count is not None:
            out[scaled_key] = count
        else:
            out[key] = _enc_native(value)
    if parcel.items != "":
        out[P_ITEMS] = _enc_native(parcel.items)
    if not _is_default(parcel.pieces, defaults.pieces):
        out[P_PIECES] = _enc_native(parcel.pieces)
    return out


def _dec_parcel(data: Any) -> Parcel:
    if not isinstance(data, dict):
        raise PayloadError(_("parcel: expected a map"))
    if set(data) - {P_WEIGHT, P_WEIGHT_G, P_ITEMS, P_VALUE, P_VALUE_CENTS, P_PIECES}:
        raise PayloadError(_("parcel: unknown keys"))
    defaults = Parcel()
    values = {}
    for name, key, scaled_key, scale in (("weight_kg", P_WEIGHT, P_WEIGHT_G, 1000),
                                         ("declared_value", P_VALUE, P_VALUE_CENTS, 100)):
        if key in data and scaled_key in data:
            raise PayloadError(_("parcel.{name}: given twice").format(name=name))
        if scaled_key in data:
            count = data[scaled_key]
            if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_SCALED_UNITS * scale:
                raise PayloadError(_("parcel.{name}: scaled value must be an integer from 0 to {value}").format(name=name, value=MAX_SCALED_UNITS * scale))
            values[name] = count / scale
        elif key in data:
            values[name] = _dec_native(data[key], f"parcel.{name}")
        else:
            values[name] = getattr(defaults, name)
    items = _dec_native(data[P_ITEMS], "parcel.items") if P_ITEMS in data else ""
    pieces = _dec_native(data[P_PIECES], "parcel.pieces") if P_PIECES in data else defaults.pieces
    return Parcel(weight_kg=values["weight_kg"], items=items, declared_value=values["declared_value"], pieces=pieces)


# -- the whole payload --------------------------------------------------------------------

def encode_shipment(shipment: Shipment) -> bytes:
    """The CBOR map without padding (tracking number excluded: it is in the header)."""
    out: dict[int, Any] = {}
    if shipment.order_id != "":
        out[K_ORDER] = _enc_text(shipment.order_id)
    if shipment.service != DEFAULT_SERVICE:
        out[K_SERVICE] = _enc_text(shipment.service)
    for key, party in ((K_SENDER, shipment.sender), (K_RECIPIENT, shipment.recipient)):
        encoded = _enc_party(party)
        if encoded:
            out[key] = encoded
    parcel = _enc_parcel(shipment.parcel)
    if parcel:
        out[K_PARCEL] = parcel
    return cbor2.dumps(out)


def pad(data: bytes, bucket: int = PAD_BUCKET) -> bytes:
    """Zero bytes up to the next multiple of ``bucket``; the CBOR item marks its own end."""
    return data + bytes(-len(data) % bucket)


def decode_shipment(plaintext: bytes, tracking_number: str) -> Shipment:
    """Parse one CBOR map by the seal's strict rules (desktop.seal.strictcbor), check that only
    zero padding follows, rebuild the Shipment."""
    try:
        data, end = decode_one(plaintext)
    except CBORError as exc:
        raise PayloadError(_("plaintext is not valid seal CBOR ({exc})").format(exc=exc)) from None
    if any(plaintext[end:]):
        raise PayloadError(_("non-zero bytes after the CBOR map"))
    if not isinstance(data, dict):
        raise PayloadError(_("plaintext is not a CBOR map"))
    if set(data) - {K_ORDER, K_SERVICE, K_SENDER, K_RECIPIENT, K_PARCEL}:
        raise PayloadError(_("unknown top-level keys"))
    return Shipment(
        order_id=_dec_text(data[K_ORDER], "order_id") if K_ORDER in data else "",
        tracking_number=tracking_number,
        service=_dec_text(data[K_SERVICE], "service") if K_SERVICE in data else DEFAULT_SERVICE,
        sender=_dec_party(data.get(K_SENDER, {}), "sender"),
        recipient=_dec_party(data.get(K_RECIPIENT, {}), "recipient"),
        parcel=_dec_parcel(data.get(K_PARCEL, {})),
    )
