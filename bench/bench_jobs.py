"""Print queue benchmark: 100 composed waybills through the queue to the simulated printer at
115200 baud and 6 ips (a 150 mm label takes 0.98 s of mechanism), wall time against the
printer's mechanical time; and the queue's own overhead per label (store transactions, audit
entry with its signature, status round trip) with a printer that takes no time at all."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import table  # noqa: E402

LABELS = int(os.environ.get("SIGILO_BENCH_LABELS", "100"))
IPS = 6.0
LENGTH_MM = 150.0


def _ships(n: int) -> list:
    from desktop.paths import sample_shipments_path
    from desktop.shipment import Shipment, load_jsonl
    from desktop.validation import validate

    rows = [validate(r).shipment for r in load_jsonl(sample_shipments_path())]
    out = []
    for i in range(n):
        s = rows[i % len(rows)]
        out.append(Shipment.from_dict({**s.to_dict(), "tracking_number": f"SGB{i:09d}"}))
    return out


def _run(profile: str, language: str, window: int, home: Path, sealer, link: str = "serial") -> dict:
    """``link``: "serial" (a socat pty at 115200), "tcp-paced" (TCP on 127.0.0.1, the printer
    taking bytes at 115200 behind its socket, as small-buffer printers and serial-to-Ethernet
    adapters do) or "tcp" (TCP, the printer taking bytes as fast as they come)."""
    from desktop.jobs import PrintQueue
    from desktop.jobs.render import compose_renderer
    from desktop.store import Store
    from printers.simulator import SimulatedPrinter

    store = Store(home / f"{profile}-{window}-{link}.db")
    where = {"pty": home / f"pty-{profile}-{window}"} if link == "serial" else {"tcp_port": 0}
    sim = SimulatedPrinter(language, baud=None if link == "tcp" else 115200, label_length_mm=LENGTH_MM,
                           speed_ips=IPS, **where).start()
    render = compose_renderer(sealer)
    nbytes = []

    def measured(work):
        out = render(work)
        nbytes.append(len(out.data))
        return out

    try:
        with PrintQueue(store, measured, window=window, poll_interval=0.02) as q:
            start = time.perf_counter()
            job = q.submit(sim.uri, profile, _ships(LABELS))
            progress = q.wait(job, timeout=LABELS * 5)
            wall = time.perf_counter() - start
    finally:
        sim.stop()
        store.close()
    mech = LABELS * sim.seconds_per_label
    return {"wall": wall, "mech": mech, "bytes": sum(nbytes) / len(nbytes), "per_label": sim.seconds_per_label,
            "confirmed": progress.count("confirmed"), "printed": sim.printed_count}


def _overhead(home: Path) -> float:
    from desktop.jobs import PrintQueue, RenderedLabel
    from desktop.store import Store
    from printers.simulator import SimulatedPrinter

    store = Store(home / "overhead.db")
    sim = SimulatedPrinter("tspl", baud=None, seconds_per_label=0.0, mem="bench-overhead").start()
    data = b"SIZE 100 mm,150 mm\r\nCLS\r\nTEXT 20,20,\"3\",0,1,1,\"X\"\r\nPRINT 1,1\r\n"

    def render(work):
        return RenderedLabel(data, {"recipient": {}}, "SG1:X")

    n = 200
    ships = [{"tracking_number": f"SGO{i:07d}"} for i in range(n)]
    try:
        with PrintQueue(store, render, window=2, poll_interval=0.0) as q:
            start = time.perf_counter()
            q.wait(q.submit(sim.uri, "tspl-203", ships), timeout=300)
            wall = time.perf_counter() - start
    finally:
        sim.stop()
        store.close()
    return wall / n


def printer_part() -> str:
    from desktop.seal import Sealer, ensure_demo_keys

    home = Path(tempfile.mkdtemp(prefix="sigilo-bench-jobs-"))
    os.environ["SIGILO_HOME"] = str(home)
    try:
        ensure_demo_keys(home / "keys")
        sealer = Sealer.from_keys_dir(home / "keys")
        rows = []
        links = {"serial": "serial 115200", "tcp-paced": "TCP, printer paced at 115200", "tcp": "TCP, unpaced"}
        for profile, language, window, link in (
                ("tspl-203-cn", "tspl", 2, "serial"), ("tspl-203-cn", "tspl", 2, "tcp-paced"),
                ("tspl-203-cn", "tspl", 2, "tcp"), ("tspl-203-cn", "tspl", 4, "serial"),
                ("zpl-203", "zpl", 2, "serial"), ("zpl-203", "zpl", 2, "tcp-paced"), ("zpl-203", "zpl", 2, "tcp")):
            r = _run(profile, language, window, home, sealer, link)
            print(profile, window, link, r, file=sys.stderr)
            rows.append([f"{profile} ({language}), window {window}", links[link], f"{r['bytes'] / 1024:.1f} KB",
                         f"{r['confirmed']}/{r['printed']}", f"{r['mech']:.1f} s", f"{r['wall']:.1f} s",
                         f"{r['wall'] / r['mech']:.2f}x"])
        overhead = _overhead(home)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return (
        f"{LABELS} composed waybills (sample shipments: masked, sealed, composed and encoded as each is "
        f"printed) through the print queue to the simulated printer - on a socat pty at 115200 baud, over "
        f"TCP on 127.0.0.1 taking bytes at 115200 behind its socket, and over TCP unpaced - "
        f"{IPS:g} ips, {LENGTH_MM:g} mm labels ({LENGTH_MM / 25.4 / IPS:.2f} s of mechanism each). "
        "Wall time runs from submit to the last label confirmed by the printer's own status.\n\n"
        + table(["printer, labels kept in the printer", "link", "bytes/label", "confirmed/printed",
                 "mechanical time", "wall time", "wall over mechanical"], rows)
        + f"\n\nQueue overhead per label (the simulated printer in memory, taking no time: store "
        f"transactions, a signed audit entry, status round trips): **{overhead * 1000:.1f} ms**.\n\n"
        "TSPL has no label counter, so a label is confirmed when the printer reports idle; to keep it "
        "from idling while the next label crosses the wire, the queue sends the next label without its "
        "final PRINT while the current one prints, and the few bytes of PRINT once it is confirmed. "
        "ZPL's odometer confirms label by label once its starting count is read at the first idle "
        "moment. Wall time includes composing the first label and its time on the wire. Over TCP no line "
        "rate is assumed: the printer's own answers (and the socket's send queue) pace the queue.\n"
    )


# The parts of the "jobs" section, in order. SIGILO_BENCH_JOBS="scale" (names, comma-separated)
# re-measures only those; the others keep their figures from BENCHMARKS.md. Add a part by adding
# a function here.
def scale_part() -> str:
    import jobs_scale

    return jobs_scale.bench()


PARTS = {"scale": scale_part, "printer": printer_part}


def _kept(name: str) -> str:
    """A part's text as BENCHMARKS.md holds it (the whole old section for "printer", which
    predates the parts)."""
    import re

    from common import BENCHMARKS

    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else ""
    found = re.search(rf"<!-- jobs:{name} -->\n(.*?)\n<!-- /jobs:{name} -->", text, re.S)
    if found:
        return found.group(1)
    old = re.search(r"<!-- bench:jobs -->\n## jobs\n\n_Machine:[^\n]*\n\n(.*?)\n<!-- /bench:jobs -->", text, re.S)
    return old.group(1) if old and name == "printer" else "_(not measured yet)_"


def bench() -> str:
    chosen = [n.strip() for n in os.environ.get("SIGILO_BENCH_JOBS", ",".join(PARTS)).split(",") if n.strip()]
    out = []
    for name, part in PARTS.items():
        body = part() if name in chosen else _kept(name)
        out.append(f"<!-- jobs:{name} -->\n{body.strip()}\n<!-- /jobs:{name} -->")
    return "\n\n".join(out) + "\n"


if __name__ == "__main__":
    print(bench())
