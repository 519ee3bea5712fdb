"""The trust list: which station keys a scanner accepts, signed by the fleet authority.

The file holds the signed JSON as a string and an Ed25519 signature over its UTF-8 bytes, so a
verifier in any language checks the exact bytes that were signed and needs no canonical JSON.
A station is revoked by leaving ``stations``; it is also listed under ``revoked`` with the time,
so a scanner can say "revoked" (a label to hold back) rather than "unknown" (a missing update).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from desktop.keys.errors import BadKeyFile, TrustListError
from desktop.keys.ids import key_id
from desktop.keys.keyfile import read_json, write_public_file
from desktop.i18n import _

TRUST_FORMAT = "sigilo-trust-1"


@dataclass
class TrustList:
    authority_key_id: str
    serial: int = 0
    issued_at: int = 0
    stations: list[dict[str, Any]] = field(default_factory=list)
    revoked: list[dict[str, Any]] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        return {"format": TRUST_FORMAT, "authority_key_id": self.authority_key_id, "serial": self.serial,
                "issued_at": self.issued_at, "stations": self.stations, "revoked": self.revoked}

    def find(self, kid_hex: str) -> tuple[list[dict], list[dict]]:
        """(trusted entries, revoked entries) with this key id."""
        return ([s for s in self.stations if s["key_id"] == kid_hex],
                [s for s in self.revoked if s["key_id"] == kid_hex])

    def add(self, bundle: dict[str, Any], now: int | None = None) -> None:
        if any(s["key_id"] == bundle["key_id"] and s["public_key"] == bundle["public_key"] for s in self.revoked):
            raise TrustListError(_("station key {key_id} was revoked and cannot be trusted again").format(key_id=bundle['key_id']),
                                 _("create a new station key with `sigilo keys create-station`"))
        self.stations = [s for s in self.stations if s["station_id"] != bundle["station_id"]
                         or s["public_key"] != bundle["public_key"]]
        self.stations.append({"station_id": bundle["station_id"], "name": bundle["name"],
                              "key_id": bundle["key_id"], "public_key": bundle["public_key"],
                              "added_at": int(time.time() if now is None else now)})

    def revoke(self, station_id: str, reason: str = "", now: int | None = None, key_id: str | None = None) -> int:
        """Revoke every key of ``station_id``, or only ``key_id`` (a station that replaced its key)."""
        def hit(s: dict) -> bool:
            return s["station_id"] == station_id and (key_id is None or s["key_id"] == key_id)

        gone = [s for s in self.stations if hit(s)]
        if not gone:
            what = f"station {station_id!r}" + (f" with key {key_id}" if key_id else "")
            raise TrustListError(_("{what} is not in the trust list").format(what=what),
                                 _("run `sigilo keys list-stations` to see the station ids and key ids"))
        self.stations = [s for s in self.stations if not hit(s)]
        when = int(time.time() if now is None else now)
        for s in gone:
            self.revoked.append({**s, "revoked_at": when, "reason": reason})
        return len(gone)

    def sign(self, authority_private: ed25519.Ed25519PrivateKey, now: int | None = None) -> dict[str, Any]:
        self.serial += 1
        self.issued_at = int(time.time() if now is None else now)
        signed = json.dumps(self.body(), ensure_ascii=False, separators=(",", ":"))
        sig = authority_private.sign(signed.encode("utf-8"))
        return {"format": TRUST_FORMAT, "authority_key_id": self.authority_key_id,
                "signed": signed, "signature": sig.hex()}

    def save(self, path: Path, authority_private, now: int | None = None) -> None:
        write_public_file(path, self.sign(authority_private, now))


def verify(document: dict[str, Any], authority_public_raw: bytes, where: str = "trust list") -> TrustList:
    try:
        signed = document["signed"]
        sig = bytes.fromhex(document["signature"])
        ed25519.Ed25519PublicKey.from_public_bytes(authority_public_raw).verify(sig, signed.encode("utf-8"))
    except InvalidSignature:
        raise TrustListError(_("{where} is not signed by this fleet authority").format(where=where),
                             _("import the trust list and authority.pub you received from the key officer")) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise TrustListError(_("{where} is damaged ({kind})").format(where=where, kind=exc.__class__.__name__), _("import a fresh copy")) from None
    try:
        body = json.loads(signed)
        if not isinstance(body, dict) or body.get("format") != TRUST_FORMAT:
            raise TrustListError(_("{where} has an unknown format").format(where=where), _("update Sigilo"))
        trust = TrustList(body["authority_key_id"], body["serial"], body["issued_at"], body["stations"], body["revoked"])
        if trust.authority_key_id != key_id(authority_public_raw).hex():
            raise ValueError(_("authority key id"))
        if type(trust.serial) is not int or trust.serial < 0 or type(trust.issued_at) is not int:
            raise ValueError(_("serial"))
        for entry in trust.stations + trust.revoked:
            if not all(isinstance(entry.get(k), str) for k in ("station_id", "name", "key_id", "public_key")):
                raise ValueError(_("station entry"))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise TrustListError(_("{where} is damaged ({kind})").format(where=where, kind=exc.__class__.__name__), _("import a fresh copy")) from None
    return trust


def load(path: Path, authority_public_raw: bytes) -> TrustList:
    """The list at ``path`` after checking its signature. A file that is missing stays a
    MissingKey (21); one that is truncated or not JSON is a damaged trust list (25)."""
    try:
        document = read_json(path, "trust list")
    except BadKeyFile as exc:
        raise TrustListError(exc.message, _("import a fresh copy of the trust list from the key officer")) from None
    return verify(document, authority_public_raw, str(path))
