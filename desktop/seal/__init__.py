"""The seal: a shipment encrypted to the scanner fleet and signed by the print station, as
``SG1:`` Base45 text for the label's QR code. docs/seal-format.md is the normative spec."""

from desktop.seal.demo import ensure_demo_keys
from desktop.seal.errors import (
    BadSignature, ExpiredSeal, MalformedSeal, RevokedStation, SealError, SealingFailed, TamperedSeal,
    TrackingMismatch, UnknownFleetKey, UnknownStation,
)
from desktop.seal.scanner import Opened, Scanner
from desktop.seal.sealer import Sealer

__all__ = [
    "Sealer", "Scanner", "Opened", "ensure_demo_keys", "SealError", "MalformedSeal", "UnknownFleetKey",
    "UnknownStation", "RevokedStation", "BadSignature", "TamperedSeal", "ExpiredSeal", "TrackingMismatch",
    "SealingFailed",
]
