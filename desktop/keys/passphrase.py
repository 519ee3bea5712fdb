"""Where a passphrase comes from: an explicit value, a file, SIGILO_PASSPHRASE, or a prompt.

A file or the environment lets a print station start unattended; the prompt is for a key
officer at a terminal. A trailing newline in a passphrase file is not part of it."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from desktop.keys.errors import PassphraseRequired

ENV = "SIGILO_PASSPHRASE"


def from_environment(passphrase_file: str | Path | None = None) -> str | None:
    if passphrase_file:
        return Path(passphrase_file).read_text(encoding="utf-8").rstrip("\r\n")
    return os.environ.get(ENV) or None


def resolve(passphrase_file: str | Path | None, what: str, *, confirm: bool = False, prompt: bool = True) -> str:
    value = from_environment(passphrase_file)
    if value:
        return value
    if prompt and sys.stdin.isatty():
        value = getpass.getpass(f"Passphrase for {what}: ")
        if confirm and getpass.getpass("Again: ") != value:
            raise PassphraseRequired(what + " (the two entries differ)")
        if value:
            return value
    raise PassphraseRequired(what)
