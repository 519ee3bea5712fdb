"""Where no keyring service can exist (no D-Bus session bus on Linux), Sigilo knows it without
importing the keyring package or probing its backends - the probe that held up the window's
first start; a backend chosen by the program (or a test) is used as it is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_session_bus_means_no_keyring_without_importing_keyring():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "PYTHON_KEYRING_BACKEND", "SIGILO_NO_KEYRING")}
    code = ("import sys\nfrom desktop.keys.passphrase import from_keyring, keyring_available\n"
            "print(keyring_available(), from_keyring('/tmp/k'), 'keyring' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "(False, 'no keyring service runs on this computer') None False"


def test_a_chosen_backend_is_used_and_sigilo_no_keyring_turns_it_off(monkeypatch):
    import keyring
    import keyring.backend

    from desktop import oskeyring

    # the backend in use before this test: asked before Memory exists, since keyring offers every
    # KeyringBackend subclass it knows of when it first picks one
    previous = keyring.get_keyring()

    class Memory(keyring.backend.KeyringBackend):
        priority = 1

        def __init__(self):
            self.store = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    keyring.set_keyring(Memory())
    try:
        assert oskeyring.available() == (True, "Memory")
        monkeypatch.setenv("SIGILO_NO_KEYRING", "1")
        assert oskeyring.available()[0] is False and oskeyring.backend() is None
    finally:
        keyring.set_keyring(previous)
