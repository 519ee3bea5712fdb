"""Errors as a clerk reads them: a message and a fix hint, for every kind of error a station
can meet (the core's SigiloError and the printers' PrinterError alike), never a traceback and
never the text of an unexpected exception (it may quote what the clerk typed)."""

from __future__ import annotations

from desktop.errors import SigiloError
from desktop.i18n import _
from desktop.jobs.errors import DuplicateTracking  # noqa: F401 - one of the station's refusals


class NoStationKeys(SigiloError):
    """The station holds no seal keys and demo keys were not chosen: labels cannot be sealed."""


class NotAuthorized(SigiloError):
    """This machine holds no scanner key, so it cannot open sealed labels."""


def describe(exc: object) -> tuple[str, str]:
    """(message, hint) a person can act on. A Sigilo or printer error carries both (printer
    errors are their own hierarchy, so this goes by the attributes, not the class); an OSError
    is told by its plain cause without the errno; anything else by its kind only."""
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message and isinstance(exc, Exception):
        return message, str(getattr(exc, "hint", "") or "")
    if isinstance(exc, OSError):
        return (exc.strerror or _("input/output error")), _("check the device or file and try again")
    return (_("unexpected error ({kind})").format(kind=type(exc).__name__),
            _("try again; if it persists, report it with the time it happened (the log in the data folder has it)"))


def one_line(exc: object) -> str:
    """The message and hint on one line: "message — hint"."""
    message, hint = describe(exc)
    return f"{message} — {hint}" if hint else message
