"""The core works, not only imports, with PySide6 blocked: a fresh interpreter that refuses
every Qt import validates, masks, seals, composes, renders every output (`sigilo demo`) and
opens a label again (`sigilo scan`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RUN_BLOCKED = r"""
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6'):
            raise ImportError(f'blocked import of {name}')
        return None
sys.meta_path.insert(0, Block())
from desktop.cli import main
status = main(sys.argv[1:])
assert not [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')]
sys.exit(status)
"""


def blocked(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", RUN_BLOCKED, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=240, check=False)


def test_demo_and_scan_work_with_pyside6_blocked(tmp_path, sample_shipments):
    samples = tmp_path / "samples.jsonl"
    rows = [sample_shipments[i] for i in (0, 25, 33)]
    samples.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = tmp_path / "labels"
    result = blocked("demo", "--out", str(out), "--samples", str(samples))
    assert result.returncode == 0, result.stderr
    for row in rows:
        for ext in ("png", "pdf", "zpl", "tspl", "escpos"):
            assert (out / f"{row['tracking_number']}.{ext}").stat().st_size > 500
    row = rows[1]
    result = blocked("scan", "--keys", str(out / "keys"), "--image", str(out / f"{row['tracking_number']}.png"), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["recipient"]["name"] == row["recipient"]["name"]
