"""The print queue against an in-memory printer that prints from a buffer on its own thread,
goes paper-out, vanishes and comes back: labels are confirmed only after the printer says so,
a fault pauses the queue with its reason, and a label whose fate is unknown is reprinted with
a mark and an audit entry."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from types import SimpleNamespace

import pytest

from desktop.audit import AuditLog, verify_chain
from desktop.jobs import (
    CONFIRMED,
    FAILED,
    QUEUED,
    SENT,
    LabelWork,
    PrintQueue,
    RenderedLabel,
)
from desktop.jobs.jobstore import JobStore
from desktop.jobs.model import UNKNOWN_FATE_REASON
from desktop.shipment import Shipment
from desktop.store import open_store
from printers.transports.errors import DisconnectedError, NotFoundError

LABEL_RE = re.compile(rb"LABEL (\S+)( REPRINT)?[^\n]*\nPRINT 1\r\n")


class FakePrinter:
    """Prints one buffered label every ``print_time`` seconds; a fault stops it but keeps the
    buffer (as real printers do after paper out), so resending would duplicate."""

    def __init__(self, print_time: float = 0.005, counts: bool = True) -> None:
        self.print_time = print_time
        self.counts = counts  # report labels still in the buffer (as ZPL ~HS does), or only busy/idle
        self.buffer: deque[tuple[str, bool]] = deque()
        self.printed: list[tuple[str, bool]] = []
        self.fault: str | None = None
        self.connected = True
        self.pending = b""
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                ready = self.buffer and self.fault is None and self.connected
            if ready:
                time.sleep(self.print_time)
                with self.lock:
                    if self.buffer and self.fault is None:
                        self.printed.append(self.buffer.popleft())
            else:
                time.sleep(0.002)

    def receive(self, data: bytes) -> None:
        with self.lock:
            self.pending += data
            while True:
                m = LABEL_RE.search(self.pending)
                if not m:
                    break
                self.buffer.append((m.group(1).decode(), bool(m.group(2))))
                self.pending = self.pending[m.end():]

    def status(self):
        with self.lock:
            if self.fault:
                return SimpleNamespace(state=self.fault, detail="")
            state = SimpleNamespace(state="PRINTING" if self.buffer else "READY", detail="")
            if self.counts:
                state.pending = len(self.buffer)
            return state


class FakeTransport:
    can_read = True

    def __init__(self, printer: FakePrinter, uri: str) -> None:
        self.printer, self.uri, self.closed = printer, uri, False

    def _check(self):
        if not self.printer.connected or self.closed:
            raise DisconnectedError(f"{self.uri} disconnected", "check the cable")

    def write(self, data: bytes) -> None:
        self._check()
        self.printer.receive(data)

    def drain(self) -> None:
        self._check()

    def discard_input(self) -> bytes:
        return b""

    def close(self) -> None:
        self.closed = True


def render(work: LabelWork) -> RenderedLabel:
    mark = f" REPRINT {work.reprint}" if work.reprint else ""
    data = f"LABEL {work.shipment.tracking_number}{mark}\nPRINT 1\r\n".encode()
    return RenderedLabel(data, {"recipient": {"name": "X*", "phone": "*******0000"}, "policy": "test"}, "SG1:TEST")


@pytest.fixture
def printer():
    p = FakePrinter()
    yield p
    p.stop.set()


def make_queue(store, printer, **kw):
    def opener(uri):
        if not printer.connected:
            raise NotFoundError(f"{uri} does not exist", "plug it in")
        return FakeTransport(printer, uri)

    kw.setdefault("fault_poll_interval", 0.01)
    def status(transport, profile):
        transport._check()  # an unplugged printer answers nothing: the read fails
        return printer.status()

    return PrintQueue(store, render, opener=opener, status=status,
                      poll_interval=0.002, **kw)


def shipments(n, prefix="SGT"):
    return [Shipment.from_dict({"tracking_number": f"{prefix}{i:05d}", "recipient": {
        "name": "刘建国", "phone": f"138001{i:05d}", "country": "CN", "detail": "绿地中心13栋3单元402室"},
        "parcel": {"weight_kg": 1.0}}) for i in range(n)]


def check_printed_once_or_marked(printed, expected):
    """Every expected label printed; at most one unmarked copy of each; nothing else."""
    by = {}
    for tracking, marked in printed:
        by.setdefault(tracking, []).append(marked)
    assert set(by) == set(expected)
    for tracking, marks in by.items():
        assert marks.count(False) <= 1, f"{tracking} printed twice without a REPRINT mark"


def test_batch_confirmed_after_printer_reports_and_plaintext_dropped(printer):
    store = open_store()
    events = []
    with make_queue(store, printer) as q:
        q.on_event(events.append)
        job = q.submit("mem://a", "tspl-203", shipments(30))
        progress = q.wait(job, timeout=30)
    assert progress.count(CONFIRMED) == 30
    assert [t for t, _ in printer.printed] == [f"SGT{i:05d}" for i in range(30)]
    assert not any(marked for _, marked in printer.printed)
    rows = store.query("SELECT payload, masked, qr_text, bytes_hash FROM labels")
    assert all(r["payload"] is None for r in rows)  # plaintext ciphertext dropped after confirmation
    assert all(json.loads(r["masked"])["policy"] == "test" and r["qr_text"] == "SG1:TEST" for r in rows)
    assert all(re.fullmatch(r"[0-9a-f]{64}", r["bytes_hash"]) for r in rows)
    prints = AuditLog(store).entries(action="print")
    assert [e.subject for e in prints] == [f"SGT{i:05d}" for i in range(30)]
    assert verify_chain(store)[1] == []
    states = [e.state for e in events if e.kind == "label" and e.tracking_number == "SGT00007"]
    assert states == ["sent", "confirmed"]


def test_printer_reporting_only_busy_or_idle_still_prints_everything_once(printer):
    printer.counts = False
    store = open_store()
    with make_queue(store, printer) as q:
        p = q.wait(q.submit("mem://a", "tspl-203", shipments(12)), timeout=30)
    assert p.count(CONFIRMED) == 12
    assert printer.printed == [(f"SGT{i:05d}", False) for i in range(12)]


def test_pipelining_keeps_labels_in_the_printer_buffer(printer):
    """While one label prints the next is already in the printer (window 2)."""
    printer.print_time = 0.1  # long against any scheduling delay of the worker
    store = open_store()
    seen = []
    orig = printer.receive

    def spy(data):
        orig(data)
        seen.append(len(printer.buffer))

    printer.receive = spy
    with make_queue(store, printer, window=2) as q:
        q.wait(q.submit("mem://a", "tspl-203", shipments(6)), timeout=30)
    assert max(seen) == 2  # never more than the window ...
    assert seen.count(2) >= 3  # ... and a label queued behind the one printing


def test_paper_out_pauses_with_reason_then_resumes_once(printer):
    printer.print_time = 0.01
    store = open_store()
    with make_queue(store, printer) as q:
        job = q.submit("mem://a", "tspl-203", shipments(20))
        q.wait(job, timeout=10, until=lambda p: p.count(CONFIRMED) >= 5)
        printer.fault = "PAPER_OUT"
        p = q.wait(job, timeout=10, until=lambda p: p.printer_state == "fault")
        assert p.printer_state == "fault" and p.printer_reason.startswith("paper_out")
        assert store.query("SELECT state, reason FROM printers")[0]["state"] == "fault"  # persisted
        stuck = p.count(CONFIRMED)
        time.sleep(0.1)
        assert q.progress(job).count(CONFIRMED) == stuck  # nothing moves while paper is out
        printer.fault = None
        p = q.wait(job, timeout=30)
    assert p.count(CONFIRMED) == 20 and p.printer_state != "fault"
    # the labels in the printer when paper ran out stayed there and printed after: nothing twice
    assert printer.printed == [(f"SGT{i:05d}", False) for i in range(20)]
    faults = AuditLog(store).entries(action="fault")
    assert faults and faults[0].details["state"] == "paper_out"
    assert AuditLog(store).entries(action="reprint") == []


def test_disconnect_reopens_and_resumes(printer):
    store = open_store()
    with make_queue(store, printer) as q:
        job = q.submit("mem://a", "tspl-203", shipments(20))
        q.wait(job, timeout=10, until=lambda p: p.count(CONFIRMED) >= 4)
        printer.connected = False
        p = q.wait(job, timeout=10, until=lambda p: p.printer_state == "fault")
        assert p.printer_state == "fault" and "disconnected" in p.printer_reason
        time.sleep(0.05)
        printer.connected = True
        p = q.wait(job, timeout=30)
    assert p.count(CONFIRMED) == 20
    check_printed_once_or_marked(printer.printed, {f"SGT{i:05d}" for i in range(20)})
    marked = {t for t, m in printer.printed if m}
    assert marked and marked == {e.subject for e in AuditLog(store).entries(action="reprint")}


def test_silent_printer_becomes_a_timeout_fault(printer):
    store = open_store()
    silent = {"on": False}

    def status(t, profile):
        return SimpleNamespace(state="UNKNOWN", detail="no answer") if silent["on"] else printer.status()

    q = PrintQueue(store, render, opener=lambda uri: FakeTransport(printer, uri), status=status,
                   poll_interval=0.002, fault_poll_interval=0.01, max_silent_polls=5)
    with q:
        printer.print_time = 0.05
        job = q.submit("mem://a", "tspl-203", shipments(6))
        q.wait(job, timeout=10, until=lambda p: p.count(CONFIRMED) >= 2)
        silent["on"] = True
        p = q.wait(job, timeout=10, until=lambda p: p.printer_state == "fault")
        assert p.printer_reason.startswith("the printer does not answer")
        silent["on"] = False
        p = q.wait(job, timeout=30)
    assert p.count(CONFIRMED) == 6
    check_printed_once_or_marked(printer.printed, {f"SGT{i:05d}" for i in range(6)})


def test_a_printer_that_should_answer_but_never_has_pauses_offline(printer):
    """Silence from a printer whose profile reports status is a fault, not "write-only": no
    label is confirmed on faith; once it answers, what it holds is confirmed or reprinted marked."""
    store = open_store()
    silent = {"on": True}

    def status(t, profile):
        return SimpleNamespace(state="UNKNOWN", detail="no answer") if silent["on"] else printer.status()

    q = PrintQueue(store, render, opener=lambda uri: FakeTransport(printer, uri), status=status,
                   poll_interval=0.002, fault_poll_interval=0.01, max_silent_polls=5)
    with q:
        job = q.submit("mem://a", "tspl-203", shipments(4))
        p = q.wait(job, timeout=10, until=lambda p: p.printer_state == "fault")
        assert p.printer_reason.startswith("offline: the printer has never answered")
        assert p.count(CONFIRMED) == 0
        silent["on"] = False
        p = q.wait(job, timeout=30)
    assert p.count(CONFIRMED) == 4
    check_printed_once_or_marked(printer.printed, {f"SGT{i:05d}" for i in range(4)})


def test_a_profile_without_status_is_write_only(printer, caplog, tmp_path):
    """Write-only is a property of the profile (status_protocol null) or the URI (file, CUPS,
    Windows spooler): labels count as printed when sent, with a warning."""
    import json as _json

    from printers.profiles import profiles_dir

    raw = _json.loads((profiles_dir() / "tspl-203.json").read_text(encoding="utf-8"))
    raw.update(name="tspl-203-nostatus", status_protocol=None)
    profile = tmp_path / "tspl-203-nostatus.json"
    profile.write_text(_json.dumps(raw), encoding="utf-8")
    store = open_store()
    asked = []

    def status(t, p):
        asked.append(p)
        return SimpleNamespace(state="UNKNOWN", detail="no answer")

    q = PrintQueue(store, render, opener=lambda uri: FakeTransport(printer, uri), status=status,
                   poll_interval=0.002, max_silent_polls=5)
    with q:
        p = q.wait(q.submit("mem://a", str(profile), shipments(4)), timeout=10)
    assert p.count(CONFIRMED) == 4 and asked == []
    assert "reports no status" in caplog.text
    deadline = time.monotonic() + 10
    while len(printer.printed) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [t for t, _ in printer.printed] == [f"SGT{i:05d}" for i in range(4)]


def test_restart_reprints_unknown_fate_marked_and_audited(printer):
    store = open_store()
    js = JobStore(store)
    job = js.create_job("mem://a", "tspl-203", shipments(6), "waybill-100x150")
    first = js.next_labels("mem://a", limit=2)
    for row in first:  # the process died after sending these two, before any confirmation
        js.mark_sent(row["id"])
    with make_queue(store, printer) as q:
        reprinted = q.start() if not q.started else []
        p = q.wait(job, timeout=30)
    assert p.count(CONFIRMED) == 6
    assert sorted(t for t, marked in printer.printed if marked) == ["SGT00000", "SGT00001"]
    entries = AuditLog(store).entries(action="reprint")
    assert [(e.subject, e.details["reason"]) for e in entries] == [
        ("SGT00000", UNKNOWN_FATE_REASON), ("SGT00001", UNKNOWN_FATE_REASON)]
    del reprinted


def test_render_failure_fails_only_that_label_then_retry(printer):
    store = open_store()
    broken = {"SGT00002"}

    def flaky(work):
        if work.shipment.tracking_number in broken:
            raise ValueError(f"cannot fit {work.shipment.recipient.name} {work.shipment.recipient.phone}")
        return render(work)

    q = PrintQueue(store, flaky, opener=lambda uri: FakeTransport(printer, uri),
                   status=lambda t, p: printer.status(), poll_interval=0.002)
    with q:
        job = q.submit("mem://a", "tspl-203", shipments(5))
        p = q.wait(job, timeout=30)
        assert [l.state for l in p.labels] == [CONFIRMED, CONFIRMED, FAILED, CONFIRMED, CONFIRMED]
        error = p.labels[2].error
        assert error.startswith("ValueError") and "刘建国" not in error and "13800100002" not in error
        broken.clear()
        assert q.retry_failed(job) == 1
        p = q.wait(job, timeout=30)
    assert p.count(CONFIRMED) == 5
    assert [t for t, _ in printer.printed].count("SGT00002") == 1


def test_pause_cancel_and_printer_pause(printer):
    printer.print_time = 0.02
    store = open_store()
    with make_queue(store, printer) as q:
        job = q.submit("mem://a", "tspl-203", shipments(40))
        q.wait(job, timeout=10, until=lambda p: p.count(CONFIRMED) >= 2)
        q.pause(job)
        time.sleep(0.15)
        n = q.progress(job).count(CONFIRMED) + q.progress(job).count(SENT)
        time.sleep(0.15)
        assert q.progress(job).count(CONFIRMED) <= n  # nothing new sent while paused
        q.resume(job)
        q.wait(job, timeout=10, until=lambda p: p.count(CONFIRMED) >= n + 3)
        q.cancel(job)
        p = q.wait(job, timeout=10)
    assert p.count(QUEUED) == 0 and p.count("cancelled") > 0
    assert len(printer.printed) == p.count(CONFIRMED)
    assert store.query("SELECT COUNT(*) FROM labels WHERE state='cancelled' AND payload IS NOT NULL")[0][0] == 0


def test_reprint_job_needs_reason_and_is_audited(printer):
    store = open_store()
    with make_queue(store, printer) as q:
        with pytest.raises(Exception, match="reason"):
            q.submit("mem://a", "tspl-203", shipments(1), reprint_reason=" ")
        job = q.submit("mem://a", "tspl-203", shipments(1), reprint_reason="damaged", approved_by="sup")
        q.wait(job, timeout=10)
    assert printer.printed == [("SGT00000", True)]
    e = AuditLog(store).entries(action="reprint")[0]
    assert e.details == {"job": job, "reason": "damaged", "approved_by": "sup"}


def test_job_done_event_and_alerts_raised_by_the_queue(printer):
    store = open_store()
    store.set_setting("alerts.thresholds", {"bill_swiping": {"count": 5}, "after_hours": {"start_hour": 0, "end_hour": 24}})
    events = []
    light = [Shipment.from_dict({"tracking_number": f"SGL{i}", "recipient": {"phone": "13912345678"},
                                 "parcel": {"weight_kg": 0.01}}) for i in range(5)]
    with make_queue(store, printer) as q:
        q.on_event(events.append)
        job = q.submit("mem://a", "tspl-203", light)
        q.wait(job, timeout=30)
        deadline = time.monotonic() + 5
        while not any(e.kind == "alert" for e in events) and time.monotonic() < deadline:
            time.sleep(0.01)
    assert [e.state for e in events if e.kind == "job"] == ["submitted", "done"]
    alerts = [e for e in events if e.kind == "alert"]
    assert [a.subject for a in alerts] == ["bill_swiping"] and "5 labels under 0.05 kg" in alerts[0].reason


def test_a_malformed_printer_uri_is_refused_at_submit():
    from desktop.jobs import JobError

    q = PrintQueue(open_store(), render)
    with pytest.raises(JobError, match="no scheme"):
        q.submit("/dev/ttyUSB0", "tspl-203", shipments(1))
    assert q.store.query("SELECT COUNT(*) FROM labels")[0][0] == 0


def test_a_label_rendered_ahead_is_not_sent_after_its_job_is_cancelled(printer):
    from desktop.jobs.confirm import StatusLink
    from desktop.jobs.worker import PrinterWorker

    store = open_store()
    js = JobStore(store)
    job = js.create_job("mem://a", "tspl-203", shipments(3), "waybill-100x150")
    worker = PrinterWorker("mem://a", js, render, lambda uri: FakeTransport(printer, uri),
                           lambda t, p: StatusLink(t, lambda tt, to: printer.status()), lambda e: None)
    worker.prepared = worker._prepare()  # rendered while the printer was busy
    assert worker.prepared[1].shipment.tracking_number == "SGT00000"
    js.set_job_state(job, "cancelled")
    assert worker._take_prepared() is None and worker._prepare() is None
    assert printer.printed == [] and printer.buffer == deque()


def test_a_silent_serial_port_pauses_offline_and_confirms_nothing():
    """A real pty whose far end takes the bytes and never answers ESC !? (a TSPL profile says
    it should): the queue pauses offline with the labels unconfirmed, instead of counting them
    printed."""
    import os
    import threading as _threading

    master, slave = os.openpty()
    swallowed = bytearray()
    stop = _threading.Event()

    def sink():
        import select

        while not stop.is_set():
            if select.select([master], [], [], 0.05)[0]:
                try:
                    swallowed.extend(os.read(master, 65536))
                except OSError:
                    return

    reader = _threading.Thread(target=sink, daemon=True)
    reader.start()
    store = open_store()
    try:
        q = PrintQueue(store, render, poll_interval=0.002, fault_poll_interval=0.05, max_silent_polls=2)
        with q:
            job = q.submit(f"serial://{os.ttyname(slave)}?baud=115200", "tspl-203", shipments(3))
            p = q.wait(job, timeout=30, until=lambda p: p.printer_state == "fault")
        assert p.printer_reason.startswith("offline: the printer has never answered")
        assert p.count(CONFIRMED) == 0 and b"SGT00000" in swallowed
        assert not AuditLog(store).entries(action="print")
    finally:
        stop.set()
        reader.join(timeout=5)
        os.close(slave)
        os.close(master)


def test_a_file_uri_is_write_only_whatever_the_profile(tmp_path):
    """file:// cannot read back: labels count as printed when written, even for a profile that
    reports status (the real transport, no stand-in)."""
    out = tmp_path / "labels.prn"
    store = open_store()
    with PrintQueue(store, render, poll_interval=0.002) as q:
        p = q.wait(q.submit(f"file://{out}?mode=append", "tspl-203", shipments(3)), timeout=30)
    assert p.count(CONFIRMED) == 3 and p.printer_state != "fault"
    data = out.read_bytes()
    assert [t for t in (f"SGT{i:05d}" for i in range(3)) if t.encode() in data] == ["SGT00000", "SGT00001", "SGT00002"]
