"""Decoding the sealed plaintext's CBOR by the rules of docs/seal-format.md §3, and no others.

A general CBOR library takes more than the seal allows — tags (a bignum of 4,000 digits), map
keys ``true`` and ``1.0`` that compare equal to ``1``, duplicate keys where the last one wins,
indefinite lengths, integers written longer than they need — and each of those is a second
spelling of one label or a way to make a scanner crash. This decoder knows exactly the subset
Sigilo writes, and refuses everything else with ``CBORError``:

- major types 0/1 (integers, so within -2^64 .. 2^64-1) in shortest form;
- 2/3 byte and text strings (text valid UTF-8), 4 arrays, 5 maps — definite lengths only,
  lengths in shortest form;
- 7: ``false``, ``true`` and floats of 16, 32 or 64 bits; no ``null``, ``undefined`` or other
  simple values, no break outside an indefinite item (there are none);
- no tags (major type 6) at all;
- map keys are unsigned integers, each at most once; nesting at most ``MAX_DEPTH`` deep.

It is small on purpose: the same rules in another language are a page of code.
"""

from __future__ import annotations

from desktop.i18n import _

import struct

MAX_DEPTH = 4  # payload map -> party or parcel map -> phone/postcode array -> its items


class CBORError(ValueError):
    pass


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if n > len(self.data) - self.pos:
            raise CBORError(_("item runs past the end at byte {pos}").format(pos=self.pos))
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def argument(self, info: int, start: int) -> int:
        """The head's argument, refusing any longer than the shortest form."""
        if info < 24:
            return info
        if info == 24:
            value = self.take(1)[0]
            minimum = 24
        elif info == 25:
            value = struct.unpack(">H", self.take(2))[0]
            minimum = 0x100
        elif info == 26:
            value = struct.unpack(">I", self.take(4))[0]
            minimum = 0x10000
        elif info == 27:
            value = struct.unpack(">Q", self.take(8))[0]
            minimum = 0x100000000
        elif info == 31:
            raise CBORError(_("indefinite length at byte {start}").format(start=start))
        else:
            raise CBORError(_("reserved additional information {info} at byte {start}").format(info=info, start=start))
        if value < minimum:
            raise CBORError(_("integer or length not in shortest form at byte {start}").format(start=start))
        return value

    def item(self, depth: int = 0):
        if depth > MAX_DEPTH:
            raise CBORError(_("nested deeper than {MAX_DEPTH}").format(MAX_DEPTH=MAX_DEPTH))
        start = self.pos
        head = self.take(1)[0]
        major, info = head >> 5, head & 0x1F
        if major == 7:
            return self.simple(info, start)
        value = self.argument(info, start)
        if major == 0:
            return value
        if major == 1:
            return -1 - value
        if major == 2:
            return self.take(value)
        if major == 3:
            try:
                return self.take(value).decode("utf-8")
            except UnicodeDecodeError:
                raise CBORError(_("text string at byte {start} is not valid UTF-8").format(start=start)) from None
        if major == 4:
            if value > len(self.data) - self.pos:  # each item takes a byte at least
                raise CBORError(_("array at byte {start} is longer than the data").format(start=start))
            return [self.item(depth + 1) for _i in range(value)]
        if major == 5:
            if 2 * value > len(self.data) - self.pos:
                raise CBORError(_("map at byte {start} is longer than the data").format(start=start))
            out: dict[int, object] = {}
            for _i in range(value):
                key_at = self.pos
                key = self.item(depth + 1)
                if type(key) is not int or key < 0:
                    raise CBORError(_("map key at byte {key_at} is not an unsigned integer").format(key_at=key_at))
                if key in out:
                    raise CBORError(_("map key {key} appears twice").format(key=key))
                out[key] = self.item(depth + 1)
            return out
        raise CBORError(_("tag at byte {start}: the seal uses no CBOR tags").format(start=start))

    def simple(self, info: int, start: int):
        if info == 20:
            return False
        if info == 21:
            return True
        if info == 25:
            return struct.unpack(">e", self.take(2))[0]
        if info == 26:
            return struct.unpack(">f", self.take(4))[0]
        if info == 27:
            return struct.unpack(">d", self.take(8))[0]
        raise CBORError(_("simple value {info} at byte {start} (only false, true and floats are allowed)").format(info=info, start=start))


def decode_one(data: bytes) -> tuple[object, int]:
    """(the first CBOR item of ``data``, the offset just after it)."""
    reader = _Reader(bytes(data))
    value = reader.item()
    return value, reader.pos
