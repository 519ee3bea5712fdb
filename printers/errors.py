"""Typed printer errors. Each says what went wrong and how to fix it (``hint``)."""

from __future__ import annotations


class PrinterError(Exception):
    exit_code = 3

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class SceneError(PrinterError):
    """A scene that cannot be printed as given (an element outside the label, bad values)."""


class FontNotFound(PrinterError):
    """No font with the glyphs a label needs."""


class EncodeError(PrinterError):
    """A scene that a printer language cannot express."""
