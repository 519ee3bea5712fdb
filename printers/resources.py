"""The one place that knows where Sigilo's data files are: ``resources/`` at the project top.

Every file the program reads (printer profiles, templates, masking policies, regions, roles,
USB vendor names, translations, icons) lives under ``resources/``, so the PyInstaller spec
collects one folder and a new data file needs no change to the bundle. The folder sits beside
the ``desktop`` and ``printers`` packages in a checkout and in a ``pip install``, and under
``sys._MEIPASS`` in the bundle. It lives in ``printers/`` because that is the lowest layer:
``desktop`` may import ``printers`` but never the other way round.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The ``resources/`` folder: the bundle's when frozen, else the one beside the packages."""
    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """A file or folder under ``resources/``: ``resource_path("templates", "sheets.json")``."""
    return resources_dir().joinpath(*parts)
