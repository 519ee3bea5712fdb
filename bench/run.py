"""Run Sigilo's benchmarks and write their sections of BENCHMARKS.md.

    .venv/bin/python bench/run.py            # every bench_*.py
    .venv/bin/python bench/run.py seal zpl   # only bench_seal.py and bench_zpl.py
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, write_sections  # noqa: E402


def main(names: list[str]) -> int:
    here = Path(__file__).resolve().parent
    files = sorted(here.glob("bench_*.py"))
    if names:
        files = [f for f in files if f.stem.removeprefix("bench_") in names]
    sections = {}
    for path in files:
        name = path.stem.removeprefix("bench_")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"bench: {name} ...", flush=True)
        body = module.bench()
        sections[name] = f"## {name}\n\n_Machine: {machine()}._\n\n{body}"
        print(body, flush=True)
    write_sections(sections)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
