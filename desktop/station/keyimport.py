"""Installing the key files a key officer hands over, as `sigilo keys import-fleet` and
`import-trust` do, for the window's Settings > Keys."""

from __future__ import annotations

from desktop.i18n import _

import json
from pathlib import Path

from desktop.errors import SigiloError


def import_key_files(paths: list[str], station_dir: Path, scanner_dir: Path) -> list[str]:
    """A fleet public key goes to the station's fleet folder (so it seals to it), a fleet
    private key to the scanner's, a trust list (with the authority key chosen beside it, if
    any) to the scanner's after its signature is checked. Returns what was installed, in
    words; a file that is none of these is refused by name."""
    from desktop.keys import manage
    from desktop.keys.keyfile import KEY_FORMAT
    from desktop.keys.layout import KeysDir
    from desktop.keys.trust import TRUST_FORMAT
    from desktop.station.keys import forget_keys

    kinds: dict[str, list[Path]] = {"fleet-pub": [], "fleet-key": [], "authority": [], "trust": []}
    for p in map(Path, paths):
        try:
            fmt = json.loads(p.read_text(encoding="utf-8")).get("format")
        except (OSError, ValueError, AttributeError) as exc:
            raise SigiloError(_("{name} is not a Sigilo key file").format(name=p.name), _("choose the .pub, .key or trust.json "
                                                                    "the key officer gave you")) from exc
        kind = {manage.FLEET_PUB_FORMAT: "fleet-pub", KEY_FORMAT: "fleet-key",
                manage.AUTHORITY_PUB_FORMAT: "authority", TRUST_FORMAT: "trust"}.get(fmt)
        if kind is None:
            raise SigiloError(_("{name} is not a fleet key, authority key or trust list").format(name=p.name),
                              _("a station key is created on this machine with `sigilo keys create-station`"))
        kinds[kind].append(p)
    done = []
    for p in kinds["fleet-pub"]:
        b = manage.import_fleet(KeysDir.at(station_dir), p)
        done.append(_("fleet key {region}-{epoch} for sealing").format(region=b['region'], epoch=b['epoch']))
    for p in kinds["fleet-key"]:
        b = manage.import_fleet(KeysDir.at(scanner_dir), p)
        done.append(_("fleet private key {region}-{epoch} for scanning").format(region=b['region'], epoch=b['epoch']))
    authority = kinds["authority"][0] if kinds["authority"] else None
    for p in kinds["trust"]:
        t = manage.import_trust(KeysDir.at(scanner_dir), p, authority)
        done.append(_("trust list serial {serial}").format(serial=t.serial))
    if authority is not None and not kinds["trust"]:
        raise SigiloError(_("an authority key is installed together with its trust list"),
                          _("choose trust.json and authority.pub together"))
    forget_keys()
    return done
