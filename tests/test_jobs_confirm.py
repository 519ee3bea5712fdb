"""Confirmation pieces: splitting a TSPL label before its PRINT, reading ESC/POS process-id
answers mixed with status bytes, and what counts as silence rather than a fault."""

from __future__ import annotations

from types import SimpleNamespace

from desktop.jobs.confirm import EscposLink, classify, tspl_split
from printers.status import PrinterState, PrinterStatus, escpos_status_reply


def test_tspl_split_keeps_print_for_later():
    label = b"SIZE 100 mm,150 mm\r\nCLS\r\nTEXT 10,10,\"3\",0,1,1,\"PRINT 1\"\r\nPRINT 1,2\r\n"
    body, commit = tspl_split(label)
    assert body + commit == label and commit == b"PRINT 1,2\r\n"
    assert b"PRINT 1\"" in body  # a PRINT inside text is not the command
    assert tspl_split(b"SIZE 100 mm,150 mm\r\nTEXT 1,1,\"3\",0,1,1,\"X\"\r\nPRINT 1\r\n") is None  # no CLS
    assert tspl_split(b"^XA^FDX^FS^XZ") is None


class Wire:
    can_read = True
    uri = "test://"

    def __init__(self, replies):
        self.replies = list(replies)
        self.written = []

    def write(self, data):
        self.written.append(data)

    def read(self, n, timeout):
        return self.replies.pop(0) if self.replies else b""


def test_escpos_ids_are_taken_out_of_the_status_stream():
    ok = b"".join(escpos_status_reply(n, set()) for n in (1, 2, 3, 4))
    wire = Wire([b"\x37\x22" + b"0000" + b"\x00" + ok[:2], ok[2:] + b"\x37\x22" + b"0001\x00"])
    link = EscposLink(wire)
    link.sent(b"label one")
    link.sent(b"label two")
    link.sent(b"label three")
    reading = link.poll(3)
    assert reading.confirmed == 2 and reading.kind == "printing"  # id 0002 still out
    assert link.outstanding == [b"0002"]
    assert wire.written[0] == b"\x1d(H\x06\x0000" + b"0000"


def test_silence_is_not_a_fault_but_a_paper_out_is():
    assert classify(PrinterStatus(PrinterState.OFFLINE, "no answer", b""))[0] == "silent"
    assert classify(PrinterStatus(PrinterState.OFFLINE, "offline bit", b"\x1a"))[0] == "fault"
    assert classify(PrinterStatus(PrinterState.PAPER_OUT, "out of paper", b"\x04")) == (
        "fault", "paper_out: out of paper")
    assert classify(SimpleNamespace(state="PRINTING", detail=""))[0] == "printing"
    assert classify(PrinterStatus(PrinterState.READY, "", b"\x00"))[0] == "ready"


def test_zpl_labels_counted_from_the_bytes():
    from desktop.jobs.confirm import zpl_labels_in

    assert zpl_labels_in(b"^XA^FDA^FS^XZ") == 1
    assert zpl_labels_in(b"^XA^FDA^FS^PQ3,0,1,Y^XZ") == 3
    assert zpl_labels_in(b"^XA^FDA^FS^XZ^XA^FDB^FS^PQ2^XZ") == 3
    assert zpl_labels_in(b"~HQES") == 0
