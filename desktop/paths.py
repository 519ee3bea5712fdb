"""Where Sigilo finds its bundled resources and keeps its data.

Resources sit beside the packages (``resources/`` at the project top), which is also how the
PyInstaller bundle lays them out. Station data goes to the platform's user data directory;
``SIGILO_HOME`` overrides it so tests and several stations on one machine stay apart.
"""

from __future__ import annotations

import os
from pathlib import Path


from printers.resources import resource_path, resources_dir  # noqa: F401  (the one helper, re-exported)


def data_dir() -> Path:
    env = os.environ.get("SIGILO_HOME")
    if env:
        path = Path(env)
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("sigilo", "Sigilo"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def sample_shipments_path() -> Path:
    """The sample shipments: the shared data set beside a checkout, else the bundled copy."""
    shared = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "shipments.jsonl"
    if shared.is_file():
        return shared
    return resources_dir() / "samples" / "shipments.jsonl"
