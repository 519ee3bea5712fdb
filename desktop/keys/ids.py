"""Key ids: the first 4 bytes of SHA-256 of the raw 32-byte public key (as EU DCC's ``kid``).

Four bytes keep the QR small; two keys sharing an id are still told apart, because the
scanner tries every held key with that id and only the right one decrypts or verifies."""

from __future__ import annotations

import hashlib

KID_LEN = 4


def key_id(raw_public_key: bytes) -> bytes:
    return hashlib.sha256(raw_public_key).digest()[:KID_LEN]
