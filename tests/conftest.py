"""Shared fixtures: the sample data, an isolated SIGILO_HOME per test, and the offscreen Qt
platform (set before any Qt import)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Module- and session-scoped fixtures run before the per-test SIGILO_HOME below: give them a
# throw-away home too, so no test ever writes into the real user data folder.
os.environ["SIGILO_HOME"] = __import__("tempfile").mkdtemp(prefix="sigilo-test-home-")
# The suite reads English source text unless a test chooses a language (SIGILO_LANG wins over
# the OS locale and the Settings choice, so a developer's own LANG does not change results).
os.environ["SIGILO_LANG"] = "en"

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
if not (SHARED_DATA / "awkward.jsonl").is_file():  # a clone without shared/ beside it: the copy in tests/data
    SHARED_DATA = ROOT / "tests" / "data"


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return SHARED_DATA


@pytest.fixture(scope="session")
def sample_shipments() -> list[dict]:
    return _jsonl(SHARED_DATA / "shipments.jsonl")


@pytest.fixture(scope="session")
def awkward_rows() -> list[dict]:
    return _jsonl(SHARED_DATA / "awkward.jsonl")


@pytest.fixture(autouse=True)
def sigilo_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "sigilo-home"
    home.mkdir()
    monkeypatch.setenv("SIGILO_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English; one that switches language (``set_language``) is undone."""
    from desktop import i18n

    i18n.set_language("en")
    yield
    i18n.set_language("en")


def pytest_sessionstart(session):
    """The serial tests need socat for a real pty pair: a machine without it fails loudly here
    (./run installs it as root) instead of skipping them."""
    import shutil

    if shutil.which("socat") is None:
        raise pytest.UsageError("socat is not installed: run ./run test as root, or apt install socat")


def pytest_collection_modifyitems(session, config, items):
    """Tests marked ``early`` (the packaging test, which builds and installs the package for a few
    minutes, mostly in subprocesses) run first: with ``-n 2`` one worker starts them at once and
    the other worker runs the rest of the suite beside them, instead of the suite waiting for
    them at its end."""
    early = [item for item in items if item.get_closest_marker("early")]
    if early:
        items[:] = early + [item for item in items if not item.get_closest_marker("early")]
