"""Long work shows its progress: one line redrawn in place on a terminal (printed / total,
labels a minute, time left, the printer's state and why it waits), plain lines now and then
when the output is a log or a pipe."""

from __future__ import annotations

import io

from desktop.jobs.model import Event
from desktop.jobs.progressline import ProgressLine


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _confirm(line, n):
    for i in range(n):
        line.event(Event("label", "job", "confirmed", i, f"SG{i:04d}"))


def test_terminal_line_updates_in_place_with_rate_time_left_and_why_it_waits():
    out, clock = io.StringIO(), Clock()
    line = ProgressLine(out, 2000, done=100, printer="tcp://printer", tty=True, clock=clock)
    clock.now += 60
    _confirm(line, 30)
    line.tick()
    first = out.getvalue()
    assert first.startswith("\r") and "\n" not in first
    assert "printed 130/2000" in first and "30 labels a minute" in first and "about 62 min left" in first
    line.event(Event("printer", "tcp://printer", "fault", reason="paper_out: out of paper"))
    clock.now += 1
    line.tick()
    assert "printer fault: paper_out: out of paper" in out.getvalue().rsplit("\r", 1)[-1]
    line.say("sigilo print: printer tcp://printer: paper out; waiting for it")
    before, after = out.getvalue().split("sigilo print: printer tcp://printer: paper out; waiting for it\n")
    assert before.endswith("\r") and after.startswith("\rprinted 130/2000")  # line cleared, message, line again
    line.close()
    assert out.getvalue().endswith("\n") and out.getvalue().count("\n") == 2  # the message, the last line


def test_plain_lines_when_not_a_terminal(monkeypatch):
    monkeypatch.setenv("SIGILO_PROGRESS_SECONDS", "30")
    out, clock = io.StringIO(), Clock()
    line = ProgressLine(out, 10, tty=False, clock=clock)
    line.tick()
    _confirm(line, 3)
    clock.now += 10
    line.tick()  # too soon for another plain line
    clock.now += 25
    line.tick()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert lines[0].startswith("printed 0/10") and "time left not known yet" in lines[0]
    assert len(lines) == 2 and lines[1].startswith("printed 3/10") and "5 labels a minute" in lines[1]
    _confirm(line, 7)
    line.close()
    assert out.getvalue().splitlines()[-1].startswith("printed 10/10")
