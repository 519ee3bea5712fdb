"""What comes from outside, attacked: bridge messages fuzzed over a real socket (every one gets
a reply with a code, the socket stays open, the log has no traceback), and privacy at rest:
after the sample shipments print through the bridge, the store, its WAL, the log and every
message a page received hold no hidden recipient detail."""

from __future__ import annotations

import json
import logging
import random

from bridge_helpers import paired_page, running_bridge, task
from privacy_scan import assert_no_fragments

from desktop.bridge.errors import CODES
from desktop.masking import hidden_fragments, mask
from desktop.validation import validate


def _mutations(rng: random.Random, ship: dict, token: str):
    """Requests as a broken or hostile client sends them."""
    values = [None, True, 0, -1, 2**70, 1.5, "", "x" * 300, [], {}, [1, "a"], {"a": None}, "\u202e", "\x00",
              "\ud800" * 0 + "𝕏", "null", "NaN"]
    commands = ["print", "getPrinters", "getTaskStatus", "resume", "pair", "getAgentInfo", "nope", ""]
    for _ in range(150):
        base = {"cmd": rng.choice(commands), "requestID": rng.choice(["f", 1, "f" * 129, None, True]),
                "version": rng.choice(["1.0", "1.0", 1, None, "2"]), "token": rng.choice([token, token, "", 5, None])}
        kind = rng.randrange(6)
        if kind == 0:
            base["task"] = rng.choice(values)
        elif kind == 1:
            base["task"] = {"taskID": rng.choice(values + ["t"]), "documents": rng.choice(values)}
        elif kind == 2:
            doc = {"documentID": rng.choice(values + ["d"]), "contents": rng.choice(values + [[{"data": rng.choice(values)}]])}
            base["task"] = {"taskID": f"fz{rng.randrange(10**9)}", "documents": [doc]}
        elif kind == 3:  # a shipment with one field broken
            data = json.loads(json.dumps(ship))
            where = rng.choice(["recipient", "sender", "parcel", None])
            target = data if where is None else data[where]
            key = rng.choice(list(target))
            target[key] = rng.choice(values)
            data["tracking_number"] = f"SGF{rng.randrange(10**8):08d}"
            base["task"] = task(f"fz{rng.randrange(10**9)}", [data])
        elif kind == 4:
            base["taskID"] = rng.choice(values)
            base["after"] = rng.choice(values)
        else:
            base = rng.choice(values)
        for k in [k for k, v in (base.items() if isinstance(base, dict) else []) if v is None and rng.random() < .5]:
            del base[k]
        yield json.dumps(base, ensure_ascii=False)


def test_fuzzed_messages_get_a_coded_answer_and_never_a_traceback(sigilo_home, sample_shipments, caplog):
    caplog.set_level(logging.ERROR)
    rng = random.Random(1414)
    with running_bridge(sigilo_home, rate=10_000) as (server, _):
        page = paired_page(server.url, sigilo_home)
        crashes = []
        for text in _mutations(rng, sample_shipments[0], page.token):
            reply = page.raw(text)
            if reply.get("status") == "failed":
                if reply.get("code") not in CODES or reply.get("code") == "BUSY":
                    crashes.append((text[:120], reply))
            else:
                assert reply.get("status") == "success", reply
                for entry in reply.get("printStatus", []):
                    assert entry["status"] in ("queued", "rendered", "printed", "failed")
                    assert entry.get("code", "INVALID_DOCUMENT") in CODES
        assert page.call("getPrinters")["status"] == "success"  # the same socket still works
        page.close()
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert crashes == [] and tracebacks == []


def test_nothing_hidden_at_rest_or_on_the_wire(sigilo_home, sample_shipments):
    # a dozen recipients of each kind (CN, BR, international) keep the WAL small enough to scan
    # in every encoding in seconds
    by_country: dict[str, list] = {}
    for row in sample_shipments:
        kind = row["recipient"]["country"] if row["recipient"]["country"] in ("CN", "BR") else "other"
        by_country.setdefault(kind, []).append(row)
    sample_shipments = by_country["CN"][:6] + by_country["BR"][:3] + by_country["other"][:3]
    ships = [validate(row).shipment for row in sample_shipments]
    shown = " ".join(json.dumps(mask(s).to_dict(), ensure_ascii=False) for s in ships)
    hidden = {f for s in ships for f in hidden_fragments(s, mask(s))}
    fragments = sorted(f for f in hidden if f not in shown)
    assert len(fragments) > 15
    log_file = sigilo_home / "sigilo.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    heard = []
    try:
        with running_bridge(sigilo_home) as (server, _):
            page = paired_page(server.url, sigilo_home)
            broken = [{**sample_shipments[0], "tracking_number": "SGP00000001",
                       "recipient": {**sample_shipments[0]["recipient"], "phone": sample_shipments[0]["recipient"]["phone"][:5]}},
                      {**sample_shipments[1], "tracking_number": "SGP00000002",
                       "recipient": {**sample_shipments[1]["recipient"], "country": "XX"}}]
            rows = list(sample_shipments) + broken
            reply = page.call("print", task=task("t-privacy", rows))
            heard.append(json.dumps(reply, ensure_ascii=False))
            states = page.wait_states({f"t-privacy-d{i}": "printed" for i in range(len(sample_shipments))}, timeout=120)
            assert all(states[f"t-privacy-d{i}"] == "printed" for i in range(len(sample_shipments)))
            assert [states[f"t-privacy-d{len(sample_shipments) + i}"] for i in range(2)] == ["failed", "failed"]
            heard += [json.dumps(n, ensure_ascii=False) for n in page.notices]
            heard.append(json.dumps(page.call("getTaskStatus", taskID=["t-privacy"]), ensure_ascii=False))
            heard.append(json.dumps(page.call("print", task=task("t-privacy", rows)), ensure_ascii=False))
            files = {p.name: p.read_bytes() for p in sigilo_home.iterdir() if p.is_file()}
            qr_texts = tuple(r[0] for r in server.store.query("SELECT qr_text FROM labels WHERE qr_text IS NOT NULL"))
            page.close()
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
        handler.close()
    assert "sigilo.db-wal" in files
    for name, data in files.items():
        assert_no_fragments(data, fragments, name, min_bytes=4, short_numbers=False, allow=qr_texts)
    assert_no_fragments("\n".join(heard).encode("utf-8"), fragments, "messages to the page", short_numbers=False)
