"""The fault matrix in the suite: `sigilo print` of a batch, in both printer languages, over a
serial pty and over TCP, through a seeded plan of paper out, head open, unplug, stall, pause,
kill -9 and kill -9 during paper out - each kill followed by the same command run again.
Counted from the bytes the printer received (tests/faultrun.py): nothing lost, no silent
duplicate, no label confirmed that had not come out, every marked copy audited, every audit
verified, one job for the batch (the reruns resumed it), and the printer not left "printing".
Short batches and a fast simulated printer keep it to a minute or two; bench/bench_faults.py
runs the long version (200-label batches, several seeds)."""

from __future__ import annotations

import json
import os

import pytest

from tests.faultrun import run_once

SEED = int(os.environ.get("SIGILO_FAULT_SEED", "20261202"))


@pytest.mark.slow
@pytest.mark.parametrize("language,link", [("tspl", "serial"), ("zpl", "serial"), ("tspl", "tcp"), ("zpl", "tcp")])
def test_fault_matrix_counts_from_the_printer(tmp_path, language, link):
    offset = ["tspl-serial", "zpl-serial", "tspl-tcp", "zpl-tcp"].index(f"{language}-{link}")
    r = run_once(tmp_path, language, link, n=30, seed=SEED + offset)
    report = json.dumps(r.as_dict())
    assert r.errors == [], report
    assert r.exit_status == 0, report
    assert r.kills == 2 and r.resumed_runs == 2, report  # each rerun resumed the job ...
    assert r.jobs == 1, report  # ... rather than submitting the batch again
    assert r.lost == 0 and r.foreign == 0, report
    assert r.silent_duplicates == 0, report
    assert r.phantom == 0, report
    assert r.unaudited == 0, report
    assert r.unconfirmed == 0 and r.audit_ok, report
    assert r.faults_audited >= 1, report
    assert "printing" not in r.printer_state_after, report
    print(report)
