"""The card's text block: 256 bytes of UCS-2 (little-endian) in fixed fields, space-padded.

Resident identity card (and, with "J" at byte 248, the residence permit for Hong Kong, Macau
and Taiwan residents)::

    name 0-30 | sex 30-32 | ethnicity 32-36 | birth 36-52 | address 52-122 | number 122-158 |
    issuing authority 158-188 | valid from 188-204 | valid until 204-220 | reserved 220-248 |
    card type 248-250 | reserved 250-256

Foreigner's permanent residence card ("I" at byte 248)::

    English name 0-120 | sex 120-122 | number 122-152 | nationality 152-158 |
    Chinese name 158-188 | valid from 188-204 | valid until 204-220 | birth 220-236 |
    version 236-240 | authority code 240-248 | card type 248-250 | reserved 250-256

Only the ID type, the number and the name leave this module: sex, ethnicity, birth date,
address and validity are not part of the record the law asks for, so they are not kept.
"""

from __future__ import annotations

from desktop.i18n import _

from dataclasses import dataclass

TEXT_LEN = 256

RESIDENT_FIELDS = {"name": (0, 30), "sex": (30, 32), "ethnicity": (32, 36), "birth": (36, 52),
                   "address": (52, 122), "number": (122, 158), "authority": (158, 188), "valid_from": (188, 204),
                   "valid_until": (204, 220), "type": (248, 250)}
FOREIGN_FIELDS = {"english_name": (0, 120), "sex": (120, 122), "number": (122, 152), "nationality": (152, 158),
                  "chinese_name": (158, 188), "valid_from": (188, 204), "valid_until": (204, 220),
                  "birth": (220, 236), "version": (236, 240), "authority": (240, 248), "type": (248, 250)}


@dataclass(frozen=True)
class CardText:
    id_type: str
    number: str
    name: str

    def record_data(self) -> dict:
        return {"id_type": self.id_type, "number": self.number, "name": self.name, "method": "card"}


class TextBlockError(ValueError):
    pass


def _field(text: bytes, span: tuple[int, int]) -> str:
    raw = text[span[0]:span[1]]
    try:
        return raw.decode("utf-16-le").replace("\x00", "").strip()
    except UnicodeDecodeError:
        raise TextBlockError(_("text field is not UCS-2")) from None


def card_type(text: bytes) -> str:
    return _field(text, (248, 250))


def parse_text(text: bytes) -> CardText:
    if len(text) != TEXT_LEN:
        raise TextBlockError(_("text block is {n} bytes, not {TEXT_LEN}").format(n=len(text), TEXT_LEN=TEXT_LEN))
    kind = card_type(text)
    if kind == "I":
        name = _field(text, FOREIGN_FIELDS["chinese_name"]) or _field(text, FOREIGN_FIELDS["english_name"])
        return CardText("foreign_permanent", _field(text, FOREIGN_FIELDS["number"]), name)
    if kind in ("", "J"):
        return CardText("residence_permit" if kind == "J" else "cn_resident", _field(text, RESIDENT_FIELDS["number"]),
                        _field(text, RESIDENT_FIELDS["name"]))
    raise TextBlockError(_("card type {kind!r} is not one Sigilo reads").format(kind=kind))


def build_text(fields: dict[str, str], layout: dict[str, tuple[int, int]]) -> bytes:
    """A text block from field values (the simulator's cards)."""
    out = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))
    for name, value in fields.items():
        if name not in layout:
            continue
        start, end = layout[name]
        raw = value.encode("utf-16-le")[: end - start]
        out[start:start + len(raw)] = raw
    return bytes(out)
