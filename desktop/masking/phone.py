"""Masking a phone number: at least ``min_hidden`` (never under 6) digits hidden, at most
``max_shown`` shown.

``138****5678`` shows 7 digits and hides 4: GB/T 41833-2022 does not allow it. The default
shows the last 4 of the national number: ``*******5678``. A short number shows fewer, so the
6 hidden digits always hold (an 8-digit number shows 2). The country code is not shown (the
region line says the country) and an extension is masked whole: ``******9988转****``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.phones import PhoneError, parse_phone, phone_digits, phone_extension


@dataclass(frozen=True)
class PhoneMask:
    shown: str
    digits: str  # national significant number
    hidden_digits: str  # the contiguous digits the mask hides ("" when nothing to hide)
    shown_prefix: str
    shown_suffix: str


def mask_phone(text: str, country: str, rules: dict[str, Any], mask_char: str = "*") -> PhoneMask:
    try:
        parsed = parse_phone(text, country)
        digits, extension = parsed.national_number, parsed.extension
    except PhoneError:  # an unvalidated draft: mask every digit written
        digits, extension = phone_digits(text, country), phone_extension(text)
    n = len(digits)
    min_hidden = max(6, int(rules.get("min_hidden", 6)))
    max_shown = min(4, int(rules.get("max_shown", 4)))
    budget = max(0, min(max_shown, n - min_hidden))
    show_last = min(max(0, int(rules.get("show_last", 4))), budget)
    show_first = min(max(0, int(rules.get("show_first", 0))), budget - show_last)
    prefix = digits[:show_first]
    suffix = digits[n - show_last:] if show_last else ""
    hidden = digits[show_first:n - show_last]
    shown = prefix + mask_char * len(hidden) + suffix
    if not digits:
        shown = ""
    if extension:
        shown += f"{rules.get('extension_label', 'ext.')}{mask_char * len(extension)}"
    return PhoneMask(shown=shown, digits=digits, hidden_digits=hidden, shown_prefix=prefix, shown_suffix=suffix)
