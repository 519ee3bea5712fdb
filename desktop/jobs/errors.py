"""The print jobs' refusals that callers tell apart."""

from __future__ import annotations

from desktop.errors import SigiloError


class DuplicateTracking(SigiloError):
    """A tracking number that already has a live label here (queued, sent or confirmed, not
    voided): a waybill number prints once; printing it again is a reprint."""

    field = "tracking_number"

    def __init__(self, message: str, hint: str = "", tracking_number: str = "") -> None:
        super().__init__(message, hint)
        self.tracking_number = tracking_number
