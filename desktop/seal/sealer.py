"""Sealing at the print station: the shipment in, the ``SG1:`` text for the QR out.

The station holds only the fleet's *public* key, so it can seal but never open: stolen station
files reveal no past label. Its own Ed25519 key signs each envelope.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from desktop.keys import manage
from desktop.keys.errors import MissingKey
from desktop.keys.ids import key_id
from desktop.keys.keyfile import is_encrypted, load_private, load_public, raw_public, read_json
from desktop.keys.layout import KeysDir
from desktop.keys.passphrase import for_keys_dir
from desktop.seal import envelope as env
from desktop.seal.payload import encode_shipment, pad
from desktop.seal.suite import SUITE
from desktop.shipment import Shipment
from desktop.i18n import _

DAY = 86400


@dataclass
class Sealer:
    station_private: ed25519.Ed25519PrivateKey
    fleet_public_raw: bytes
    station_id: str = ""
    station_name: str = ""
    fleet_name: str = ""
    validity_days: int = manage.DEFAULT_VALIDITY_DAYS
    demo: bool = False  # the station key is an unencrypted DEMO-ONLY key

    def __post_init__(self) -> None:
        self._fleet_public = x25519.X25519PublicKey.from_public_bytes(self.fleet_public_raw)
        self.fleet_kid = key_id(self.fleet_public_raw)
        self.station_kid = key_id(raw_public(self.station_private))

    @classmethod
    def from_keys_dir(cls, path: str | Path, passphrase: str | None = None) -> "Sealer":
        """The station key (decrypted with ``passphrase``, else SIGILO_PASSPHRASE, else the
        passphrase remembered in the OS keyring for this directory) and the
        newest epoch of the fleet key for the station's region (or the one station.json pins)."""
        kd = KeysDir.at(path)
        config = manage.station_config(kd)
        encrypted = is_encrypted(read_json(kd.station_key, "station key"))
        station = load_private(kd.station_key, "station", for_keys_dir(kd.root, passphrase, encrypted))
        pinned = config.get("fleet")
        if pinned:
            fleet_path = kd.fleet_dir / f"{pinned}.pub"
        else:
            epochs = kd.epochs(config["region"], ".pub")
            if not epochs:
                raise MissingKey(_("no fleet public key for region {region!r} in {fleet_dir}").format(region=config['region'], fleet_dir=kd.fleet_dir),
                                 _("import one with `sigilo keys import-fleet FILE`"))
            fleet_path = kd.fleet_pub(config["region"], epochs[-1])
        fleet = load_public(fleet_path, manage.FLEET_PUB_FORMAT, "fleet public key")
        return cls(station.private, bytes.fromhex(fleet["public_key"]), config["station_id"], config["name"],
                   fleet_path.stem, int(config.get("validity_days", manage.DEFAULT_VALIDITY_DAYS)), station.demo)

    def envelope(self, shipment: Shipment, issued_at: int | None = None, expires_at: int | None = None) -> env.Envelope:
        issued = int(time.time()) if issued_at is None else int(issued_at)
        expires = issued + self.validity_days * DAY if expires_at is None else int(expires_at)
        env.check_tracking(shipment.tracking_number)
        env.check_times(issued, expires)
        header = env.Header(self.fleet_kid, self.station_kid, issued, expires, shipment.tracking_number)
        header_bytes = header.pack()
        plaintext = pad(encode_shipment(shipment))
        sealed = SUITE.encrypt(plaintext, self._fleet_public, info=header.info())
        enc, ciphertext = sealed[: env.ENC_LEN], sealed[env.ENC_LEN:]
        signature = self.station_private.sign(env.signature_input(header_bytes, enc, ciphertext))
        return env.Envelope(header, header_bytes, enc, ciphertext, signature)

    def seal(self, shipment: Shipment, issued_at: int | None = None) -> str:
        """The QR text. Expiry is issue time + the station's validity_days (default 180)."""
        return self.envelope(shipment, issued_at).to_text()

