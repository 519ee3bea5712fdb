"""Smart paste: split a "name phone address" text, as a customer sends it in a chat app, into
the recipient fields of the form.

Why our own parser: the Chinese address parsers on the package index split only the region
(cpca, last released 2021, also pulls in ~130 MB of pandas and numpy, and calls Beijing's city
"市辖区"), and none reads Brazilian addresses. A 60 KB table of China's administrative divisions
(resources/regions/cn.json) and a small Brazilian one (br.json) split name, phone, region,
street and detail in a fraction of a millisecond (bench/bench_gui.py) with no new dependency.

A field the parser is not sure of is listed in ``PasteResult.uncertain``, so the form can
highlight it for the clerk instead of silently guessing. Qt-free: the GUI and tests share it.
"""

from __future__ import annotations

from desktop.i18n import _

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from desktop.paths import resources_dir

FIELDS = ("name", "phone", "country", "province", "city", "district", "street", "detail", "postcode")

# Words that introduce a field in "收货人：X，手机：Y，地址：Z" style messages.
_LABELS = {
    "name": ("收货人", "收件人", "联系人", "姓名", "名字", "Nome", "Destinatário", "Name", "Recipient"),
    "phone": ("手机号码", "手机号", "手机", "联系电话", "电话", "Tel", "Telefone", "Celular", "Phone", "Fone"),
    "address": ("详细地址", "收货地址", "所在地区", "地址", "Endereço", "Address"),
    "postcode": ("邮编", "邮政编码", "CEP", "Zip", "Postcode"),
}

_FULLWIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                            "：": ":", "，": ",", "；": ";", "（": "(", "）": ")", "＋": "+",
                            "－": "-", "　": " ", "、": ",", "\t": " "})

_CJK = re.compile(r"[\u3400-\u9fff]")
_CN_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d(?:[\s-]?\d){8})(?!\d)")
_CN_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[\s-]?(\d{7,8})(?!\d)")
_CEP = re.compile(r"(?<![\d-])(\d{5})-?(\d{3})(?![\d-])")
_BR_PHONE = re.compile(r"(?:\+?55[\s-]?)?\(?\b(\d{2})\)?[\s-]?(9?\d{4})[\s-]?(\d{4})\b")
_CITY_UF = re.compile(r"^(?:(?P<district>[^,/\-]+?)\s*[-,]\s*)?(?P<city>[^,/\-\d]+?)\s*[/\-,]\s*(?P<uf>[A-Z]{2})$")
_CN_NAME = re.compile(r"^[\u3400-\u9fff][\u3400-\u9fff·•.]{0,9}$")
_LOWER_LEVEL = set("区县旗镇乡")
_CN_STREET_END = re.compile(r"^(.*?(?:路|街|道|巷|弄|胡同|大道|公路|里)\s*[\d\-]+\s*号(?:院)?)(.*)$")


@dataclass
class PasteResult:
    fields: dict[str, str] = field(default_factory=dict)
    uncertain: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


# ----------------------------------------------------------------------------- data

@dataclass(frozen=True)
class _Region:
    name: str
    short: str


@lru_cache(maxsize=1)
def _cn() -> dict:
    """Index of CN divisions: provinces with their cities, cities with their districts, and
    reverse maps so a text that starts at the city or district still finds its province."""
    data = json.loads((resources_dir() / "regions" / "cn.json").read_text(encoding="utf-8"))
    provinces = []
    city_index: dict[str, list[tuple[str, str]]] = {}
    district_index: dict[str, list[tuple[str, str, str]]] = {}
    for p in data["provinces"]:
        cities = []
        for c in p["cities"]:
            cities.append((c["name"], _short_city(c["name"]), tuple(c["districts"])))
            for key in {c["name"], _short_city(c["name"])}:
                if len(key) >= 2:
                    city_index.setdefault(key, []).append((p["name"], c["name"]))
            for d in c["districts"]:
                district_index.setdefault(d, []).append((p["name"], c["name"], d))
        provinces.append((p["name"], _short_province(p["name"]), tuple(cities)))
    return {"provinces": tuple(provinces), "cities": city_index, "districts": district_index}


@lru_cache(maxsize=1)
def _br() -> dict:
    return json.loads((resources_dir() / "regions" / "br.json").read_text(encoding="utf-8"))


def _short_province(name: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _short_city(name: str) -> str:
    for suffix in ("自治州", "地区", "市", "盟"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def uf_for_cep(cep: str) -> str | None:
    """The Brazilian state (UF) a CEP belongs to, from its first five digits."""
    digits = re.sub(r"\D", "", cep)
    if len(digits) != 8:
        return None
    head = digits[:5]
    for state in _br()["states"]:
        for lo, hi in state["cep_ranges"]:
            if lo <= head <= hi:
                return state["uf"]
    return None


# ----------------------------------------------------------------------------- parsing

def parse(text: str, default_country: str = "") -> PasteResult:
    """Split ``text`` into recipient fields. ``default_country`` (ISO code) decides between
    readings when the text itself does not say (the station's own country)."""
    clean = unicodedata.normalize("NFC", text or "").translate(_FULLWIDTH).strip()
    result = PasteResult()
    if not clean:
        return result
    if _CJK.search(clean) and (_CN_MOBILE.search(clean) or _find_cn_region(clean)):
        _parse_cn(clean, result)
    elif _CEP.search(clean) or re.search(r"/\s*[A-Z]{2}\b", clean) or default_country.upper() == "BR":
        _parse_br(clean, result)
    elif _CJK.search(clean):
        _parse_cn(clean, result)
    else:
        _parse_intl(clean, result, default_country)
    for key in list(result.fields):
        result.fields[key] = result.fields[key].strip(" ,;:")
        if not result.fields[key]:
            del result.fields[key]
    for key in ("name", "phone"):
        if key not in result.fields:
            result.uncertain.add(key)
    return result


def _strip_labels(text: str) -> tuple[str, dict[str, str]]:
    """Remove "收货人：" style labels; return the text with separators in their place and what
    each label introduced (up to the next separator)."""
    labelled: dict[str, str] = {}
    words = sorted(((w, key) for key, ws in _LABELS.items() for w in ws), key=lambda x: -len(x[0]))
    pattern = re.compile("(?:" + "|".join(re.escape(w) for w, _x in words) + r")\s*:\s*", re.IGNORECASE)
    lookup = {w.lower(): key for w, key in words}
    pieces = []
    pos = 0
    matches = list(pattern.finditer(text))
    for i, m in enumerate(matches):
        pieces.append(text[pos:m.start()])
        pieces.append("\n")
        key = lookup.get(m.group(0).rstrip(": ").lower(), "")
        rest = text[m.end(): matches[i + 1].start() if i + 1 < len(matches) else len(text)]
        value = rest.split("\n", 1)[0] if key == "address" else re.split(r"[\n,;]", rest, maxsplit=1)[0]
        labelled.setdefault(key, value.strip())
        pos = m.end()
    pieces.append(text[pos:])
    return "".join(pieces), labelled


def _parse_cn(text: str, result: PasteResult) -> None:
    result.fields["country"] = "CN"
    text, labelled = _strip_labels(text)
    phone = None
    m = _CN_MOBILE.search(text)
    if m:
        phone = re.sub(r"\D", "", m.group(1))
        text = text[: m.start()] + "\n" + text[m.end():]
    else:
        m = _CN_LANDLINE.search(text)
        if m:
            phone = f"{m.group(1)}-{m.group(2)}"
            text = text[: m.start()] + "\n" + text[m.end():]
    if phone:
        result.fields["phone"] = phone
    postcode = labelled.get("postcode")
    if postcode and re.fullmatch(r"\d{6}", postcode.strip()):
        result.fields["postcode"] = postcode.strip()
        text = text.replace(postcode.strip(), "\n", 1)
    tokens = [t.strip() for t in re.split(r"[\n,;\s]+", text) if t.strip()]
    address_tokens = [t for t in tokens if _find_cn_region(t)]
    if address_tokens:
        address = max(address_tokens, key=len)
        # an address split over a space ("广东省深圳市 南山区...") is rejoined in order
        start = tokens.index(address)
        used = [start]
        for i in range(start + 1, len(tokens)):
            t = tokens[i]
            if _CN_NAME.match(t) and len(t) <= 5 and not re.search(r"[区县市镇乡路街号栋室]$", t):
                break
            used.append(i)
        joined = "".join(tokens[i] for i in used)
        rest_tokens = [t for i, t in enumerate(tokens) if i not in used]
        _fill_cn_address(joined, result)
    else:
        rest_tokens = tokens
        result.uncertain.update({"province", "city", "district"})
        result.notes.append(_("no Chinese province, city or district recognised"))
    name = labelled.get("name", "").strip()
    if not name:
        candidates = [t for t in rest_tokens if _CN_NAME.match(t) or re.fullmatch(r"[A-Za-z][A-Za-z .'-]{1,40}", t)]
        if len(candidates) == 1:
            name = candidates[0]
        elif candidates:
            name = candidates[0]
            result.uncertain.add("name")
            result.notes.append(_("several words could be the name: {candidates}").format(candidates=", ".join(candidates)))
    if name:
        result.fields["name"] = name


def _find_cn_region(text: str) -> bool:
    idx = _cn()
    for pname, pshort, _x in idx["provinces"]:
        if text.startswith(pname) or (len(pshort) >= 2 and text.startswith(pshort)):
            return True
    head = text[:12]
    if any(head.startswith(k) for k in idx["cities"] if k.endswith(("市", "州", "盟", "地区"))):
        return True
    return any(head.startswith(d) for d in idx["districts"] if len(d) >= 3)


def _match_prefix(text: str, names: list[tuple[str, str]]) -> tuple[str, int] | None:
    """Longest of the full or short names that ``text`` starts with: (full name, length used)."""
    best = None
    for full, short in names:
        for cand in (full, short):
            if cand != full and text[len(cand):len(cand) + 1] in _LOWER_LEVEL:
                continue  # "朝阳区" is a district, not the city 朝阳市 shortened
            if len(cand) >= 2 and text.startswith(cand) and (best is None or len(cand) > best[1]):
                best = (full, len(cand))
    return best


def _fill_cn_address(address: str, result: PasteResult) -> None:
    idx = _cn()
    rest = address
    province = city = district = ""
    districts: tuple[str, ...] = ()
    hit = _match_prefix(rest, [(p, s) for p, s, _x in idx["provinces"]])
    cities: tuple = ()
    if hit:
        province = hit[0]
        rest = rest[hit[1]:]
        cities = next(c for p, _x, c in idx["provinces"] if p == province)
        if len(cities) == 1 and cities[0][0] == province:  # a municipality: 北京市 is also the city
            city, districts = province, cities[0][2]
            rest = rest[len(province):] if rest.startswith(province) else rest
        else:
            chit = _match_prefix(rest, [(c, s) for c, s, _x in cities])
            if chit:
                city = chit[0]
                rest = rest[chit[1]:]
                districts = next(d for c, _x, d in cities if c == city)
    else:
        for key in sorted(idx["cities"], key=len, reverse=True):
            if rest.startswith(key) and len(key) >= 2 and not (
                    _short_city(key) == key and rest[len(key):len(key) + 1] in _LOWER_LEVEL):
                owners = idx["cities"][key]
                if len(owners) == 1:
                    province, city = owners[0]
                    rest = rest[len(key):]
                    cities = next(c for p, _x, c in idx["provinces"] if p == province)
                    districts = next(d for c, _x, d in cities if c == city)
                break
    if not province:
        # only a district ("南山区科技园..."): take its city and province if just one has it
        for d in sorted(idx["districts"], key=len, reverse=True):
            if len(d) >= 3 and rest.startswith(d):
                owners = idx["districts"][d]
                if len(owners) == 1:
                    province, city, district = owners[0]
                    result.notes.append(_("{province}{city} inferred from district {d}: check it").format(province=province, city=city, d=d))
                else:
                    result.notes.append(_("district {district} exists in {places}").format(district=d, places=", ".join(o[1] for o in owners)))
                    district = d
                rest = rest[len(d):]
                result.uncertain.update({"province", "city"})
                break
    if districts:
        dhit = _match_prefix(rest, [(d, d) for d in districts])
        if dhit:
            district = dhit[0]
            rest = rest[dhit[1]:]
    if province and not city and cities:
        # a district named right after the province: find its city if only one has it
        owners = [(c, d) for c, _x, ds in cities for d in ds if rest.startswith(d)]
        if len({c for c, _x in owners}) == 1:
            city, district = owners[0]
            rest = rest[len(district):]
            result.notes.append(_("city {city} inferred from district {district}").format(city=city, district=district))
    result.fields.update(province=province, city=city, district=district)
    for key, value in (("province", province), ("city", city)):
        if not value:
            result.uncertain.add(key)
    if not district and districts:
        result.uncertain.add("district")
    street, detail = _split_cn_street(rest)
    result.fields["street"] = street
    result.fields["detail"] = detail
    if not street:
        result.uncertain.add("street")


def _split_cn_street(rest: str) -> tuple[str, str]:
    rest = rest.strip(" ,")
    m = _CN_STREET_END.match(rest)
    if m:
        return m.group(1).strip(), m.group(2).strip(" ,")
    # no "路…号": keep the street words, move the first number onward into detail
    m = re.match(r"^(\D*?)(\d.*)$", rest)
    if m and m.group(1):
        return m.group(1).strip(), m.group(2).strip()
    return rest, ""


def _parse_br(text: str, result: PasteResult) -> None:
    result.fields["country"] = "BR"
    text, labelled = _strip_labels(text)
    m = _CEP.search(text)
    if m:
        result.fields["postcode"] = f"{m.group(1)}-{m.group(2)}"
        text = text[: m.start()] + text[m.end():]
        text = re.sub(r"\bCEP\b[:\s]*", "", text, flags=re.IGNORECASE)
    phone = _br_phone(text)
    if phone:
        result.fields["phone"], span = phone
        text = text[: span[0]] + text[span[1]:]
    lines = [ln.strip(" ,;") for ln in re.split(r"\n+", text) if ln.strip(" ,;")]
    if len(lines) == 1:  # all on one line: commas separate the parts
        lines = [p.strip() for p in lines[0].split(",") if p.strip()]
        lines = _rejoin_house_numbers(lines)
    name_lines, street_lines = [], []
    uf = ""
    for ln in lines:
        cm = _CITY_UF.match(ln)
        if cm and not uf and _is_uf(cm.group("uf")):
            uf = cm.group("uf")
            result.fields["city"] = cm.group("city").strip()
            if cm.group("district"):
                result.fields["district"] = cm.group("district").strip()
        elif re.search(r"\d", ln) or _is_street(ln) or name_lines:
            street_lines.append(ln)
        else:
            name_lines.append(ln)
    if "district" not in result.fields and street_lines and not re.search(r"\d", street_lines[-1]) \
            and not _split_br_street(", " + street_lines[-1])[1]:
        result.fields["district"] = street_lines.pop()  # the bairro, named just before the city
    cep_uf = uf_for_cep(result.fields.get("postcode", ""))
    if uf:
        result.fields["province"] = uf
        if cep_uf and cep_uf != uf:
            result.uncertain.update({"province", "postcode"})
            result.notes.append(_("CEP belongs to {cep_uf}, the text says {uf}").format(cep_uf=cep_uf, uf=uf))
    elif cep_uf:
        result.fields["province"] = cep_uf
        result.notes.append(_("state {cep_uf} taken from the CEP").format(cep_uf=cep_uf))
    else:
        result.uncertain.add("province")
    if "city" not in result.fields:
        result.uncertain.add("city")
    if "postcode" not in result.fields:
        result.uncertain.add("postcode")
    name = labelled.get("name", "").strip() or (name_lines[0] if name_lines else "")
    if len(name_lines) > 1 and not labelled.get("name"):
        result.uncertain.add("name")
    if name:
        result.fields["name"] = name
    street, detail = _split_br_street(", ".join(street_lines))
    result.fields["street"] = street
    result.fields["detail"] = detail
    if not street:
        result.uncertain.add("street")


def _br_phone(text: str) -> tuple[str, tuple[int, int]] | None:
    import phonenumbers

    for match in phonenumbers.PhoneNumberMatcher(text, "BR"):
        num = match.number
        if phonenumbers.is_valid_number(num):
            return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164), (match.start, match.end)
    m = _BR_PHONE.search(text)
    if m:
        return "+55" + "".join(m.groups()), m.span()
    return None


def _is_uf(code: str) -> bool:
    return any(s["uf"] == code for s in _br()["states"])


def _is_street(line: str) -> bool:
    first = line.split()[0] if line.split() else ""
    return first.rstrip(".").lower() in {t.rstrip(".").lower() for t in _br()["street_types"]}


def _rejoin_house_numbers(parts: list[str]) -> list[str]:
    """"Rua Augusta, 1500, apto 42" split on commas: glue the number back to its street."""
    out: list[str] = []
    for p in parts:
        if out and re.fullmatch(r"\d+[A-Za-z]?|s/?n", p, re.IGNORECASE) and _is_street(out[-1]):
            out[-1] = f"{out[-1]}, {p}"
        else:
            out.append(p)
    return out


def _split_br_street(address: str) -> tuple[str, str]:
    words = "|".join(re.escape(w) for w in _br()["complements"])
    m = re.search(rf"(?:,\s*|\s+)(?=(?:{words})\b\.?\s*\d*)", address, re.IGNORECASE)
    if m:
        return address[: m.start()].strip(" ,"), address[m.end():].strip(" ,")
    return address.strip(" ,"), ""


def _parse_intl(text: str, result: PasteResult, default_country: str) -> None:
    import phonenumbers

    text, labelled = _strip_labels(text)
    region = default_country.upper() or None
    for match in phonenumbers.PhoneNumberMatcher(text, region or "US"):
        if phonenumbers.is_valid_number(match.number):
            result.fields["phone"] = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            country = phonenumbers.region_code_for_number(match.number)
            if country and country != "001":
                result.fields["country"] = country
            text = text[: match.start] + text[match.end:]
            break
    lines = [ln.strip(" ,;") for ln in text.splitlines() if ln.strip(" ,;")]
    name = labelled.get("name", "") or (lines.pop(0) if lines and not re.search(r"\d", lines[0]) else "")
    if name:
        result.fields["name"] = name
    if lines:
        result.fields["street"] = lines[0]
        result.fields["detail"] = ", ".join(lines[1:])
    if "country" not in result.fields:
        if default_country:
            result.fields["country"] = default_country.upper()
        result.uncertain.add("country")
    result.uncertain.update({"city", "postcode"})
    result.notes.append(_("address not split into city and postcode: check them"))
