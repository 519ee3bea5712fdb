"""hidden_fragments: complete enough to catch a leak, specific enough never to false-alarm,
and never present in the masked view itself."""

from __future__ import annotations

import copy
import re

import pytest

from desktop.masking import hidden_fragments, mask
from desktop.phones import parse_phone
from desktop.shipment import Shipment
from desktop.validation import validate

CJK = re.compile(r"[\u3400-\u9fff\U00020000-\U0003ffff\u3040-\u30ff\uac00-\ud7af]")


def _view_text(view) -> str:
    return "\n".join(str(v) for party in (view.recipient, view.sender) for v in party.to_dict().values())


def _all_rows(sample_shipments, awkward_rows):
    return list(sample_shipments) + [r for r in awkward_rows if r["expect"] == "ok"]


def test_no_fragment_occurs_in_the_masked_view(sample_shipments, awkward_rows):
    for row in _all_rows(sample_shipments, awkward_rows):
        shipment = validate(row).shipment
        view = mask(shipment)
        text = _view_text(view)
        fragments = hidden_fragments(shipment, view)
        assert fragments
        for fragment in fragments:
            assert fragment not in text, (row["order_id"], fragment)


def test_the_view_hides_the_essential_values(sample_shipments, awkward_rows):
    """Computed here independently of the masking code: the whole name, the whole phone in
    every common form, the detail field and the hidden phone digits are in the fragments and
    not in the view."""
    for row in _all_rows(sample_shipments, awkward_rows):
        shipment = validate(row).shipment
        view = mask(shipment)
        fragments = hidden_fragments(shipment, view)
        recipient = shipment.recipient
        phone = parse_phone(recipient.phone, recipient.country)
        national = phone.national_number
        shown_digits = re.sub(r"\D", "", view.recipient.phone.split("转")[0])
        assert national.endswith(shown_digits)
        hidden_digits = national[: len(national) - len(shown_digits)]
        expected = [phone.e164, national, hidden_digits, recipient.detail]
        if len(recipient.name) >= (2 if CJK.search(recipient.name) else 3):
            expected.append(recipient.name)
        for value in expected:
            assert value in fragments, (row["order_id"], value)
        text = _view_text(view)
        for value in expected:
            assert value not in text


def test_fragment_lengths_never_invite_false_alarms(sample_shipments, awkward_rows):
    for row in _all_rows(sample_shipments, awkward_rows):
        shipment = validate(row).shipment
        for fragment in hidden_fragments(shipment, mask(shipment)):
            assert fragment == fragment.strip()
            if CJK.search(fragment):
                assert len(fragment) >= 2, fragment
            else:
                assert len(fragment) >= 3, fragment
            assert not re.fullmatch(r"\d{1,2}", fragment)


def test_no_fragment_of_one_label_is_shown_on_another(sample_shipments):
    """A station keeps every masked view: a hidden number of one label must not be what
    another label shows (a house number that is another's postcode ending). Words are another
    matter: a surname may well be a street name elsewhere (Chagas, Rua Padre Chagas)."""
    ships = [validate(row).shipment for row in sample_shipments]
    shown = "\n".join(_view_text(mask(s)) for s in ships)
    for s in ships:
        for fragment in hidden_fragments(s, mask(s)):
            if re.search(r"\d", fragment):
                assert fragment not in shown, (s.order_id, fragment)


def test_fragments_do_not_alarm_on_what_every_label_prints(sample_shipments):
    """The tracking number, order id, items and the sender's public details are printed in
    clear; no fragment may be found inside them."""
    for row in sample_shipments:
        shipment = validate(row).shipment
        public = " ".join([shipment.tracking_number, shipment.order_id, shipment.service, shipment.parcel.items]
                          + [str(v) for v in shipment.sender.to_dict().values()])
        for fragment in hidden_fragments(shipment, mask(shipment)):
            assert fragment not in public, (row["order_id"], fragment)


def test_cn_example(sample_shipments):
    shipment = validate(sample_shipments[0]).shipment
    fragments = hidden_fragments(shipment, mask(shipment))
    for value in ["刘建国", "建国", "1380013", "13800131563", "+8613800131563", "8613800131563",
                  "绿地中心13栋3单元402室", "402室", "13栋", "3单元", "656号", "建设路656号"]:
        assert value in fragments, value
    assert "1563" not in fragments and "刘" not in fragments


def test_landline_extension_and_trunk_prefix(sample_shipments):
    row = copy.deepcopy(sample_shipments[0])
    row["recipient"]["phone"] = "010-6552-9988 转 8021"
    shipment = validate(row).shipment
    fragments = hidden_fragments(shipment, mask(shipment))
    for value in ["+861065529988;ext=8021", "1065529988", "01065529988", "106552", "0106552", "8021"]:
        assert value in fragments, value
    assert "9988" not in fragments


def test_br_example(sample_shipments):
    row = copy.deepcopy(sample_shipments[25])
    row["recipient"]["street"] = "Rua Augusta, 1500"
    shipment = validate(row).shipment
    fragments = hidden_fragments(shipment, mask(shipment))
    for value in ["Maria da Silva Santos", "Silva", "Santos", "1194707", "+5511947079181", "2910, apto 1790",
                  "apto 1790", "2910", "1790", "1500", "Rua Augusta, 1500"]:
        assert value in fragments, value
    assert "da" not in fragments and "Maria" not in fragments


def test_an_unvalidated_draft_gives_the_raw_forms_too(sample_shipments):
    row = copy.deepcopy(sample_shipments[0])
    row["recipient"]["phone"] = "+86 138-0013-1563"
    draft = Shipment.from_dict(row)
    fragments = hidden_fragments(draft, mask(draft))
    assert "+86 138-0013-1563" in fragments and "+8613800131563" in fragments


def test_a_business_recipient_shown_in_full_hides_nothing(sample_shipments, tmp_path):
    import json

    from desktop.paths import resources_dir

    data = json.loads((resources_dir() / "masking" / "cn-default.json").read_text(encoding="utf-8"))
    data["id"] = "cn-business"
    data["recipient"]["business_full"] = True
    path = tmp_path / "cn-business.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    row = copy.deepcopy(sample_shipments[0])
    row["recipient"]["business"] = True
    shipment = validate(row).shipment
    view = mask(shipment, path)
    assert view.recipient.full and view.recipient.name == "刘建国"
    assert hidden_fragments(shipment, view) == []
    row["recipient"]["business"] = False
    private = validate(row).shipment
    assert "刘建国" in hidden_fragments(private, mask(private, path))


@pytest.mark.parametrize("index", [33, 36, 37, 39])
def test_international_examples(sample_shipments, index):
    shipment = validate(sample_shipments[index]).shipment
    view = mask(shipment)
    fragments = hidden_fragments(shipment, view)
    detail = shipment.recipient.detail
    assert detail in fragments
    surname = shipment.recipient.name.split()[-1]
    assert surname in fragments


def test_a_whole_address_pasted_into_the_street(sample_shipments):
    row = copy.deepcopy(sample_shipments[0])
    row["recipient"].update(street="建设路12号星河湾8-2-301", detail="")
    shipment = validate(row).shipment
    view = mask(shipment)
    assert view.recipient.address == "建设路"
    fragments = hidden_fragments(shipment, view)
    for value in ["建设路12号星河湾8-2-301", "12号星河湾8-2-301", "12号", "8-2-301"]:
        assert value in fragments, value


def test_what_the_label_prints_anyway_is_not_a_fragment(sample_shipments):
    row = copy.deepcopy(sample_shipments[0])
    row["recipient"]["detail"] = "3号楼"  # the business sender's printed address ends in 3号楼
    shipment = validate(row).shipment
    view = mask(shipment)
    assert view.sender.address.endswith("3号楼")
    fragments = hidden_fragments(shipment, view)
    assert "3号楼" not in fragments
    assert "刘建国" in fragments and "656号" in fragments


def test_chinese_numerals_in_the_address(sample_shipments):
    row = copy.deepcopy(sample_shipments[0])
    row["recipient"].update(street="建设路六五六号", detail="绿地中心十三栋三单元四零二室")
    shipment = validate(row).shipment
    view = mask(shipment)
    assert view.recipient.address == "建设路"
    fragments = hidden_fragments(shipment, view)
    for value in ["六五六号", "十三栋", "三单元", "四零二室", "绿地中心十三栋三单元四零二室"]:
        assert value in fragments, value
