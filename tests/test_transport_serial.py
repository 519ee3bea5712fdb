"""Serial printing through a real pty pair made by socat, against the simulated printer: bytes
arrive exact, status queries report each fault in each language, a printer that vanishes
raises DisconnectedError and a reopen works, and a stalled line gives a typed timeout."""

from __future__ import annotations

import errno
import os
import random
import subprocess
import time

import pytest

from printers.simulator import SimulatedPrinter
from printers.status import PrinterState, query_label_count, query_status
from printers.transports import (
    BusyError,
    DisconnectedError,
    NotFoundError,
    PermissionDeniedError,
    TransportTimeoutError,
    open_transport,
)



@pytest.fixture
def make_sim(tmp_path):
    sims = []

    def make(language="tspl", **kw):
        kw.setdefault("pty", tmp_path / f"printer{len(sims)}")
        kw.setdefault("seconds_per_label", 0.05)
        sim = SimulatedPrinter(language, **kw).start()
        sims.append(sim)
        return sim

    yield make
    for sim in sims:
        sim.stop()
        assert sim._socat is None


def tspl_label(payload: int = 10_000, seed: int = 7) -> bytes:
    """A TSPL label with a BITMAP of random bytes: they contain CR LF, ESC and maybe 'PRINT',
    so only a length-aware reader gets the label whole."""
    rng = random.Random(seed)
    width = 50
    height = payload // width
    data = bytearray(rng.randrange(256) for _ in range(width * height))
    trap = b"\r\nPRINT 1\r\n\x1b!?"  # looks like a label end and a status query
    data[1000:1000 + len(trap)] = trap
    data = bytes(data)
    return (b"SIZE 100 mm,150 mm\r\nGAP 2 mm,0 mm\r\nCLS\r\n"
            + b"BITMAP 16,16,%d,%d,0," % (width, height) + data + b"\r\n"
            + b'BARCODE 40,900,"128",80,1,0,2,2,"SG0123456789"\r\nPRINT 1,1\r\n')


def test_a_10kb_label_arrives_byte_exact_at_115200(make_sim):
    sim = make_sim("tspl", baud=115200)
    label = tspl_label()
    assert len(label) > 10_000 and b"\x1b" in label and b"\r\n" in label[100:-100]
    with open_transport(sim.uri) as t:
        t.write(label)
        t.drain()
        assert sim.wait_printed(1, timeout=20)
    assert sim.labels == [label]
    assert bytes(sim.received) == label


def test_two_labels_and_copies_are_counted(make_sim):
    sim = make_sim("tspl", baud=921600)
    one = b"SIZE 50 mm,30 mm\r\nCLS\r\nTEXT 10,10,\"3\",0,1,1,\"ONE\"\r\nPRINT 1\r\n"
    two = b"SIZE 50 mm,30 mm\r\nCLS\r\nTEXT 10,10,\"3\",0,1,1,\"TWO\"\r\nPRINT 1,2\r\n"
    with open_transport(sim.uri) as t:
        t.write(one + b"\r\n" + two)
        assert sim.wait_printed(3, timeout=10)
    assert sim.labels == [one, two, two]


FAULTS = [
    ("paper_out", "paper_in", PrinterState.PAPER_OUT),
    ("head_open", "head_close", PrinterState.HEAD_OPEN),
    ("ribbon_out", "ribbon_in", PrinterState.RIBBON_OUT),
    ("pause", "resume", PrinterState.PAUSED),
]


@pytest.mark.parametrize("language", ["tspl", "zpl", "escpos"])
def test_each_fault_is_reported_in_each_language(make_sim, language):
    sim = make_sim(language, baud=115200)
    # ESC/POS has neither a pause nor a ribbon bit: the printer just reports itself offline
    unreported = {PrinterState.PAUSED, PrinterState.RIBBON_OUT} if language == "escpos" else set()
    with open_transport(sim.uri) as t:
        assert query_status(t, language, timeout=5).state is PrinterState.READY
        for set_fault, clear_fault, state in FAULTS:
            getattr(sim, set_fault)()
            got = query_status(t, language, timeout=5)
            assert got.state is (PrinterState.OFFLINE if state in unreported else state), (set_fault, got)
            assert got.fault and not got.ok
            getattr(sim, clear_fault)()
            assert query_status(t, language, timeout=5).state is PrinterState.READY
        sim.paper_out()
        sim.head_open()
        both = query_status(t, language, timeout=5)
        assert both.state is PrinterState.HEAD_OPEN  # the head is what the clerk must fix first
        assert "paper_out" in both.flags or language == "escpos" and "cover_open" in both.flags


def test_paper_out_keeps_the_label_unprinted_until_paper_is_loaded(make_sim):
    sim = make_sim("zpl", baud=115200, seconds_per_label=0.05)
    label = b"^XA^FO50,50^A0N,40,40^FDSG0001^FS^XZ"
    with open_transport(sim.uri) as t:
        sim.paper_out()
        t.write(label)
        assert sim.wait_received(len(label), timeout=5)
        assert not sim.wait_printed(1, timeout=0.3)
        status = query_status(t, "zpl", timeout=5)
        assert status.state is PrinterState.PAPER_OUT
        assert query_label_count(t, "zpl", timeout=5) == 0
        sim.paper_in()
        assert sim.wait_printed(1, timeout=5)
        assert query_label_count(t, "zpl", timeout=5) == 1
    assert sim.labels == [label]


def test_printing_is_distinguished_from_ready(make_sim):
    sim = make_sim("tspl", baud=115200, seconds_per_label=30)
    with open_transport(sim.uri) as t:
        t.write(b"SIZE 50 mm,30 mm\r\nCLS\r\nPRINT 1\r\n")
        status = query_status(t, "tspl", timeout=5)  # the query travels behind the label, as on a real line
        assert status.state is PrinterState.PRINTING and status.raw == b"\x20"


def test_vanish_raises_disconnected_and_reopen_works(make_sim):
    sim = make_sim("tspl", baud=115200)
    t = open_transport(sim.uri)
    assert query_status(t, "tspl", timeout=5).state is PrinterState.READY
    sim.vanish()
    with pytest.raises(DisconnectedError) as info:
        for _ in range(50):
            t.write(b"\x1b!?")
            t.read(1, 0.05)
    assert info.value.hint
    t.close()
    with pytest.raises(NotFoundError):
        open_transport(sim.uri)  # while it is gone, the port does not exist
    sim.come_back()
    with open_transport(sim.uri) as again:
        assert query_status(again, "tspl", timeout=5).state is PrinterState.READY
        again.write(b"SIZE 50 mm,30 mm\r\nCLS\r\nPRINT 1\r\n")
        assert sim.wait_printed(1, timeout=5)


def test_silence_is_offline_not_ready(tmp_path):
    """A pty pair with nobody behind it: a status query times out into OFFLINE."""
    a, b = tmp_path / "a", tmp_path / "b"
    proc = subprocess.Popen(["socat", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(500):
            if a.exists() and b.exists():
                break
            time.sleep(0.01)
        with open_transport(f"serial://{a}?baud=115200") as t:
            for language in ("tspl", "zpl", "escpos"):
                status = query_status(t, language, timeout=0.2)
                assert status.state is PrinterState.OFFLINE and "no answer" in status.detail
            assert t.read(10, 0.1) == b""
    finally:
        proc.terminate()
        proc.wait()


def test_a_stalled_line_gives_a_typed_timeout(tmp_path):
    """Nobody reads the far end: once the pty's buffers fill, the write times out."""
    a, b = tmp_path / "a", tmp_path / "b"
    proc = subprocess.Popen(["socat", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(500):
            if a.exists() and b.exists():
                break
            time.sleep(0.01)
        held = os.open(b, os.O_RDWR | os.O_NOCTTY)  # open, never read
        try:
            with open_transport(f"serial://{a}?baud=4000000&timeout=0.3") as t:
                with pytest.raises(TransportTimeoutError) as info:
                    t.write(b"\x00" * (4 << 20))
                assert "stopped accepting" in info.value.message and info.value.hint
        finally:
            os.close(held)
    finally:
        proc.terminate()
        proc.wait()


def test_permission_denied_is_mapped_with_the_command_to_fix_it(monkeypatch, tmp_path):
    """Tests run as root, which ignores file modes, so EACCES is raised at the os.open boundary
    that pyserial calls, exactly as the kernel raises it for a user outside 'dialout'."""
    real_open = os.open

    def deny(path, *args, **kw):
        if str(path) == "/dev/ttyUSB9":
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, *args, **kw)

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(PermissionDeniedError) as info:
        open_transport("serial:///dev/ttyUSB9")
    assert "usermod -aG dialout" in info.value.hint and "udev" in info.value.hint


def test_busy_and_missing_ports(monkeypatch, make_sim):
    sim = make_sim("tspl")
    with open_transport(sim.uri):
        with pytest.raises(BusyError):
            open_transport(sim.uri)  # pyserial's exclusive lock: a second program is refused
    with pytest.raises(NotFoundError) as info:
        open_transport("serial:///dev/ttyDOESNOTEXIST")
    assert "sigilo printers" in info.value.hint or "present now" in info.value.hint
