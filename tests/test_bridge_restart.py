"""The bridge as a user runs it: `sigilo serve` in its own process, pairing approved with
`sigilo bridge approve` from another, a restart of the station mid-task, a second start."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bridge_helpers import Page, numbered, task

from printers.simulator import SimulatedPrinter

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def start_serve(home: Path, printer_uri: str, *extra: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "SIGILO_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "desktop.cli", "serve", "--port", "0", "--host", "127.0.0.1",
                             "--printer", f"Label={printer_uri}", "--demo-keys", *extra],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        found = re.search(r"listening on (ws://127\.0\.0\.1:\d+)", line)
        if found:
            return proc, found.group(1)
    proc.kill()
    raise AssertionError("sigilo serve did not start:\n" + "".join(seen))


def sigilo(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SIGILO_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "desktop.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_for(check, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_restart_mid_task_keeps_the_truth_and_prints_each_document_once(sigilo_home, sample_shipments):
    sim = SimulatedPrinter("tspl", baud=None, seconds_per_label=0.3, tcp_port=0).start()
    try:
        proc, url = start_serve(sigilo_home, sim.uri)
        try:
            # one bridge per account: a second start says where the first one runs
            second = sigilo(sigilo_home, "serve", "--port", "0", "--printer", f"Label={sim.uri}", "--demo-keys")
            assert second.returncode == 1 and "already runs" in second.stderr and url in second.stderr

            page = Page(url, "http://wms.test:8000")
            pair = page.call("pair", name="WMS")
            listed = sigilo(sigilo_home, "bridge", "pending")
            assert pair["code"] in listed.stdout and "http://wms.test:8000" in listed.stdout
            approved = sigilo(sigilo_home, "bridge", "approve", pair["code"])
            assert approved.returncode == 0, approved.stderr
            page.token = pair["token"]
            assert wait_for(lambda: page.call("getPrinters")["status"] == "success", 10)
            ships = numbered(sample_shipments[:6], "SGK")
            assert page.call("print", task=task("t-restart", ships))["status"] == "success"
            page.wait_states({"t-restart-d0": "printed", "t-restart-d1": "printed"})
            last_seen = max(n["seq"] for n in page.notices)
        finally:
            stop(proc)  # the station stops mid-task: what is in the printer finishes, the rest waits
        page.close()
        printed_before = len(sim.labels)
        assert 2 <= printed_before < 6

        proc, url = start_serve(sigilo_home, sim.uri)
        try:
            with Page(url, "http://wms.test:8000", token=pair["token"]) as back:
                status = back.call("getTaskStatus", taskID=["t-restart"])["tasks"][0]
                states = [e["status"] for e in status["printStatus"]]
                assert states.count("printed") >= printed_before and len(states) == 6
                assert back.call("resume", after=last_seen)["status"] == "success"
                missing = {e["documentID"]: "printed" for e in status["printStatus"] if e["status"] != "printed"}
                heard = back.wait_states(missing)  # the notices it missed, and the new ones
                assert all(heard.get(d) == "printed" for d in missing)
                assert all(n["seq"] > last_seen for n in back.notices)
                status = back.call("getTaskStatus", taskID=["t-restart"])["tasks"][0]
                assert status["taskStatus"] == "printed"
                assert wait_for(lambda: len(sim.labels) >= 6)
                time.sleep(0.5)
                again = back.call("print", task=task("t-restart", ships))  # the page retries after the restart
                assert again["retried"] and again["taskStatus"] == "printed"
        finally:
            stop(proc)
        tracking = [re.search(rb'BARCODE [^\r\n]*"([A-Z0-9]+)"', label).group(1).decode() for label in sim.labels]
        assert sorted(tracking) == [s["tracking_number"] for s in ships]
        assert all(b"REPRINT" not in label for label in sim.labels)
    finally:
        sim.stop()
