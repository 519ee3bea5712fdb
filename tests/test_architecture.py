"""The dependency direction of DESIGN.md, enforced: desktop/ui -> core -> printers.

The core and printers/ must import and work with PySide6 blocked; printers/ must never import
desktop/. Modules are imported in a fresh interpreter so nothing leaks from other tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BLOCKER = r"""
import importlib.abc, sys, pkgutil, importlib
class Block(importlib.abc.MetaPathFinder):
    def __init__(self, names): self.names = names
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in self.names:
            raise ImportError(f'blocked import of {name}')
        return None
sys.meta_path.insert(0, Block(set(sys.argv[2].split(','))))
import %(pkg)s
failed = []
for info in pkgutil.walk_packages(%(pkg)s.__path__, '%(pkg)s.'):
    if info.name.startswith('desktop.ui'):
        continue
    try:
        importlib.import_module(info.name)
    except ImportError as exc:
        failed.append(f'{info.name}: {exc}')
print('\n'.join(failed))
sys.exit(1 if failed else 0)
"""


def _import_all(pkg: str, blocked: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", BLOCKER % {"pkg": pkg}, pkg, blocked],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )


def test_core_imports_with_pyside6_blocked():
    result = _import_all("desktop", "PySide6,shiboken6")
    assert result.returncode == 0, result.stdout + result.stderr


def test_printers_import_without_desktop_or_qt():
    result = _import_all("printers", "PySide6,shiboken6,desktop")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_qt_import_outside_ui_in_source():
    offenders = []
    for path in list((ROOT / "desktop").rglob("*.py")) + list((ROOT / "printers").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("desktop/ui/"):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import PySide6", "from PySide6")):
                offenders.append(rel)
    assert offenders == []


def test_version_command():
    result = subprocess.run([sys.executable, "-m", "desktop.cli", "--version"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert result.stdout.strip().startswith("sigilo 0.")


STATION_PRINT = r"""
import importlib.abc, sys, json
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6'):
            raise ImportError(f'blocked import of {name}')
        return None
sys.meta_path.insert(0, Block())
from pathlib import Path
from desktop.seal import ensure_demo_keys
from desktop.shipment import Shipment
from desktop.station import Printer, Station
home, row = Path(sys.argv[1]), json.loads(sys.argv[2])
ensure_demo_keys(home / 'keys')
out = home / 'label.zpl'
with Station(home) as station:
    result = station.print_and_wait([Shipment.from_dict(row)], out.as_uri(), 'zpl-203', 'waybill-100x150',
                                    say=lambda text: None)
print(result.count('confirmed'), out.read_bytes().count(b'^XA'), 'PySide6' in sys.modules)
"""


def test_the_station_service_prints_with_pyside6_blocked(tmp_path, sample_shipments):
    """desktop.station is the layer the window, the CLI and the bridge call: it must print a
    label end to end in a process where Qt cannot be imported."""
    import json

    result = subprocess.run([sys.executable, "-c", STATION_PRINT, str(tmp_path),
                             json.dumps(sample_shipments[0], ensure_ascii=False)],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "1", "False"]


def test_the_window_holds_no_store_queries_renderer_or_transports():
    """desktop/ui holds widgets, models and background ops only: SQL, composing, encoding and
    printer connections live in the core (desktop.station and below)."""
    needles = ("store.query(", ".execute(", "compose_label(", "from printers.lang", "open_transport(",
               "import sqlite3")
    offenders = []
    for path in (ROOT / "desktop" / "ui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.name}: {n}" for n in needles if n in text]
    assert offenders == []


def test_identity_needs_neither_qt_nor_printers():
    """Real-name sending is core: it records and seals, and never reaches for a printer (the
    one resource-path helper it reaches through desktop.paths lives in printers/, so printers
    is checked in the source, Qt by import)."""
    result = _import_all("desktop.identity", "PySide6,shiboken6")
    assert result.returncode == 0, result.stdout + result.stderr
    offenders = []
    for path in (ROOT / "desktop" / "identity").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith(("import printers", "from printers")):
                offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []


def test_the_bridge_is_core_not_ui():
    """desktop/bridge serves the GUI, the CLI and `sigilo serve` alike: it never imports desktop.ui
    (the GUI starts it, not the other way round)."""
    offenders = []
    for path in (ROOT / "desktop" / "bridge").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith(("import desktop.ui", "from desktop.ui", "import PySide6", "from PySide6")):
                offenders.append(path.name)
    assert (ROOT / "desktop" / "bridge" / "server.py").is_file() and offenders == []
