"""The non-serial transports: TCP against the simulated printer on 127.0.0.1, files, usblp
device files (a regular file and a FIFO stand in: this machine has no USB printer), pyusb's
error when no device matches, CUPS through a stand-in `lp` on PATH that records its input,
win32 (only the pywin32 module is faked; on Linux the real code refuses plainly), and
memory printers."""

from __future__ import annotations

import errno
import os
import socket
import stat
import sys
import threading
import types

import pytest

from printers.simulator import SimulatedPrinter
from printers.status import PrinterState, query_status
from printers.transports import (
    DisconnectedError,
    NotFoundError,
    PermissionDeniedError,
    TransportError,
    TransportTimeoutError,
    UnsupportedTransportError,
    open_transport,
)
from printers.transports.mem import mem_printer, remove_mem_printer

ZPL = b"^XA^PW812^LL1218^FO40,40^A0N,50,50^FDSG0123456789^FS^BY3^FO40,120^BCN,100,Y,N,N^FDSG0123456789^FS^XZ"


@pytest.fixture
def tcp_sim():
    sim = SimulatedPrinter("zpl", baud=None, seconds_per_label=0.05, tcp_port=0).start()
    yield sim
    sim.stop()


def test_tcp_prints_and_reads_status(tcp_sim):
    assert tcp_sim.uri.startswith("tcp://127.0.0.1:")
    with open_transport(tcp_sim.uri) as t:
        assert t.can_read
        t.write(ZPL * 3)
        assert tcp_sim.wait_printed(3, timeout=10)
        assert query_status(t, "zpl", timeout=5).state is PrinterState.READY
        tcp_sim.head_open()
        status = query_status(t, "zpl", timeout=5)
        assert status.state is PrinterState.HEAD_OPEN and b"00000004" in status.raw
    assert tcp_sim.labels == [ZPL] * 3


def test_tcp_vanish_and_return_on_the_same_port(tcp_sim):
    port = tcp_sim.tcp_port
    t = open_transport(tcp_sim.uri)
    t.write(ZPL)
    assert tcp_sim.wait_printed(1, timeout=5)
    tcp_sim.vanish()
    with pytest.raises(DisconnectedError):
        for _ in range(100):
            t.write(b"~HQES")
            t.read(100, 0.05)
    t.close()
    with pytest.raises(NotFoundError) as info:
        open_transport(tcp_sim.uri)
    assert "9100" in info.value.hint
    tcp_sim.come_back()
    assert tcp_sim.tcp_port == port
    with open_transport(tcp_sim.uri) as again:
        assert query_status(again, "zpl", timeout=5).state is PrinterState.READY


def test_tcp_read_times_out_quietly_and_write_times_out_loudly():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    try:
        with open_transport(f"tcp://127.0.0.1:{port}?timeout=0.3") as t:
            conn, _ = server.accept()  # accepts, never reads nor answers
            try:
                assert t.read(10, 0.1) == b""
                assert query_status(t, "tspl", timeout=0.1).state is PrinterState.OFFLINE
                with pytest.raises(TransportTimeoutError) as info:
                    t.write(b"\0" * (64 << 20))
                assert info.value.hint
            finally:
                conn.close()
    finally:
        server.close()


def test_tcp_unresolvable_host():
    with pytest.raises(NotFoundError) as info:
        open_transport("tcp://no-such-printer.invalid:9100")
    assert "IP address" in info.value.hint


def test_file_overwrite_and_append(tmp_path):
    out = tmp_path / "labels.prn"
    with open_transport(f"file://{out}") as t:
        assert not t.can_read
        t.write(b"A" * 70000)
        t.drain()
    with open_transport(f"file://{out}") as t:
        t.write(b"first")
    with open_transport(f"file://{out}?mode=append") as t:
        t.write(b"+second")
    assert out.read_bytes() == b"first+second"
    with open_transport(f"file://{out}") as t:
        with pytest.raises(UnsupportedTransportError):
            t.read(1, 0.1)


def test_file_errors_are_typed(tmp_path, monkeypatch):
    with pytest.raises(NotFoundError):
        open_transport(f"file://{tmp_path}/missing-dir/out.prn")
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, *a, **k: (_ for _ in ()).throw(PermissionError(errno.EACCES, "Permission denied"))
                        if str(p).endswith("locked.prn") else real_open(p, *a, **k))
    with pytest.raises(PermissionDeniedError):
        open_transport(f"file://{tmp_path}/locked.prn")


def test_usblp_path_with_a_regular_file(tmp_path):
    """A regular file stands in for /dev/usb/lp0 (no USB device here): write-only, appended."""
    lp = tmp_path / "lp0"
    lp.write_bytes(b"")
    with open_transport(f"usb://{lp}") as t:
        assert not t.can_read  # only a character device has usblp's back channel
        t.write(ZPL)
        t.write(ZPL)
    assert lp.read_bytes() == ZPL * 2


def test_usblp_path_with_a_fifo(tmp_path):
    fifo = tmp_path / "lp1"
    os.mkfifo(fifo)
    got = bytearray()

    def reader():
        with open(fifo, "rb") as f:
            while chunk := f.read(65536):
                got.extend(chunk)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    data = bytes(range(256)) * 1000
    with open_transport(f"usb://{fifo}") as t:
        assert stat.S_ISFIFO(os.stat(fifo).st_mode)
        t.write(data)
    thread.join(10)
    assert bytes(got) == data


def test_usblp_errors(tmp_path, monkeypatch):
    with pytest.raises(NotFoundError) as info:
        open_transport("usb:///dev/usb/lp9")
    assert "USB printer files" in info.value.hint
    lp = tmp_path / "lp0"
    lp.write_bytes(b"")
    real_open = os.open

    def refuse(path, flags, *a, **k):
        if str(path) == str(lp):
            raise OSError(errno.EBUSY, "Device or resource busy")
        return real_open(path, flags, *a, **k)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(TransportError) as busy:
        open_transport(f"usb://{lp}")
    assert type(busy.value).__name__ == "BusyError" and "usblp" in busy.value.hint

    def deny(path, flags, *a, **k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(PermissionDeniedError) as denied:
        open_transport(f"usb://{lp}")
    assert "usermod -aG lp" in denied.value.hint


def test_pyusb_reports_no_matching_device():
    """This machine has no USB devices; pyusb (with libusb) finds none and says so."""
    import usb.core  # noqa: F401  (the usb extra, installed by ./run test; fails loudly without it)
    with pytest.raises(NotFoundError) as info:
        open_transport("usb://0x1203:0x0230")
    assert "1203:0230" in info.value.message


def test_pyusb_missing_is_explained(monkeypatch):
    monkeypatch.setitem(sys.modules, "usb", None)
    monkeypatch.setitem(sys.modules, "usb.core", None)
    with pytest.raises(UnsupportedTransportError) as info:
        open_transport("usb://0x0a5f:0x00d3")
    assert "sigilo[usb]" in info.value.hint


@pytest.fixture
def fake_lp(tmp_path, monkeypatch):
    """A stand-in for CUPS's `lp`: records its arguments and stdin, fails for queue 'missing'."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    record = tmp_path / "lp-jobs"
    record.mkdir()
    script = bindir / "lp"
    script.write_text(f"""#!{sys.executable}
import sys, os
args = sys.argv[1:]
queue = args[args.index('-d') + 1]
if queue == 'missing':
    sys.stderr.write('lp: The printer or class does not exist.\\n'); sys.exit(1)
n = len(os.listdir({str(record)!r})) // 2
open(os.path.join({str(record)!r}, f'{{n}}.args'), 'w').write(' '.join(args))
open(os.path.join({str(record)!r}, f'{{n}}.data'), 'wb').write(sys.stdin.buffer.read())
print(f'request id is {{queue}}-{{n}} (1 file(s))')
""")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return record


def test_cups_sends_raw_jobs_through_lp(fake_lp):
    with open_transport("cups://Label_Printer") as t:
        assert not t.can_read
        t.write(ZPL)
        t.write(ZPL)
        t.drain()  # one job
        t.write(ZPL)
    assert sorted(p.name for p in fake_lp.iterdir()) == ["0.args", "0.data", "1.args", "1.data"]
    assert (fake_lp / "0.data").read_bytes() == ZPL * 2
    assert (fake_lp / "1.data").read_bytes() == ZPL
    args = (fake_lp / "0.args").read_text()
    assert "-d Label_Printer" in args and "-o raw" in args


def test_cups_unknown_queue_and_missing_lp(fake_lp, monkeypatch):
    t = open_transport("cups://missing")
    t.write(ZPL)
    with pytest.raises(NotFoundError) as info:
        t.drain()
    assert "lpstat -p" in info.value.hint
    t.close()
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(UnsupportedTransportError) as missing:
        open_transport("cups://Label_Printer")
    assert "cups-client" in missing.value.hint


def test_win32_on_linux_is_refused_plainly():
    with pytest.raises(UnsupportedTransportError) as info:
        open_transport("win32://ZDesigner GK420d")
    assert "cups://" in info.value.hint


def test_win32_raw_spooler_calls(monkeypatch):
    """Only pywin32 is faked (and sys.platform): the spooler call sequence is the real code's."""
    calls = []
    fake = types.ModuleType("win32print")
    fake.OpenPrinter = lambda name: calls.append(("OpenPrinter", name)) or "H"
    fake.StartDocPrinter = lambda h, level, doc: calls.append(("StartDocPrinter", h, level, doc))
    fake.StartPagePrinter = lambda h: calls.append(("StartPagePrinter", h))
    fake.WritePrinter = lambda h, data: calls.append(("WritePrinter", h, data)) or len(data)
    fake.EndPagePrinter = lambda h: calls.append(("EndPagePrinter", h))
    fake.EndDocPrinter = lambda h: calls.append(("EndDocPrinter", h))
    fake.ClosePrinter = lambda h: calls.append(("ClosePrinter", h))
    monkeypatch.setitem(sys.modules, "win32print", fake)
    monkeypatch.setattr(sys, "platform", "win32")
    with open_transport("win32://ZDesigner GK420d") as t:
        assert not t.can_read
        t.write(ZPL)
    assert calls == [("OpenPrinter", "ZDesigner GK420d"), ("StartDocPrinter", "H", 1, ("Sigilo labels", None, "RAW")),
                     ("StartPagePrinter", "H"), ("WritePrinter", "H", ZPL), ("EndPagePrinter", "H"),
                     ("EndDocPrinter", "H"), ("ClosePrinter", "H")]


def test_mem_printer_records_chunks_and_answers_when_configured():
    remove_mem_printer("counter")
    with open_transport("mem://counter") as t:
        assert not t.can_read
        t.chunk_size = 1000
        t.write(b"x" * 2500)
    printer = mem_printer("counter")
    assert [len(w) for w in printer.writes] == [1000, 1000, 500]
    assert bytes(printer.received) == b"x" * 2500
    mem_printer("counter", responder=lambda data: b"\x04" if data == b"\x1b!?" else b"")
    with open_transport("mem://counter") as t:
        assert t.can_read
        assert query_status(t, "tspl", timeout=5).state is PrinterState.PAPER_OUT
    printer.online = False
    with open_transport("mem://counter") as t, pytest.raises(DisconnectedError):
        t.write(b"x")
    remove_mem_printer("counter")


def test_mem_simulated_printer_prints_escpos_and_confirms_by_process_id():
    sim = SimulatedPrinter("escpos", baud=None, seconds_per_label=0.05, mem="pos").start()
    try:
        receipt = b"\x1b@" + b"\x1dv0\x00\x02\x00\x02\x00" + b"\x1dV\x01\x10\x04\x01" + b"\x1dV\x00"
        with open_transport(sim.uri) as t:
            t.write(receipt + b"\x1d(H\x06\x00\x30\x30ABCD")
            reply = t.read(7, 5)
            assert reply == b"\x37\x22ABCD\x00"
            assert sim.printed_count == 1  # answered only after the label printed
            assert query_status(t, "escpos", timeout=5).state is PrinterState.READY
        assert sim.labels == [receipt]
    finally:
        sim.stop()
