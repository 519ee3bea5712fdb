"""The key that signs the audit chain: an Ed25519 key in a 0600 file in the data directory.

It is kept apart from the seal's station key on purpose: the audit key never leaves the
station and needs no passphrase, so appending an audit entry never waits on a person.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

AUDIT_KEY_FILE = "audit-ed25519.key"


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_hex(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def read_audit_public(home: Path) -> Ed25519PublicKey | None:
    """The audit key's public half if its file exists, else None — never creating one (for
    ``sigilo audit verify``: a missing key is a finding, not something to repair)."""
    path = Path(home) / AUDIT_KEY_FILE
    if not path.exists():
        return None
    try:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(path.read_text().strip())).public_key()
    except (OSError, ValueError):
        return None


def load_audit_key(home: Path) -> Ed25519PrivateKey:
    path = Path(home) / AUDIT_KEY_FILE
    if path.exists():
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(path.read_text().strip()))
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    tmp = path.with_name(f".{AUDIT_KEY_FILE}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(raw.hex() + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        os.unlink(tmp)
        return load_audit_key(home)
    os.unlink(tmp)
    return key
