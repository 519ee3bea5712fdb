"""A slow link: the simulated printer takes its input at 9600 baud (960 bytes a second), over TCP
and over a serial pty, and each label takes longer on the wire than the queue's status timeout.
A status query sent after a label queues behind it, so the printer cannot answer until the label
is through; a TCP write returns long before that. That silence is the printer busy receiving,
not a lost connection: every label prints exactly once, none is reprinted, nothing is marked
REPRINT, no fault is raised, and the audit verifies."""

from __future__ import annotations

import re
import shutil

import pytest

from desktop.audit import AuditLog, verify_chain
from desktop.jobs import PrintQueue, RenderedLabel, confirm
from desktop.jobs.confirm import Link
from desktop.store import open_store
from printers.simulator import SimulatedPrinter

BAUD = 9600
LABELS = 3
FILLER_LINES = 12  # ~1 KB a label: ~1.1 s on the wire at 9600 baud, more than the 0.5 s timeout


def _render(language: str):
    def render(work) -> RenderedLabel:
        tracking = work.shipment.tracking_number
        filler = [f"route {n:02d} sorting line {'-' * 30}" for n in range(FILLER_LINES)]
        if language == "zpl":
            body = f"^FO20,20^A0N,30,30^FD{tracking}^FS"
            body += "".join(f"^FO20,{60 + 20 * n}^A0N,18,18^FD{t}^FS" for n, t in enumerate(filler))
            if work.reprint:
                body += "^FO20,900^A0N,30,30^FDREPRINT^FS"
            data = f"^XA{body}^XZ".encode()
        else:
            lines = ["SIZE 100 mm,150 mm", "GAP 2 mm,0 mm", "CLS", f'TEXT 20,20,"3",0,1,1,"{tracking}"']
            lines += [f'TEXT 20,{60 + 20 * n},"1",0,1,1,"{t}"' for n, t in enumerate(filler)]
            if work.reprint:
                lines.append('TEXT 20,900,"3",0,1,1,"REPRINT"')
            lines.append("PRINT 1,1")
            data = ("\r\n".join(lines) + "\r\n").encode()
        return RenderedLabel(data, {"recipient": {"phone": "*******0000"}, "policy": "test"}, "SG1:TEST")
    return render


FACE = {"tspl": re.compile(rb'"(SGS\d{5}|REPRINT)"'), "zpl": re.compile(rb"\^FD(SGS\d{5}|REPRINT)\^FS")}


@pytest.mark.parametrize("link", ["tcp", "serial"])
@pytest.mark.parametrize("language", ["tspl", "zpl"])
def test_slow_link_prints_each_label_once(tmp_path, language, link):
    if link == "serial" and shutil.which("socat") is None:
        pytest.fail("socat is part of the test environment (serial tests use a pty pair)")
    where = {"tcp_port": 0} if link == "tcp" else {"pty": tmp_path / "printer"}
    sim = SimulatedPrinter(language, baud=BAUD, seconds_per_label=0.05, **where).start()
    store = open_store()
    # three unanswered polls (~1.7 s) would be a lost connection if silence while a label is
    # still going in counted as silence
    queue = PrintQueue(store, _render(language), max_silent_polls=3, fault_poll_interval=0.05)
    batch = [f"SGS{i:05d}" for i in range(LABELS)]
    try:
        queue.start()
        job = queue.submit(sim.uri, f"{language}-203", [
            {"tracking_number": t, "recipient": {"name": "x", "phone": "13800000000"}} for t in batch])
        progress = queue.wait(job, timeout=60)
        queue.stop()
    finally:
        sim.stop()
    assert progress.finished

    faces = []
    for label in sim.labels:
        if language == "tspl":
            label = label.rsplit(b"CLS", 1)[-1]  # CLS clears what came before
        faces.append([m.group(1).decode() for m in FACE[language].finditer(label)])
    assert faces == [[t] for t in batch]  # each once, in order, none marked REPRINT

    states = dict(store.query("SELECT state, COUNT(*) FROM labels GROUP BY state"))
    assert states == {"confirmed": LABELS}
    audit = AuditLog(store)
    assert [e.subject for e in audit.entries(action="reprint")] == []
    assert [e.details for e in audit.entries(action="fault")] == []
    assert sorted(e.subject for e in audit.entries(action="print")) == batch
    count, problems = verify_chain(store)
    assert problems == [] and count >= LABELS


class _Rated:
    def __init__(self, uri: str) -> None:
        self.uri = uri


def test_no_line_rate_is_guessed_for_a_network_printer(monkeypatch):
    """A link that states its rate (a serial line, or a URI's ``baud``) is timed by it; a network
    printer that states none is given no guessed rate at all - its answers pace the queue, and
    nothing waits on an estimate. Bytes sent back to back queue: the second label is through
    only after the first."""
    assert Link(_Rated("tcp://127.0.0.1:9100")).line_seconds(960) is None
    assert Link(_Rated("tcp://127.0.0.1:9100?baud=2400")).line_seconds(960) == pytest.approx(4.0)
    clock = [100.0]
    monkeypatch.setattr(confirm.time, "monotonic", lambda: clock[0])
    unrated = Link(_Rated("tcp://127.0.0.1:9100"))
    unrated.sent(b"x" * 96000)
    assert unrated.ahead() == 0.0
    link = Link(_Rated("tcp://127.0.0.1:9100?baud=9600"))
    link.sent(b"x" * 960)
    link.sent(b"x" * 960)
    assert link.ahead() == pytest.approx(2.0)
    clock[0] += 1.5
    assert link.ahead() == pytest.approx(0.5)
    clock[0] += 1.0
    assert link.ahead() == 0.0
