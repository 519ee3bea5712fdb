"""Typed errors for the core. Each carries a hint, so a clerk or an operator reads how to fix
the problem, never a traceback."""

from __future__ import annotations


class SigiloError(Exception):
    """Base of every error Sigilo shows to a person. ``hint`` says how to fix it."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message
