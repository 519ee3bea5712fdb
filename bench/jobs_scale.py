"""Whole-process cost of printing by batch size: ``sigilo print`` and ``sigilo batch --print``
of 100, 1,000 and 10,000 labels to a ``file://`` ZPL printer, each in a fresh process with a
fresh store (wall time and peak RSS of that process), beside compose + encode alone (mask,
seal, compose, encode - no store, no queue) in this process, in the same run.

Part "scale" of ``bench jobs`` (bench/bench_jobs.py). ``SIGILO_BENCH_SIZES`` (default
"100,1000,10000") changes the sizes, ``SIGILO_BENCH_COMMANDS`` (default "print,batch --print")
the commands."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = [int(n) for n in os.environ.get("SIGILO_BENCH_SIZES", "100,1000,10000").split(",") if n.strip()]
COMMANDS = [c.strip() for c in os.environ.get("SIGILO_BENCH_COMMANDS", "print,batch --print").split(",") if c.strip()]
PROFILE = "zpl-203"
SINK = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
SENDER = {"name": "Sigilo Shop", "phone": "13800138000", "country": "CN", "province": "浙江省",
          "city": "杭州市", "district": "西湖区", "street": "文三路100号", "business": True}


def shipments(n: int) -> list[dict]:
    """``n`` valid sample shipments (CN, BR and international), each with its own number."""
    from desktop.paths import sample_shipments_path
    from desktop.shipment import load_jsonl
    from desktop.validation import validate

    rows = [validate(r).shipment.to_dict() for r in load_jsonl(sample_shipments_path())]
    return [{**rows[i % len(rows)], "tracking_number": f"SGS{i:09d}"} for i in range(n)]


def _csv(rows: list[dict], path: Path) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["order_id", "tracking_number", "name", "phone", "country", "province", "city", "district",
                    "street", "detail", "postcode", "weight"])
        for r in rows:
            p = r["recipient"]
            w.writerow([r.get("order_id") or r["tracking_number"], r["tracking_number"], p["name"], p["phone"],
                        p["country"], p.get("province", ""), p.get("city", ""), p.get("district", ""),
                        p.get("street", ""), p.get("detail", ""), p.get("postcode", ""),
                        (r.get("parcel") or {}).get("weight_kg") or 0.5])


MAPPING = ["--map", "order_id=order_id", "--map", "tracking_number=tracking_number", "--map", "recipient.name=name",
           "--map", "recipient.phone=phone", "--map", "recipient.country=country", "--map",
           "recipient.province=province", "--map", "recipient.city=city", "--map", "recipient.district=district",
           "--map", "recipient.street=street", "--map", "recipient.detail=detail", "--map",
           "recipient.postcode=postcode", "--map", "parcel.weight_kg=weight"]


def _run(args: list[str], home: Path) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS MiB, exit status) of one ``sigilo`` process. CPU
    time (user + system, all its threads) is what the work costs; wall time also holds the
    waits for a CPU on a machine shared with other work."""
    env = {**os.environ, "SIGILO_HOME": str(home), "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "desktop.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"sigilo {args[0]} failed ({proc.returncode}): {err.decode(errors='replace')[-800:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def startup(home: Path) -> tuple[float, float]:
    """Median (wall, CPU) seconds of ``sigilo --version``: a process's cost before any work."""
    runs = [_run(["--version"], home) for _ in range(3)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def compose_encode(rows: list[dict], keys: Path) -> tuple[float, float]:
    """(wall, CPU) seconds per label of mask + seal + compose + encode alone, over ``rows``
    (medians of chunks of 100)."""
    from desktop.compose import compose_label
    from desktop.compose.outputs import render_label
    from desktop.seal import Sealer
    from desktop.shipment import Shipment
    from printers.profiles import load_profile

    sealer = Sealer.from_keys_dir(keys)
    profile = load_profile(PROFILE)
    items = [Shipment.from_dict(r) for r in rows]
    compose_label(items[0], sealer=sealer, dpi=profile.dpi)  # fonts and templates loaded once
    walls, cpus = [], []
    for chunk in range(0, len(items), 100):
        start, cpu = time.perf_counter(), time.process_time()
        part = items[chunk:chunk + 100]
        for s in part:
            render_label(compose_label(s, sealer=sealer, dpi=profile.dpi), "zpl", profile)
        walls.append((time.perf_counter() - start) / len(part))
        cpus.append((time.process_time() - cpu) / len(part))
    return statistics.median(walls), statistics.median(cpus)


def bench() -> str:
    from common import table

    from desktop.seal import ensure_demo_keys

    work = Path(tempfile.mkdtemp(prefix="sigilo-bench-scale-"))
    try:
        keys = work / "keys"
        ensure_demo_keys(keys)
        base_wall, base_cpu = startup(work / "home-startup")
        alone_wall, alone = compose_encode(shipments(500), keys)
        rows, figures = [], {}
        for command in COMMANDS:
            for n in SIZES:
                home = work / f"home-{command.split()[0]}-{n}"
                # the printer file on tmpfs where there is one: its fsync after each label (what makes
                # a file printer's "confirmed" durable) measures the disk, not Sigilo
                out = SINK / f"sigilo-bench-{os.getpid()}-{command.split()[0]}-{n}.zpl"
                data = shipments(n)
                if command == "print":
                    src = work / f"ships-{n}.jsonl"
                    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in data), encoding="utf-8")
                    args = ["print", str(src), "--printer", out.as_uri(), "--profile", PROFILE, "--keys", str(keys)]
                else:
                    src = work / f"orders-{n}.csv"
                    _csv(data, src)
                    sender = work / "sender.json"
                    sender.write_text(json.dumps(SENDER, ensure_ascii=False), encoding="utf-8")
                    args = ["batch", str(src), "--save-mapping", f"bench-{n}", *MAPPING, "--sender", str(sender),
                            "--print", "--printer", out.as_uri(), "--profile", PROFILE, "--keys", str(keys)]
                wall, cpu, rss, status = _run(args, home)
                labels = out.read_bytes().count(b"^XA") if out.exists() else 0
                out.unlink(missing_ok=True)
                print(f"scale: {command} {n}: {wall:.1f} s wall, {cpu:.1f} s CPU, {rss:.0f} MiB, {labels} labels, "
                      f"exit {status}", file=sys.stderr)
                figures[(command, n)] = (wall, cpu, rss)
                marginal = (cpu - base_cpu) / n
                rows.append([f"sigilo {command}", f"{n:,}", f"{labels:,}", f"{wall:.1f} s", f"{n / wall:.0f}",
                             f"{cpu:.1f} s", f"{cpu / n * 1000:.2f} ms", f"{marginal * 1000:.2f} ms",
                             f"{marginal / alone:.2f}x", f"{rss:.0f} MiB"])
        small, large = SIZES[0], SIZES[-1]
        notes = []
        for command in COMMANDS:
            w0, c0, r0 = figures[(command, small)]
            w1, c1, r1 = figures[(command, large)]
            mid = figures.get((command, 1000), figures[(command, small)])
            notes.append(f"`sigilo {command}`: a label of {large:,} costs **{(c1 / large) / (c0 / small):.2f}x** "
                         f"the CPU of a label of {small:,} (whole process, start-up included), "
                         f"**{((c1 - base_cpu) / large) / alone:.2f}x** compose + encode alone past start-up; "
                         f"peak RSS {mid[2]:.0f} MiB at {1000 if (command, 1000) in figures else small:,} and "
                         f"{r1:.0f} MiB at {large:,} (**{r1 - mid[2]:+.0f} MiB**).")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return (
        "### Cost by batch size (whole process)\n\n"
        f"Each row is one fresh `sigilo` process with a fresh store printing N sample shipments (CN, BR and "
        f"international, each its own tracking number) to a `file://` {PROFILE} printer (a file in {SINK}, "
        "so its fsync after each label costs no disk time): reading and validating "
        f"the file, the store and audit, the queue's worker thread, composing, sealing and encoding, until the "
        f"last label is confirmed. CPU is the process's user + system time (all threads) and peak RSS its own, "
        f"both from `wait4`; wall time also holds the waits for a CPU on this shared machine (load during the "
        f"run: {os.getloadavg()[0]:.0f} on {os.cpu_count()} cores), so the ratios are taken on CPU time. "
        f"Compose + encode alone (mask, seal, compose, encode in this process; no store, no queue): "
        f"**{alone * 1000:.2f} ms** CPU a label ({alone_wall * 1000:.1f} ms wall). Process start-up "
        f"(`sigilo --version`): {base_cpu:.2f} s CPU ({base_wall:.1f} s wall), in the whole-process figures and "
        "taken out of the \"past start-up\" ones.\n\n"
        + table(["command", "shipments", "labels out", "wall", "labels/s (wall)", "CPU", "CPU a label",
                 "CPU a label past start-up", "vs compose + encode", "peak RSS"], rows)
        + "\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    print(bench())
