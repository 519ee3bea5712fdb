"""The installation data key: encrypts what may only be kept encrypted (drafts, unprinted
orders, a virtual number's real phone) and keys the hashes alerts match phones with.

The key lives in the OS keyring where a backend works; otherwise in a 0600 file beside the
database, with a warning, because a file key protects only against copies of the database
alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from desktop.errors import SigiloError
from desktop.i18n import _

log = logging.getLogger(__name__)

KEY_FILE = "data.key"
KEYRING_SERVICE = "sigilo"


class DataKeyError(SigiloError):
    pass


class DataKey:
    """ChaCha20-Poly1305 with a random 12-byte nonce per message; ``aad`` binds a ciphertext
    to its row so one cannot be pasted into another."""

    VERSION = b"\x01"

    def __init__(self, key: bytes, where: str = "memory") -> None:
        if len(key) != 32:
            raise DataKeyError(_("the data key must be 32 bytes"), _("restore the key file or keyring entry"))
        self._aead = ChaCha20Poly1305(key)
        self._mac_key = hashlib.sha256(b"sigilo keyed hash\x00" + key).digest()
        self.where = where

    def encrypt(self, plaintext: bytes, aad: bytes = b"") -> bytes:
        nonce = os.urandom(12)
        return self.VERSION + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def decrypt(self, blob: bytes, aad: bytes = b"") -> bytes:
        if not blob or blob[:1] != self.VERSION:
            raise DataKeyError(_("encrypted data in an unknown format"), _("the store may be damaged"))
        try:
            return self._aead.decrypt(blob[1:13], blob[13:], aad)
        except InvalidTag:
            raise DataKeyError(
                _("encrypted data does not open with this station's data key"),
                _("the data key changed or the row was altered; restore the key from backup"),
            ) from None

    def keyed_hash(self, text: str, purpose: str = "") -> str:
        """HMAC-SHA256 so equal phones/addresses can be counted without storing them."""
        msg = purpose.encode() + b"\x00" + text.encode("utf-8")
        return hmac.new(self._mac_key, msg, hashlib.sha256).hexdigest()[:32]


def _keyring_user(home: Path) -> str:
    return "data-key:" + hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:16]


def _usable_keyring():
    """The keyring module where a usable backend exists; None at once where none can
    (desktop.oskeyring: no probe on a machine without a keyring service)."""
    from desktop import oskeyring

    if oskeyring.backend() is None:
        return None
    try:
        import keyring

        return keyring
    except Exception:  # any backend trouble means: no keyring
        return None


def load_data_key(home: Path) -> DataKey:
    """Load the station's data key, creating it on first use."""
    home = Path(home)
    path = home / KEY_FILE
    if path.exists():
        raw = base64.b64decode(path.read_bytes().strip())
        return DataKey(raw, where=str(path))
    kr = _usable_keyring()
    if kr is not None:
        user = _keyring_user(home)
        try:
            stored = kr.get_password(KEYRING_SERVICE, user)
            if stored is None:
                stored = base64.b64encode(secrets.token_bytes(32)).decode()
                kr.set_password(KEYRING_SERVICE, user, stored)
            return DataKey(base64.b64decode(stored), where="keyring")
        except Exception as exc:  # a locked or broken keyring: fall back to the file
            log.warning("OS keyring unusable (%s); keeping the data key in a file", type(exc).__name__)
    key = secrets.token_bytes(32)
    home.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(base64.b64encode(key) + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)  # atomic and refuses to replace: two first starts agree on one key
    except FileExistsError:
        os.unlink(tmp)
        return DataKey(base64.b64decode(path.read_bytes().strip()), where=str(path))
    os.unlink(tmp)
    log.warning("no OS keyring available: the data key is in %s (mode 0600); back it up apart "
                "from the database", path)
    return DataKey(key, where=str(path))
