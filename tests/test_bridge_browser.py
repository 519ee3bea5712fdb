"""The bridge in a real browser: Debian's headless Chromium, driven over the DevTools protocol,
opens the example WMS page that `sigilo serve --example` serves, pairs (approved with `sigilo
bridge approve` from the command line), prints three documents to a simulated printer and
shows `printed` for each; the same page served from another origin is refused."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from test_bridge_restart import sigilo, start_serve, stop

from printers.simulator import SimulatedPrinter

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class Browser:
    """Headless Chromium with one tab, spoken to over its DevTools WebSocket."""

    def __init__(self, profile: Path) -> None:
        from websockets.sync.client import connect

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1366,768",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.is_file() and port_file.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        for _ in range(100):
            tabs = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
            tabs = [t for t in tabs if t.get("type") == "page"]
            if tabs:
                break
            time.sleep(0.1)
        self.ws = connect(tabs[0]["webSocketDebuggerUrl"], max_size=None, open_timeout=20).__enter__()
        self.ids = itertools.count(1)
        self.send("Page.enable")
        self.send("Runtime.enable")

    def send(self, method: str, **params):
        n = next(self.ids)
        self.ws.send(json.dumps({"id": n, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == n:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result", {})

    def open(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait("document.readyState === 'complete' && typeof SigiloBridge === 'function'")

    def js(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, expression: str, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"the page never showed {expression}; body: {self.js('document.body.innerText')}")

    def screenshot(self, path: Path) -> None:
        import base64

        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def states_js() -> str:
    return ("JSON.stringify(Array.from(document.querySelectorAll('#docs tr')).map(tr => "
            "[tr.getAttribute('data-doc'), tr.children[1].textContent, tr.getAttribute('data-state')]))")


def test_example_page_pairs_prints_three_and_another_origin_is_refused(sigilo_home, tmp_path):
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: ./run test installs it when run as root"
    sim = SimulatedPrinter("tspl", baud=None, seconds_per_label=0.05, tcp_port=0).start()
    proc, url = start_serve(sigilo_home, sim.uri, "--example", "--example-port", "0")
    running = json.loads((sigilo_home / "bridge" / "running.json").read_text())
    example_url = running["example"]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", example_url)
    profile = Path(tempfile.mkdtemp(prefix="sigilo-chromium-"))
    browser = Browser(profile)
    other = None
    try:
        browser.open(example_url)
        browser.wait("document.getElementById('connection').textContent === 'connected'")
        browser.js("document.getElementById('sample').click(); document.getElementById('pair').click()")
        code = browser.wait("(t => /^\\d{3}-\\d{3}$/.test(t) && t)(document.getElementById('code').textContent)")
        pending = sigilo(sigilo_home, "bridge", "pending").stdout
        origin = example_url.rstrip("/")
        assert code in pending and origin in pending
        assert sigilo(sigilo_home, "bridge", "approve", code).returncode == 0
        browser.wait("document.getElementById('pairing').textContent === 'Paired.'")
        browser.wait("document.querySelectorAll('#printer option').length === 1")
        browser.js("document.getElementById('print').click()")
        browser.wait("Array.from(document.querySelectorAll('#docs tr')).filter("
                     "tr => tr.getAttribute('data-state') === 'printed').length === 3")
        rows = json.loads(browser.js(states_js()))
        assert len(rows) == 3 and all(state == "printed" for _, _, state in rows)
        browser.screenshot(tmp_path / "bridge-example.png")
        if os.environ.get("SIGILO_SCREENSHOTS"):
            shutil.copy(tmp_path / "bridge-example.png", Path(os.environ["SIGILO_SCREENSHOTS"]) / "bridge-example.png")
        deadline = time.monotonic() + 10
        while len(sim.labels) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        printed = sorted(re.search(rb'BARCODE [^\r\n]*"([A-Z0-9]+)"', label).group(1).decode() for label in sim.labels)
        assert printed == sorted(tracking for _, tracking, _ in rows)

        # the same page from another origin, even holding the first page's token, is refused
        token = browser.js("localStorage.getItem('sigilo-bridge:' + window.SIGILO_BRIDGE_URL + ':token')")
        assert token and token.startswith("sgb_")
        from desktop.bridge.example import ExampleServer

        other = ExampleServer(url, "127.0.0.1", 0).start()
        browser.open(other.url)
        browser.js(f"localStorage.setItem('sigilo-bridge:' + window.SIGILO_BRIDGE_URL + ':token', {json.dumps(token)});"
                   " location.reload()")
        time.sleep(0.5)
        browser.wait("document.readyState === 'complete' && typeof SigiloBridge === 'function'")
        browser.wait("document.getElementById('pairing').textContent.includes('ORIGIN_MISMATCH')")
        browser.js("document.getElementById('sample').click(); document.getElementById('print').click()")
        message = browser.wait("(t => t.includes('NOT_PAIRED') && t)(document.getElementById('message').textContent)")
        assert "NOT_PAIRED" in message
        time.sleep(0.5)
        assert len(sim.labels) == 3
    finally:
        browser.close()
        if other is not None:
            other.stop()
        stop(proc)
        sim.stop()
        shutil.rmtree(profile, ignore_errors=True)
