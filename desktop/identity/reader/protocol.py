"""The SAM reader's serial protocol, as readers of second-generation ID cards speak it.

A command frame::

    AA AA AA 96 69 | LEN (2, big-endian) | CMD | PARA | DATA... | CHK

A reply frame::

    AA AA AA 96 69 | LEN (2, big-endian) | SW1 SW2 SW3 | DATA... | CHK

LEN counts every byte after it, CHK included; CHK is the XOR of the LEN bytes and every byte
up to it. Commands used: find card ``20 01`` (SW3 9F: found, 80: none), select card ``20 02``
(90: selected, 81: failed), read text and photo ``30 01`` (90: DATA is text length (2) |
photo length (2) | text | photo; 41: read failed). Other SW3 codes: 10 the reader saw a bad
checksum, 11 bad length, 21 unknown command, 23 not authorised, 24 unknown error.
"""

from __future__ import annotations

from desktop.i18n import _

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
MAX_LEN = 4096  # a read reply is 1,288; anything much larger is line noise

FIND = (0x20, 0x01)
SELECT = (0x20, 0x02)
READ = (0x30, 0x01)

OK = 0x90
FOUND = 0x9F
NO_CARD = 0x80
SELECT_FAILED = 0x81
READ_FAILED = 0x41
STATUS_TEXT = {0x10: "the reader received a bad checksum", 0x11: "the reader received a bad length",
               0x21: "the reader does not know the command", 0x23: "the reader refused the command (not authorised)",
               0x24: "the reader reported an unknown error", 0x31: "the card failed authentication",
               0x32: "the card's random number could not be checked", 0x33: "the card's signature could not be checked",
               0x40: "the card is not a supported ID card", 0x47: "the SAM module is not ready"}


def xor(data: bytes) -> int:
    value = 0
    for b in data:
        value ^= b
    return value


def command(cmd: int, para: int, data: bytes = b"") -> bytes:
    body = bytes([cmd, para]) + data
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([xor(length + body)])


def reply(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    body = bytes([sw1, sw2, sw3]) + data
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([xor(length + body)])


class FrameError(ValueError):
    """A frame that is cut short or fails its check (``kind``: "short", "checksum", "length")."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


def _body(frame: bytes, min_len: int) -> bytes:
    if not frame.startswith(PREAMBLE):
        raise FrameError("short", _("no frame preamble"))
    if len(frame) < 7 + min_len:
        raise FrameError("short", _("frame shorter than its header"))
    length = int.from_bytes(frame[5:7], "big")
    if length < min_len or length > MAX_LEN:
        raise FrameError("length", _("frame length {length} is impossible").format(length=length))
    if len(frame) < 7 + length:
        raise FrameError("short", _("frame cut short ({value} of {length} bytes)").format(value=len(frame) - 7, length=length))
    body = frame[7:7 + length - 1]
    if xor(frame[5:7] + body) != frame[7 + length - 1]:
        raise FrameError("checksum", _("checksum (XOR) does not match"))
    return body


def parse(frame: bytes) -> tuple[bytes, bytes]:
    """(SW1 SW2 SW3, DATA) of a reply frame. Raises FrameError."""
    body = _body(frame, 4)
    return body[:3], body[3:]


def parse_command(frame: bytes) -> tuple[int, int, bytes]:
    """(CMD, PARA, DATA) of a command frame (for the simulator). Raises FrameError."""
    body = _body(frame, 3)
    return body[0], body[1], body[2:]
