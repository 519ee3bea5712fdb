"""Print bridge benchmark, the whole command: `sigilo serve` in its own process with three
simulated TSPL printers on local TCP ports (taking no mechanical time, so the bridge and the
queue are what is measured), 10 paired pages each sending 100 one-document tasks at once and
resending a fifth of them, as tests/test_bridge_load.py does. Latencies run from the moment
the accepted request left the page to the moment the page heard `rendered` / `printed`.
Baseline, same run: the same 1,000 shipments submitted straight to the print queue in this
process (no sockets, no bridge), three printers, each job of 100."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from common import table  # noqa: E402

PAGES = int(os.environ.get("SIGILO_BENCH_PAGES", "10"))
TASKS = int(os.environ.get("SIGILO_BENCH_TASKS", "100"))


def _shipments() -> list[dict]:
    from desktop.paths import sample_shipments_path
    from desktop.shipment import load_jsonl

    return load_jsonl(sample_shipments_path())


def _bridge(home: Path) -> dict:
    from bridge_helpers import approve_all
    from bridge_load import percentile, run_load
    from test_bridge_restart import start_serve, stop
    from websockets.sync.client import connect

    from printers.simulator import SimulatedPrinter

    sims = [SimulatedPrinter("tspl", baud=None, seconds_per_label=0.0, tcp_port=0).start() for _ in range(3)]
    extra = []
    for i, sim in enumerate(sims[1:], start=1):
        extra += ["--printer", f"P{i}={sim.uri}"]
    started = time.perf_counter()
    os.environ["SIGILO_HOME"] = str(home)
    proc, url = start_serve(home, sims[0].uri, *extra)
    startup = time.perf_counter() - started
    try:
        import json

        pages = []
        for n in range(PAGES):
            origin = f"https://shop{n}.example"
            with connect(url, origin=origin) as ws:
                ws.send(json.dumps({"cmd": "pair", "requestID": "p", "version": "1.0", "name": "bench"}))
                pages.append((origin, json.loads(ws.recv(timeout=30))["token"]))
        approve_all(home)
        result = run_load(url, pages, _shipments(), ["Label", "P1", "P2"], tasks_per_page=TASKS, retry_share=0.2)
    finally:
        stop(proc)
        for sim in sims:
            sim.stop()
    printed = sum(len(s.labels) for s in sims)
    to_rendered = [result.rendered_at[d] - result.sent_at[d] for d in result.sent_at if d in result.rendered_at]
    to_printed = [result.printed_at[d] - result.sent_at[d] for d in result.sent_at if d in result.printed_at]
    first = min(result.sent_at.values())
    last = max(result.printed_at.values())
    return {"docs": result.documents, "printed": printed, "failed": len(result.failed),
            "r50": percentile(to_rendered, 0.5), "r99": percentile(to_rendered, 0.99),
            "p50": percentile(to_printed, 0.5), "p99": percentile(to_printed, 0.99),
            "rate": result.documents / (last - first), "retried": result.retried_replies,
            "limited": result.rate_limited, "startup": startup}


def _queue(home: Path, n: int) -> float:
    from bridge_helpers import demo_sealer

    from desktop.jobs import PrintQueue
    from desktop.jobs.render import compose_renderer
    from desktop.shipment import Shipment
    from desktop.store import Store
    from printers.simulator import SimulatedPrinter

    sims = [SimulatedPrinter("tspl", baud=None, seconds_per_label=0.0, tcp_port=0).start() for _ in range(3)]
    store = Store(home / "baseline.db")
    ships = _shipments()
    try:
        with PrintQueue(store, compose_renderer(demo_sealer(home)), poll_interval=0.01, actor="bench") as q:
            start = time.perf_counter()
            jobs = []
            for j in range(n // 100):
                batch = [Shipment.from_dict({**ships[(j * 100 + i) % len(ships)], "tracking_number": f"SGQ{j:03d}{i:06d}"})
                         for i in range(100)]
                jobs.append(q.submit(sims[j % 3].uri, "tspl-203", batch))
            for job in jobs:
                q.wait(job, timeout=600)
            wall = time.perf_counter() - start
    finally:
        store.close()
        for sim in sims:
            sim.stop()
    return n / wall


def bench() -> str:
    home = Path(tempfile.mkdtemp(prefix="sigilo-bench-bridge-"))
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    old_home = os.environ.get("SIGILO_HOME")
    try:
        r = _bridge(home / "bridge")
        print(r, file=sys.stderr)
        base = _queue(home / "queue", r["docs"])
    finally:
        if old_home is None:
            os.environ.pop("SIGILO_HOME", None)
        else:
            os.environ["SIGILO_HOME"] = old_home
        shutil.rmtree(home, ignore_errors=True)
    ms = lambda s: f"{s * 1000:,.0f} ms"  # noqa: E731
    rows = [
        ["request to `rendered`", ms(r["r50"]), ms(r["r99"])],
        ["request to `printed`", ms(r["p50"]), ms(r["p99"])],
    ]
    return (
        f"`sigilo serve` (its own process) with three simulated TSPL printers on local TCP ports taking no "
        f"mechanical time; {PAGES} paired pages each sending {TASKS} one-document tasks at once (every page its "
        "own origin, so each is held to 20 requests a second) and resending a fifth of them. Latency runs from "
        "the accepted request leaving the page to the page hearing the state; the documents wait in the queue "
        "behind each other, so p99 is about the time to print the whole load.\n\n"
        + table(["from the page's request", "p50", "p99"], rows)
        + "\n\n"
        + table(["throughput", "figure", "note"], [
            ["bridge: documents printed a second", f"{r['rate']:.0f} /s",
             f"{r['docs']} documents, {r['printed']} labels printed, {r['failed']} failed, "
             f"{r['retried']} resent tasks answered without printing, {r['limited']} requests told RATE_LIMITED"],
            ["baseline: the print queue alone, same shipments and printers", f"{base:.0f} /s",
             f"bridge at {r['rate'] / base:.2f}x of the queue alone"],
            ["`sigilo serve` start to listening", f"{r['startup'] * 1000:.0f} ms", "subprocess, demo keys"],
        ])
        + "\n\nEvery label is composed (masked, sealed, encoded) as its printer takes it; most of the time "
        "per document is that work and the queue's signed audit entry, shared by the bridge and the baseline. "
        "The bridge adds per document: validation on receipt, a store row and its notices, and the socket.\n\n"
        f"Machine load (1-minute load average) when the run began: {load_before:.1f} on "
        f"{os.cpu_count()} cores; both the bridge and its baseline ran under it, so compare the ratio "
        "rather than the absolute figures.\n"
    )


if __name__ == "__main__":
    print(bench())
