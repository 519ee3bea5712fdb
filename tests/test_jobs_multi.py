"""Three printers on one station, each a simulated printer on its own socat pty pair, each
with its own worker: one jams (paper out, or its head opens) and only its queue pauses, with
the reason, while the other two print their whole batch; once cleared it resumes at its first
unconfirmed label and every label of every printer is printed exactly once."""

from __future__ import annotations

import re

import pytest

from desktop.jobs import PrintQueue
from desktop.jobs.model import CONFIRMED, RenderedLabel
from desktop.store import open_store
from printers.simulator import SimulatedPrinter


LANGS = ("tspl", "zpl", "tspl")
N = 20


def render(work):
    tracking = work.shipment.tracking_number
    if work.profile.startswith("zpl"):
        data = f"^XA^FO20,20^A0N,30,30^FD{tracking}^FS{'^FO20,80^FDREPRINT^FS' if work.reprint else ''}^XZ"
    else:
        data = ("SIZE 100 mm,150 mm\r\nGAP 2 mm,0 mm\r\nCLS\r\n" f'TEXT 20,20,"3",0,1,1,"{tracking}"\r\n'
                + ('TEXT 20,80,"3",0,1,1,"REPRINT"\r\n' if work.reprint else "") + "PRINT 1,1\r\n")
    return RenderedLabel(data.encode(), {"recipient": {"phone": "*******0000"}, "policy": "test"}, "SG1:TEST")


def printed(sim) -> list[str]:
    out = []
    for label in sim.labels:
        label = label.rsplit(b"CLS", 1)[-1]
        out += [m.decode() for m in re.findall(rb'"(SGM\d-\d{3})"|\^FD(SGM\d-\d{3})\^FS', label) for m in m if m]
        assert b"REPRINT" not in label  # a jam is no lost connection: nothing is reprinted
    return out


@pytest.mark.parametrize("jam, which", [("paper_out", 0), ("head_open", 1)])
def test_one_printer_jams_the_other_two_finish(tmp_path, jam, which):
    sims = [SimulatedPrinter(lang, baud=921600, seconds_per_label=0.05, pty=tmp_path / f"p{i}").start()
            for i, lang in enumerate(LANGS)]
    store = open_store()
    batches = [[f"SGM{i}-{n:03d}" for n in range(N)] for i in range(3)]
    try:
        with PrintQueue(store, render, poll_interval=0.005, fault_poll_interval=0.05, max_silent_polls=20) as q:
            jobs = [q.submit(sim.uri, f"{lang}-203", [{"tracking_number": t, "recipient": {"name": "x"}}
                                                      for t in batch])
                    for sim, lang, batch in zip(sims, LANGS, batches)]
            jammed = sims[which]
            assert jammed.wait_printed(2, timeout=30)
            getattr(jammed, jam)()
            others = [i for i in range(3) if i != which]
            for i in others:
                assert q.wait(jobs[i], timeout=60).count(CONFIRMED) == N
            stuck = q.wait(jobs[which], timeout=30, until=lambda p: p.printer_state == "fault")
            assert stuck.printer_state == "fault" and jam.split("_")[0] in stuck.printer_reason.replace(" ", "_")
            assert not stuck.finished and len(printed(jammed)) < N
            assert all(q.printer_state(sims[i].uri)[0] != "fault" for i in others)
            {"paper_out": jammed.paper_in, "head_open": jammed.head_close}[jam]()
            done = q.wait(jobs[which], timeout=60)
        assert done.count(CONFIRMED) == N
        for sim, batch in zip(sims, batches):
            assert printed(sim) == batch  # in order, each once: resumed at the first unconfirmed
    finally:
        for sim in sims:
            sim.stop()
        store.close()
