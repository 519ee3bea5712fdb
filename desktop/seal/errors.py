"""Why a seal was refused. Each refusal has its own class and its own exit status, so a
scanner script (or a sorting-line PLC) can tell "this label is forged" from "this scanner
lacks this year's key" without reading prose."""

from __future__ import annotations

from desktop.errors import SigiloError


class SealError(SigiloError):
    """Base of every refusal to seal or open a label."""

    exit_code = 10
    reason = "refused"


class MalformedSeal(SealError):
    exit_code = 11
    reason = "malformed"

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message, hint or "scan the QR code again; if it keeps failing the label is damaged or not a Sigilo label")


class UnknownFleetKey(SealError):
    exit_code = 12
    reason = "wrong-fleet-key"


class UnknownStation(SealError):
    exit_code = 13
    reason = "unknown-station"


class RevokedStation(SealError):
    exit_code = 14
    reason = "revoked-station"


class BadSignature(SealError):
    exit_code = 15
    reason = "bad-signature"


class TamperedSeal(SealError):
    exit_code = 16
    reason = "tampered"


class ExpiredSeal(SealError):
    exit_code = 17
    reason = "expired"


class BadLifetime(SealError):
    """A genuine header whose times no station writes: issued after it expires, issued more than
    a day ahead of the scanner's clock, or valid for longer than the longest station validity."""

    exit_code = 10
    reason = "bad-lifetime"


class TrackingMismatch(SealError):
    exit_code = 18
    reason = "tracking-mismatch"


class SealingFailed(SealError):
    """The station could not seal (bad input, e.g. a tracking number the header cannot hold)."""

    exit_code = 19
    reason = "cannot-seal"


REFUSALS = (MalformedSeal, UnknownFleetKey, UnknownStation, RevokedStation, BadSignature,
            TamperedSeal, ExpiredSeal, BadLifetime, TrackingMismatch)
