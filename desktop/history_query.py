"""What a person types into History's search, as one rule every way in can use: the last four
digits of the recipient's phone (as the masked face keeps them, ``*******5678``), or a fragment
of a tracking number or order id, within an optional date range. Only the masked view is ever
searched: the station keeps no more."""

from __future__ import annotations

import time
from dataclasses import dataclass

from desktop.errors import SigiloError
from desktop.i18n import _

DAY = 86400


def _day_start(text: str, what: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return time.mktime(time.strptime(text, "%Y-%m-%d"))
    except ValueError:
        raise SigiloError(_("{what} {value} is not a date").format(what=what, value=text),
                          _("write it as YYYY-MM-DD, e.g. 2026-03-01")) from None


@dataclass(frozen=True)
class HistoryQuery:
    text: str = ""
    start: float | None = None  # seconds, inclusive
    end: float | None = None  # seconds, exclusive (the day after "to")

    @property
    def phone_digits(self) -> str:
        """The phone's last digits asked for ("5678", "*5678"), or ""."""
        t = self.text.lstrip("*").strip()
        return t if len(t) == 4 and t.isdigit() else ""

    def matches(self, tracking: str, order_id: str, masked_phone: str, when: float) -> bool:
        if self.start is not None and when < self.start:
            return False
        if self.end is not None and when >= self.end:
            return False
        t = self.text.strip().lower()
        if not t:
            return True
        digits = "".join(ch for ch in masked_phone or "" if ch.isdigit())
        if self.phone_digits and digits.endswith(self.phone_digits):
            return True
        return t in (tracking or "").lower() or t in (order_id or "").lower()

    def nothing_found(self) -> str:
        """What to tell the clerk when no label matched."""
        span = ""
        if self.start is not None or self.end is not None:
            a = time.strftime("%Y-%m-%d", time.localtime(self.start)) if self.start is not None else "…"
            b = time.strftime("%Y-%m-%d", time.localtime(self.end - DAY)) if self.end is not None else "…"
            span = f" ({a} – {b})"
        if self.phone_digits:
            return _("No label to a phone ending in {digits}, and no tracking number or order id containing it{span}."
                     ).format(digits=self.phone_digits, span=span)
        if self.text.strip():
            return _("No label whose tracking number or order id contains \u201c{text}\u201d{span}. Try the "
                     "phone's last four digits.").format(text=self.text.strip(), span=span)
        return _("No labels printed{span}.").format(span=span)


def parse_query(text: str = "", date_from: str = "", date_to: str = "") -> HistoryQuery:
    """The search box and the date fields (YYYY-MM-DD, local days; "from" alone means that day)."""
    start = _day_start(date_from, _("From"))
    to = _day_start(date_to, _("To"))
    if to is None and start is not None:  # one day given: that day
        to = start
    end = to + DAY if to is not None else None
    if start is not None and end is not None and end <= start:
        raise SigiloError(_("the date range ends before it starts"), _("put the earlier day in From"))
    return HistoryQuery((text or "").strip(), start, end)
