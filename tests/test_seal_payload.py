"""The sealed plaintext gives back the shipment exactly: every sample and awkward row, the
validated (E.164) forms, and the compact encodings each rule promises."""

from __future__ import annotations

import json

import cbor2
import pytest

from desktop.seal.payload import PayloadError, decode_shipment, encode_shipment, pad
from desktop.shipment import Shipment


def exact(data) -> str:
    """Equality that also tells 59 from 59.0 and True from 1."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def round_trip(shipment: Shipment) -> Shipment:
    return decode_shipment(pad(encode_shipment(shipment)), shipment.tracking_number)


def test_every_sample_comes_back_exactly(sample_shipments):
    for row in sample_shipments:
        assert exact(round_trip(Shipment.from_dict(row)).to_dict()) == exact(row)


def test_every_awkward_row_comes_back_exactly(awkward_rows):
    for row in awkward_rows:
        shipment = Shipment.from_dict(row)
        if not shipment.tracking_number.isascii():
            continue  # the header carries ASCII only; validation refuses these first
        assert exact(round_trip(shipment).to_dict()) == exact(shipment.to_dict())


def test_validated_shipments_come_back_exactly(sample_shipments, awkward_rows):
    from desktop.validation import validate

    for row in sample_shipments + [r for r in awkward_rows if r["expect"] == "ok"]:
        shipment = validate(row).shipment
        assert exact(round_trip(shipment).to_dict()) == exact(shipment.to_dict())


def _party_map(shipment: Shipment, key: int = 4) -> dict:
    return cbor2.loads(encode_shipment(shipment))[key]


def test_e164_phone_is_an_integer_and_extension_apart():
    s = Shipment.from_dict({"recipient": {"phone": "+8613800131563", "country": "CN"}})
    assert _party_map(s)[2] == 8613800131563
    s = Shipment.from_dict({"recipient": {"phone": "+861065529988;ext=8021", "country": "CN"}})
    assert _party_map(s)[2] == [861065529988, "8021"]
    assert round_trip(s).recipient.phone == "+861065529988;ext=8021"


@pytest.mark.parametrize("phone", ["13800131563", "+86 138-0013-8000", "010-6552-9988 转 8021", "+0123456789",
                                   "+8613800131563;ext=", "+1", "+86138001315630000000", "+٨٦١٣٨٠٠١٣١٥٦٣"])
def test_other_phones_stay_text_exactly(phone):
    s = Shipment.from_dict({"recipient": {"phone": phone, "country": "CN"}})
    assert not isinstance(_party_map(s)[2], int)
    assert round_trip(s).recipient.phone == phone


@pytest.mark.parametrize("postcode, encoded", [
    ("476079", 476079), ("01310", [1310, 5]), ("000", [0, 3]), ("0", 0),
    ("01310-100", "01310-100"), ("NW1 7LT", "NW1 7LT"), ("1234567890123456789", "1234567890123456789"),
])
def test_postcode_encodings_keep_leading_zeros(postcode, encoded):
    s = Shipment.from_dict({"recipient": {"postcode": postcode}})
    assert _party_map(s)[9] == encoded
    assert round_trip(s).recipient.postcode == postcode


@pytest.mark.parametrize("parcel", [
    {"weight_kg": 1.24, "items": "书籍 x2", "declared_value": 59, "pieces": 1},
    {"weight_kg": 3, "items": "", "declared_value": 59.0, "pieces": 2},
    {"weight_kg": 0.0, "items": "x", "declared_value": 0, "pieces": 1},
    {"weight_kg": 0, "items": "x", "declared_value": 0.0, "pieces": 1.0},
    {"weight_kg": 0.1 + 0.2, "items": "x", "declared_value": 19.99, "pieces": 1},
    {"weight_kg": -0.0, "items": "x", "declared_value": 1e300, "pieces": 3},
    {"weight_kg": 12.3456789, "items": "x", "declared_value": -5, "pieces": "two"},
    {"weight_kg": "heavy", "items": "x", "declared_value": True, "pieces": 1},
])
def test_parcel_numbers_keep_their_type(parcel):
    s = Shipment.from_dict({"parcel": parcel})
    assert exact(round_trip(s).parcel.to_dict()) == exact(parcel)


def test_float_weight_travels_as_whole_grams():
    s = Shipment.from_dict({"parcel": {"weight_kg": 1.24, "declared_value": 19.99}})
    parcel = cbor2.loads(encode_shipment(s))[5]
    assert parcel[2] == 1240 and parcel[5] == 1999 and 1 not in parcel and 4 not in parcel


@pytest.mark.parametrize("business", [None, True, False])
def test_business_flag_present_or_absent(business):
    data = {"sender": {"name": "A"}}
    if business is not None:
        data["sender"]["business"] = business
    out = round_trip(Shipment.from_dict(data)).to_dict()["sender"]
    assert ("business" in out) == (business is not None)
    assert out.get("business") is business


def test_cjk_text_uses_utf16_only_when_shorter():
    s = Shipment.from_dict({"recipient": {"name": "刘建国", "city": "Wuhan", "detail": "绿地中心13栋3单元402室"}})
    party = _party_map(s)
    assert party[1] == "刘建国".encode("utf-16-be")
    assert party[5] == "Wuhan"
    assert isinstance(party[8], bytes) and party[8].decode("utf-16-be") == "绿地中心13栋3单元402室"


def test_empty_strings_and_defaults_cost_nothing():
    empty = Shipment.from_dict({"service": "standard", "parcel": {"weight_kg": 0.0, "declared_value": 0, "pieces": 1}})
    assert encode_shipment(empty) == b"\xa0"
    back = round_trip(empty)
    assert exact(back.to_dict()) == exact(empty.to_dict())
    assert round_trip(Shipment.from_dict({"service": ""})).service == ""


def test_padding_fills_a_16_byte_bucket_and_must_be_zero():
    s = Shipment.from_dict({"order_id": "A1", "service": "standard", "recipient": {"name": "Maria"}})
    body = encode_shipment(s)
    padded = pad(body)
    assert len(padded) % 16 == 0 and 0 < len(padded) - len(body) < 16
    assert exact(decode_shipment(padded, "").to_dict()) == exact(s.to_dict())
    with pytest.raises(PayloadError):
        decode_shipment(padded[:-1] + b"\x01", "T")


@pytest.mark.parametrize("data", [
    cbor2.dumps([1, 2]), cbor2.dumps({99: "x"}), cbor2.dumps({4: {42: "x"}}), cbor2.dumps({4: {1: 7}}),
    cbor2.dumps({4: {2: -5}}), cbor2.dumps({4: {9: [1, 0]}}), cbor2.dumps({4: {1: b"\xd8\x00"}}),
    cbor2.dumps({5: {1: 2.0, 2: 2000}}), cbor2.dumps({4: {10: 1}}), b"\xff", b"",
])
def test_invalid_plaintexts_are_refused(data):
    with pytest.raises(PayloadError):
        decode_shipment(data, "T")
