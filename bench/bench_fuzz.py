"""The fuzz targets of tests/fuzzkit.py run longer than the suite runs them: a seeded random
mutation loop per target for a time budget (SIGILO_FUZZ_SECONDS, default 60 s a target), counting
inputs, refusals, opened inputs, crashes and hangs. Crashes are counted, not raised, so one run
finds them all; the first of each target is shown."""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import table  # noqa: E402

SEED = 20261202


def _shared_data() -> Path:
    shared = ROOT.parent / "shared" / "data"
    return shared if (shared / "shipments.jsonl").is_file() else ROOT / "tests" / "data"


def bench() -> str:
    os.environ.setdefault("SIGILO_HOME", tempfile.mkdtemp(prefix="sigilo-fuzz-home-"))
    from desktop.seal.payload import encode_shipment, pad
    from tests import fuzzkit

    budget = float(os.environ.get("SIGILO_FUZZ_SECONDS", "60"))
    world = fuzzkit.World(Path(tempfile.mkdtemp(prefix="sigilo-fuzz-")), _shared_data())
    payloads = [pad(encode_shipment(s)) for s in world.shipments]
    from printers import status

    replies = [status.tspl_status_byte({"paper_out"}), status.tspl_extended_reply({"head_open"}),
               status.zpl_hqes_reply({"ribbon_out"}), status.zpl_hs_reply(set()), b'"1234"',
               status.escpos_status_reply(1, set())]
    targets = [
        ("scan text", world.scan_text, lambda r: fuzzkit.text_input(r, world.seals)),
        ("signed seal payload", world.seal_payload, lambda r: fuzzkit.payload_input(r, payloads)),
        ("payload decoder", world.payload, lambda r: fuzzkit.payload_input(r, payloads)),
        ("scan image", world.image, lambda r: fuzzkit.image_input(r, world.png)),
        ("import csv", world.csv, lambda r: fuzzkit.csv_input(r, world.csv_files)),
        ("import xlsx", world.xlsx_file, lambda r: fuzzkit.mutate_xlsx(r, world.xlsx)),
        ("printer status reply", world.status_reply,
         lambda r: fuzzkit.mutate_bytes(r, r.choice(replies)) if r.random() < 0.7 else r.randbytes(r.randrange(64))),
        ("simulator input", world.printer_input, fuzzkit.printer_input),
    ]
    rows, notes = [], []
    for name, fn, make in targets:
        rng = random.Random(f"{SEED}:{name}")
        counts = fuzzkit.Counts(name)
        end = time.monotonic() + budget
        while time.monotonic() < end:
            counts.run(fn, make(rng), raise_crash=False)
        rows.append(counts.row() + [f"{counts.inputs / budget:.0f}"])
        print(counts.line(), flush=True)
        if counts.first_crash:
            notes.append(f"- {name}: first failure: `{counts.first_crash[:300]}`")
    head = (f"Seeded mutation fuzzing (seed {SEED}), {budget:.0f} s a target, by `bench/bench_fuzz.py` "
            "(the suite's `tests/test_fuzz.py` runs the same targets with hypothesis, a few hundred "
            "inputs each). Refused = a Sigilo error with its hint; opened = accepted and fully processed.\n\n")
    body = head + table(["target", "inputs", "refused", "opened", "crashes", "hangs", "inputs/s"], rows)
    return body + ("\n\n" + "\n".join(notes) if notes else "\n\nNo crash and no hang in any target.")


if __name__ == "__main__":
    print(bench())
