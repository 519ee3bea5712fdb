"""Check characters of Chinese identity numbers, as the standards define them.

GB 11643-1999 (citizen identity number, 18 characters): ISO 7064 MOD 11-2 over the first 17
digits with weights 2^(17-i) mod 11; the check character is "10X98765432"[sum mod 11]. The
same scheme is used by the residence permits for Hong Kong, Macau and Taiwan residents (region
codes 81/82/83) and the 2023 foreigner's permanent residence card (first digit 9).

GB 32100-2015 (unified social credit code, 18 characters from a 31-character alphabet without
I, O, Z, S, V): weights 3^i mod 31; the check character is the one at (31 - sum mod 31) mod 31.
"""

from __future__ import annotations

from desktop.i18n import _

from datetime import date

GB11643_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
GB11643_CHECK = "10X98765432"

GB32100_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB32100_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28


def gb11643_check(first17: str) -> str:
    """The check character for 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(_("GB 11643 needs exactly 17 digits"))
    return GB11643_CHECK[sum(int(d) * w for d, w in zip(first17, GB11643_WEIGHTS)) % 11]


def gb32100_check(first17: str) -> str:
    """The check character for the first 17 characters of a unified social credit code."""
    if len(first17) != 17 or any(ch not in GB32100_ALPHABET for ch in first17):
        raise ValueError(_("GB 32100 needs 17 characters of its alphabet"))
    total = sum(GB32100_ALPHABET.index(ch) * w for ch, w in zip(first17, GB32100_WEIGHTS))
    return GB32100_ALPHABET[(31 - total % 31) % 31]


def birth_date(number: str) -> date | None:
    """The date of birth in characters 7-14 of an 18-character number, or None if it is no date."""
    text = number[6:14]
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


MAX_AGE_YEARS = 130


def plausible_birth(born: date, today: date | None = None) -> bool:
    """Not in the future and not older than anyone alive."""
    today = today or date.today()
    return born <= today and (today.year - born.year) <= MAX_AGE_YEARS
