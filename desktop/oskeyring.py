"""Is there an OS keyring here? Asked once, quickly, and never on the window's main thread longer
than it must be.

Why: the ``keyring`` package answers "which backend?" by importing every backend it ships and
asking each whether it works; on Linux that means talking to the D-Bus session bus. Where no
keyring exists (a bare Linux desktop, a kiosk, a container) that import-and-probe cost the
window's first start seconds on a busy machine, in the main thread, before the setup flow or
the unlock dialog could show - for an answer that was "no" all along.

So:
  * on Linux and the BSDs, the only keyrings ``keyring`` can use (Secret Service, KWallet) are
    reached over the D-Bus session bus: with no bus address and no ``$XDG_RUNTIME_DIR/bus``
    socket there is no keyring, and that is known without importing anything;
  * where a bus (or Windows, or macOS) exists, the real probe runs - ``warm_up()`` starts it on a
    background thread as the window starts, so by the time a dialog asks, it is answered;
  * a backend chosen already (``keyring.set_keyring``, ``PYTHON_KEYRING_BACKEND``) is used as is;
  * ``SIGILO_NO_KEYRING`` turns the keyring off.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

_lock = threading.Lock()
NO_SERVICE = "no keyring service runs on this computer"


def _bus_reachable() -> bool:
    """A D-Bus session bus this process could talk to (where Linux keyrings live)."""
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return bool(runtime) and Path(runtime, "bus").exists()


def _chosen_backend():
    """The backend keyring has settled on already (set by a program or a test), else None."""
    core = sys.modules.get("keyring.core")
    return getattr(core, "_keyring_backend", None) if core is not None else None


def _usable(backend) -> bool:
    if backend is None:
        return False
    module = type(backend).__module__
    return "fail" not in module and getattr(backend, "priority", 1) > 0


def backend():
    """The keyring backend that can store a secret here, or None. Cheap where none can exist."""
    if os.environ.get("SIGILO_NO_KEYRING"):
        return None
    chosen = _chosen_backend()
    if chosen is not None:
        return chosen if _usable(chosen) else None
    if sys.platform not in ("win32", "darwin") and not os.environ.get("PYTHON_KEYRING_BACKEND") \
            and not _bus_reachable():
        return None
    with _lock:  # one probe at a time: the warm-up thread and a dialog asking at once share it
        try:
            import keyring

            found = keyring.get_keyring()
        except Exception:  # noqa: BLE001 - any trouble finding a backend means: no keyring
            return None
    return found if _usable(found) else None


def available() -> tuple[bool, str]:
    """(True, backend name) where a keyring can remember a secret; (False, why) where none can."""
    if os.environ.get("SIGILO_NO_KEYRING"):
        return False, "SIGILO_NO_KEYRING is set"
    found = backend()
    if found is None:
        return False, NO_SERVICE
    return True, type(found).__name__


def warm_up() -> threading.Thread | None:
    """Start the probe on a background thread (the window's start calls this first), so the
    setup flow and the unlock dialog find it answered. None when there is nothing to probe."""
    if _chosen_backend() is not None or (sys.platform not in ("win32", "darwin") and not _bus_reachable()
                                         and not os.environ.get("PYTHON_KEYRING_BACKEND")):
        return None
    thread = threading.Thread(target=backend, name="keyring probe", daemon=True)
    thread.start()
    return thread


__all__ = ["NO_SERVICE", "available", "backend", "warm_up"]
