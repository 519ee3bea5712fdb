"""Smart paste: every clerk sample in shared/data/smart_paste.jsonl splits into its fields, and
what the parser cannot be sure of is flagged as uncertain rather than guessed."""

from __future__ import annotations

import json

import pytest

from desktop.smartpaste import parse, uf_for_cep


def _samples(shared_data):
    path = shared_data / "smart_paste.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_shared_sample_gives_its_fields(shared_data):
    samples = _samples(shared_data)
    assert len(samples) >= 5
    for sample in samples:
        result = parse(sample["text"])
        got = {k: result.get(k) for k in sample["expect"]}
        assert got == sample["expect"], sample["text"]
        assert not (result.uncertain & set(sample["expect"])), (sample["text"], result.uncertain)


def test_cn_street_and_detail_are_split_so_masking_can_hide_the_detail():
    r = parse("张伟 13800138001 广东省深圳市南山区科技园南路88号阳光花园3栋2单元1201室")
    assert r.get("street") == "科技园南路88号"
    assert r.get("detail") == "阳光花园3栋2单元1201室"
    assert r.get("country") == "CN"


def test_br_street_complement_and_bairro():
    r = parse("João Pereira, Av. Paulista, 1000, apto 12, Bela Vista, São Paulo/SP, 01310-200, (11) 91234-5678")
    assert (r.get("name"), r.get("street"), r.get("detail")) == ("João Pereira", "Av. Paulista, 1000", "apto 12")
    assert (r.get("district"), r.get("city"), r.get("province")) == ("Bela Vista", "São Paulo", "SP")
    assert r.get("phone") == "+5511912345678"
    assert r.uncertain == set()


def test_municipality_is_its_own_city():
    r = parse("上海市浦东新区张江路100号 王小明 13912345678")
    assert (r.get("province"), r.get("city"), r.get("district")) == ("上海市", "上海市", "浦东新区")


def test_short_province_and_city_names_are_expanded():
    r = parse("张三 13800138000 湖北武汉洪山区珞喻路1037号")
    assert (r.get("province"), r.get("city"), r.get("district")) == ("湖北省", "武汉市", "洪山区")


def test_ambiguous_district_is_flagged_not_guessed():
    # 朝阳区 exists in Beijing and in Changchun: the parser must not pick one silently
    r = parse("赵六 13912345678 朝阳区建国路1号")
    assert r.get("district") == "朝阳区"
    assert {"province", "city"} <= r.uncertain
    assert r.get("province") == "" and r.get("city") == ""
    assert r.get("city") != "朝阳市"  # the short city name must not swallow the district


def test_district_only_with_unique_owner_fills_but_still_flags():
    r = parse("王五 13912345678 浦东新区张江路1号")
    assert (r.get("province"), r.get("city"), r.get("district")) == ("上海市", "上海市", "浦东新区")
    assert {"province", "city"} <= r.uncertain


def test_missing_name_and_phone_are_uncertain():
    r = parse("广东省深圳市南山区科技园南路88号")
    assert {"name", "phone"} <= r.uncertain
    assert r.get("district") == "南山区"


def test_two_name_candidates_flag_the_name():
    r = parse("张伟 李娜 13800138001 广东省深圳市南山区科技园南路88号")
    assert "name" in r.uncertain


def test_cep_contradicting_the_state_is_flagged():
    r = parse("Ana Souza\nRua das Flores, 12\nCuritiba - PR\n01310-100\n41 99876-5432")
    assert {"province", "postcode"} <= r.uncertain


@pytest.mark.parametrize("cep,uf", [("01310-100", "SP"), ("20040-020", "RJ"), ("70040-010", "DF"),
                                    ("69301-000", "RR"), ("90010-000", "RS"), ("1234", None)])
def test_uf_for_cep(cep, uf):
    assert uf_for_cep(cep) == uf


def test_fullwidth_digits_and_labels():
    r = parse("收件人：李雷　电话：１３９１２３４５６７８　地址：四川省成都市武侯区人民南路四段１号")
    assert r.get("phone") == "13912345678"
    assert r.get("name") == "李雷"
    assert (r.get("province"), r.get("city"), r.get("district")) == ("四川省", "成都市", "武侯区")


def test_international_marks_what_it_cannot_split():
    r = parse("John Smith\n+44 20 7946 0958\n10 Downing Street\nLondon SW1A 2AA")
    assert r.get("name") == "John Smith"
    assert r.get("phone") == "+442079460958" and r.get("country") == "GB"
    assert {"city", "postcode"} <= r.uncertain


def test_empty_text():
    r = parse("   ")
    assert r.fields == {}
