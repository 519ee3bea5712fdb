"""The identity key: a key of its own kind, held by the carrier's compliance office (or the
regulator), never by scanners or print stations.

The compliance office's directory (``sigilo keys create-identity``):

    DIR/identity.key        X25519 private key that opens sealed identity records (encrypted)
    DIR/identity-sign.key   Ed25519 key that signs the hashed watch list (encrypted)
    DIR/identity.pub        public bundle: the sealing key and the watch-list verifying key
    DIR/identity-hash.key   the keyed-hash secret (encrypted), so the office can hash a watch list
    DIR/identity-enrol.json what a station imports: identity.pub + the hash secret (still
                            encrypted) + the station kind the policy applies

A station (``sigilo keys import-identity identity-enrol.json``) then holds identity.pub and
identity-hash.key only: it can seal and recognise a returning sender, never open a record.
The secret's passphrase is the one the key officer gave the station with its enrolment;
Sigilo looks it up as it does the station key's (file, SIGILO_PASSPHRASE, OS keyring).
"""

from __future__ import annotations

import hmac
import hashlib
import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from desktop.identity.errors import IdentityNotSetUp
from desktop.keys.errors import BadKeyFile, PassphraseRequired, WrongPassphrase
from desktop.keys.ids import key_id
from desktop.keys.keyfile import (
    DEMO, KEY_FORMAT, SCRYPT, _aad, _kek, load_private, load_public, new_private, private_record, read_json,
    write_private_file, write_public_file,
)
from desktop.keys.passphrase import for_keys_dir

IDENTITY_PUB_FORMAT = "sigilo-identity-pub-1"
ENROLMENT_FORMAT = "sigilo-identity-enrolment-1"
SECRET_KIND = "identity-hash"
STATION_KINDS = ("counter", "merchant", "warehouse")


@dataclass(frozen=True)
class IdentityPaths:
    root: Path

    key = property(lambda self: self.root / "identity.key")
    sign_key = property(lambda self: self.root / "identity-sign.key")
    pub = property(lambda self: self.root / "identity.pub")
    secret = property(lambda self: self.root / "identity-hash.key")
    enrolment = property(lambda self: self.root / "identity-enrol.json")


def _refuse_overwrite(*paths: Path) -> None:
    for path in paths:
        if path.exists():
            raise BadKeyFile(f"{path} already exists; Sigilo never overwrites a key",
                             "move it away first if you really mean to replace it")


def secret_record(secret: bytes, passphrase: str | None, demo: bool = False) -> dict[str, Any]:
    """The hash secret at rest, in the private key file format (scrypt + ChaCha20-Poly1305)."""
    kid = hashlib.sha256(b"sigilo identity hash secret id\x00" + secret).hexdigest()[:8]
    record: dict[str, Any] = {"format": KEY_FORMAT, "kind": SECRET_KIND, "algorithm": "HMAC-SHA256",
                              "key_id": kid, "created_at": int(time.time())}
    if demo:
        record.update({"protection": DEMO, "private_key": secret.hex()})
        return record
    if not passphrase:
        raise PassphraseRequired("the identity hash secret")
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    sealed = ChaCha20Poly1305(_kek(passphrase, salt, SCRYPT)).encrypt(nonce, secret, _aad(SECRET_KIND, kid))
    record["protection"] = {"kdf": "scrypt", **SCRYPT, "salt": salt.hex(), "cipher": "ChaCha20-Poly1305",
                            "nonce": nonce.hex()}
    record["sealed_private_key"] = sealed.hex()
    return record


def open_secret(record: dict[str, Any], passphrase: str | None, where: str) -> bytes:
    if record.get("format") != KEY_FORMAT or record.get("kind") != SECRET_KIND:
        raise BadKeyFile(f"{where} is not an identity hash secret", "import the enrolment file again")
    try:
        if record.get("protection") == DEMO:
            secret = bytes.fromhex(record["private_key"])
        else:
            if not passphrase:
                raise PassphraseRequired(f"the identity hash secret {where}")
            prot = record["protection"]
            kek = _kek(passphrase, bytes.fromhex(prot["salt"]), prot)
            try:
                secret = ChaCha20Poly1305(kek).decrypt(bytes.fromhex(prot["nonce"]),
                                                       bytes.fromhex(record["sealed_private_key"]),
                                                       _aad(SECRET_KIND, record["key_id"]))
            except InvalidTag:
                raise WrongPassphrase(f"the identity hash secret {where}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise BadKeyFile(f"{where} is damaged ({exc.__class__.__name__})", "import the enrolment file again") from None
    if len(secret) != 32:
        raise BadKeyFile(f"{where} holds no 32-byte secret", "import the enrolment file again")
    return secret


def create_identity(root: Path, passphrase: str | None, *, station_kind: str = "counter",
                    demo: bool = False) -> dict[str, Any]:
    """The compliance office's identity key set and the enrolment file for its stations."""
    paths = IdentityPaths(Path(root))
    if station_kind not in STATION_KINDS:
        raise BadKeyFile(f"unknown station kind {station_kind!r}", "use one of: " + ", ".join(STATION_KINDS))
    _refuse_overwrite(paths.key, paths.sign_key, paths.pub, paths.secret, paths.enrolment)
    seal_key = new_private("identity")
    sign_key = new_private("identity-sign")
    seal_rec = private_record("identity", seal_key, passphrase, demo=demo)
    sign_rec = private_record("identity-sign", sign_key, passphrase, demo=demo)
    secret = secret_record(secrets.token_bytes(32), passphrase, demo=demo)
    write_private_file(paths.key, seal_rec)
    write_private_file(paths.sign_key, sign_rec)
    write_private_file(paths.secret, secret)
    bundle = {"format": IDENTITY_PUB_FORMAT, "key_id": seal_rec["key_id"], "public_key": seal_rec["public_key"],
              "sign_key_id": sign_rec["key_id"], "sign_public_key": sign_rec["public_key"],
              "hash_key_id": secret["key_id"], "created_at": seal_rec["created_at"]}
    write_public_file(paths.pub, bundle)
    write_private_file(paths.enrolment, {"format": ENROLMENT_FORMAT, "identity": bundle, "hash_secret": secret,
                                         "station_kind": station_kind})
    return bundle


def load_bundle(path: Path) -> dict[str, Any]:
    bundle = load_public(path, IDENTITY_PUB_FORMAT, "identity public key")
    try:
        raw = bytes.fromhex(bundle["sign_public_key"])
        if len(raw) != 32 or key_id(raw).hex() != bundle["sign_key_id"]:
            raise ValueError("watch-list key id does not match")
    except (KeyError, TypeError, ValueError) as exc:
        raise BadKeyFile(f"{path}: identity public key is damaged ({exc})", "ask the compliance office for a fresh copy") from None
    return bundle


def import_enrolment(root: Path, enrolment_path: Path) -> dict[str, Any]:
    """Install a station's identity enrolment: the public bundle and the (still encrypted)
    hash secret. Returns the enrolment's facts (key ids, station kind)."""
    paths = IdentityPaths(Path(root))
    data = read_json(enrolment_path, "identity enrolment")
    if data.get("format") != ENROLMENT_FORMAT:
        raise BadKeyFile(f"{enrolment_path} is not an identity enrolment file",
                         "ask the compliance office for identity-enrol.json")
    bundle, secret = data.get("identity"), data.get("hash_secret")
    if not isinstance(bundle, dict) or not isinstance(secret, dict) or secret.get("kind") != SECRET_KIND:
        raise BadKeyFile(f"{enrolment_path} is incomplete", "ask the compliance office for a fresh enrolment file")
    kind = data.get("station_kind", "counter")
    if kind not in STATION_KINDS:
        raise BadKeyFile(f"{enrolment_path} names an unknown station kind", "ask the compliance office")
    for target, new in ((paths.pub, bundle), (paths.secret, secret)):
        if target.exists() and read_json(target, "identity key").get("key_id") != new.get("key_id"):
            raise BadKeyFile(f"a different identity key is already installed at {target}",
                             "ask the compliance office which one is right; remove the wrong file")
    paths.root.mkdir(parents=True, exist_ok=True)
    tmp = paths.root / f".identity-pub-check-{secrets.token_hex(4)}.json"
    write_public_file(tmp, bundle)
    try:
        load_bundle(tmp)
    finally:
        tmp.unlink(missing_ok=True)
    write_public_file(paths.pub, bundle)
    write_private_file(paths.secret, secret)
    return {"key_id": bundle["key_id"], "hash_key_id": secret.get("key_id"), "station_kind": kind}


@dataclass(frozen=True)
class StationIdentityKeys:
    """What a station records with: the public sealing key and the hash secret."""

    public_raw: bytes
    key_id: str
    sign_public_raw: bytes
    hasher: "KeyedHash"


class KeyedHash:
    """HMAC-SHA256 under the enrolment's secret, over the ID type and the normalised number:
    the same person is recognised across days (and stations of one carrier) without the
    number being stored. The hex form is cut to 32 characters (128 bits)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def of(self, id_type: str, number: str) -> str:
        msg = b"sigilo-identity-hash-1\x00" + id_type.encode() + b"\x00" + normalise_number(number).encode()
        return hmac.new(self._secret, msg, hashlib.sha256).hexdigest()[:32]

    def of_account(self, business_name: str) -> str:
        """A business sender account, by its name as printed (NFKC, case and spaces folded)."""
        folded = " ".join(unicodedata.normalize("NFKC", business_name).casefold().split())
        msg = b"sigilo-identity-account-1\x00" + folded.encode("utf-8")
        return hmac.new(self._secret, msg, hashlib.sha256).hexdigest()[:32]


def normalise_number(number: str) -> str:
    """NFKC (full-width digits and letters to ASCII), spaces and dashes out, upper case."""
    text = unicodedata.normalize("NFKC", number or "")
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-‐‑–—").upper()


def station_keys(root: Path, passphrase: str | None = None) -> StationIdentityKeys:
    paths = IdentityPaths(Path(root))
    if not paths.pub.exists() or not paths.secret.exists():
        from desktop.i18n import _

        raise IdentityNotSetUp(_("Real-name sending is not set up at this station (no identity key)."),
                               _("Import the compliance office's enrolment file: sigilo keys import-identity FILE"))
    bundle = load_bundle(paths.pub)
    record = read_json(paths.secret, "identity hash secret")
    encrypted = record.get("protection") != DEMO
    secret = open_secret(record, for_keys_dir(paths.root, passphrase, encrypted), str(paths.secret))
    return StationIdentityKeys(bytes.fromhex(bundle["public_key"]), bundle["key_id"],
                               bytes.fromhex(bundle["sign_public_key"]), KeyedHash(secret))


def compliance_private(root: Path, passphrase: str | None = None):
    """The private key that opens identity records (compliance office only)."""
    paths = IdentityPaths(Path(root))
    if not paths.key.exists():
        from desktop.keys.errors import MissingKey

        raise MissingKey(f"{paths.root} holds no identity private key; a station cannot open its own identity "
                         "records", "open the export at the compliance office, with its identity key directory")
    encrypted = read_json(paths.key, "identity key").get("protection") != DEMO
    return load_private(paths.key, "identity", for_keys_dir(paths.root, passphrase, encrypted))


def compliance_signer(root: Path, passphrase: str | None = None):
    paths = IdentityPaths(Path(root))
    encrypted = read_json(paths.sign_key, "identity signing key").get("protection") != DEMO
    return load_private(paths.sign_key, "identity-sign", for_keys_dir(paths.root, passphrase, encrypted))


def compliance_hasher(root: Path, passphrase: str | None = None) -> KeyedHash:
    paths = IdentityPaths(Path(root))
    record = read_json(paths.secret, "identity hash secret")
    encrypted = record.get("protection") != DEMO
    return KeyedHash(open_secret(record, for_keys_dir(paths.root, passphrase, encrypted), str(paths.secret)))
