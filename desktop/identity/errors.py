"""Errors of real-name sending, each with a hint in the clerk's (or the compliance officer's)
words. None of them ever carries an ID number or a name: a message may be shown, logged or
audited."""

from __future__ import annotations

from desktop.errors import SigiloError
from desktop.i18n import _


class IdentityError(SigiloError):
    exit_code = 40


class InvalidIdentity(IdentityError):
    """The typed or read identity does not pass validation; ``errors`` name each field."""

    exit_code = 41

    def __init__(self, errors) -> None:
        self.errors = list(errors)
        first = self.errors[0] if self.errors else None
        super().__init__(_("The sender's identity is not valid: {problems}").format(
                             problems="; ".join(str(e) for e in self.errors)),
                         _("Check {field} against the document.").format(field=first.field) if first
                         else _("Check the document."))


class IdentityRequired(IdentityError):
    """Printing refused: the policy requires an identity that is missing."""

    exit_code = 42


class IdentityNotSetUp(IdentityError):
    """The station has no identity key or hash secret to record with."""

    exit_code = 43


class ReaderError(IdentityError):
    """Base of ID card reader problems."""

    exit_code = 44


class ReaderNotFound(ReaderError):
    exit_code = 45


class NoCard(ReaderError):
    exit_code = 46

    def __init__(self) -> None:
        super().__init__(_("There is no ID card on the reader."), _("Place the card flat on the reader and read again."))


class CardRemoved(ReaderError):
    exit_code = 47

    def __init__(self) -> None:
        super().__init__(_("The card was taken off the reader while it was being read."),
                         _("Put the card back on the reader, keep it still, and read again."))


class CorruptFrame(ReaderError):
    exit_code = 48

    def __init__(self, what: str) -> None:
        super().__init__(_("The ID card reader sent a damaged reply ({what}).").format(what=what),
                         _("Read the card again; if it keeps failing, check the reader's cable."))
