"""Sigilo: privacy waybills. This package is the Qt-free core; the GUI lives in desktop.ui.

The version is written once, in pyproject.toml, and read here from the installed package's
metadata (pip writes it, and the PyInstaller bundle carries a copy), so the CLI, the window
title, the .deb and the Windows installer can never disagree."""

from importlib.metadata import PackageNotFoundError, version


def _version() -> str:
    try:
        return version("sigilo")
    except PackageNotFoundError:
        return "0+unknown"  # the sources imported without being installed (no metadata to read)


__version__ = _version()
