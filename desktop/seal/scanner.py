"""Opening a seal at an authorized scanner: decrypt with a fleet key, check the station against
the signed trust list, check the signature, expiry and the barcode.

The checks run in an order that makes each refusal say what is wrong: the header names the
fleet key and the station, so "this scanner lacks the key" and "unknown/revoked station" come
first; then decryption (any changed byte of header, ``enc`` or ciphertext fails it: tampered);
then the signature over intact content (failure means someone other than the station made it);
then expiry and the barcode, which only mean something once the header is proven genuine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from desktop.keys import manage
from desktop.keys.errors import MissingKey, WrongPassphrase
from desktop.keys.keyfile import LoadedKey, is_encrypted, load_private, read_json
from desktop.keys.layout import KeysDir
from desktop.keys.passphrase import for_keys_dir
from desktop.keys.trust import TrustList
from desktop.seal import envelope as env
from desktop.seal.errors import (
    BadLifetime, BadSignature, ExpiredSeal, MalformedSeal, RevokedStation, TamperedSeal, TrackingMismatch,
    UnknownFleetKey, UnknownStation,
)
from desktop.seal.payload import PayloadError, decode_shipment
from desktop.seal.suite import SUITE
from desktop.shipment import Shipment
from desktop.i18n import _


@dataclass(frozen=True)
class Opened:
    shipment: Shipment
    station_id: str
    station_name: str
    tracking_number: str
    issued_at: int
    expires_at: int
    fleet_key_id: str


def _verifies(entry: dict, signature: bytes, signed: bytes) -> bool:
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(entry["public_key"])).verify(signature, signed)
        return True
    except (InvalidSignature, ValueError):
        return False


DAY = 86400
CLOCK_SKEW = DAY  # a station clock up to a day fast still seals labels a scanner opens
MAX_LIFETIME = 3650 * DAY  # the longest validity a station can be given (sigilo keys create-station)


def _fmt_time(t: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t))


def check_lifetime(issued_at: int, expires_at: int, now: int) -> None:
    """seal-format.md §4 step 7: issued_at < expires_at, issued no more than CLOCK_SKEW ahead of
    the scanner's clock, valid no longer than MAX_LIFETIME, and not yet expired."""
    if not issued_at < expires_at:
        raise BadLifetime(_("the seal claims to expire ({fmt_time}) before it was issued ({fmt_time2})").format(fmt_time=_fmt_time(expires_at), fmt_time2=_fmt_time(issued_at)), _("treat the label as faulty; report it with the sealing station's id"))
    if issued_at > now + CLOCK_SKEW:
        raise BadLifetime(_("the seal was issued on {fmt_time}, later than this scanner's clock allows "
                            "({fmt_time2})").format(fmt_time=_fmt_time(issued_at), fmt_time2=_fmt_time(now)), _("check this scanner's date and time; if it is right, the sealing station's clock is "
                                                   "wrong: report it"))
    if expires_at - issued_at > MAX_LIFETIME:
        raise BadLifetime(_("the seal claims to be valid until {fmt_time}, longer than any station may seal "
                            "({value} days)").format(fmt_time=_fmt_time(expires_at), value=MAX_LIFETIME // DAY), _("treat the label as faulty; report it"))
    if now >= expires_at:
        raise ExpiredSeal(_("the seal expired on {fmt_time}").format(fmt_time=_fmt_time(expires_at)),
                          _("ask the sender to reprint the label; expired seals are not opened"))


class Scanner:
    def __init__(self, fleet_keys: list[LoadedKey], trust: TrustList,
                 locked: tuple[tuple[str, str], ...] = ()) -> None:
        self.fleet_keys = fleet_keys
        self.trust = trust
        # (key id hex, file name) of fleet keys held but sealed under another passphrase
        self.locked = dict(locked)
        # indexed once: a fleet's trust list may name thousands of stations
        self._fleet: dict[bytes, list[LoadedKey]] = {}
        for key in fleet_keys:
            self._fleet.setdefault(key.kid, []).append(key)
        self._trusted: dict[str, list[dict]] = {}
        self._revoked: dict[str, list[dict]] = {}
        for entry in trust.stations:
            self._trusted.setdefault(entry["key_id"], []).append(entry)
        for entry in trust.revoked:
            self._revoked.setdefault(entry["key_id"], []).append(entry)

    @classmethod
    def from_keys_dir(cls, path: str | Path, passphrase: str | None = None) -> "Scanner":
        """Every fleet private key in DIR/fleet (all epochs), and the trust list checked
        against DIR/authority.pub."""
        kd = KeysDir.at(path)
        paths = [p for _, _, p in kd.fleet_files(".key")]
        secret = for_keys_dir(kd.root, passphrase, any(is_encrypted(read_json(p, "fleet key")) for p in paths))
        keys, locked, refused = [], [], None
        for p in paths:
            # epochs created years apart may carry different passphrases: the keys this one
            # opens still work, and a label needing another is told which key and why
            try:
                keys.append(load_private(p, "fleet", secret))
            except WrongPassphrase as exc:
                refused = refused or exc
                locked.append((str(read_json(p, "fleet key").get("key_id", "")), p.name))
        if not keys and refused is not None:
            raise refused
        if not keys:
            raise MissingKey(_("no fleet private key in {fleet_dir}").format(fleet_dir=kd.fleet_dir),
                             _("a scanner needs fleet/<region>-<epoch>.key from the key officer"))
        return cls(keys, manage.load_trust(kd), tuple(locked))

    def open(self, text: str, barcode: str | None = None, now: int | None = None) -> Opened:
        envelope = env.parse_text(text)
        header = envelope.header
        fleet = self._fleet.get(header.fleet_kid, [])
        if not fleet and header.fleet_kid.hex() in self.locked:
            raise WrongPassphrase(
                _("fleet key {value}, which this label needs (the passphrase given opens only the "
                  "scanner's other fleet keys)").format(value=self.locked[header.fleet_kid.hex()]))
        if not fleet:
            held = ", ".join(f"{k.record.get('region', '?')}-{k.record.get('epoch', '?')} ({k.kid.hex()})"
                             for k in self.fleet_keys)
            raise UnknownFleetKey(
                _("this scanner holds no fleet key with id {hex} (it holds {held})").format(hex=header.fleet_kid.hex(), held=held),
                _("import the fleet key of the label's region and epoch from the key officer (sigilo "
                  "keys import-fleet)"))
        kid_hex = header.station_kid.hex()
        trusted, revoked = self._trusted.get(kid_hex, []), self._revoked.get(kid_hex, [])
        if not trusted:
            if revoked:
                r = revoked[-1]
                raise RevokedStation(
                    (_("station {station_id} ({name}) was revoked on {when}: {reason}") if r.get("reason")
                     else _("station {station_id} ({name}) was revoked on {when}")).format(
                        station_id=r["station_id"], name=r["name"], when=_fmt_time(r["revoked_at"]),
                        reason=r.get("reason", "")),
                    _("hold the parcel and report it; labels from a revoked station are not trusted"))
            raise UnknownStation(_("the label was sealed by station key {kid_hex}, which is not in the trust list "
                                   "(serial {serial})").format(kid_hex=kid_hex, serial=self.trust.serial),
                                 _("import the newest trust list (`sigilo keys import-trust`); if it is still unknown, "
                                   "report the label"))
        plaintext = None
        for key in fleet:
            try:
                plaintext = SUITE.decrypt(envelope.enc + envelope.ciphertext, key.private, info=header.info())
                fleet_key = key
                break
            except Exception:  # InvalidTag, or a malformed enc
                continue
        if plaintext is None:
            raise TamperedSeal(_("the seal does not decrypt: its bytes were changed or it was moved under another "
                                 "header"),
                               _("treat the label as forged; compare it with the order record"))
        signed = envelope.signed_bytes()
        station = next((entry for entry in trusted if _verifies(entry, envelope.signature, signed)), None)
        if station is None and any(_verifies(entry, envelope.signature, signed) for entry in revoked):
            r = next(entry for entry in revoked if _verifies(entry, envelope.signature, signed))
            raise RevokedStation(_("station {station_id} ({name}) was revoked on {fmt_time}").format(station_id=r['station_id'], name=r['name'], fmt_time=_fmt_time(r['revoked_at'])),
                                 _("hold the parcel and report it; labels from a revoked station are not trusted"))
        if station is None:
            raise BadSignature(_("the signature is not station {station_id}'s").format(station_id=trusted[0]['station_id']),
                               _("treat the label as forged; someone holding a fleet key but not the station key made "
                                 "it"))
        try:
            shipment = decode_shipment(plaintext, header.tracking_number)
        except PayloadError as exc:
            raise MalformedSeal(_("the sealed content is not a valid shipment: {exc}").format(exc=exc),
                                _("the sealing station runs an incompatible Sigilo; report it")) from None
        now = int(time.time()) if now is None else int(now)
        check_lifetime(header.issued_at, header.expires_at, now)
        if barcode is not None and env.normalise_barcode(barcode) != header.tracking_number:
            raise TrackingMismatch(
                _("the QR belongs to tracking number {tracking_number}, but the barcode reads "
                  "{normalise_barcode!r}").format(tracking_number=header.tracking_number, normalise_barcode=env.normalise_barcode(barcode)),
                _("the QR was moved from another waybill: hold the parcel"))
        return Opened(shipment, station["station_id"], station["name"], header.tracking_number,
                      header.issued_at, header.expires_at, fleet_key.kid.hex())
