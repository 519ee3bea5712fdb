"""Status replies parsed from the byte examples in the printer makers' manuals (TSC TSPL,
Zebra ZPL II, Epson ESC/POS), and query_status's handling of silence and write-only links."""

from __future__ import annotations

import itertools

import pytest

from printers import status as st
from printers.status import PrinterState as S
from printers.transports import open_transport
from printers.transports.mem import mem_printer, remove_mem_printer


@pytest.mark.parametrize("byte, state, flags", [
    (0x00, S.READY, set()),
    (0x01, S.HEAD_OPEN, {"head_open"}),
    (0x02, S.JAM, {"jam"}),
    (0x03, S.HEAD_OPEN, {"head_open", "jam"}),
    (0x04, S.PAPER_OUT, {"paper_out"}),
    (0x05, S.HEAD_OPEN, {"head_open", "paper_out"}),
    (0x08, S.RIBBON_OUT, {"ribbon_out"}),
    (0x0C, S.PAPER_OUT, {"paper_out", "ribbon_out"}),
    (0x10, S.PAUSED, {"paused"}),
    (0x20, S.PRINTING, {"printing"}),
    (0x40, S.HEAD_OPEN, {"cover_open"}),
    (0x80, S.ERROR, {"error"}),
])
def test_tspl_status_byte(byte, state, flags):
    status = st.parse_tspl_status(bytes([byte]))
    assert status.state is state and set(status.flags) == flags and status.raw == bytes([byte])


def test_tspl_status_wrong_length_is_unknown():
    assert st.parse_tspl_status(b"").state is S.UNKNOWN
    assert st.parse_tspl_status(b"\x00\x00").state is S.UNKNOWN


@pytest.mark.parametrize("reply, state", [
    (b"\x02@@@@\x03\r\n", S.READY),
    (b"\x02`@@@\x03\r\n", S.PAUSED),
    (b"\x02P@@@\x03\r\n", S.PRINTING),
    (b"\x02E@@A\x03\r\n", S.PAPER_OUT),
    (b"\x02E@@B\x03\r\n", S.JAM),
    (b"\x02E@@D\x03\r\n", S.RIBBON_OUT),
    (b"\x02E@H@\x03\r\n", S.JAM),  # cutter jam
    (b"\x02E@A@\x03\r\n", S.ERROR),  # head overheat
    (b"\x02@H@@\x03\r\n", S.READY),  # a warning (buffer full) is not a fault
])
def test_tspl_extended_status(reply, state):
    assert st.parse_tspl_extended(reply).state is state


def test_tspl_extended_rejects_garbage():
    assert st.parse_tspl_extended(b"\x02\x00\x00\x00\x00\x03\r\n").state is S.UNKNOWN
    assert st.parse_tspl_extended(b"OK").state is S.UNKNOWN


HQES_MANUAL = (b"\x02\r\n  PRINTER STATUS\r\n   ERRORS:         1 00000000 00000005\r\n"
               b"   WARNINGS:       1 00000000 00000002\r\n\x03\r\n")


def test_zpl_hqes_manual_example():
    status = st.parse_zpl_hqes(HQES_MANUAL)
    assert status.state is S.HEAD_OPEN
    assert {"head_open", "paper_out", "clean_head"} <= status.flags
    assert "clean the print head" in status.detail


@pytest.mark.parametrize("errors, state", [("00000000", S.READY), ("00000001", S.PAPER_OUT),
                                           ("00000002", S.RIBBON_OUT), ("00000004", S.HEAD_OPEN),
                                           ("00000008", S.JAM), ("00000010", S.ERROR)])
def test_zpl_hqes_error_bits(errors, state):
    flag = "0" if errors == "00000000" else "1"
    reply = (b"\x02\r\n  PRINTER STATUS\r\n   ERRORS:         %s 00000000 %s\r\n"
             b"   WARNINGS:       0 00000000 00000000\r\n\x03\r\n") % (flag.encode(), errors.encode())
    assert st.parse_zpl_hqes(reply).state is state


def test_zpl_hqes_not_a_reply():
    assert st.parse_zpl_hqes(b"\x02030,0,0\x03").state is S.UNKNOWN


HS_READY = (b"\x02030,0,0,0812,000,0,0,0,000,0,0,0\x03\r\n"
            b"\x02001,0,0,0,1,2,4,0,00000000,1,000\x03\r\n\x021234,0\x03\r\n")


def test_zpl_hs_manual_layout():
    assert st.parse_zpl_hs(HS_READY).state is S.READY
    paused = HS_READY.replace(b"030,0,0,", b"030,0,1,", 1)
    assert st.parse_zpl_hs(paused).state is S.PAUSED
    busy = HS_READY.replace(b"0812,000", b"0812,002", 1)
    status = st.parse_zpl_hs(busy)
    assert status.state is S.PRINTING and "2 format(s)" in status.detail
    head = HS_READY.replace(b"\x02001,0,0,0", b"\x02001,0,1,0", 1)
    assert st.parse_zpl_hs(head).state is S.HEAD_OPEN
    assert st.parse_zpl_hs(b"\x02030,0,0\x03").state is S.UNKNOWN


@pytest.mark.parametrize("replies, state", [
    (bytes([0x16, 0x12, 0x12, 0x12]), S.READY),  # drawer pin high, all clear
    (bytes([0x1A, 0x32, 0x12, 0x7E]), S.PAPER_OUT),  # the reference's paper-end example
    (bytes([0x1A, 0x16, 0x12, 0x12]), S.HEAD_OPEN),  # cover open
    (bytes([0x1A, 0x52, 0x1A, 0x12]), S.JAM),  # autocutter error
    (bytes([0x1A, 0x52, 0x32, 0x12]), S.ERROR),  # unrecoverable error
    (bytes([0x1A, 0x12, 0x12, 0x12]), S.OFFLINE),  # offline, no cause given
    (bytes([0x12, 0x12, 0x12, 0x1E]), S.READY),  # paper near end is a warning
    (bytes([0x12, 0x12, 0x12, 0x72]), S.PAPER_OUT),  # idle printer: only the roll sensor knows
])
def test_escpos_dle_eot(replies, state):
    status = st.parse_escpos_status(replies)
    assert status.state is state
    if replies[3] == 0x1E:
        assert "paper near end" in status.detail


def test_escpos_rejects_bytes_with_wrong_fixed_bits():
    assert st.parse_escpos_status(b"\xff\x12\x12\x12").state is S.UNKNOWN
    assert st.parse_escpos_status(b"\x12\x12").state is S.UNKNOWN


@pytest.mark.parametrize("flags", [set(c) for n in range(3) for c in itertools.combinations(
    ["paper_out", "head_open", "paused"], n)])
def test_reply_encoders_round_trip_through_the_parsers(flags):
    """The simulator answers with these encoders; each language's parser must read back the
    condition a clerk has to fix first."""
    expected = st.from_flags(flags).state
    assert st.parse_tspl_status(st.tspl_status_byte(flags)).state is expected
    assert st.parse_tspl_extended(st.tspl_extended_reply(flags)).state is expected
    zpl = st.parse_zpl_hqes(st.zpl_hqes_reply(flags))
    if zpl.state is S.READY:
        zpl = st.parse_zpl_hs(st.zpl_hs_reply(flags))
    assert zpl.state is expected
    pos = st.parse_escpos_status(b"".join(st.escpos_status_reply(n, flags) for n in (1, 2, 3, 4)))
    assert pos.state is (S.OFFLINE if expected is S.PAUSED else expected)


def test_write_only_transport_gives_unknown(tmp_path):
    with open_transport(f"file://{tmp_path}/x.prn") as t:
        status = st.query_status(t, "zpl")
    assert status.state is S.UNKNOWN and "cannot read back" in status.detail


def test_hs_silence_after_a_clean_hqes_is_not_ready():
    def responder(data: bytes) -> bytes:
        return st.zpl_hqes_reply(set()) if data == b"~HQES" else b""

    mem_printer("quiet-zebra", responder=responder)
    try:
        with open_transport("mem://quiet-zebra") as t:
            status = st.query_status(t, "zpl", timeout=0.2)
        assert status.state is S.UNKNOWN and "~HS" in status.detail
    finally:
        remove_mem_printer("quiet-zebra")


def test_stale_replies_are_discarded_before_a_query():
    printer = mem_printer("stale", responder=lambda data: b"\x00" if data == b"\x1b!?" else b"")
    try:
        printer.answer(b"\x04")  # a late answer to an earlier query
        with open_transport("mem://stale") as t:
            assert st.query_status(t, "tspl").state is S.READY
    finally:
        remove_mem_printer("stale")


def test_unknown_language():
    with open_transport("mem://lang") as t, pytest.raises(ValueError):
        st.query_status(t, "epl")
    remove_mem_printer("lang")


def test_status_object():
    status = st.from_flags({"paper_out", "paper_near_end"})
    assert status.state is st.PrinterStatus.PAPER_OUT and status.fault and not status.ok
    assert str(status) == "paper-out (out of paper, paper near end)"
    assert st.from_flags({"printing"}).ok


def test_tspl_other_error_is_named_by_the_extended_status():
    replies = {b"\x1b!?": b"\x80", b"\x1b!S": b"\x02E@H@\x03\r\n"}
    mem_printer("tsc-cutter", responder=lambda data: replies.get(data, b""))
    try:
        with open_transport("mem://tsc-cutter") as t:
            status = st.query_status(t, "tspl", timeout=1)
        assert status.state is S.JAM and "cutter jam" in status.detail
        assert status.raw == b"\x80\x02E@H@\x03\r\n"
    finally:
        remove_mem_printer("tsc-cutter")
    mem_printer("old-tsc", responder=lambda data: b"\x80" if data == b"\x1b!?" else b"")
    try:
        with open_transport("mem://old-tsc") as t:
            assert st.query_status(t, "tspl", timeout=0.3).state is S.ERROR  # no ESC !S on old firmware
    finally:
        remove_mem_printer("old-tsc")
