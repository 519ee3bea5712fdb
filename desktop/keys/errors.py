"""Key errors, each with a fix hint; a clerk must never see a cryptography traceback."""

from __future__ import annotations

from desktop.errors import SigiloError
from desktop.i18n import _


class KeyMaterialError(SigiloError):
    """Base of key-material errors."""

    exit_code = 20


class MissingKey(KeyMaterialError):
    exit_code = 21


class PassphraseRequired(KeyMaterialError):
    exit_code = 22

    def __init__(self, what: str) -> None:
        super().__init__(_("{what} is protected by a passphrase and none was given").format(what=what),
                         _("pass --passphrase-file FILE or set SIGILO_PASSPHRASE"))


class PassphraseUnusable(KeyMaterialError):
    """A passphrase file that cannot be read, or a new key's passphrase too short to protect it."""

    exit_code = 22


class WrongPassphrase(KeyMaterialError):
    exit_code = 23

    def __init__(self, what: str) -> None:
        super().__init__(_("wrong passphrase for {what}").format(what=what),
                         _("check the passphrase (it is case-sensitive); the key officer who created the key "
                           "knows it"))


class BadKeyFile(KeyMaterialError):
    exit_code = 24


class TrustListError(KeyMaterialError):
    exit_code = 25
