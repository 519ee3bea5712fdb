"""Base45 as RFC 9285 defines it: its published examples, exact round trips, and refusals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.seal.base45 import ALPHABET, Base45Error, b45decode, b45encode


@pytest.mark.parametrize("raw, text", [
    (b"AB", "BB8"),
    (b"Hello!!", "%69 VD92EX0"),
    (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"),
    (b"", ""),
    (b"\x00", "00"),
    (b"\xff\xff", "FGW"),
])
def test_rfc9285_examples(raw, text):
    assert b45encode(raw) == text
    assert b45decode(text) == raw


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_round_trip_and_alphabet(data):
    text = b45encode(data)
    assert set(text) <= set(ALPHABET)
    assert len(text) == 3 * (len(data) // 2) + 2 * (len(data) % 2)
    assert b45decode(text) == data
    assert not text.endswith(" ")  # why scanners may trim surrounding whitespace


@pytest.mark.parametrize("bad", ["GGW", "A", "ABCD", "bb8", "BB8\n", "ÄB8", ":::"])
def test_invalid_text_is_refused(bad):
    with pytest.raises(Base45Error):
        b45decode(bad)
