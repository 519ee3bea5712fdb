"""The fault harness: `sigilo print FILE` as a user runs it, against the simulated printer (TSPL
or ZPL; a socat pty pair or TCP on 127.0.0.1), while a seeded plan injects paper out, head
open, unplug and replug, a stall (the printer takes no bytes and answers nothing, then answers
every query at once), pause, kill -9 of the `sigilo print` process by its PID and kill -9
during paper out - each kill followed by a rerun of the very same command.

Everything is counted from what the printer printed (the simulator's record of labels, each
with the time it came out), read with a parser of its own (the tracking number from the
barcode command, the REPRINT mark from the text), never from what Sigilo believes:
  lost                 tracking numbers of the batch that never came out
  silent duplicates    copies of a tracking number beyond the first, without a REPRINT mark
  marked               copies with the mark (reprints of labels whose fate was unknown)
  phantom              labels the store says were printed (confirmed) with no copy of that
                       number and mark out of the printer at or before the confirmation
  unaudited            marked copies without a reprint entry in the audit
Used by tests/test_jobs_fault_matrix.py (short runs) and bench/bench_faults.py (long runs)."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
if not (SHARED / "shipments.jsonl").is_file():
    SHARED = ROOT / "tests" / "data"

TRACKING = {"tspl": re.compile(rb'BARCODE [^\r\n]*"([A-Z0-9]+)"'),
            "zpl": re.compile(rb"\^BC[^\^]*\^FD([A-Z0-9]+)\^FS")}
KINDS = ("paper", "head", "unplug", "stall", "pause", "kill", "kill_paper")


@dataclass
class RunResult:
    language: str
    link: str
    seed: int
    labels: int
    plan: list = field(default_factory=list)
    faults: int = 0
    kills: int = 0
    printed: int = 0
    lost: int = 0
    silent_duplicates: int = 0
    marked: int = 0
    phantom: int = 0
    unaudited: int = 0
    foreign: int = 0
    audit_ok: bool = False
    jobs: int = 0
    unconfirmed: int = 0
    exit_status: int | None = None
    resumed_runs: int = 0
    printer_state_after: str = ""
    seconds: float = 0.0
    faults_audited: int = 0
    errors: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def write_batch(path: Path, n: int, prefix: str) -> list[str]:
    rows = [json.loads(line) for line in (SHARED / "shipments.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    numbers = []
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            row = dict(rows[i % len(rows)])
            row["tracking_number"] = f"{prefix}{i:06d}"
            row["order_id"] = f"ORD-{prefix}-{i:06d}"
            numbers.append(row["tracking_number"])
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return numbers


def run_once(tmp: Path, language: str, link: str, n: int, seed: int, kinds=KINDS, *,
             seconds_per_label: float = 0.03, baud: int | None = None, silence: float = 1.5,
             stall: tuple[float, float] = (2.0, 3.0), hold: tuple[float, float] = (0.3, 0.8),
             timeout: float = 300.0) -> RunResult:
    """One batch of ``n`` labels through `sigilo print` with the seeded plan of ``kinds``."""
    from desktop.audit import AuditLog, verify_chain
    from desktop.store import open_store
    from printers.simulator import SimulatedPrinter

    started = time.monotonic()
    rng = random.Random(seed)
    tmp.mkdir(parents=True, exist_ok=True)
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    with open_store(home) as store:  # a station setting: silence becomes a fault after this long
        store.set_setting("jobs.silence_seconds", silence)
    prefix = f"SGF{seed % 100:02d}"
    batch = write_batch(tmp / "orders.jsonl", n, prefix)
    if link == "serial":
        sim = SimulatedPrinter(language, baud=baud or 921600, seconds_per_label=seconds_per_label,
                               pty=tmp / "printer").start()
    else:
        sim = SimulatedPrinter(language, baud=baud, seconds_per_label=seconds_per_label, tcp_port=0).start()
    env = dict(os.environ, PYTHONPATH=str(ROOT), SIGILO_HOME=str(home), SIGILO_PROGRESS_SECONDS="2")
    command = [sys.executable, "-m", "desktop.cli", "print", str(tmp / "orders.jsonl"), "--printer", sim.uri,
               "--profile", f"{language}-203", "--demo-keys"]
    result = RunResult(language, link, seed, n)
    outputs: list[str] = []

    def spawn():
        return subprocess.Popen(command, cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)

    def reap(proc) -> None:
        out, _ = proc.communicate(timeout=30)
        outputs.append(out)

    plan_kinds = list(kinds)
    rng.shuffle(plan_kinds)
    marks = sorted(rng.sample(range(3, max(4, n - 3)), len(plan_kinds)))
    proc = spawn()
    deadline = time.monotonic() + timeout
    try:
        for at, kind in zip(marks, plan_kinds):
            while sim.printed_count < at and proc.poll() is None:
                if time.monotonic() > deadline:
                    result.errors.append(f"stuck before {kind} at {at}: {sim.printed_count} printed")
                    raise TimeoutError
                time.sleep(0.005)
            if proc.poll() is not None:
                break  # the batch finished before this fault: the plan ends here
            time.sleep(rng.uniform(0, 0.05))
            result.plan.append((sim.printed_count, kind))
            result.faults += 1
            if kind == "kill":
                proc.kill()
                reap(proc)
                result.kills += 1
                proc = spawn()
            elif kind == "kill_paper":
                sim.paper_out()
                time.sleep(rng.uniform(*hold))
                proc.kill()
                reap(proc)
                result.kills += 1
                proc = spawn()
                time.sleep(rng.uniform(*hold) + 1.0)  # the rerun finds the printer out of paper
                sim.paper_in()
            elif kind in ("paper", "head", "pause", "unplug", "stall"):
                on, off = {"paper": (sim.paper_out, sim.paper_in), "head": (sim.head_open, sim.head_close),
                           "pause": (sim.pause, sim.resume), "unplug": (sim.vanish, sim.come_back),
                           "stall": (sim.stall, sim.unstall)}[kind]
                on()
                time.sleep(rng.uniform(*(stall if kind == "stall" else hold)))
                off()
        left = max(10.0, deadline - time.monotonic())
        out, _ = proc.communicate(timeout=left)
        outputs.append(out)
        result.exit_status = proc.returncode
        time.sleep(0.2)
    except (TimeoutError, subprocess.TimeoutExpired):
        result.errors.append(f"timed out: {sim.printed_count} printed")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sim.stop()
    result.resumed_runs = sum("resuming job" in out for out in outputs)

    # -- what came out of the printer ----------------------------------------------------------
    copies: dict[str, list[tuple[bool, float]]] = {}
    for label, when in zip(sim.labels, sim.printed_times):
        m = TRACKING[language].search(label)
        if m is None:
            result.errors.append(f"a label without a barcode: {label[:80]!r}")
            continue
        copies.setdefault(m.group(1).decode(), []).append((b"REPRINT" in label, when))
    result.printed = sum(len(v) for v in copies.values())
    result.lost = len(set(batch) - set(copies))
    result.foreign = len(set(copies) - set(batch))
    result.silent_duplicates = sum(max(0, sum(not marked for marked, _ in v) - 1) for v in copies.values())
    result.marked = sum(marked for v in copies.values() for marked, _ in v)

    # -- what Sigilo says ---------------------------------------------------------------------
    with open_store(home) as store:
        rows = store.query("SELECT tracking_number, reprint_reason, done_at, state FROM labels")
        result.jobs = store.query("SELECT COUNT(*) FROM jobs")[0][0]
        result.unconfirmed = sum(1 for r in rows if r["state"] != "confirmed")
        for r in rows:
            if r["state"] != "confirmed":
                continue
            marked = bool(r["reprint_reason"])
            out = [when for m, when in copies.get(r["tracking_number"], []) if m == marked]
            if not out or min(out) > r["done_at"] + 0.001:
                result.phantom += 1
        audit = AuditLog(store)
        reprinted = {e.subject for e in audit.entries(action="reprint")}
        result.unaudited = sum(1 for t, v in copies.items() for marked, _ in v if marked and t not in reprinted)
        result.faults_audited = len(audit.entries(action="fault"))
        result.audit_ok = verify_chain(store)[1] == []
    listed = subprocess.run([sys.executable, "-m", "desktop.cli", "jobs", "list", "--json"], env=env, cwd=tmp,
                            capture_output=True, text=True, timeout=60)
    states = [json.loads(line)["printer_state"] for line in listed.stdout.splitlines() if line.strip()]
    result.printer_state_after = ",".join(sorted(set(states)))
    result.seconds = round(time.monotonic() - started, 1)
    return result


def matrix(tmp: Path, runs: list[tuple[str, str, int]], n: int, **kw) -> list[RunResult]:
    return [run_once(tmp / f"{language}-{link}-{seed}", language, link, n, seed, **kw)
            for language, link, seed in runs]


def totals(results: list[RunResult]) -> dict:
    keys = ("labels", "faults", "kills", "printed", "lost", "silent_duplicates", "marked", "phantom", "unaudited")
    out = {k: sum(getattr(r, k) for r in results) for k in keys}
    out["runs"] = len(results)
    out["audits_verified"] = sum(r.audit_ok for r in results)
    return out
