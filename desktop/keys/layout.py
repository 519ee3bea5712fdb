"""The keys directory: one layout read by the sealer, the scanner and ``sigilo keys``.

    DIR/fleet/<region>-<epoch>.pub   fleet public key (every station holds the ones it seals to)
    DIR/fleet/<region>-<epoch>.key   fleet private key (scanners only; passphrase-encrypted)
    DIR/station.key                  this station's signing key (passphrase-encrypted)
    DIR/station.pub                  its public bundle, sent to the fleet authority
    DIR/station.json                 station id, name, region it seals to, validity days
    DIR/authority.pub                the fleet authority's public key (scanners verify trust.json)
    DIR/authority.key                the authority's private key (key officer only)
    DIR/trust.json                   signed list of trusted and revoked stations

One directory may hold any subset: a print station has station.*, fleet/*.pub; a scanner has
fleet/*.key, authority.pub, trust.json; the demo set has everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from desktop.keys.errors import BadKeyFile
from desktop.i18n import _

FLEET_NAME = re.compile(r"^(?P<region>[a-z0-9]+(?:-[a-z0-9]+)*?)-(?P<epoch>[0-9]+)$")
REGION = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def check_region(region: str) -> str:
    if not REGION.match(region) or region.rsplit("-", 1)[-1].isdigit():
        raise BadKeyFile(_("region {region!r} is not usable in a key name").format(region=region),
                         _("use lowercase letters, digits and dashes, not ending in -<number> (e.g. cn, br, "
                           "intl)"))
    return region


@dataclass(frozen=True)
class KeysDir:
    root: Path

    @classmethod
    def at(cls, path: str | Path) -> "KeysDir":
        return cls(Path(path))

    @property
    def fleet_dir(self) -> Path:
        return self.root / "fleet"

    def fleet_pub(self, region: str, epoch: int) -> Path:
        return self.fleet_dir / f"{region}-{epoch}.pub"

    def fleet_key(self, region: str, epoch: int) -> Path:
        return self.fleet_dir / f"{region}-{epoch}.key"

    station_key = property(lambda self: self.root / "station.key")
    station_pub = property(lambda self: self.root / "station.pub")
    station_json = property(lambda self: self.root / "station.json")
    authority_key = property(lambda self: self.root / "authority.key")
    authority_pub = property(lambda self: self.root / "authority.pub")
    trust = property(lambda self: self.root / "trust.json")

    def fleet_files(self, suffix: str) -> list[tuple[str, int, Path]]:
        """(region, epoch, path) of every fleet/<region>-<epoch><suffix>, by region then epoch."""
        out = []
        if self.fleet_dir.is_dir():
            for path in self.fleet_dir.glob(f"*{suffix}"):
                match = FLEET_NAME.match(path.name[: -len(suffix)])
                if match:
                    out.append((match["region"], int(match["epoch"]), path))
        return sorted(out, key=lambda t: (t[0], t[1]))

    def epochs(self, region: str, suffix: str = ".pub") -> list[int]:
        return [e for r, e, _ in self.fleet_files(suffix) if r == region]
