"""A crash never multiplies a batch. `sigilo print FILE` killed with SIGKILL mid-batch and run
again (what the docs and the command's own message tell a user to do) resumes the job the first
run left instead of submitting the file again; a batch whose labels have all printed prints
nothing and names the job that printed them; `sigilo jobs resume` drives a job on explicitly.
Counted from what the simulated printer printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from faultrun import ROOT, TRACKING, write_batch

from desktop.audit import AuditLog, verify_chain
from desktop.store import open_store
from printers.simulator import SimulatedPrinter


def _sigilo(home: Path, *args, timeout=120, **kw):
    env = dict(os.environ, PYTHONPATH=str(ROOT), SIGILO_HOME=str(home), SIGILO_PROGRESS_SECONDS="0.5")
    return subprocess.run([sys.executable, "-m", "desktop.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, **kw)


def _copies(sim, language="zpl"):
    out = {}
    for label in sim.labels:
        tracking = TRACKING[language].search(label).group(1).decode()
        out.setdefault(tracking, []).append(b"REPRINT" in label)
    return out


def test_a_rerun_after_kill_resumes_and_a_third_run_prints_nothing(tmp_path, sigilo_home):
    batch = write_batch(tmp_path / "orders.jsonl", 12, "SGK")
    sim = SimulatedPrinter("zpl", baud=None, seconds_per_label=0.15, tcp_port=0).start()
    args = ["print", str(tmp_path / "orders.jsonl"), "--printer", sim.uri, "--profile", "zpl-203", "--demo-keys"]
    env = dict(os.environ, PYTHONPATH=str(ROOT), SIGILO_HOME=str(sigilo_home), SIGILO_PROGRESS_SECONDS="0.5")
    try:
        first = subprocess.Popen([sys.executable, "-m", "desktop.cli", *args], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        assert sim.wait_printed(4, timeout=60)
        first.kill()  # SIGKILL: nothing of Sigilo runs after this
        _, err1 = first.communicate(timeout=30)
        assert "printed" in err1  # the progress line was there while it ran (plain lines: not a terminal)
        second = _sigilo(sigilo_home, *args)
        assert second.returncode == 0, second.stderr
        assert "resuming job" in second.stderr
        assert sim.wait_printed(len(batch), timeout=30)
        third = _sigilo(sigilo_home, *args)
        time.sleep(0.5)
    finally:
        sim.stop()
    assert third.returncode == 0, third.stderr
    assert "Nothing printed" in third.stdout and "already printed this batch" in third.stderr
    copies = _copies(sim)
    assert set(copies) == set(batch)  # nothing lost
    assert all(sum(not m for m in marks) <= 1 for marks in copies.values())  # no silent duplicate
    assert sum(len(v) for v in copies.values()) <= len(batch) + 2  # at most what was in flight, marked
    store = open_store()
    assert store.query("SELECT COUNT(*) FROM jobs")[0][0] == 1  # the batch was submitted once
    job = store.query("SELECT id FROM jobs")[0][0]
    assert job in third.stderr
    marked = {t for t, marks in copies.items() if any(marks)}
    fate = {e.subject for e in AuditLog(store).entries(action="reprint") if e.details.get("fate_unknown")}
    assert marked <= fate
    assert verify_chain(store)[1] == []
    listed = [json.loads(line) for line in _sigilo(sigilo_home, "jobs", "list", "--json").stdout.splitlines()]
    assert listed[0]["confirmed"] == len(batch) and listed[0]["printer_state"] != "printing"


def test_jobs_resume_prints_what_a_killed_run_left(tmp_path, sigilo_home):
    """The GUI is not the only way to resume: `sigilo jobs resume` prints the rest of the job
    (the labels in flight at the kill marked), and says when nothing is left."""
    batch = write_batch(tmp_path / "orders.jsonl", 8, "SGJ")
    sim = SimulatedPrinter("tspl", baud=None, seconds_per_label=0.2, tcp_port=0).start()
    args = ["print", str(tmp_path / "orders.jsonl"), "--printer", sim.uri, "--profile", "tspl-203", "--demo-keys"]
    env = dict(os.environ, PYTHONPATH=str(ROOT), SIGILO_HOME=str(sigilo_home))
    try:
        first = subprocess.Popen([sys.executable, "-m", "desktop.cli", *args], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        assert sim.wait_printed(3, timeout=60)
        first.kill()
        first.communicate(timeout=30)
        listed = [json.loads(line) for line in _sigilo(sigilo_home, "jobs", "list", "--json").stdout.splitlines()]
        assert listed[0]["printer_state"] != "printing"  # nobody drives it: the last state it reported
        resumed = _sigilo(sigilo_home, "jobs", "resume", "--demo-keys")
        assert resumed.returncode == 0, resumed.stderr
        assert f"{len(batch)} of {len(batch)} labels printed" in resumed.stdout
        again = _sigilo(sigilo_home, "jobs", "resume")
        time.sleep(0.5)
    finally:
        sim.stop()
    assert "nothing to resume" in again.stdout
    copies = _copies(sim, "tspl")
    assert set(copies) == set(batch)
    assert all(sum(not m for m in marks) <= 1 for marks in copies.values())
    assert verify_chain(open_store())[1] == []


def test_audit_export_into_a_closed_pipe_ends_quietly(sigilo_home):
    """`sigilo audit export | head`: the reader stops early; no BrokenPipeError traceback."""
    store = open_store()
    audit = AuditLog(store)
    for i in range(3000):
        audit.append("test", "settings", f"key {i}", {"change": "x" * 40})
    store.close()
    env = dict(os.environ, PYTHONPATH=str(ROOT), SIGILO_HOME=str(sigilo_home))
    proc = subprocess.run(f"'{sys.executable}' -m desktop.cli audit export | head -n 2", shell=True, env=env,
                          capture_output=True, text=True, timeout=60)
    assert len(proc.stdout.splitlines()) == 2
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr
