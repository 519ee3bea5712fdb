"""The simulated printer: pacing arithmetic (without waiting for it), splitting each language's
stream into labels, its control words, and the `sigilo simulate-printer` command run as a real
subprocess that stops cleanly, leaving no socat behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from printers.labelstream import LabelStream
from printers.simulator import Pacer, SimulatedPrinter, wire_seconds
from printers.status import PrinterState, query_status
from printers.transports import open_transport

ROOT = Path(__file__).resolve().parent.parent


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds


def test_pacing_10kb_at_9600_baud_takes_about_ten_seconds_of_sleep():
    clock = FakeClock()
    pacer = Pacer(9600, clock=clock, sleep=clock.sleep)
    size = pacer.chunk_size()
    assert size == 19  # 960 bytes/s in 20 ms steps
    sent = 0
    while sent < 10240:
        n = min(size, 10240 - sent)
        pacer.take(n)
        sent += n
    assert clock.slept == pytest.approx(10240 * 10 / 9600)  # 10.67 s
    assert wire_seconds(10240, 9600) == pytest.approx(10.6667, abs=1e-3)


def test_pacing_gives_no_credit_for_idle_time():
    clock = FakeClock()
    pacer = Pacer(115200, clock=clock, sleep=clock.sleep)
    pacer.take(11520)
    assert clock.slept == pytest.approx(1.0)
    clock.now += 60  # idle for a minute
    before = clock.slept
    pacer.take(1152)
    assert clock.slept - before == pytest.approx(0.1)


def test_no_baud_means_no_pacing():
    clock = FakeClock()
    assert Pacer(None, clock=clock, sleep=clock.sleep).take(10**6) == 0 and clock.slept == 0


def test_mechanical_time_from_label_length_and_speed():
    sim = SimulatedPrinter("zpl", mem="speed", label_length_mm=152.4, speed_ips=6)
    assert sim.seconds_per_label == pytest.approx(1.0)


def test_zpl_stream_split_with_queries_between_formats():
    stream = LabelStream("zpl")
    a = b"^XA^FO10,10^FDone^FS^XZ"
    b = b"^XA^FO10,10^FDtwo^FS^PQ3^XZ"
    events = stream.feed(a[:7]) + stream.feed(a[7:] + b"\r\n~HQES~hs") + stream.feed(b[:-1]) + stream.feed(b[-1:])
    assert [(e.kind, e.data, e.copies) for e in events] == [
        ("label", a, 1), ("query", b"~HQES", 1), ("query", b"~HS", 1), ("label", b, 3)]
    assert stream.feed(b'! U1 getvar "odometer.total_label_count"\r\n')[0].kind == "query"


def test_escpos_stream_skips_raster_bytes_that_look_like_a_cut():
    raster = b"\x1dv0\x00\x04\x00\x02\x00" + b"\x1dV\x00\x10\x04\x01\x1b\x0c"  # 4x2 bytes of 'image'
    label = b"\x1b@" + raster + b"\x1dV\x41\x10"
    stream = LabelStream("escpos")
    events = stream.feed(label + b"\x10\x04\x04")
    assert [(e.kind, e.data) for e in events] == [("label", label), ("query", b"\x10\x04\x04")]
    assert stream.feed(b"\x1b@text\x1b\x0c")[0].data == b"\x1b@text\x1b\x0c"


def test_tspl_stream_byte_by_byte():
    label = b"SIZE 50 mm,30 mm\r\nCLS\r\nBITMAP 0,0,2,2,0,\r\nPR\r\nPRINT 2\r\n"
    stream = LabelStream("tspl")
    events = []
    for i in range(len(label)):
        events += stream.feed(label[i:i + 1])
    events += stream.feed(b"\x1b!?~!T")
    assert [(e.kind, e.data, e.copies) for e in events] == [
        ("label", label, 2), ("query", b"\x1b!?", 1), ("query", b"~!T", 1)]
    assert stream.pending == b""


def test_control_words():
    sim = SimulatedPrinter("tspl", mem="words", seconds_per_label=0.01).start()
    try:
        assert sim.command("paper-out") == "ok paper-out"
        assert sim.command("status") == "status paper-out (out of paper)"
        sim.command("paper-in")
        sim.command("head-open")
        assert sim.status().state is PrinterState.HEAD_OPEN
        sim.command("head-close")
        assert sim.command("labels") == "labels 0"
        with pytest.raises(ValueError):
            sim.command("explode")
    finally:
        sim.stop()


def _socat_for(link: Path) -> list[int]:
    """socat processes serving ``link`` (read from /proc; nothing is killed by name)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"socat" in cmd and str(link).encode() in cmd:
                pids.append(int(entry.name))
    return pids


def _run_cli(args: list[str]) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "desktop.cli", *args], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_cli_simulator_on_a_pty_controlled_from_stdin(tmp_path):
    link = tmp_path / "printer"
    out = tmp_path / "labels"
    proc = _run_cli(["simulate-printer", "--language", "tspl", "--pty", str(link), "--baud", "230400",
                     "--seconds-per-label", "0.05", "--out", str(out)])
    try:
        first = proc.stdout.readline()
        assert f"serial://{link}" in first
        proc.stdout.readline()  # the list of commands
        label = b"SIZE 50 mm,30 mm\r\nCLS\r\nTEXT 10,10,\"3\",0,1,1,\"SG1\"\r\nPRINT 1\r\n"
        with open_transport(f"serial://{link}?baud=230400") as t:
            t.write(label)
            assert proc.stdout.readline().startswith("printed label 1")
            proc.stdin.write("paper-out\n")
            proc.stdin.flush()
            assert proc.stdout.readline().strip() == "ok paper-out"
            assert query_status(t, "tspl", timeout=5).state is PrinterState.PAPER_OUT
        assert (out / "label-0001.prn").read_bytes() == label
        assert _socat_for(link)
        proc.stdin.close()  # stdin ends: it keeps serving until signalled
        time.sleep(0.2)
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert _socat_for(link) == []
    assert not link.exists()


def test_cli_simulator_on_tcp_quits_on_command():
    proc = _run_cli(["simulate-printer", "--language", "zpl", "--tcp", "0", "--seconds-per-label", "0.01"])
    try:
        uri = proc.stdout.readline().split(" at ", 1)[1].strip()
        proc.stdout.readline()
        with open_transport(uri) as t:
            t.write(b"^XA^FDx^FS^XZ")
            assert proc.stdout.readline().startswith("printed label 1")
        cli = subprocess.run([sys.executable, "-m", "desktop.cli", "printers", "--uri", uri, "--language", "zpl"],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert cli.returncode == 0 and cli.stdout.strip() == f"{uri}: ready"
        proc.stdin.write("head-open\n")
        proc.stdin.flush()
        proc.stdout.readline()
        cli = subprocess.run([sys.executable, "-m", "desktop.cli", "printers", "--uri", uri, "--language", "zpl",
                              "--json"], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert cli.returncode == 1 and '"state": "head-open"' in cli.stdout
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_simulator_never_stopped_leaves_no_socat(tmp_path):
    link = tmp_path / "forgotten"
    script = ("import sys\nfrom printers.simulator import SimulatedPrinter\n"
              f"SimulatedPrinter('tspl', pty={str(link)!r}).start()\nprint('started', flush=True)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.stdout.strip() == "started", result.stderr
    assert _socat_for(link) == []


def test_a_busy_tcp_port_is_a_clear_error():
    import socket

    from printers.simulator import SimulatorError

    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    try:
        sim = SimulatedPrinter("zpl", tcp_port=port)
        with pytest.raises(SimulatorError, match="another program uses the port"):
            sim.start()
        sim.stop()
        cli = subprocess.run([sys.executable, "-m", "desktop.cli", "simulate-printer", "--tcp", str(port)],
                             cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                             check=False)
        assert cli.returncode == 1 and "another program uses the port" in cli.stderr
    finally:
        holder.close()


@pytest.mark.parametrize("args, words", [
    (["--tcp", "70000"], "TCP port 70000 is not a port number"),
    (["--tcp", "0", "--baud", "-5"], "baud -5 is negative"),
    (["--tcp", "0", "--seconds-per-label", "-1"], "a label cannot take -1 seconds"),
])
def test_settings_no_printer_could_have_are_usage_errors_not_tracebacks(args, words):
    cli = subprocess.run([sys.executable, "-m", "desktop.cli", "simulate-printer", *args],
                         cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                         check=False)
    assert cli.returncode == 2 and words in cli.stderr and "Traceback" not in cli.stderr


def test_process_ids_keep_their_place_between_labels():
    """label, id A, label, id B in one write: A is answered after the first label, not the second.
    The head opens as the first label comes out, so the second cannot print until it closes."""
    sim = SimulatedPrinter("escpos", baud=None, seconds_per_label=0.01, mem="pid-order",
                           on_label=lambda count, data: count == 1 and sim.head_open())
    sim.start()
    try:
        label = b"\x1b@x\x1dV\x00"
        with open_transport(sim.uri) as t:
            t.write(label + b"\x1d(H\x06\x0000AAAA" + label + b"\x1d(H\x06\x0000BBBB")
            assert t.read(7, 5) == b"\x37\x22AAAA\x00"
            assert t.read(7, 0.3) == b""  # B waits for the second label
            assert sim.printed_count == 1
            sim.head_close()
            assert t.read(7, 5) == b"\x37\x22BBBB\x00"
            assert sim.printed_count == 2
    finally:
        sim.stop()


def test_a_label_cut_off_by_a_vanish_is_dropped_and_the_printer_reads_afresh_after_it():
    label = b"SIZE 60 mm,40 mm\r\nCLS\r\nBITMAP 0,0,50,40,0," + b"\x1b!?" * 666 + b"\x1b!\r\nPRINT 1\r\n"
    with SimulatedPrinter("tspl", baud=None, seconds_per_label=0, tcp_port=0) as sim:
        cut = open_transport(sim.uri)
        cut.write(label[:1000])  # into the bitmap, whose bytes look like status queries
        assert sim.wait_received(1000, timeout=10)
        sim.vanish()
        sim.come_back()
        cut.close()
        with open_transport(sim.uri) as t:
            assert query_status(t, "tspl", timeout=5).state is PrinterState.READY
            t.write(label)
            assert sim.wait_printed(1, timeout=10)
        assert sim.labels == [label] and sim.queries == [b"\x1b!?"]
