"""Frozen entry point: `sigilo` with no arguments opens the GUI, as a desktop icon expects.

A windowed launcher (Windows' sigilo-gui.exe, the macOS .app) starts with no console, and
PyInstaller then leaves sys.stdout and sys.stderr as None: anything that prints would fail. They
are pointed at the null device instead, so the window never dies of a message nobody can see."""

import os
import sys


def _console_streams() -> None:
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))


if __name__ == "__main__":
    _console_streams()
    from desktop.cli import main

    sys.exit(main(sys.argv[1:] or ["gui"]))
