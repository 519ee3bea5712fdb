"""Void lists: the labels a station voided, signed by that station's key, so scanners elsewhere
refuse them (docs/seal-format.md §8).

A void list is a JSON object like the trust list: the signed JSON as a string and an Ed25519
signature over its UTF-8 bytes, by the station key whose id it names. A scanner accepts one
only from a station on its trust list (not revoked, not unknown), never one with a lower serial
than it accepted before from that station, and keeps them beside the trust list in
``voids/<station key id>.json``. Each entry names the label by tracking number and by the
SHA-256 of its envelope bytes, so a corrected label that reused the number still opens.
"""

from __future__ import annotations

from desktop.i18n import _

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from desktop.errors import SigiloError
from desktop.seal.errors import SealError

VOIDS_FORMAT = "sigilo-voids-1"
FOLDER = "voids"


class VoidedSeal(SealError):
    """The label was voided by the station that printed it: the parcel must not ship under it."""

    exit_code = 28
    reason = "voided"

    def __init__(self, message: str, hint: str = "", *, tracking_number: str = "", voided_at: float | None = None,
                 by: str = "", why: str = "", station_id: str = "") -> None:
        super().__init__(message, hint)
        self.tracking_number = tracking_number
        self.voided_at = voided_at
        self.by = by
        self.why = why
        self.station_id = station_id


class VoidListError(SigiloError):
    """A void list that cannot be accepted: bad signature, unknown or revoked station, damaged,
    (an older list than one accepted before is desktop.keys.highwater.ListRollback, exit 26)."""

    exit_code = 29


def envelope_hash(text: str) -> str:
    """SHA-256 (hex) of a seal's envelope bytes: the Base45-decoded text after ``SG1:``, case
    and surrounding whitespace as a scanner may have typed them do not matter."""
    from desktop.seal.base45 import b45decode
    from desktop.seal.envelope import PREFIX, normalise_text

    clean = normalise_text(text)
    if not clean.startswith(PREFIX):
        raise ValueError("not a Sigilo seal")
    return hashlib.sha256(b45decode(clean[len(PREFIX):])).hexdigest()


def _when(ts: float | None) -> str:
    if not ts:
        return "an unknown time"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def voided_error(tracking: str, voided_at: float | None, by: str, why: str, where: str) -> VoidedSeal:
    """The refusal a clerk or courier reads: which label, when, by whom and why."""
    who = _(" by {name}").format(name=by) if by else ""
    because = f": {why}" if why else ""
    return VoidedSeal(_("label {tracking} was voided {where} on {when}{who}{because}").format(
                          tracking=tracking, where=where, when=_when(voided_at), who=who, because=because),
                      _("do not deliver under this label; the parcel needs its corrected label (ask the sender)"),
                      tracking_number=tracking, voided_at=voided_at, by=by, why=why)


@dataclass
class VoidList:
    station_id: str
    station_key_id: str
    serial: int
    issued_at: int
    voids: list[dict[str, Any]] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        return {"format": VOIDS_FORMAT, "station_id": self.station_id, "station_key_id": self.station_key_id,
                "serial": self.serial, "issued_at": self.issued_at, "voids": self.voids}

    def find(self, tracking: str, digest: str) -> dict | None:
        for entry in self.voids:
            if entry.get("envelope_sha256") == digest and entry.get("tracking_number") == tracking:
                return entry
        return None


def sign(voids: VoidList, station_private: ed25519.Ed25519PrivateKey) -> dict[str, Any]:
    """The void list document: ``signed`` (compact JSON, as stored) and the station's
    Ed25519 signature over its UTF-8 bytes."""
    signed = json.dumps(voids.body(), ensure_ascii=False, separators=(",", ":"))
    return {"format": VOIDS_FORMAT, "station_key_id": voids.station_key_id, "signed": signed,
            "signature": station_private.sign(signed.encode("utf-8")).hex()}


def verify(document: Any, trust, where: str = "void list") -> VoidList:
    """Check a void list against a TrustList: signed by a station key the list trusts."""
    if not isinstance(document, dict) or document.get("format") != VOIDS_FORMAT:
        raise VoidListError(_("{where} is not a Sigilo void list").format(where=where), _("import the voids file a station exported "
                                                                  "with `sigilo voids export`"))
    kid = str(document.get("station_key_id", ""))
    trusted, revoked = trust.find(kid)
    if not trusted:
        if revoked:
            raise VoidListError(_("{where} is signed by station key {kid}, which was revoked").format(where=where, kid=kid),
                                _("void lists of a revoked station are not trusted; ask the key officer"))
        raise VoidListError(_("{where} is signed by station key {kid}, which is not on the trust list (serial {serial})").format(where=where, kid=kid, serial=trust.serial), _("import the newest trust list first, then the void list"))
    try:
        signed = document["signed"]
        signature = bytes.fromhex(document["signature"])
    except (KeyError, TypeError, ValueError):
        raise VoidListError(_("{where} is damaged").format(where=where), _("ask the station for a fresh export")) from None
    if not isinstance(signed, str):
        raise VoidListError(_("{where} is damaged").format(where=where), _("ask the station for a fresh export"))
    ok = False
    for entry in trusted:
        try:
            ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(entry["public_key"])).verify(
                signature, signed.encode("utf-8"))
            ok = True
            break
        except (InvalidSignature, ValueError):
            continue
    if not ok:
        raise VoidListError(_("{where} does not carry a valid signature of station key {kid}").format(where=where, kid=kid),
                            _("it was changed after signing, or is not from that station; ask for a fresh export"))
    try:
        body = json.loads(signed)
        voids = VoidList(str(body["station_id"]), str(body["station_key_id"]), int(body["serial"]),
                         int(body["issued_at"]), list(body["voids"]))
    except (ValueError, KeyError, TypeError):
        raise VoidListError(_("{where} is damaged").format(where=where), _("ask the station for a fresh export")) from None
    if body.get("format") != VOIDS_FORMAT or voids.station_key_id != kid or \
            not all(isinstance(e, dict) for e in voids.voids):
        raise VoidListError(_("{where} is damaged").format(where=where), _("ask the station for a fresh export"))
    return voids


def import_list(keys_dir: Path, source: Path) -> VoidList:
    """Install a station's void list beside the scanner's trust list, after checking it.
    Refuses a list with a lower serial than one accepted before from that station."""
    from desktop.keys import manage
    from desktop.keys.layout import KeysDir

    try:
        document = json.loads(Path(source).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise VoidListError(_("cannot read the void list {source} ({kind})").format(source=source, kind=type(exc).__name__),
                            _("give the .json file `sigilo voids export` wrote")) from None
    from desktop.keys.highwater import HighWater

    trust = manage.load_trust(KeysDir.at(keys_dir))
    voids = verify(document, trust, str(source))
    # the highest serial accepted from this station key, kept in the data folder apart from the
    # lists: an older list (ListRollback, exit 26) never brings a voided label back
    HighWater().accept("void", voids.station_key_id, voids.serial, what=f"void list of station {voids.station_id}")
    folder = Path(keys_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{voids.station_key_id}.json"
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(target)
    return voids


def load_lists(keys_dir: Path, trust) -> list[VoidList]:
    """Every void list installed in ``keys_dir/voids``, each checked again against the trust
    list (a station revoked since no longer voids anything; a changed file is refused)."""
    from desktop.keys.highwater import HighWater

    folder = Path(keys_dir) / FOLDER
    out = []
    marks = HighWater()
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            voids = verify(json.loads(path.read_text(encoding="utf-8")), trust, str(path))
            marks.check("void", voids.station_key_id, voids.serial, what=f"void list of station {voids.station_id}")
            out.append(voids)
        except (OSError, ValueError) as exc:
            raise VoidListError(_("the installed void list {path} cannot be read ({kind})").format(path=path, kind=type(exc).__name__),
                                _("import it again")) from None
    return out


def check(text: str, tracking: str, lists: list[VoidList]) -> None:
    """Raise VoidedSeal when a void list names this label (by tracking number and envelope)."""
    if not lists:
        return
    try:
        digest = envelope_hash(text)
    except ValueError:
        return
    for voids in lists:
        entry = voids.find(tracking, digest)
        if entry is not None:
            exc = voided_error(tracking, entry.get("voided_at"), "", "", _("by station {station}").format(station=voids.station_id))
            exc.station_id = voids.station_id
            raise exc
