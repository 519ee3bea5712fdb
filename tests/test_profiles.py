"""Printer profiles load from data, and a bad file is refused naming the file and the field."""

from __future__ import annotations

import json

import pytest

from printers.profiles import (
    ProfileError,
    list_profiles,
    load_profile,
    load_profile_file,
    profiles_dir,
)

REQUIRED = ["tspl-203", "tspl-203-cn", "tspl-300", "zpl-203", "zpl-300", "zpl-203-cjkfont", "escpos-80", "escpos-80-cn"]


def test_the_default_profiles_exist_and_load():
    names = list_profiles()
    for name in REQUIRED:
        assert name in names
        profile = load_profile(name)
        assert profile.name == name
        assert profile.language in ("tspl", "zpl", "escpos")
        assert profile.resident_fonts


def test_profile_fields_say_what_the_printer_is():
    cn = load_profile("tspl-203-cn")
    assert (cn.language, cn.dpi, cn.status_protocol) == ("tspl", 203, "tspl")
    assert cn.resident_fonts[0]["name"] == "TSS24.BF2"
    assert cn.resident_fonts[0]["encoding"] == "gb18030"
    assert load_profile("zpl-300").dpi == 300
    assert load_profile("escpos-80").print_width_dots == 576
    assert load_profile("zpl-203-cjkfont").resident_fonts[0].name == "E:MHEI.TTF"
    assert load_profile("tspl-203").darkness_range == (0, 15)


def test_coverage_of_resident_fonts():
    tss24 = load_profile("tspl-203-cn").resident_fonts[0]
    assert all(tss24.covers(ch) for ch in "张三 Rua 138-5678 广东省深圳市")
    assert not tss24.covers("𠮷")  # CJK Extension B: four bytes in GB18030, in no printer font
    assert not tss24.covers("😀")
    assert not tss24.covers("\x1b") and not tss24.covers("\r")
    latin = load_profile("tspl-203").resident_fonts[0]
    assert latin.covers("é") and not latin.covers("张")
    ascii_font = load_profile("escpos-80").resident_fonts[0]
    assert ascii_font.covers("A") and not ascii_font.covers("é")


def _write(tmp_path, name, **changes):
    raw = json.loads((profiles_dir() / "tspl-203.json").read_text(encoding="utf-8"))
    raw["name"] = name
    for key, value in changes.items():
        if value is None and key != "status_protocol":
            raw.pop(key, None)
        else:
            raw[key] = value
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"dpi": None}, "dpi"),
        ({"dpi": "203"}, "dpi"),
        ({"dpi": 250}, "dpi"),
        ({"language": "epl"}, "language"),
        ({"status_protocol": "snmp"}, "status_protocol"),
        ({"flow_control": "maybe"}, "flow_control"),
        ({"darkness_range": [15, 0]}, "darkness_range"),
        ({"max_baud": 12345}, "max_baud"),
        ({"resident_fonts": [{"name": "3", "encoding": "latin-1", "coverage": "klingon", "cell": [16, 24]}]},
         "resident_fonts[0].coverage"),
        ({"resident_fonts": [{"name": "3", "encoding": "no-such-codec", "coverage": "ascii", "cell": [16, 24]}]},
         "resident_fonts[0].encoding"),
        ({"resident_fonts": [{"name": "3", "encoding": "ascii", "coverage": "ascii"}]}, "resident_fonts[0].cell"),
        ({"colour": "red"}, "colour"),
        ({"direction": 2}, "direction"),
    ],
)
def test_a_bad_profile_names_its_file_and_field(tmp_path, changes, field):
    path = _write(tmp_path, "bad", **changes)
    with pytest.raises(ProfileError) as info:
        load_profile(str(path))
    assert f"'{field}'" in info.value.message
    assert str(path) in info.value.message
    assert info.value.hint


def test_broken_json_and_unknown_names(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"name": "broken",', encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid JSON"):
        load_profile_file(path)
    with pytest.raises(ProfileError) as info:
        load_profile("tspl-999")
    assert "tspl-203-cn" in info.value.hint
    mismatch = _write(tmp_path, "other")
    renamed = tmp_path / "renamed.json"
    mismatch.rename(renamed)
    with pytest.raises(ProfileError, match="'name'"):
        load_profile_file(renamed)


def test_a_profile_file_by_path_loads(tmp_path):
    path = _write(tmp_path, "my-printer", dpi=300)
    profile = load_profile(str(path))
    assert (profile.name, profile.dpi) == ("my-printer", 300)
