"""The fault matrix, long version: `sigilo print` of 200-label batches in both printer
languages over a serial pty and over TCP, each through a seeded plan of paper out, head open,
unplug, stall, pause, kill -9 and kill -9 during paper out (every kill followed by the same
command run again), counted from what the simulated printer printed (tests/faultrun.py; the
suite runs a short version). ``SIGILO_BENCH_FAULT_LABELS`` and ``SIGILO_BENCH_FAULT_SEEDS``
change the batch size and the number of seeds per combination."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from common import table  # noqa: E402

LABELS = int(os.environ.get("SIGILO_BENCH_FAULT_LABELS", "200"))
SEEDS = int(os.environ.get("SIGILO_BENCH_FAULT_SEEDS", "2"))
KINDS = ("paper", "head", "unplug", "stall", "pause", "kill", "kill_paper", "paper", "unplug", "stall", "kill")


def bench() -> str:
    from faultrun import run_once, totals

    tmp = Path(tempfile.mkdtemp(prefix="sigilo-bench-faults-"))
    results = []
    try:
        for seed in range(SEEDS):
            for n, (language, link) in enumerate((("tspl", "serial"), ("zpl", "serial"), ("tspl", "tcp"),
                                                  ("zpl", "tcp"))):
                s = 20261202 + 10 * seed + n
                r = run_once(tmp / f"{language}-{link}-{s}", language, link, LABELS, s, KINDS,
                             seconds_per_label=0.03, stall=(2.0, 6.0), timeout=900)
                print(json.dumps(r.as_dict()), file=sys.stderr, flush=True)
                results.append(r)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rows = [[f"{r.language} {r.link}", str(r.seed), str(r.labels), str(r.faults), str(r.kills), str(r.printed),
             str(r.lost), str(r.silent_duplicates), str(r.marked), str(r.phantom), str(r.unaudited),
             "yes" if r.audit_ok else "NO", str(r.jobs), f"{r.seconds:.0f} s"] for r in results]
    t = totals(results)
    rows.append(["**all**", "", str(t["labels"]), str(t["faults"]), str(t["kills"]), str(t["printed"]),
                 str(t["lost"]), str(t["silent_duplicates"]), str(t["marked"]), str(t["phantom"]),
                 str(t["unaudited"]), f"{t['audits_verified']}/{t['runs']}", "", ""])
    return (
        f"{t['runs']} runs of `sigilo print` with a {LABELS}-label batch (sample shipments, composed, sealed and "
        "encoded as printed) to the simulated printer (TSPL and ZPL; a socat pty at 921600 baud and TCP on "
        "127.0.0.1; 0.03 s a label), each through a seeded plan of "
        f"{len(KINDS)} faults: paper out, head open, unplug and replug, a 2-6 s stall (the printer takes no "
        "bytes and answers nothing, then answers every query at once), pause, kill -9 of `sigilo print` and "
        "kill -9 during paper out, every kill followed by the same command run again. Counted from the "
        "labels the printer printed: *lost* (never came out), *silent duplicates* (a second copy without "
        "the REPRINT mark), *marked* (copies printed again, marked, because their first copy's fate was "
        "unknown), *phantom* (confirmed with no such copy out of the printer by then), *unaudited* (a "
        "marked copy without its audit entry); *jobs* is how many jobs the batch became (1: every rerun "
        "resumed it).\n\n"
        + table(["printer, link", "seed", "labels", "faults", "kills", "printed", "lost", "silent duplicates",
                 "marked", "phantom", "unaudited", "audit verified", "jobs", "wall"], rows)
        + "\n"
    )


if __name__ == "__main__":
    print(bench())
