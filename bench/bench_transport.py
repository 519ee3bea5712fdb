"""Transports, status queries and the simulated printer: is a label on a serial line as fast as
the wire allows, and how long does a status poll between labels cost?

Serial runs go through a real socat pty pair to the simulated printer, which paces at the
baud rate (10 bits a byte), so the figure to compare with is the wire time itself."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from common import median_seconds, table

from printers.labelstream import LabelStream
from printers.simulator import SimulatedPrinter, wire_seconds
from printers.status import query_status
from printers.transports import open_transport


def _tspl_label(size: int) -> bytes:
    body = b"SIZE 100 mm,150 mm\r\nCLS\r\n" + b"BITMAP 0,0,100,%d,0," % (size // 100) + b"\x5a" * (size // 100 * 100)
    return body + b"\r\nPRINT 1\r\n"


def _serial_delivery(tmp: Path, baud: int, size: int, runs: int = 3) -> float:
    label = _tspl_label(size)
    samples = []
    with SimulatedPrinter("tspl", baud=baud, seconds_per_label=0.01, pty=tmp / f"s{baud}") as sim:
        with open_transport(sim.uri) as t:
            for i in range(runs):
                start = time.perf_counter()
                t.write(label)
                sim.wait_received(len(label) * (i + 1), timeout=120)
                samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _status_latency(uri_of, language: str, sim: SimulatedPrinter, n: int = 20) -> float:
    with open_transport(uri_of(sim)) as t:
        query_status(t, language, timeout=5)
        return median_seconds(lambda: query_status(t, language, timeout=5), runs=n)


def bench() -> str:
    out = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        rows = []
        for baud, size in ((115200, 10_000), (115200, 1_200), (9600, 1_200)):
            got = _serial_delivery(tmp, baud, size, runs=3 if baud > 9600 else 1)
            wire = wire_seconds(len(_tspl_label(size)), baud)
            rows.append([f"{baud}", f"{len(_tspl_label(size)):,} B", f"{wire:.3f} s", f"{got:.3f} s", f"{got / wire:.2f}x"])
        out.append("Label delivery over a socat pty to the simulated printer (write start to last byte taken):\n")
        out.append(table(["baud", "label", "wire time (10 bits/B)", "measured", "ratio"], rows))

        rows = []
        for language in ("tspl", "zpl", "escpos"):
            with SimulatedPrinter(language, baud=115200, pty=tmp / f"q{language}") as sim:
                pty_t = _status_latency(lambda s: s.uri, language, sim)
            with SimulatedPrinter(language, baud=None, tcp_port=0) as sim:
                tcp_t = _status_latency(lambda s: s.uri, language, sim)
            with SimulatedPrinter(language, baud=None, mem=f"bench-{language}") as sim:
                mem_t = _status_latency(lambda s: s.uri, language, sim)
            rows.append([language, f"{pty_t * 1000:.2f} ms", f"{tcp_t * 1000:.2f} ms", f"{mem_t * 1000:.3f} ms"])
        out.append("\n\nStatus query round trip (median of 20; ZPL asks ~HQES then ~HS):\n")
        out.append(table(["language", "serial pty 115200", "TCP 127.0.0.1", "mem://"], rows))

        size = 8 << 20
        with SimulatedPrinter("zpl", baud=None, tcp_port=0, seconds_per_label=0) as sim:
            payload = b"^XA^FO10,10^FD" + b"x" * 1000 + b"^FS^XZ"
            data = payload * (size // len(payload))
            with open_transport(sim.uri) as t:
                start = time.perf_counter()
                t.write(data)
                sim.wait_received(len(data), timeout=120)
                took = time.perf_counter() - start
        out.append(f"\n\nTCP to the simulator, unpaced: {len(data) / took / 1e6:.1f} MB/s "
                   f"({len(data) // len(payload):,} labels of {len(payload):,} B split and queued in {took:.2f} s).")

        stream_data = (b"^XA^FO50,50^A0N,40,40^FDSG0123456789^FS^BY3^FO50,120^BCN,100,Y,N,N^FDSG0123456789^FS^XZ\r\n"
                       * 1000)
        per = median_seconds(lambda: LabelStream("zpl").feed(stream_data), runs=5)
        out.append(f"\n\nSplitting a ZPL stream into labels: {1000 / per:,.0f} labels/s ({per * 1000:.1f} ms per 1,000).")
    return "\n".join(out)
