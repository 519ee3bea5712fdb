"""Private keys at rest and public bundles, as small JSON files.

A private key file holds the key sealed with ChaCha20-Poly1305 under a key derived from the
passphrase by scrypt (N=2^15, r=8, p=1), with the file's kind and key id as associated data so
fields cannot be swapped between files. Files are written 0600 through a temporary file and a
rename, so a crash never leaves half a key. Demo keys (``protection: "none-demo-only"``) are
stored in clear and say so in every field a person might read.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from desktop.keys.errors import BadKeyFile, MissingKey, PassphraseRequired, WrongPassphrase
from desktop.keys.ids import key_id
from desktop.i18n import _

KEY_FORMAT = "sigilo-key-1"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
DEMO = "none-demo-only"
DEMO_WARNING = "DEMO ONLY: this private key is stored unencrypted. Never use it for real labels."
ALGORITHMS = {"fleet": "X25519", "station": "Ed25519", "authority": "Ed25519",
              "identity": "X25519", "identity-sign": "Ed25519"}  # identity: desktop/identity/keys.py


def raw_public(private) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def raw_private(private) -> bytes:
    return private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption())


def new_private(kind: str):
    return x25519.X25519PrivateKey.generate() if ALGORITHMS[kind] == "X25519" else ed25519.Ed25519PrivateKey.generate()


def private_from_raw(kind: str, raw: bytes):
    if ALGORITHMS[kind] == "X25519":
        return x25519.X25519PrivateKey.from_private_bytes(raw)
    return ed25519.Ed25519PrivateKey.from_private_bytes(raw)


def write_private_file(path: Path, data: dict[str, Any]) -> None:
    """Write JSON 0600 atomically (the temporary file is 0600 from its creation); a directory
    created for it is 0700."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_public_file(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MissingKey(_("{what} not found at {path}").format(what=what, path=path), _("run `sigilo keys list --dir DIR` to see what the directory holds")) from None
    except (OSError, ValueError) as exc:
        raise BadKeyFile(_("{what} at {path} is unreadable: {exc}").format(what=what, path=path, exc=exc), _("restore it from the key officer's backup")) from None
    if not isinstance(data, dict):
        raise BadKeyFile(_("{what} at {path} is not a key file").format(what=what, path=path), _("restore it from the key officer's backup"))
    return data


def _kek(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    return Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"]).derive(passphrase.encode("utf-8"))


def _aad(kind: str, kid_hex: str) -> bytes:
    return f"{KEY_FORMAT}|{kind}|{kid_hex}".encode()


def private_record(kind: str, private, passphrase: str | None, extra: dict[str, Any] | None = None,
                   demo: bool = False) -> dict[str, Any]:
    pub = raw_public(private)
    kid = key_id(pub).hex()
    record: dict[str, Any] = {"format": KEY_FORMAT, "kind": kind, "algorithm": ALGORITHMS[kind],
                              "key_id": kid, "public_key": pub.hex(), **(extra or {}),
                              "created_at": int(time.time())}
    if demo:
        record.update({"protection": DEMO, "warning": DEMO_WARNING, "private_key": raw_private(private).hex()})
        return record
    if not passphrase:
        raise PassphraseRequired(_("the new {kind} key").format(kind=kind))
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    sealed = ChaCha20Poly1305(_kek(passphrase, salt, SCRYPT)).encrypt(nonce, raw_private(private), _aad(kind, kid))
    record["protection"] = {"kdf": "scrypt", **SCRYPT, "salt": salt.hex(),
                            "cipher": "ChaCha20-Poly1305", "nonce": nonce.hex()}
    record["sealed_private_key"] = sealed.hex()
    return record


@dataclass(frozen=True)
class LoadedKey:
    kind: str
    private: Any
    public_raw: bytes
    kid: bytes
    record: dict[str, Any]

    @property
    def demo(self) -> bool:
        return self.record.get("protection") == DEMO


def is_encrypted(record: dict[str, Any]) -> bool:
    return record.get("protection") != DEMO


def load_private(path: Path, kind: str, passphrase: str | None) -> LoadedKey:
    record = read_json(path, f"{kind} key")
    what = f"{kind} key {Path(path).name}"
    if record.get("format") != KEY_FORMAT or record.get("kind") != kind:
        raise BadKeyFile(_("{path} is not a {kind} private key").format(path=path, kind=kind), _("point --keys at the right directory"))
    try:
        kid_hex = record["key_id"]
        if record.get("protection") == DEMO:
            raw = bytes.fromhex(record["private_key"])
        else:
            if not passphrase:
                raise PassphraseRequired(what)
            prot = record["protection"]
            if prot.get("kdf") != "scrypt" or prot.get("cipher") != "ChaCha20-Poly1305":
                raise BadKeyFile(_("{path} uses an unknown protection").format(path=path), _("update Sigilo"))
            kek = _kek(passphrase, bytes.fromhex(prot["salt"]), prot)
            try:
                raw = ChaCha20Poly1305(kek).decrypt(bytes.fromhex(prot["nonce"]),
                                                    bytes.fromhex(record["sealed_private_key"]),
                                                    _aad(kind, kid_hex))
            except InvalidTag:
                raise WrongPassphrase(what) from None
        private = private_from_raw(kind, raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise BadKeyFile(_("{path} is damaged ({kind})").format(path=path, kind=exc.__class__.__name__), _("restore it from the key officer's backup")) from None
    pub = raw_public(private)
    if pub.hex() != record.get("public_key") or key_id(pub).hex() != kid_hex:
        raise BadKeyFile(_("{path}: the private key does not match its public key").format(path=path), _("restore it from backup"))
    return LoadedKey(kind, private, pub, key_id(pub), record)


def load_public(path: Path, expected_format: str, what: str) -> dict[str, Any]:
    record = read_json(path, what)
    if record.get("format") != expected_format:
        raise BadKeyFile(_("{path} is not a {what} (format {format!r})").format(path=path, what=what, format=record.get('format')), _("check which file you passed"))
    try:
        raw = bytes.fromhex(record["public_key"])
        if len(raw) != 32 or key_id(raw).hex() != record["key_id"]:
            raise ValueError(_("key id does not match the key"))
    except (KeyError, TypeError, ValueError) as exc:
        raise BadKeyFile(_("{path}: {what} is damaged ({exc})").format(path=path, what=what, exc=exc), _("ask for a fresh copy")) from None
    return record
