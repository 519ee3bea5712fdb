"""Shipment validation: the awkward inputs, field-level errors, normalisation."""

from __future__ import annotations

import copy
import unicodedata

import pytest

from desktop.errors import SigiloError
from desktop.masking import hidden_fragments, mask
from desktop.shipment import Shipment
from desktop.validation import FieldError, ValidationError, require_valid, validate

FIX_WORDS = ("use", "type", "fill", "shorten", "retype", "check", "add", "write", "weigh", "scan",
             "correct", "give", "keep", "pass", "start")


def _base(sample_shipments) -> dict:
    return copy.deepcopy(sample_shipments[0])


def _fields(result) -> set[str]:
    return {e.field for e in result.errors}


def test_every_awkward_row_gives_exactly_its_expected_result(awkward_rows):
    assert len(awkward_rows) >= 20
    for row in awkward_rows:
        result = validate(row)
        expect = row["expect"]
        if expect == "ok":
            assert result.ok, (row["note"], result.errors)
        else:
            field = expect.split(":", 1)[1]
            assert _fields(result) == {field}, (row["note"], result.errors)


def test_every_error_message_says_what_is_wrong_and_how_to_fix_it(awkward_rows):
    for row in awkward_rows:
        for error in validate(row).errors:
            text = error.message.lower()
            assert len(text) > 20
            assert any(word in text for word in FIX_WORDS), error


def test_error_messages_never_carry_the_recipients_hidden_data(awkward_rows):
    for row in awkward_rows:
        result = validate(row)
        shipment = Shipment.from_dict(row)
        fragments = hidden_fragments(shipment, mask(shipment))
        for item in result.errors + result.warnings:
            for fragment in fragments:
                assert fragment not in item.message, (row["note"], fragment)


def test_every_sample_shipment_is_valid_and_phones_become_e164(sample_shipments):
    assert len(sample_shipments) == 40
    for row in sample_shipments:
        result = validate(row)
        assert result.ok, (row["order_id"], result.errors)
        assert result.shipment.recipient.phone.startswith("+")
        assert result.shipment.recipient.phone[1:].isdigit()
    first = validate(sample_shipments[0]).shipment
    assert first.recipient.phone == "+8613800131563"
    assert first.sender.phone == "+8657188880000"  # the landline 0571-88880000 is valid


def test_validate_accepts_a_shipment_object_as_well_as_a_dict(sample_shipments):
    row = sample_shipments[30]
    assert validate(Shipment.from_dict(row)).shipment == validate(row).shipment


def test_text_is_nfc_normalised_and_trimmed(sample_shipments):
    row = _base(sample_shipments)
    row["recipient"]["name"] = "  Jose\u0301  Silva \t"
    row["recipient"]["city"] = "Sa\u0303o Paulo"
    shipment = validate(row).shipment
    assert shipment.recipient.name == "José Silva"
    assert unicodedata.is_normalized("NFC", shipment.recipient.name)
    assert shipment.recipient.city == "São Paulo"


@pytest.mark.parametrize("name", ["𠮷野家", "小王🙂", "阿依古丽·买买提", "👨\u200d👩\u200d👧 王"])
def test_rare_cjk_emoji_and_middle_dots_are_kept(sample_shipments, name):
    row = _base(sample_shipments)
    row["recipient"]["name"] = name
    result = validate(row)
    assert result.ok
    assert result.shipment.recipient.name == name


def test_spaces_of_any_kind_are_trimmed_but_edge_separators_are_refused(sample_shipments):
    row = _base(sample_shipments)
    row["recipient"]["name"] = "\u3000\u2003刘建国\u00a0\n"
    assert validate(row).shipment.recipient.name == "刘建国"
    row["recipient"]["name"] = "刘建国\x1f"  # str.strip() would drop it silently
    assert _fields(validate(row)) == {"recipient.name"}


def test_a_heavy_parcel_warns(sample_shipments):
    row = _base(sample_shipments)
    row["parcel"]["weight_kg"] = 120
    result = validate(row)
    assert result.ok and [w.field for w in result.warnings] == ["parcel.weight_kg"]


def test_zero_width_characters_are_removed_from_names(sample_shipments):
    row = _base(sample_shipments)
    row["recipient"]["name"] = "\ufeff张\u200b三\u2060"
    assert validate(row).shipment.recipient.name == "张三"


TEXT_FIELDS = [f"{role}.{key}" for role in ("recipient", "sender")
               for key in ("name", "province", "city", "district", "street", "detail")] + [
    "order_id", "service", "parcel.items"]


def _set(row: dict, path: str, value) -> None:
    target = row
    *parents, last = path.split(".")
    for key in parents:
        target = target[key]
    target[last] = value


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("bad", ["a\x00b", "red\x1b[31mtext", "a\x85b", "a\x7fb", "line\nbreak", "a\tb",
                                 "abc\u202edcba"])
def test_control_characters_in_any_text_field_are_refused_naming_the_field(sample_shipments, field, bad):
    row = _base(sample_shipments)
    _set(row, field, "建设" + bad)
    result = validate(row)
    assert _fields(result) == {field}, result.errors


@pytest.mark.parametrize("bad", ["SG77^XZ0000", "SG77~JA0000", "SG77<b>0000", 'SG77"0000', "SG77'0000",
                                 "SG77\\0000", "SG77\x000000", "SG77 0000", "SG77-00000", "SG7700000\x1b"])
def test_tracking_numbers_that_could_carry_printer_commands_are_refused(sample_shipments, bad):
    row = _base(sample_shipments)
    row["tracking_number"] = bad
    result = validate(row)
    assert _fields(result) == {"tracking_number"}
    assert "A-Z" in result.errors[0].message


@pytest.mark.parametrize("value, ok", [("SG770000", True), ("SG77000", False), ("A" * 30, True), ("A" * 31, False),
                                       ("", False), (None, False)])
def test_tracking_number_length(sample_shipments, value, ok):
    row = _base(sample_shipments)
    row["tracking_number"] = value
    assert ("tracking_number" not in _fields(validate(row))) is ok


def test_tracking_number_is_upper_cased(sample_shipments):
    row = _base(sample_shipments)
    row["tracking_number"] = " sg7700000000 "
    assert validate(row).shipment.tracking_number == "SG7700000000"


def test_length_limits_per_field(sample_shipments):
    row = _base(sample_shipments)
    row["recipient"]["detail"] = "某" * 250
    assert validate(row).ok
    row["recipient"]["detail"] = "某" * 301
    assert _fields(validate(row)) == {"recipient.detail"}
    row = _base(sample_shipments)
    row["recipient"]["name"] = "张" * 101
    result = validate(row)
    assert _fields(result) == {"recipient.name"}
    assert "100" in result.errors[0].message


@pytest.mark.parametrize("weight", [0, -1, -0.01, 0.0, 100000, float("nan"), float("inf"), "heavy", True, None])
def test_bad_weights_are_refused(sample_shipments, weight):
    row = _base(sample_shipments)
    row["parcel"]["weight_kg"] = weight
    assert _fields(validate(row)) == {"parcel.weight_kg"}


def test_weight_from_a_csv_cell_is_read(sample_shipments):
    row = _base(sample_shipments)
    row["parcel"]["weight_kg"] = "1,5"
    result = validate(row)
    assert result.ok and result.shipment.parcel.weight_kg == 1.5


@pytest.mark.parametrize("pieces, ok", [(1, True), (3, True), (0, False), (-2, False), (1.5, False), ("x", False),
                                        (1000, False)])
def test_pieces(sample_shipments, pieces, ok):
    row = _base(sample_shipments)
    row["parcel"]["pieces"] = pieces
    assert ("parcel.pieces" not in _fields(validate(row))) is ok


def test_free_text_items_with_printer_commands_are_kept_as_given(sample_shipments):
    row = _base(sample_shipments)
    row["parcel"]["items"] = "书^FS^XZ^XA~JA<b>\"'\\"
    result = validate(row)
    assert result.ok
    assert result.shipment.parcel.items == "书^FS^XZ^XA~JA<b>\"'\\"


def test_brazilian_address_rules(sample_shipments):
    row = copy.deepcopy(sample_shipments[25])
    row["recipient"]["postcode"] = "01310732"
    row["recipient"]["province"] = "sp"
    result = validate(row)
    assert result.ok
    assert result.shipment.recipient.postcode == "01310-732"
    assert result.shipment.recipient.province == "SP"
    row["recipient"]["province"] = "Paulista"
    row["recipient"]["postcode"] = "0131"
    assert _fields(validate(row)) == {"recipient.province", "recipient.postcode"}


@pytest.mark.parametrize("given, expected", [("湖北", "湖北省"), ("内蒙古", "内蒙古自治区"), ("北京", "北京市"),
                                             ("新疆", "新疆维吾尔自治区"), ("广西", "广西壮族自治区"), ("湖北省", "湖北省")])
def test_cn_province_short_forms_become_full(sample_shipments, given, expected):
    row = _base(sample_shipments)
    row["recipient"]["province"] = given
    result = validate(row)
    assert result.ok and not result.warnings
    assert result.shipment.recipient.province == expected


def test_an_unknown_cn_province_warns(sample_shipments):
    row = _base(sample_shipments)
    row["recipient"]["province"] = "湖北洪山"
    result = validate(row)
    assert result.ok and [w.field for w in result.warnings] == ["recipient.province"]


@pytest.mark.parametrize("given", ["SP", "sp", "São Paulo", "sao paulo", "SÃO PAULO"])
def test_br_state_names_become_their_uf(sample_shipments, given):
    row = copy.deepcopy(sample_shipments[25])
    row["recipient"]["province"] = given
    assert validate(row).shipment.recipient.province == "SP"


def test_country_is_a_two_letter_code(sample_shipments):
    row = _base(sample_shipments)
    row["recipient"]["country"] = "cn"
    assert validate(row).shipment.recipient.country == "CN"
    row["recipient"]["country"] = "China"
    assert "recipient.country" in _fields(validate(row))


def test_missing_parts_are_named(sample_shipments):
    row = _base(sample_shipments)
    row["recipient"] = {"name": "刘建国", "country": "CN"}
    fields = _fields(validate(row))
    assert {"recipient.phone", "recipient.city", "recipient.province", "recipient.street"} <= fields
    row = _base(sample_shipments)
    row["parcel"] = "heavy box"
    assert _fields(validate(row)) == {"parcel"}


def test_require_valid_returns_the_normalised_shipment_or_raises(sample_shipments, awkward_rows):
    shipment = require_valid(sample_shipments[0])
    assert shipment.recipient.phone == "+8613800131563"
    bad = next(r for r in awkward_rows if r["expect"] == "error:recipient.phone")
    with pytest.raises(ValidationError) as info:
        require_valid(bad)
    assert isinstance(info.value, SigiloError)
    assert [e.field for e in info.value.errors] == ["recipient.phone"]
    assert "recipient.phone" in info.value.message
    assert info.value.hint


def test_several_problems_are_reported_together(sample_shipments):
    row = _base(sample_shipments)
    row["recipient"]["name"] = ""
    row["recipient"]["phone"] = "12"
    row["parcel"]["weight_kg"] = -3
    row["tracking_number"] = "^XA"
    result = validate(row)
    assert _fields(result) == {"recipient.name", "recipient.phone", "parcel.weight_kg", "tracking_number"}
    assert all(isinstance(e, FieldError) for e in result.errors)
    assert str(result.errors[0]).startswith(result.errors[0].field + ": ")
