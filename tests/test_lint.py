"""ruff, with the rule set in pyproject.toml, over the whole tree: a lint error fails ./run test.

The rules are ones that find defects (undefined names, unused imports, closures over loop
variables, mutable defaults), so a failure here is a bug to fix, not a style to argue with."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _ruff(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_ruff_finds_nothing_in_the_tree():
    result = _ruff(".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_configured_rules_catch_real_defects(tmp_path):
    # The project's configuration, applied to code with one defect of each kind it is meant to
    # catch: proof that the rule set is active and not an empty selection.
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import os\n"
        "def f(items=[]):\n"
        "    return undefined_name\n"
        "def g():\n"
        "    slots = []\n"
        "    for i in range(3):\n"
        "        slots.append(lambda: i)\n"
        "    return slots\n",
        encoding="utf-8")
    result = _ruff("--config", str(ROOT / "pyproject.toml"), "--output-format", "concise", str(bad))
    assert result.returncode == 1
    for code in ("F401", "F821", "B006", "B023"):
        assert code in result.stdout, (code, result.stdout)
