"""Property tests of masking over generated CN, BR and Latin names and phones."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from desktop.masking import hidden_fragments, load_policy, mask
from desktop.masking.names import graphemes
from desktop.phones import PhoneError, parse_phone
from desktop.shipment import Parcel, Party, Shipment

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CN = load_policy("cn-default")
COMPOUND = CN.data["name"]["cjk"]["compound_surnames"]
SINGLE_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾")

han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
rare_han = st.characters(min_codepoint=0x20000, max_codepoint=0x2A6D6)
given_chars = st.lists(st.one_of(han, han, rare_han, st.sampled_from(["🙂", "👍🏽"])), min_size=0, max_size=3)
cn_names = st.builds(lambda s, g: s + "".join(g), st.one_of(st.sampled_from(SINGLE_SURNAMES), st.sampled_from(COMPOUND)),
                     given_chars)
dotted_names = st.builds(lambda a, b: a + "·" + b, st.text(han, min_size=1, max_size=5), st.text(han, min_size=1, max_size=5))
latin_word = st.builds(lambda first, rest: first + rest, st.sampled_from(list("ABCDEFGHIJKLMNOPRSTUVWZÁÉÓ")),
                       st.text(st.sampled_from(list("abcdefghijklmnopqrstuvwxyzãçéíóú")), min_size=0, max_size=9))
latin_names = st.lists(latin_word, min_size=1, max_size=5).map(" ".join)

cn_mobiles = st.from_regex(r"\A1[3-9][0-9]{9}\Z")
cn_landlines = st.builds(lambda area, number, ext: f"0{area}-{number}" + (f" 转 {ext}" if ext else ""),
                         st.sampled_from(["10", "20", "21", "571", "755", "27", "28"]),
                         st.from_regex(r"\A[2-8][0-9]{7}\Z"),
                         st.one_of(st.just(""), st.from_regex(r"\A[0-9]{1,5}\Z")))
br_mobiles = st.builds(lambda ddd, rest: f"+55 {ddd} 9{rest[:4]}-{rest[4:]}",
                       st.sampled_from(["11", "21", "31", "41", "51", "61", "71", "81", "85"]),
                       st.from_regex(r"\A[0-9]{8}\Z"))
intl_numbers = st.builds(lambda cc, rest: f"+{cc} {rest}", st.sampled_from(["44", "49", "33", "81", "1", "351", "84", "61"]),
                         st.from_regex(r"\A[1-9][0-9]{6,10}\Z"))


def _shipment(country: str, name: str, phone: str) -> Shipment:
    recipient = Party(name=name, phone=phone, country=country, province="湖北省" if country == "CN" else "SP",
                      city="武汉市" if country == "CN" else "São Paulo", district="洪山区",
                      street="建设路656号" if country == "CN" else "Rua Augusta, 1500",
                      detail="绿地中心13栋3单元402室" if country == "CN" else "apto 1790", postcode="476079")
    sender = Party(name="晨光文具旗舰店", phone="0571-88880000", country="CN", province="浙江省", city="杭州市",
                   street="文一西路969号", business=True)
    return Shipment(order_id="O-1", tracking_number="SG7700000000", sender=sender, recipient=recipient,
                    parcel=Parcel(weight_kg=1.0, items="书籍", pieces=1))


def _check_phone(shown: str, national: str) -> None:
    main = re.split(r"转|ramal|ext\.", shown)[0]
    shown_digits = re.sub(r"\D", "", shown)
    assert main.count("*") >= 6, shown
    assert len(shown_digits) <= 4, shown
    assert national.endswith(re.sub(r"\D", "", main))


@SETTINGS
@given(name=cn_names, phone=st.one_of(cn_mobiles, cn_landlines))
def test_cn_names_and_phones(name, phone):
    try:
        parsed = parse_phone(phone, "CN")
    except PhoneError:
        assume(False)
    view = mask(_shipment("CN", name, phone)).recipient
    chars = graphemes(name)
    shown = graphemes(view.name)
    assert len(shown) == len(chars)  # one mask character per hidden character
    assert shown.count("*") >= 1  # at least one character hidden
    assert all(s == c for s, c in zip(shown, chars) if s != "*")
    compound = next((c for c in COMPOUND if name.startswith(c)), None)
    if compound and len(chars) > 2:
        assert view.name.startswith(compound)  # compound surnames kept whole
    elif len(chars) > 1:
        assert view.name[0] == name[0]
    _check_phone(view.phone, parsed.national_number)


@SETTINGS
@given(name=dotted_names)
def test_names_with_a_middle_dot(name):
    view = mask(_shipment("CN", name, "13800131563")).recipient
    assert view.name.count("·") == 1
    assert view.name.count("*") >= len(name) - 2
    assert view.name.count("*") >= 1


@SETTINGS
@given(name=latin_names, phone=st.one_of(br_mobiles, intl_numbers), country=st.sampled_from(["BR", "GB"]))
def test_latin_names_and_foreign_phones(name, phone, country):
    try:
        parsed = parse_phone(phone, country)
    except PhoneError:
        assume(False)
    view = mask(_shipment(country, name, phone)).recipient
    letters = lambda text: re.sub(r"[\s.*]", "", text)  # noqa: E731
    assert len(letters(view.name)) < len(letters(name))  # at least one character hidden
    words = name.split()
    if len(words) > 1:
        assert view.name.split()[0] == words[0]  # the first given name is kept
        assert all(re.fullmatch(r"\w\.|\*", w) for w in view.name.split()[1:])  # initials (or * for a 1-letter word)
    _check_phone(view.phone, parsed.national_number)


@SETTINGS
@given(name=st.one_of(cn_names, dotted_names, latin_names), phone=st.one_of(cn_mobiles, br_mobiles, intl_numbers),
       country=st.sampled_from(["CN", "BR", "DE"]))
def test_fragments_never_occur_in_the_view(name, phone, country):
    shipment = _shipment(country, name, phone)
    view = mask(shipment)
    text = "\n".join(str(v) for party in (view.recipient, view.sender) for v in party.to_dict().values())
    fragments = hidden_fragments(shipment, view)
    shortest = 2 if re.search(r"[\u4e00-\u9fff\U00020000-\U0003ffff]", name) else 3
    assert name in fragments or len(name) < shortest or name in text
    for fragment in fragments:
        assert fragment not in text


@SETTINGS
@given(name=st.text(max_size=12), phone=st.text(alphabet="0123456789+-() x转#a", max_size=20),
       street=st.text(max_size=20), detail=st.text(max_size=20),
       country=st.sampled_from(["CN", "BR", "GB", "", "cn", "X1"]))
def test_any_draft_masks_without_crashing_and_hides_the_whole_name(name, phone, street, detail, country):
    """The GUI masks a draft at every keystroke: any text at all must give a view, and the
    view never shows a whole name that masking was meant to hide."""
    draft = _shipment("CN", "", "").with_recipient(name=name, phone=phone, street=street, detail=detail, country=country)
    view = mask(draft)
    fragments = hidden_fragments(draft, view)
    assert all(isinstance(f, str) and f for f in fragments)
    shown_name = re.sub(r"\s+", "", name)
    if len(shown_name) >= 2:
        assert re.sub(r"\s+", "", view.recipient.name) != shown_name
    assert len(re.sub(r"\D", "", view.recipient.phone)) <= 4
