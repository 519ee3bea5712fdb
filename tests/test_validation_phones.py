"""Phone numbers: CN mobiles and landlines, BR mobiles, international numbers -> the canonical
E.164 form the seal stores; a possible-but-unknown number warns instead of blocking."""

from __future__ import annotations

import copy

import phonenumbers
import pytest

from desktop.phones import PhoneError, normalise_phone, parse_phone
from desktop.validation import validate


@pytest.mark.parametrize("text", ["13800131563", "138 0013 1563", "138-0013-1563", "+86 138 0013 1563",
                                  "+86-13800131563", "0086 13800131563", "(+86) 138 0013 1563",
                                  "１３８００１３１５６３", " 13800131563 "])
def test_cn_mobile_forms_normalise_to_one_e164(text):
    assert normalise_phone(text, "CN") == "+8613800131563"


@pytest.mark.parametrize("text", ["010-6552-9988 转 8021", "010-65529988转8021", "(010) 6552 9988 分机 8021",
                                  "010 6552 9988 ext. 8021", "+86 10 6552 9988 x8021", "010-6552-9988#8021",
                                  "+861065529988;ext=8021"])
def test_cn_landline_with_extension_keeps_the_extension(text):
    phone = parse_phone(text, "CN")
    assert phone.canonical == "+861065529988;ext=8021"
    assert phone.e164 == "+861065529988" and phone.extension == "8021"
    assert phone.national_prefix_form == "01065529988"


def test_cn_landline_sender_is_valid():
    phone = parse_phone("0571-88880000", "CN")
    assert phone.valid and phone.canonical == "+8657188880000"
    assert phonenumbers.number_type(phonenumbers.parse(phone.e164)) == phonenumbers.PhoneNumberType.FIXED_LINE


@pytest.mark.parametrize("text, country", [("+55 11 94707-9181", "BR"), ("(11) 94707-9181", "BR"),
                                           ("11 947079181", "BR"), ("+55 (11) 9 4707-9181", "CN")])
def test_br_mobile(text, country):
    phone = parse_phone(text, country)
    assert phone.canonical == "+5511947079181"
    assert phone.valid and phone.region == "BR"


def test_international_sample_numbers_normalise_to_e164(sample_shipments):
    expected = {
        "+44 7700 900123": "+447700900123",
        "+49 30 901820": "+4930901820",
        "+33 6 12 34 56 78": "+33612345678",
        "+81 90-1234-5678": "+819012345678",
        "+1 (555) 010-4477": "+15550104477",
        "+351 912 345 678": "+351912345678",
        "+84 91 234 5678": "+84912345678",
    }
    seen = {}
    for row in sample_shipments:
        recipient = row["recipient"]
        if recipient["country"] not in ("CN", "BR"):
            seen[recipient["phone"]] = validate(row).shipment.recipient.phone
    assert seen == expected


def test_canonical_form_parses_back_to_itself():
    for text, country in [("13800131563", "CN"), ("010-6552-9988 转 8021", "CN"), ("+55 11 94707-9181", "BR"),
                          ("+44 7700 900123", "GB")]:
        canonical = normalise_phone(text, country)
        assert normalise_phone(canonical, "") == canonical
        number = phonenumbers.parse(canonical.split(";")[0])
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == canonical.split(";")[0]


@pytest.mark.parametrize("text, country", [("14012345678", "CN"), ("16012345678", "CN"), ("+55 11 84707-9181", "BR")])
def test_possible_but_unknown_number_warns_and_does_not_block(sample_shipments, text, country):
    number = phonenumbers.parse(text, country)
    assert phonenumbers.is_possible_number(number) and not phonenumbers.is_valid_number(number)
    phone = parse_phone(text, country)
    assert not phone.valid
    row = copy.deepcopy(sample_shipments[0] if country == "CN" else sample_shipments[25])
    row["recipient"]["phone"] = text
    result = validate(row)
    assert result.ok
    assert [w.field for w in result.warnings] == ["recipient.phone"]
    assert result.shipment.recipient.phone == phone.canonical


@pytest.mark.parametrize("text, words", [
    ("1380013800a", "contains 'a'"),
    ("12345", "too short"),
    ("", "missing"),
    ("1380013156", "11 digits"),  # a CN mobile missing a digit: possible to the library, wrong here
    ("138001315634", "11 digits"),
    ("88880000", "area code"),
    ("+999 1234 5678", "country"),
    ("138 0013 1563 转 80a1", "extension"),
    ("1" * 41, "characters long"),
])
def test_impossible_numbers_are_refused_with_a_hint(text, words):
    with pytest.raises(PhoneError) as info:
        parse_phone(text, "CN")
    assert words in str(info.value)
    assert info.value.hint


def test_a_foreign_number_for_a_cn_address_warns(sample_shipments):
    row = copy.deepcopy(sample_shipments[0])
    row["recipient"]["phone"] = "+55 11 94707-9181"
    result = validate(row)
    assert result.ok
    assert [w.field for w in result.warnings] == ["recipient.phone"]
    assert "94707" not in result.warnings[0].message
