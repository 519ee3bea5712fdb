"""History's search rule: the phone's last four digits as the masked face keeps them, a fragment
of a tracking number or order id, a date range; and what to say when nothing matched."""

from __future__ import annotations

import time

import pytest

from desktop.errors import SigiloError
from desktop.history_query import parse_query

DAY1 = time.mktime(time.strptime("2026-03-02 10:00", "%Y-%m-%d %H:%M"))


def test_phone_last_four_fragments_and_dates():
    q = parse_query("5678")
    assert q.matches("SG7700000001", "A-1", "*******5678", DAY1)
    assert not q.matches("SG7700000001", "A-1", "*******5679", DAY1)
    assert parse_query("*5678").matches("SG1", "", "+55 ******5678", DAY1)
    assert parse_query("0000001").matches("SG7700000001", "", "", DAY1)
    assert parse_query("a-1").matches("SG1", "SHOP-A-1", "", DAY1)  # case does not matter
    assert not parse_query("5678").matches("SG1", "", "", DAY1)
    assert parse_query("", "2026-03-02").matches("SG1", "", "", DAY1)  # one day
    assert not parse_query("", "2026-03-03").matches("SG1", "", "", DAY1)
    assert parse_query("", "2026-03-01", "2026-03-02").matches("SG1", "", "", DAY1)
    assert not parse_query("", "2026-02-01", "2026-03-01").matches("SG1", "", "", DAY1)


def test_nothing_found_says_what_was_looked_for():
    assert "ending in 5678" in parse_query("5678").nothing_found()
    assert "SG77" in parse_query("SG77").nothing_found() and "last four" in parse_query("SG77").nothing_found()
    assert "2026-03-01" in parse_query("5678", "2026-03-01").nothing_found()


@pytest.mark.parametrize("a, b", [("03/02/2026", ""), ("2026-13-01", ""), ("2026-03-05", "2026-03-01")])
def test_bad_dates_are_refused_with_a_hint(a, b):
    with pytest.raises(SigiloError) as err:
        parse_query("", a, b)
    assert err.value.hint
