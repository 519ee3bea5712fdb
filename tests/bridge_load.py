"""A load on the bridge, shared by the load test and `bench bridge`: many pages at once, each
sending its tasks without waiting, resending some of them (as a page does after a timeout),
and waiting out RATE_LIMITED. Records, per document, when the accepted request left the page
and when the page heard `rendered` and `printed`."""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    documents: int = 0
    sent_at: dict = field(default_factory=dict)  # documentID -> time the accepted request left
    rendered_at: dict = field(default_factory=dict)
    printed_at: dict = field(default_factory=dict)
    failed: dict = field(default_factory=dict)
    retried_replies: int = 0
    rate_limited: int = 0
    started: float = 0.0
    finished: float = 0.0


async def _page(url: str, origin: str, token: str, tasks: list[dict], printers: list[str], retry_share: float,
                result: LoadResult, rng: random.Random, timeout: float) -> None:
    from websockets.asyncio.client import connect

    async with connect(url, origin=origin, max_size=None, open_timeout=20, ping_interval=None) as ws:
        pending: dict[str, tuple[dict, float]] = {}
        counter = 0
        want = {d["documentID"] for t in tasks for d in t["documents"]}
        done: set[str] = set()

        async def send(task: dict) -> None:
            nonlocal counter
            counter += 1
            request_id = f"{origin}-{counter}"
            pending[request_id] = (task, time.perf_counter())
            await ws.send(json.dumps({"cmd": "print", "requestID": request_id, "version": "1.0", "token": token,
                                      "task": task}, ensure_ascii=False))

        for i, task in enumerate(tasks):
            task["printer"] = printers[i % len(printers)]
            await send(task)
        retries = [t for t in tasks if rng.random() < retry_share]
        retry_at = time.perf_counter() + 0.2
        deadline = time.perf_counter() + timeout
        # a quiet station may print everything before the first retry is due: the page goes on
        # until every retry has been sent and answered, so retries after printing are tested too
        while done != want or retries or pending:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{origin}: {len(want - done)} documents never printed")
            if retries and time.perf_counter() >= retry_at:
                await send(retries.pop())
                retry_at = time.perf_counter() + 0.05
            try:
                message = json.loads(await asyncio.wait_for(ws.recv(), min(left, 0.05)))
            except asyncio.TimeoutError:
                continue
            now = time.perf_counter()
            if message.get("cmd") == "notifyPrintResult":
                for entry in message["printStatus"]:
                    doc = entry["documentID"]
                    if entry["status"] == "rendered":
                        result.rendered_at.setdefault(doc, now)
                    elif entry["status"] == "printed":
                        result.printed_at.setdefault(doc, now)
                        result.rendered_at.setdefault(doc, now)
                        done.add(doc)
                    elif entry["status"] == "failed":
                        result.failed[doc] = entry
                        done.add(doc)
                continue
            request_id = message.get("requestID")
            if request_id not in pending:
                continue
            task, sent = pending.pop(request_id)
            if message["status"] == "failed" and message.get("code") == "RATE_LIMITED":
                result.rate_limited += 1
                await asyncio.sleep(message.get("retryAfterMs", 50) / 1000)
                await send(task)
                continue
            assert message["status"] == "success", message
            if message.get("retried"):
                result.retried_replies += 1
            for entry in message["printStatus"]:
                result.sent_at.setdefault(entry["documentID"], sent)
                if entry["status"] == "printed":
                    result.printed_at.setdefault(entry["documentID"], now)
                    result.rendered_at.setdefault(entry["documentID"], now)
                    done.add(entry["documentID"])
                elif entry["status"] == "failed":
                    result.failed[entry["documentID"]] = entry
                    done.add(entry["documentID"])


def run_load(url: str, pages: list[tuple[str, str]], shipments: list[dict], printers: list[str], *,
             tasks_per_page: int = 100, documents_per_task: int = 1, retry_share: float = 0.2, seed: int = 7,
             timeout: float = 600) -> LoadResult:
    """``pages``: (origin, token) of paired pages. Every document gets a tracking number of its own."""
    rng = random.Random(seed)
    result = LoadResult()
    work = []
    n = 0
    for p, (origin, token) in enumerate(pages):
        tasks = []
        for t in range(tasks_per_page):
            docs = []
            for d in range(documents_per_task):
                ship = {**shipments[n % len(shipments)], "tracking_number": f"SGL{p:02d}{n:08d}"}
                docs.append({"documentID": f"p{p}-t{t}-d{d}", "contents": [{"data": ship}]})
                n += 1
            tasks.append({"taskID": f"p{p}-t{t}", "documents": docs})
        work.append((origin, token, tasks))
    result.documents = n

    async def main() -> None:
        await asyncio.gather(*(_page(url, origin, token, tasks, printers, retry_share, result,
                                     random.Random(rng.random()), timeout) for origin, token, tasks in work))

    result.started = time.perf_counter()
    asyncio.run(main())
    result.finished = time.perf_counter()
    return result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]
