"""Helpers for the bridge tests: a bridge on an ephemeral loopback port printing to simulated
printers, and a page-like WebSocket client (a real socket, the websockets library's client)."""

from __future__ import annotations

import itertools
import json
import time
from contextlib import contextmanager
from pathlib import Path

from websockets.sync.client import connect

ORIGIN = "https://shop.example"


def demo_sealer(home: Path):
    from desktop.seal import Sealer, ensure_demo_keys

    ensure_demo_keys(home / "demo-keys")
    return Sealer.from_keys_dir(home / "demo-keys")


@contextmanager
def running_bridge(home: Path, printers: list[tuple[str, str]] | None = None, *, rate: float | None = None,
                   queue_options: dict | None = None):
    """A BridgeServer on 127.0.0.1:0 (own loop thread) over a store in ``home``, printing to
    ``printers`` [(name, uri)] or one memory printer; yields (server, simulators)."""
    from desktop.bridge.printing import BridgePrinting, PrinterChoice
    from desktop.bridge.protocol import MAX_REQUESTS_PER_SECOND
    from desktop.bridge.server import BridgeServer, BridgeThread
    from printers.simulator import SimulatedPrinter

    sims = []
    if printers is None:
        sim = SimulatedPrinter("tspl", baud=None, seconds_per_label=0.0, mem=f"bridge-{id(home)}-{time.time_ns()}")
        sims.append(sim.start())
        printers = [("Label", sim.uri)]
    from desktop.station import Station

    station = Station(home, sealer=demo_sealer(home), actor="bridge")
    store = station.store
    printing = BridgePrinting(station, [PrinterChoice(n, u, "tspl-203") for n, u in printers],
                              queue_options=queue_options or {"poll_interval": 0.01})
    server = BridgeServer(store, printing, port=0, hosts=["127.0.0.1"], rate=rate or MAX_REQUESTS_PER_SECOND)
    thread = BridgeThread(server).start()
    try:
        yield server, sims
    finally:
        thread.stop()
        store.close()
        for sim in sims:
            sim.stop()


class Page:
    """What a web page does over its socket: requests with ids, notices kept as they come."""

    _ids = itertools.count(1)

    def __init__(self, url: str, origin: str | None = ORIGIN, token: str | None = None, **options) -> None:
        kwargs = dict(open_timeout=10, max_size=None, **options)
        if origin is not None:
            kwargs["origin"] = origin
        self.ws = connect(url, **kwargs).__enter__()
        self.token = token
        self.notices: list[dict] = []
        self.other: list[dict] = []

    def send(self, cmd: str, **fields) -> str:
        request_id = f"r{next(self._ids)}"
        message = {"cmd": cmd, "requestID": request_id, "version": "1.0", **fields}
        if self.token and "token" not in fields:
            message["token"] = self.token
        self.ws.send(json.dumps(message, ensure_ascii=False))
        return request_id

    def call(self, cmd: str, timeout: float = 20, **fields) -> dict:
        return self.reply_to(self.send(cmd, **fields), timeout)

    def reply_to(self, request_id: str, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            message = self._recv(deadline)
            if message.get("requestID") == request_id:
                return message

    def raw(self, text: str | bytes, timeout: float = 20) -> dict:
        self.ws.send(text)
        deadline = time.monotonic() + timeout
        while True:
            message = self._recv(deadline)
            if "requestID" in message or message.get("status") == "failed":
                return message

    def _recv(self, deadline: float) -> dict:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no reply from the bridge")
        message = json.loads(self.ws.recv(timeout=left))
        if message.get("cmd") == "notifyPrintResult" and "requestID" not in message:
            self.notices.append(message)
        elif "requestID" not in message:
            self.other.append(message)
        return message

    def document_states(self) -> dict[str, str]:
        """The latest state per document, from the notices in seq order."""
        out: dict[str, str] = {}
        for notice in sorted(self.notices, key=lambda n: n["seq"]):
            for entry in notice["printStatus"]:
                out[entry["documentID"]] = entry["status"]
        return out

    def wait_states(self, wanted: dict[str, str], timeout: float = 30) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while True:
            states = self.document_states()
            if all(states.get(k) == v for k, v in wanted.items()):
                return states
            try:
                self._recv(deadline)
            except TimeoutError:
                return states

    def close(self) -> None:
        self.ws.close()

    def __enter__(self) -> "Page":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def approve_all(home: Path) -> list[str]:
    """What an operator does: approve every waiting code (through the same API as the CLI)."""
    from desktop.bridge.pairing import Pairings
    from desktop.store import Store

    with Store(home / "sigilo.db") as store:
        pairings = Pairings(store)
        return [pairings.approve(p.code, "operator").origin for p in pairings.pending()]


def paired_page(url: str, home: Path, origin: str = ORIGIN) -> Page:
    page = Page(url, origin)
    reply = page.call("pair", name="Test WMS")
    assert reply["status"] == "success" and reply["pairing"] == "pending", reply
    page.token = reply["token"]
    assert origin.lower() in approve_all(home)
    return page


def task(task_id: str, shipments: list[dict], **extra) -> dict:
    return {"taskID": task_id, "documents": [
        {"documentID": f"{task_id}-d{i}", "contents": [{"data": s}]} for i, s in enumerate(shipments)], **extra}


def numbered(shipments: list[dict], prefix: str, n: int | None = None) -> list[dict]:
    """Copies of the sample shipments with tracking numbers of their own (prefix + digits)."""
    rows = shipments if n is None else [shipments[i % len(shipments)] for i in range(n)]
    return [{**s, "tracking_number": f"{prefix}{i:08d}"} for i, s in enumerate(rows)]
