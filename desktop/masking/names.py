"""Masking a person's name: CJK names keep the surname, Latin names the first given name and
initials - and at least one character is always hidden.

Decisions (GB/T 41833-2022 asks for "at least one character hidden"):

* CJK: the surname stays (a two-character surname from the policy's list, e.g. 欧阳, whole),
  every other character becomes one mask character: 刘建国 -> 刘**, 欧阳霞 -> 欧阳*.
  A surname that would leave nothing hidden is shortened: 欧阳 -> 欧*.
* A one-character name (静) shows only the mask: "*". Its one character is the whole name.
* Names written with a middle dot (阿依古丽·买买提, transliterated minority and foreign names):
  the first ``dotted_keep`` characters of the first part stay, every other character is
  masked and the dots stay: 阿***·***.
* Latin names: the first word stays, later words become initials ("all": Ana B. F.) or only
  the next non-particle word does ("next": Maria da Silva Santos -> Maria S.). A one-word
  name keeps its first letter: "Madonna" -> "M.".

Characters are counted as user-perceived characters (an emoji with a skin tone or a ZWJ
family is one), so a mask never cuts a character in half.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NameMask:
    shown: str  # what the label prints
    hidden: tuple[str, ...]  # each run of hidden characters, and each hidden or initialled word


def graphemes(text: str) -> list[str]:
    """Split into user-perceived characters: combining marks, variation selectors, emoji
    modifiers, tags and ZWJ sequences stay with the character before them."""
    out: list[str] = []
    join_next = False
    for ch in text:
        cp = ord(ch)
        extend = (
            unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or 0xFE00 <= cp <= 0xFE0F
            or 0xE0100 <= cp <= 0xE01EF
            or 0x1F3FB <= cp <= 0x1F3FF
            or 0xE0020 <= cp <= 0xE007F
            or ch == "\u200d"
        )
        if out and (extend or join_next):
            out[-1] += ch
        elif out and _regional(ch) and _regional(out[-1][-1]) and len(out[-1]) == 1:
            out[-1] += ch
        else:
            out.append(ch)
        join_next = ch == "\u200d"
    return out


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def is_cjk_name(name: str) -> bool:
    """True for names written without spaces between parts: Han, kana, Hangul."""
    for ch in name:
        cp = ord(ch)
        if (
            0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF
            or 0x3040 <= cp <= 0x30FF or 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF
        ):
            return True
    return False


def mask_name(name: str, rules: dict[str, Any], mask_char: str = "*") -> NameMask:
    name = name.strip()
    if not name:
        return NameMask("", ())
    if is_cjk_name(name):
        return _mask_cjk(name, rules.get("cjk", {}), mask_char)
    return _mask_latin(name, rules.get("latin", {}), mask_char)


def _mask_cjk(name: str, rules: dict[str, Any], mask_char: str) -> NameMask:
    chars = graphemes(name)
    separators = set(rules.get("dotted_separators", ["·"]))
    if any(c in separators for c in chars) and chars[0] not in separators:
        keep = max(0, int(rules.get("dotted_keep", 1)))
        first_len = next(i for i, c in enumerate(chars) if c in separators)
        keep = min(keep, max(0, first_len - 1)) if len([c for c in chars if c not in separators]) > 1 else 0
        shown_flags = [i < keep or c in separators for i, c in enumerate(chars)]
    else:
        keep = 0
        if len(chars) > 1:
            keep = 1
            if rules.get("keep", "surname") == "surname":
                for surname in rules.get("compound_surnames", []):
                    if name.startswith(surname):
                        keep = len(graphemes(surname))
                        break
            keep = min(keep, len(chars) - 1)
        shown_flags = [i < keep or c.isspace() for i, c in enumerate(chars)]
    return _apply(chars, shown_flags, mask_char, rules.get("mask_length", "per-char"))


def _apply(chars: list[str], shown_flags: list[bool], mask_char: str, mask_length: Any) -> NameMask:
    shown_parts: list[str] = []
    hidden: list[str] = []
    run: list[str] = []
    for ch, shown in zip(chars, shown_flags):
        if shown:
            if run:
                hidden.append("".join(run))
                shown_parts.append(_mask_run(run, mask_char, mask_length))
                run = []
            shown_parts.append(ch)
        else:
            run.append(ch)
    if run:
        hidden.append("".join(run))
        shown_parts.append(_mask_run(run, mask_char, mask_length))
    return NameMask("".join(shown_parts), tuple(hidden))


def _mask_run(run: list[str], mask_char: str, mask_length: Any) -> str:
    if isinstance(mask_length, int) and not isinstance(mask_length, bool) and mask_length > 0:
        return mask_char * mask_length
    return mask_char * len(run)


def _mask_latin(name: str, rules: dict[str, Any], mask_char: str) -> NameMask:
    words = name.split()
    particles = {p.lower() for p in rules.get("particles", [])}
    initials = rules.get("initials", "all")
    shown: list[str] = []
    hidden: list[str] = []
    first, rest = words[0], words[1:]
    if len(words) == 1 or not rules.get("keep_first_word", True):
        rest = words if not rules.get("keep_first_word", True) else []
        if len(words) == 1:
            chars = graphemes(first)
            if len(chars) == 1:
                return NameMask(mask_char, (first,))
            return NameMask(chars[0] + ".", (first, "".join(chars[1:])))
    else:
        shown.append(first)
    initialled = 0
    for word in rest:
        if word.lower() in particles:  # "da", "dos": hidden, but too common to search for
            continue
        hidden.append(word)
        if initials == "all" or (initials == "next" and initialled == 0):
            chars = graphemes(word)
            # a one-letter word's initial would be the word itself: mask it instead
            shown.append(chars[0] + "." if len(chars) > 1 else mask_char)
            initialled += 1
            tail = "".join(chars[1:])
            if tail:
                hidden.append(tail)
    if not shown:
        shown.append(mask_char)
    return NameMask(" ".join(shown), tuple(hidden))
