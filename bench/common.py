"""Helpers for Sigilo's benchmarks: medians of repeated runs, and the BENCHMARKS.md writer.

Each bench module exposes ``bench() -> str`` returning one Markdown section. ``bench/run.py``
replaces only the sections it ran, so one area can be re-measured without the others.
Figures are medians of several runs with ratios against a baseline measured in the same run,
because these machines are noisy; nothing here is asserted by tests.
"""

from __future__ import annotations

import platform
import statistics
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"


def median_seconds(fn: Callable[[], object], runs: int = 5, inner: int = 1) -> float:
    """Median wall time of ``inner`` calls of fn, over ``runs`` runs, per call."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner)
    return statistics.median(samples)


def machine() -> str:
    import os

    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}"


def table(header: list[str], rows: list[list[object]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        out.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(out)


def write_sections(sections: dict[str, str]) -> None:
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else (
        "# Sigilo benchmarks\n\nWritten by `bench/run.py` (`.venv/bin/python bench/run.py [name ...]`). "
        "Medians of several runs; ratios are against a baseline measured in the same run.\n"
    )
    for name, body in sections.items():
        start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
        block = f"{start}\n{body.strip()}\n{end}"
        if start in text and end in text:
            before, rest = text.split(start, 1)
            _, after = rest.split(end, 1)
            text = before + block + after
        else:
            text = text.rstrip() + "\n\n" + block + "\n"
    BENCHMARKS.write_text(text, encoding="utf-8")
