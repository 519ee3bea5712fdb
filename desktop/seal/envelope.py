"""The SG1 envelope: clear header, HPKE ``enc`` and ciphertext, station signature.

    header = version(1) | fleet_kid(4) | station_kid(4) | issued_at(4) | expires_at(4)
             | tracking_len(1) | tracking(ASCII)
    envelope = header | enc(32) | ciphertext(plaintext + 16) | signature(64)

The header is readable without any key (a sorting line can route on the tracking number), and
bound twice: into HPKE ``info`` (a ciphertext moved under another header does not decrypt) and
under the Ed25519 signature (nobody but the station can issue it). This module only packs and
parses bytes; ``docs/seal-format.md`` is the normative description.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from desktop.seal.base45 import Base45Error, b45decode, b45encode
from desktop.seal.errors import MalformedSeal, SealingFailed
from desktop.i18n import _

VERSION = 1
PREFIX = "SG1:"
KID_LEN = 4
ENC_LEN = 32
TAG_LEN = 16
SIG_LEN = 64
MAX_TRACKING = 64
_FIXED = struct.Struct(">B4s4sIIB")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
INFO_LABEL = b"sigilo-seal-v1 info"
SIG_LABEL = b"sigilo-seal-v1 signature"


@dataclass(frozen=True)
class Header:
    fleet_kid: bytes
    station_kid: bytes
    issued_at: int
    expires_at: int
    tracking_number: str
    version: int = VERSION

    def pack(self) -> bytes:
        tracking = self.tracking_number.encode("ascii")
        return _FIXED.pack(self.version, self.fleet_kid, self.station_kid, self.issued_at,
                           self.expires_at, len(tracking)) + tracking

    def info(self) -> bytes:
        return INFO_LABEL + self.pack()


def check_tracking(tracking: str) -> None:
    if (not (tracking.isascii() and tracking.isprintable()) or len(tracking) > MAX_TRACKING
            or tracking != tracking.strip(" ")):
        raise SealingFailed(
            _("tracking number {tracking!r} cannot go in a seal header").format(tracking=tracking),
            _("use printable ASCII, at most 64 characters, no space at either end (validate the "
              "shipment first)"),
        )


def normalise_barcode(value: str) -> str:
    """The Code128 value as a wedge typed it, back to the printed value: spaces, CR, LF and TAB
    at either end dropped (a tracking number in a seal never starts or ends with a space);
    nothing else changed, so case and inner characters must match exactly."""
    return value.strip(" \r\n\t")


def check_times(issued_at: int, expires_at: int) -> None:
    if not (0 <= issued_at < expires_at < 2**32):
        raise SealingFailed(_("issue and expiry times must be Unix seconds with issue < expiry < 2106"),
                            _("check the station clock and the key's validity_days"))


def signature_input(header: bytes, enc: bytes, ciphertext: bytes) -> bytes:
    return SIG_LABEL + header + enc + ciphertext


@dataclass(frozen=True)
class Envelope:
    header: Header
    header_bytes: bytes
    enc: bytes
    ciphertext: bytes
    signature: bytes

    def to_bytes(self) -> bytes:
        return self.header_bytes + self.enc + self.ciphertext + self.signature

    def to_text(self) -> str:
        return PREFIX + b45encode(self.to_bytes())

    def signed_bytes(self) -> bytes:
        return signature_input(self.header_bytes, self.enc, self.ciphertext)


def parse_bytes(data: bytes) -> Envelope:
    if len(data) < _FIXED.size:
        raise MalformedSeal(_("seal of {n} bytes is too short to hold a header").format(n=len(data)))
    version, fleet_kid, station_kid, issued, expires, tlen = _FIXED.unpack_from(data)
    if version != VERSION:
        raise MalformedSeal(_("seal format version {version} is not supported (this scanner reads version "
                              "{VERSION})").format(version=version, VERSION=VERSION),
                            _("update Sigilo on this scanner"))
    if tlen > MAX_TRACKING:
        raise MalformedSeal(_("tracking number length {tlen} in the seal header is over {MAX_TRACKING}").format(tlen=tlen, MAX_TRACKING=MAX_TRACKING))
    end = _FIXED.size + tlen
    if len(data) < end + ENC_LEN + TAG_LEN + SIG_LEN:
        raise MalformedSeal(_("seal of {n} bytes is too short for its parts").format(n=len(data)))
    try:
        tracking = data[_FIXED.size:end].decode("ascii")
    except UnicodeDecodeError:
        tracking = "\x00"
    if not tracking.isprintable():
        raise MalformedSeal(_("tracking number in the seal header is not printable ASCII"))
    header = Header(fleet_kid, station_kid, issued, expires, tracking, version)
    return Envelope(
        header=header,
        header_bytes=data[:end],
        enc=data[end:end + ENC_LEN],
        ciphertext=data[end + ENC_LEN:len(data) - SIG_LEN],
        signature=data[len(data) - SIG_LEN:],
    )


def normalise_text(text: str) -> str:
    """What a keyboard wedge typed, back to the printed text: surrounding whitespace dropped,
    and case folded up. Base45 has no lowercase letters, so caps lock (or a scanner set to
    lowercase) can only have turned A-Z into a-z; upper-casing undoes it without ambiguity.
    Trimming is safe although the space is a Base45 digit: the text starts with "SG1:", and a
    Base45 text never ends with a space (a triplet's last digit is at most 32, a pair's at most 5)."""
    return text.strip(" \r\n\t").translate(_ASCII_UPPER)


def parse_text(text: str) -> Envelope:
    text = normalise_text(text)
    if not text.startswith(PREFIX):
        raise MalformedSeal(_("this is not a Sigilo seal (it does not start with SG1:)"),
                            _("scan the square QR code on the label, not the barcode"))
    try:
        data = b45decode(text[len(PREFIX):])
    except Base45Error as exc:
        raise MalformedSeal(_("seal text is damaged: {exc}").format(exc=exc)) from None
    return parse_bytes(data)
