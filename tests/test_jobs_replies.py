"""Confirmed means printed, and nothing stalls silently.

A printer that stalls (takes no bytes, answers nothing, the link still up) answers the queries
sent meanwhile all at once when it recovers. Each of those replies must be matched to the query
it answers: a late ``~HQES`` read as the answer to ``~HS`` once made the queue believe the
printer idle, reprint a label that was still in it, and from then on confirm every label
before it printed. Over TCP the same stall froze the queue for minutes without a fault.
These tests drive the simulated printer's stall through the real queue and count from what
the printer printed, not from what the queue believes."""

from __future__ import annotations

import re
import threading
import time

import pytest

from desktop.audit import AuditLog, verify_chain
from desktop.jobs import PrintQueue, RenderedLabel
from desktop.store import open_store
from printers import status as st
from printers.simulator import SimulatedPrinter
from printers.transports import open_transport
from printers.transports.mem import mem_printer, remove_mem_printer

FACE = {"tspl": re.compile(rb'"(SGR\d{5}|REPRINT)"'), "zpl": re.compile(rb"\^FD(SGR\d{5}|REPRINT)\^FS")}


def make_render(filler: int = 0):
    """Labels that carry their tracking number (and the mark) as text; ``filler`` bytes of
    route lines make them as large as a real label with bitmap text (~10 KB)."""
    def render(work) -> RenderedLabel:
        tracking = work.shipment.tracking_number
        mark = bool(work.reprint)
        lines = [f"route {n:04d} {'-' * 40}" for n in range(filler // 60)]
        if work.profile.startswith("zpl"):
            body = "".join(f"^FO20,{100 + n % 900},^A0N,18,18^FD{t}^FS" for n, t in enumerate(lines))
            data = (f"^XA^FO20,20^A0N,30,30^FD{tracking}^FS{body}"
                    f"{'^FO20,80^A0N,30,30^FDREPRINT^FS' if mark else ''}^XZ")
        else:
            body = "".join(f'TEXT 20,{100 + n % 900},"1",0,1,1,"{t}"\r\n' for n, t in enumerate(lines))
            data = ("SIZE 100 mm,150 mm\r\nGAP 2 mm,0 mm\r\nCLS\r\n" f'TEXT 20,20,"3",0,1,1,"{tracking}"\r\n'
                    + body + ('TEXT 20,80,"3",0,1,1,"REPRINT"\r\n' if mark else "") + "PRINT 1,1\r\n")
        return RenderedLabel(data.encode(), {"recipient": {"phone": "*******0000"}, "policy": "test"}, "SG1:TEST")
    return render


def faces(sim, language):
    out = []
    for label in sim.labels:
        if language == "tspl":
            label = label.rsplit(b"CLS", 1)[-1]
        texts = [m.decode() for m in FACE[language].findall(label)]
        out.append(([t for t in texts if t != "REPRINT"][0], "REPRINT" in texts))
    return out


# -- the reply matching itself ---------------------------------------------------------------
def test_a_reply_that_is_not_an_hs_answer_is_unknown_never_ready():
    """~HQES says no error, and what comes back for ~HS is a (late) ~HQES frame: that says
    nothing about pause or printing, so the status is unknown - not "ready"."""
    def responder(data: bytes) -> bytes:
        return st.zpl_hqes_reply(set())  # every query answered with a ~HQES frame

    mem_printer("confused-zebra", responder=responder)
    try:
        with open_transport("mem://confused-zebra") as t:
            status = st.query_status(t, "zpl", timeout=0.2)
        assert status.state is st.PrinterState.UNKNOWN
    finally:
        remove_mem_printer("confused-zebra")


class Wire:
    """A line whose replies arrive when the test says, not when asked."""

    can_read = True
    uri = "test://"

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.incoming = b""

    def write(self, data: bytes) -> None:
        self.written.append(bytes(data))

    def read(self, n: int, timeout: float) -> bytes:
        data, self.incoming = self.incoming[:n], self.incoming[n:]
        return data


def test_late_replies_are_matched_to_their_queries():
    """While the printer is silent the channel does not ask again; when the answers come
    together each goes to its own query, a foreign or skipped one is recognised, and the
    label counter is read from its own reply."""
    wire = Wire()
    ch = st.StatusChannel(wire, "zpl")
    status, q = ch.status(0.01, mark=1)
    assert status.state is st.PrinterState.UNKNOWN and wire.written == [b"~HQES"]
    status, q2 = ch.status(0.01, mark=2)
    assert q2 is q and wire.written == [b"~HQES"]  # still due: not written again
    # the printer recovers: its ~HQES answer (paper out at the time), then nothing for ~HS
    wire.incoming = st.zpl_hqes_reply({"paper_out"})
    status, q3 = ch.status(0.01)
    assert status.state is st.PrinterState.PAPER_OUT and q3 is q and q.mark == 1
    # next poll: clean ~HQES, then ~HS is written and not answered yet
    wire.incoming = st.zpl_hqes_reply(set())
    status, _ = ch.status(0.01)
    assert status.state is st.PrinterState.UNKNOWN and wire.written[-1] == b"~HS"
    hs = ch.outstanding[-1]
    assert hs.kind == "hs"
    # a ~HQES answer nobody waits for arrives where the ~HS answer is awaited: not taken for it
    wire.incoming = st.zpl_hqes_reply({"paper_out"})
    assert ch.wait(hs, 0.01) is None and ch.stale == 1
    wire.incoming = st.zpl_hs_reply(set(), formats=1, remaining=1)
    assert st.parse_zpl_hs(ch.wait(hs, 0.01)).state is st.PrinterState.PRINTING
    # a late counter answer goes to the counter query, never into a status
    wire.incoming = b'"41"'
    assert ch.label_count(0.01) == 41


def test_tspl_replies_after_a_stall_answer_their_own_queries():
    """Every TSPL query is answered, in order: after a stall the first byte answers the first
    query; the answer that counts for the labels is the one to the query written after them."""
    wire = Wire()
    ch = st.StatusChannel(wire, "tspl")
    _, first = ch.status(0.01, mark=3)
    assert wire.written == [b"\x1b!?"]
    wire.incoming = b"\x20"  # printing (the answer to the query written after label 3)
    status, q = ch.status(0.01, mark=5)
    assert q is first and status.state is st.PrinterState.PRINTING
    status, q = ch.status(0.01, mark=5)  # a new query, no answer yet
    assert status.state is st.PrinterState.UNKNOWN and q.mark == 5
    wire.incoming = b"\x00"
    status, q = ch.status(0.01, mark=6)
    assert status.state is st.PrinterState.READY and q.mark == 5  # proves labels 1-5, not 6


# -- through the queue, against the simulated printer ------------------------------------------
def _run(sim, language, n, stall_after, stall_seconds, render=make_render(), **queue_kw):
    store = open_store()
    confirmations: list[tuple[str, int]] = []
    printed_at: dict[str, int] = {}

    def on_event(event):
        if event.kind == "label" and event.state == "confirmed":
            confirmations.append((event.tracking_number, len(sim.labels)))

    batch = [f"SGR{i:05d}" for i in range(n)]
    queue = PrintQueue(store, render, poll_interval=0.005, fault_poll_interval=0.05, **queue_kw)
    queue.on_event(on_event)
    stalled = threading.Event()
    try:
        queue.start()
        job = queue.submit(sim.uri, f"{language}-203", [{"tracking_number": t, "recipient": {"name": "x"}}
                                                         for t in batch])
        assert sim.wait_printed(stall_after, timeout=60)
        sim.stall()
        stalled.set()
        seen_fault = queue.wait(job, timeout=stall_seconds, until=lambda p: p.printer_state == "fault")
        sim.unstall()
        progress = queue.wait(job, timeout=60)
        queue.stop()
    finally:
        sim.stop()
    for number, (tracking, _) in enumerate(faces(sim, language)):
        printed_at.setdefault(tracking, number + 1)
    return store, batch, progress, seen_fault, confirmations, printed_at


@pytest.mark.parametrize("language", ["zpl", "tspl"])
def test_a_stall_on_serial_never_confirms_a_label_before_it_printed(tmp_path, language):
    sim = SimulatedPrinter(language, baud=115200, seconds_per_label=0.05, pty=tmp_path / "printer").start()
    store, batch, progress, _, confirmations, printed_at = _run(sim, language, 24, 6, 3.0, silence_seconds=1.0)
    assert progress.finished and progress.count("confirmed") == len(batch)
    got = faces(sim, language)
    assert {t for t, _ in got} == set(batch)  # nothing lost
    plain = [t for t, marked in got if not marked]
    assert len(plain) == len(set(plain))  # no silent duplicate
    # confirmed only once it had come out of the printer
    early = [(t, seen) for t, seen in confirmations if printed_at.get(t, 10**9) > seen]
    assert early == []
    assert verify_chain(store)[1] == []


@pytest.mark.parametrize("language", ["tspl", "zpl"])
def test_a_stalled_network_printer_is_a_fault_within_seconds_then_resumes(language):
    """Over TCP a printer that stops answering is a fault after the same few seconds as on a
    serial line - audited and shown - and the queue goes on by itself once it answers; it is
    never left "printing" against an idle printer."""
    sim = SimulatedPrinter(language, baud=None, seconds_per_label=0.05, tcp_port=0).start()
    started = time.monotonic()
    # real-sized labels (~10 KB): a link that reckoned a network printer took them at 9600 baud
    # counted ~10 s of silence per label as "still receiving" and never as a fault
    store, batch, progress, seen_fault, confirmations, printed_at = _run(sim, language, 12, 4, 8.0,
                                                                          render=make_render(10000))
    assert seen_fault.printer_state == "fault" and "does not answer" in seen_fault.printer_reason
    assert progress.finished and progress.count("confirmed") == len(batch)
    faults = [e.details for e in AuditLog(store).entries(action="fault")]
    assert faults and faults[0]["state"] == "timeout"
    got = faces(sim, language)
    assert {t for t, _ in got} == set(batch)
    plain = [t for t, marked in got if not marked]
    assert len(plain) == len(set(plain))
    assert [(t, s) for t, s in confirmations if printed_at.get(t, 10**9) > s] == []
    assert time.monotonic() - started < 120  # a bound on the test, not a speed claim
    state = store.query("SELECT state FROM printers WHERE uri=?", (sim.uri,))[0][0]
    assert state != "printing"  # the worker stopped: the last state the printer reported
