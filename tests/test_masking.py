"""Masking policies as data: what the label face shows for CN, BR and international
recipients, how a policy is chosen, and that editing a JSON file changes behaviour."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from desktop.masking import PolicyError, hidden_fragments, list_policies, load_policy, mask
from desktop.paths import resources_dir
from desktop.shipment import Shipment
from desktop.validation import validate


def _shipment(row: dict, **recipient) -> Shipment:
    row = copy.deepcopy(row)
    row["recipient"].update(recipient)
    return validate(row).shipment


@pytest.fixture
def cn_row(sample_shipments) -> dict:
    return sample_shipments[0]


@pytest.fixture
def br_row(sample_shipments) -> dict:
    return sample_shipments[25]


def test_cn_default_view(cn_row):
    view = mask(validate(cn_row).shipment)
    assert view.policy == "cn-default"
    r = view.recipient
    assert (r.name, r.phone, r.region, r.address, r.postcode, r.country, r.full) == (
        "刘**", "*******1563", "湖北省 武汉市 洪山区", "建设路", "476079", "CN", False)


@pytest.mark.parametrize("name, shown", [
    ("刘建国", "刘**"), ("吴勇", "吴*"), ("欧阳霞", "欧阳*"), ("诸葛亮", "诸葛*"), ("司马敏", "司马*"),
    ("上官婉儿", "上官**"), ("欧阳", "欧*"), ("静", "*"), ("阿依古丽·买买提", "阿***·***"),
    ("𠮷野家", "𠮷**"), ("小王🙂", "小**"), ("王👍🏽", "王*"), ("Emma Johnson", "Emma J."),
])
def test_cn_names(cn_row, name, shown):
    assert mask(_shipment(cn_row, name=name)).recipient.name == shown


def test_a_zero_width_space_cannot_shift_the_mask(cn_row):
    draft = Shipment.from_dict(cn_row).with_recipient(name="张\u200b三")  # an unvalidated draft
    assert mask(draft).recipient.name == "张*"
    fragments = hidden_fragments(draft, mask(draft))
    assert "张\u200b三" in fragments and "张三" in fragments


def test_cn_phone_hides_at_least_six_digits_138_4_stars_is_not_used(cn_row):
    view = mask(validate(cn_row).shipment)
    assert view.recipient.phone == "*******1563"
    assert view.recipient.phone.count("*") >= 6


def test_cn_landline_with_extension(cn_row):
    view = mask(_shipment(cn_row, phone="010-6552-9988 转 8021"))
    assert view.recipient.phone == "******9988转****"


def test_cn_house_numbers_are_cut_from_the_street(cn_row):
    for street, shown in [("建设路656号", "建设路"), ("文一西路969号", "文一西路"), ("科技园南路239号", "科技园南路"),
                          ("人民路5-7号院", "人民路"), ("长江路１２号", "长江路"), ("中山路", "中山路"),
                          ("建设路12号星河湾8-2-301", "建设路"), ("建设路六五六号", "建设路"), ("长乐路123弄45号", "长乐路"),
                          ("文一西路", "文一西路"), ("五一路十二号", "五一路"), ("中关村大街27号院3号楼", "中关村大街")]:
        assert mask(_shipment(cn_row, street=street)).recipient.address == shown


def test_cn_region_drops_a_repeated_municipality(sample_shipments):
    row = next(r for r in sample_shipments if r["recipient"]["city"] == "上海市")
    assert mask(validate(row).shipment).recipient.region == "上海市 浦东新区"


def test_br_default_view(br_row):
    view = mask(validate(br_row).shipment)
    r = view.recipient
    assert view.policy == "br-default"
    assert (r.name, r.phone, r.region, r.address, r.postcode) == (
        "Maria S.", "*******9181", "São Paulo - SP", "Rua Augusta - Pinheiros", "01310-732")


@pytest.mark.parametrize("street, shown", [("Rua Augusta, 1500", "Rua Augusta"), ("Rua Augusta 1500", "Rua Augusta"),
                                           ("Rua Augusta, nº 1500, apto 12", "Rua Augusta"),
                                           ("Rua 25 de Março, 100", "Rua 25 de Março"),
                                           ("Avenida 9 de Julho", "Avenida 9 de Julho"),
                                           ("Rua Augusta, apto 42", "Rua Augusta"),
                                           ("Rua Augusta 2910, apto 1790", "Rua Augusta"),
                                           ("Rua Augusta s/n", "Rua Augusta"), ("Rua das Casas, 12", "Rua das Casas")])
def test_br_street_numbers_are_hidden(br_row, street, shown):
    view = mask(_shipment(br_row, street=street, district=""))
    assert view.recipient.address == shown


@pytest.mark.parametrize("name, shown", [("Maria Silva Santos", "Maria S."), ("Maria da Silva Santos", "Maria S."),
                                         ("João Pedro Oliveira", "João P."), ("Madonna", "M.")])
def test_br_names(br_row, name, shown):
    assert mask(_shipment(br_row, name=name)).recipient.name == shown


def test_international_views(sample_shipments):
    views = {row["recipient"]["country"]: mask(validate(row).shipment) for row in sample_shipments[33:]}
    assert {v.policy for v in views.values()} == {"intl-default"}
    gb, de, us, pt = views["GB"].recipient, views["DE"].recipient, views["US"].recipient, views["PT"].recipient
    assert (gb.name, gb.phone, gb.region, gb.address, gb.postcode) == (
        "Emma J.", "******0123", "London", "Albert Street, Camden", "NW1 7LT")
    assert (de.name, de.region, de.phone) == ("Lukas M.", "Berlin", "******20")  # 8 digits: 6 hidden, 2 shown
    assert (us.region, us.address) == ("New York, NY", "Atlantic Avenue, Brooklyn")
    assert pt.name == "Ana B. F."


@pytest.mark.parametrize("street, shown", [("598 Atlantic Avenue", "Atlantic Avenue"), ("Torstraße 112", "Torstraße"),
                                           ("10 Downing Street", "Downing Street"), ("Rue Oberkampf, 45 bis", "Rue Oberkampf"),
                                           ("Albert Street, Flat 4", "Albert Street"),
                                           ("Apt 3R, 598 Atlantic Avenue", "Atlantic Avenue"),
                                           ("Torstraße 112, 3. OG", "Torstraße"), ("Baker Street 221B", "Baker Street"),
                                           ("Flatbush Avenue", "Flatbush Avenue"), ("5th Avenue 725", "5th Avenue"),
                                           ("表参道3-5-12", "表参道"), ("神宮前3丁目5-12", "神宮前"), ("테헤란로 152", "테헤란로")])
def test_international_street_numbers_are_hidden(sample_shipments, street, shown):
    row = sample_shipments[33]
    assert mask(_shipment(row, street=street, district="")).recipient.address == shown


def test_business_sender_is_shown_in_full_a_private_sender_is_masked(cn_row):
    shipment = validate(cn_row).shipment
    sender = mask(shipment).sender
    assert sender.full and sender.name == "晨光文具旗舰店" and sender.address == "文一西路969号 3号楼"
    row = copy.deepcopy(cn_row)
    row["sender"].update(business=False, name="李小龙", phone="13900001234")
    private = mask(validate(row).shipment).sender
    assert not private.full
    assert (private.name, private.phone, private.address) == ("李**", "*******1234", "文一西路")


def test_masking_never_changes_the_shipment(sample_shipments):
    for row in sample_shipments:
        shipment = validate(row).shipment
        before = shipment.to_dict()
        mask(shipment)
        assert shipment.to_dict() == before


def test_policies_are_chosen_by_recipient_country(sample_shipments):
    chosen = {row["recipient"]["country"]: mask(validate(row).shipment).policy for row in sample_shipments}
    assert chosen == {"CN": "cn-default", "BR": "br-default", "GB": "intl-default", "DE": "intl-default",
                      "FR": "intl-default", "JP": "intl-default", "US": "intl-default", "PT": "intl-default",
                      "VN": "intl-default"}
    assert {"cn-default", "br-default", "intl-default"} <= set(list_policies())


def test_policy_chosen_explicitly_by_id(cn_row):
    view = mask(validate(cn_row).shipment, "intl-default")
    assert view.policy == "intl-default"
    assert view.recipient.region == "武汉市, 湖北省"


def test_policy_chosen_per_customer(cn_row, sigilo_home):
    (sigilo_home / "masking").mkdir()
    (sigilo_home / "masking" / "customers.json").write_text(
        json.dumps({"customers": {"shop-42": "br-default"}}), encoding="utf-8")
    shipment = validate(cn_row).shipment
    assert mask(shipment, customer="shop-42").policy == "br-default"
    assert mask(shipment, customer="someone-else").policy == "cn-default"
    assert mask(shipment, "intl-default", customer="shop-42").policy == "intl-default"
    assert mask(shipment, customer="shop-42", customers={"shop-42": "intl-default"}).policy == "intl-default"
    assert mask(shipment, customer="shop-7", customers={"shop-42": "intl-default"}).policy == "cn-default"


def _policy_copy(tmp_path: Path, source: str, new_id: str, change) -> Path:
    data = json.loads((resources_dir() / "masking" / f"{source}.json").read_text(encoding="utf-8"))
    data["id"] = new_id
    change(data)
    path = tmp_path / f"{new_id}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_changing_a_json_value_changes_behaviour(cn_row, tmp_path):
    shipment = _shipment(cn_row, name="欧阳霞")
    assert mask(shipment).recipient.name == "欧阳*"

    def edit(data):
        data["mask_char"] = "#"
        data["phone"]["show_last"] = 2
        data["name"]["cjk"]["compound_surnames"].remove("欧阳")
        data["address"]["region"] = ["city"]

    view = mask(shipment, _policy_copy(tmp_path, "cn-default", "cn-test", edit))
    assert view.policy == "cn-test"
    assert (view.recipient.name, view.recipient.phone, view.recipient.region) == ("欧##", "#########63", "武汉市")
    assert hidden_fragments(shipment, view)  # the view's policy id resolves for the privacy checks


def test_a_station_policy_overrides_the_bundled_one(cn_row, sigilo_home):
    (sigilo_home / "masking").mkdir()
    _policy_copy(sigilo_home / "masking", "cn-default", "cn-default",
                 lambda data: data["address"].update(show_detail=True))
    view = mask(validate(cn_row).shipment)
    assert view.recipient.address == "建设路 绿地中心13栋3单元402室"


def test_a_policy_that_hides_fewer_than_six_digits_is_refused(tmp_path):
    path = _policy_copy(tmp_path, "cn-default", "lax", lambda data: data["phone"].update(min_hidden=4))
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert "min_hidden" in info.value.hint


def test_unknown_policy_names_the_known_ones():
    with pytest.raises(PolicyError) as info:
        load_policy("no-such-policy")
    assert "cn-default" in info.value.hint


def test_virtual_number_replaces_the_masked_phone(cn_row):
    shipment = validate(cn_row).shipment
    view = mask(shipment, virtual_phone="95013-1234")
    assert view.recipient.phone == "95013-1234"
    fragments = hidden_fragments(shipment, view)
    assert "13800131563" in fragments and "1563" not in view.recipient.name


def test_view_serialises(cn_row):
    data = mask(validate(cn_row).shipment).to_dict()
    assert data["policy"] == "cn-default" and data["recipient"]["name"] == "刘**"
    json.dumps(data, ensure_ascii=False)


def test_the_customer_map_and_half_written_policies_are_not_policies(tmp_path):
    with pytest.raises(PolicyError):
        load_policy("customers")
    no_streets = _policy_copy(tmp_path, "cn-default", "no-streets", lambda data: data["address"].pop("street_remove"))
    with pytest.raises(PolicyError) as info:
        load_policy(no_streets)
    assert "house numbers" in info.value.message
    no_phone = _policy_copy(tmp_path, "cn-default", "no-phone", lambda data: data.pop("phone"))
    with pytest.raises(PolicyError):
        load_policy(no_phone)
    assert "customers" not in list_policies()


def test_a_broken_station_policy_is_left_out_of_the_list_but_named_when_loaded(sigilo_home):
    (sigilo_home / "masking").mkdir()
    (sigilo_home / "masking" / "broken.json").write_text("{not json", encoding="utf-8")
    assert "broken" not in list_policies()
    with pytest.raises(PolicyError) as info:
        load_policy("broken")
    assert "not valid JSON" in info.value.message


def test_a_business_sender_phone_reads_as_dialled_at_home(cn_row, br_row):
    assert mask(validate(cn_row).shipment).sender.phone == "0571 8888 0000"
    assert mask(validate(br_row).shipment).sender.phone == "(11) 3003-0000"


def test_a_business_sender_reads_as_its_own_country_writes_it(sample_shipments):
    """On a label to Tokyo the Hangzhou shop is shown in full, in Chinese order: nothing of it
    is hidden, so the recipient's policy has no say in how it is written."""
    shipment = validate(sample_shipments[36]).shipment
    assert shipment.recipient.country == "JP" and shipment.sender.country == "CN" and shipment.sender.is_business
    view = mask(shipment)
    assert view.policy == "intl-default"
    assert view.sender.region == "浙江省 杭州市 余杭区"
    assert view.recipient.region != mask(validate(sample_shipments[0]).shipment).recipient.region
