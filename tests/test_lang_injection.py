"""Whatever the text on a label, it never becomes a printer command: property tests over
text full of each language's special characters, control codes, CJK and emoji, read back by
zplkit's ZPL parser and the test-side TSPL and ESC/POS interpreters."""

from __future__ import annotations

import re

import zplkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_lang_escpos import Page
from test_lang_tspl import parse as parse_tspl

from printers.lang import encode
from printers.profiles import load_profile
from printers.scene import Scene, Text

NASTY = list('^~_"\\[],;:{}@\x00\x01\x0b\x0c\x0d\x1b\x1c\x1d\x7f\x85 aZ09') + list("张书注入é€😀𠮷")
TEXTS = st.text(alphabet=st.sampled_from(NASTY), min_size=1, max_size=30)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _scene(text: str) -> Scene:
    return Scene(70, 40, (Text(2, 2, 66, 30, text, size_mm=3),))


def _unescape(fd: bytes) -> str:
    return re.sub(rb"_([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), fd).decode("utf-8")


@SETTINGS
@given(TEXTS)
def test_zpl_fields_hold_only_the_text(text):
    for name in ("zpl-203", "zpl-203-cjkfont"):
        elements = [bytes(e).strip() for e in zplkit._native.parse(encode(_scene(text), load_profile(name))).elements]
        assert elements.count(b"^XA") == 1 and elements[-1] == b"^XZ" and elements.count(b"^XZ") == 1
        assert not any(e.startswith(b"~") for e in elements)
        for field in (e for e in elements if e.startswith(b"^FD")):
            assert _unescape(field[3:]) in text


@SETTINGS
@given(TEXTS)
def test_tspl_strings_hold_only_the_text(text):
    for name in ("tspl-203", "tspl-203-cn"):
        profile = load_profile(name)
        commands = parse_tspl(encode(_scene(text), profile))
        names = [c[0] for c in commands]
        assert set(names) <= {"SIZE", "GAP", "DIRECTION", "REFERENCE", "CODEPAGE", "CLS", "TEXT", "BITMAP", "PRINT"}
        assert names.count("PRINT") == 1 and names[-1] == "PRINT"
        for _, args in (c for c in commands if c[0] == "TEXT"):
            encoding = next(f.encoding for f in profile.resident_fonts if f.name == args[2].decode())
            assert args[6].decode(encoding) in text


@SETTINGS
@given(TEXTS)
def test_escpos_text_never_carries_control_bytes(text):
    for name, encoding in (("escpos-80", "ascii"), ("escpos-80-cn", "gb18030")):
        page = Page(encode(_scene(text), load_profile(name)), encoding)  # refuses control bytes in text
        assert page.pages == 1 and page.cuts == 1
        assert all(t[4] in text for t in page.texts)
