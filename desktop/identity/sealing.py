"""Sealing an identity record to the identity key, the moment it is entered.

Layout of a sealed record (bytes, stored as a BLOB and exported as Base64):

    "SGID" | version 0x01 | identity key id (4) | record id (16) | created_at (8, big-endian
    seconds) | station id length (1) | station id (UTF-8) | HPKE enc (32) | ciphertext

The suite is the label seal's (HPKE base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
ChaCha20-Poly1305); ``info`` is "sigilo-identity-record-1" NUL and the header, so a sealed
record cannot be moved to another record id, time or station. The plaintext is CBOR
``{"h": holder, "r": representative or null, "m": method, "t": created_at}``, zero-padded
to a multiple of 64 bytes so the length says little about the name.
"""

from __future__ import annotations

from desktop.i18n import _

import io
import struct
from dataclasses import dataclass

import cbor2
from cryptography.hazmat.primitives.asymmetric import x25519

from desktop.identity.errors import IdentityError
from desktop.identity.record import IdentityRecord, Person
from desktop.keys.ids import key_id
from desktop.seal.suite import SUITE

MAGIC = b"SGID"
VERSION = 1
INFO_PREFIX = b"sigilo-identity-record-1\x00"
PAD = 64
ENC_LEN = 32


class SealedRecordError(IdentityError):
    exit_code = 49


@dataclass(frozen=True)
class Header:
    key_id: bytes
    record_id: bytes
    created_at: int
    station_id: str

    def pack(self) -> bytes:
        sid = self.station_id.encode("utf-8")[:255]
        return (MAGIC + bytes([VERSION]) + self.key_id + self.record_id + struct.pack(">Q", self.created_at)
                + bytes([len(sid)]) + sid)

    @classmethod
    def unpack(cls, blob: bytes) -> tuple["Header", int]:
        if blob[:4] != MAGIC or len(blob) < 34 or blob[4] != VERSION:
            raise SealedRecordError(_("not a sealed identity record (or a version this Sigilo does not know)"),
                                    _("check that the export file is from Sigilo and complete"))
        kid, rid = blob[5:9], blob[9:25]
        (created,) = struct.unpack(">Q", blob[25:33])
        n = blob[33]
        end = 34 + n
        if len(blob) < end + ENC_LEN + 16:
            raise SealedRecordError(_("a sealed identity record is cut short"), _("export the records again"))
        try:
            sid = blob[34:end].decode("utf-8")
        except UnicodeDecodeError:
            raise SealedRecordError(_("a sealed identity record's station id is damaged"), _("export again")) from None
        return cls(kid, rid, created, sid), end


def seal_record(record: IdentityRecord, public_raw: bytes, record_id: bytes, created_at: int, station_id: str) -> bytes:
    header = Header(key_id(public_raw), record_id, int(created_at), station_id)
    head = header.pack()
    body = cbor2.dumps({"h": record.holder.to_dict(), "r": record.representative.to_dict()
                        if record.representative else None, "m": record.method, "t": int(created_at)})
    body += bytes(-len(body) % PAD)
    sealed = SUITE.encrypt(body, x25519.X25519PublicKey.from_public_bytes(public_raw), info=INFO_PREFIX + head)
    return head + sealed


def open_record(blob: bytes, private: x25519.X25519PrivateKey) -> tuple[Header, IdentityRecord]:
    header, end = Header.unpack(blob)
    head = blob[:end]
    try:
        body = SUITE.decrypt(blob[end:], private, info=INFO_PREFIX + head)
    except Exception:
        raise SealedRecordError(_("this identity record does not open with this identity key (wrong key, or the "
                                "record was altered)"), _("use the identity key the record was sealed to")) from None
    try:
        stream = io.BytesIO(body)
        data = cbor2.CBORDecoder(stream).decode()
        rep = data.get("r")
        record = IdentityRecord(Person(**data["h"]), str(data["m"]), Person(**rep) if rep else None)
    except Exception:
        raise SealedRecordError(_("an opened identity record is not in the expected form"), _("update Sigilo")) from None
    return header, record
