"""Where a passphrase comes from: an explicit value, a file, SIGILO_PASSPHRASE, the OS keyring,
or a prompt.

A file, the environment or the keyring lets a print station start unattended; the prompt is for
a key officer at a terminal. A trailing newline in a passphrase file is not part of it. The
keyring is asked only when an encrypted key is about to be opened and nothing else gave a
passphrase, because on a desktop asking it may pop up an unlock dialog."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from desktop.keys.errors import KeyMaterialError, PassphraseRequired, PassphraseUnusable
from desktop.i18n import _

ENV = "SIGILO_PASSPHRASE"
KEYRING_SERVICE = "sigilo"


MIN_NEW_LENGTH = 8  # a new private key's passphrase: scrypt slows guessing, it cannot save "1234"


def from_environment(passphrase_file: str | Path | None = None) -> str | None:
    if passphrase_file:
        try:
            value = Path(passphrase_file).read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise PassphraseUnusable(
                _("the passphrase file {passphrase_file} cannot be read ({value})").format(passphrase_file=passphrase_file, value=getattr(exc, 'strerror', None) or exc),
                _("give --passphrase-file a readable UTF-8 text file holding the passphrase")) from None
        if not value:
            raise PassphraseUnusable(_("the passphrase file {passphrase_file} is empty").format(passphrase_file=passphrase_file),
                                     _("write the passphrase into it (one line)"))
        return value
    return os.environ.get(ENV) or None


def _strong_enough(value: str, what: str) -> str:
    if len(value) < MIN_NEW_LENGTH:
        raise PassphraseUnusable(
            _("the passphrase for {what} is {n} characters; a new key needs at least "
              "{MIN_NEW_LENGTH}").format(what=what, n=len(value), MIN_NEW_LENGTH=MIN_NEW_LENGTH),
            _("choose a longer passphrase (a few unrelated words are easy to remember)"))
    return value


def resolve(passphrase_file: str | Path | None, what: str, *, confirm: bool = False, prompt: bool = True) -> str:
    value = from_environment(passphrase_file)
    if value:
        return _strong_enough(value, what) if confirm else value
    if prompt and sys.stdin.isatty():
        value = getpass.getpass(f"Passphrase for {what}: ")
        if confirm and value:
            _strong_enough(value, what)
        if confirm and getpass.getpass("Again: ") != value:
            raise PassphraseRequired(what + " (the two entries differ)")
        if value:
            return value
    raise PassphraseRequired(what)


def _keyring_user(keys_dir: str | Path) -> str:
    return f"keys:{Path(keys_dir).resolve()}"


def from_keyring(keys_dir: str | Path) -> str | None:
    """The passphrase remembered for this keys directory, or None (also when no keyring works).
    Where no keyring can exist this returns at once (desktop.oskeyring)."""
    from desktop import oskeyring

    backend = oskeyring.backend()
    if backend is None:
        return None
    try:
        return backend.get_password(KEYRING_SERVICE, _keyring_user(keys_dir)) or None
    except Exception:  # locked, or no D-Bus after all: same as nothing remembered
        return None


_unlocked: dict[str, str] = {}  # keys dir -> passphrase typed into the window, this process only


def unlock(keys_dir: str | Path, passphrase: str) -> None:
    """Hold a passphrase typed into the window for this process (never written anywhere), so
    the sealer and the print queue open the station key without asking again until lock()."""
    _unlocked[str(Path(keys_dir).resolve())] = passphrase


def lock(keys_dir: str | Path | None = None) -> None:
    """Forget what unlock() held (for one directory, or all)."""
    if keys_dir is None:
        _unlocked.clear()
    else:
        _unlocked.pop(str(Path(keys_dir).resolve()), None)


def is_unlocked(keys_dir: str | Path) -> bool:
    return str(Path(keys_dir).resolve()) in _unlocked


def keyring_available() -> tuple[bool, str]:
    """(True, backend name) where an OS keyring can store a passphrase; (False, why) where none
    runs (no Secret Service on a bare Linux desktop, for instance). Fast where none can exist,
    answered by the start's background probe elsewhere (desktop.oskeyring)."""
    from desktop import oskeyring

    return oskeyring.available()


def for_keys_dir(keys_dir: str | Path, explicit: str | None, encrypted: bool) -> str | None:
    """explicit, else SIGILO_PASSPHRASE, else (only for an encrypted key) the passphrase typed
    into the window this session, else the keyring."""
    value = explicit or from_environment()
    if value is None and encrypted:
        value = _unlocked.get(str(Path(keys_dir).resolve())) or from_keyring(keys_dir)
    return value


def remember(keys_dir: str | Path, passphrase: str) -> None:
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, _keyring_user(keys_dir), passphrase)
    except Exception as exc:
        raise KeyMaterialError(_("the OS keyring refused to store the passphrase ({kind})").format(kind=exc.__class__.__name__),
                               _("use --passphrase-file or SIGILO_PASSPHRASE instead, or install a keyring service")) from None


def forget(keys_dir: str | Path) -> bool:
    try:
        import keyring

        keyring.delete_password(KEYRING_SERVICE, _keyring_user(keys_dir))
        return True
    except Exception:
        return False
