"""The print bridge's rules, each through a real WebSocket from a page-like client: pairing,
origin binding, tokens, limits, idempotent tasks, duplicates, reconnects."""

from __future__ import annotations

import json
import re
import time

import pytest
from bridge_helpers import ORIGIN, Page, numbered, paired_page, running_bridge, task

from desktop.cli import main as cli


def printed_tracking(sims) -> list[str]:
    """Tracking numbers as the simulated printers received them (the TSPL BARCODE command)."""
    out = []
    for sim in sims:
        for label in sim.labels:
            found = re.search(rb'BARCODE [^\r\n]*"([A-Z0-9]+)"', label)
            assert found, label[:200]
            out.append(found.group(1).decode())
    return out


def wait_printed(sims, n: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while sum(len(s.labels) for s in sims) < n and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.fixture
def bridge(sigilo_home):
    with running_bridge(sigilo_home) as (server, sims):
        yield server, sims, sigilo_home


def test_unpaired_pages_print_nothing(bridge, sample_shipments):
    server, sims, home = bridge
    with Page(server.url) as page:
        info = page.call("getAgentInfo")
        assert info["status"] == "success" and info["agent"] == "Sigilo" and info["bridgeProtocol"] == 1
        for cmd in ("getPrinters", "getTaskStatus", "resume"):
            assert page.call(cmd, taskID=["x"])["code"] == "NOT_PAIRED"
        refused = page.call("print", task=task("t-unpaired", numbered(sample_shipments[:1], "SGU")))
        assert refused["status"] == "failed" and refused["code"] == "NOT_PAIRED"
        pair = page.call("pair", name="WMS")
        assert pair["pairing"] == "pending" and re.fullmatch(r"\d{3}-\d{3}", pair["code"])
        page.token = pair["token"]
        # the code waits for an operator: the token does nothing yet
        assert page.call("print", task=task("t-pending", numbered(sample_shipments[:1], "SGU")))["code"] \
            == "PAIRING_PENDING"
    time.sleep(0.3)
    assert printed_tracking(sims) == []
    assert home.joinpath("sigilo.db").read_bytes().count(pair["token"].encode()) == 0  # kept only hashed


def test_pairing_approved_from_the_cli_is_announced_and_audited(bridge, capsys):
    server, sims, home = bridge
    with Page(server.url, "http://wms.local:8080") as page:
        pair = page.call("pair", name="Warehouse 3")
        assert cli(["bridge", "pending"]) == 0
        out = capsys.readouterr().out
        assert pair["code"] in out and "http://wms.local:8080" in out and "Warehouse 3" in out
        assert cli(["bridge", "approve", pair["code"].replace("-", "")]) == 0
        deadline = time.monotonic() + 10
        while not page.other and time.monotonic() < deadline:
            try:
                page._recv(deadline)
            except TimeoutError:
                break
        assert page.other and page.other[0]["cmd"] == "notifyPairResult" and page.other[0]["status"] == "approved"
        page.token = pair["token"]
        assert page.call("getPrinters")["printers"][0]["name"] == "Label"
        assert cli(["bridge", "approve", pair["code"]]) == 1  # no longer pending
    from desktop.audit import AuditLog
    from desktop.store import Store

    with Store(home / "sigilo.db") as store:
        entries = [e for e in AuditLog(store).entries() if e.action == "bridge"]
    assert [(e.subject, e.details["pairing"]) for e in entries] == [("http://wms.local:8080", "approved")]


def test_a_token_works_from_its_own_origin_only(bridge):
    server, _, home = bridge
    page = paired_page(server.url, home, ORIGIN)
    page.close()
    with Page(server.url, "https://evil.example", token=page.token) as other:
        refused = other.call("getPrinters")
        assert refused["code"] == "ORIGIN_MISMATCH" and refused["field"] == "token"
    with Page(server.url, None, token=page.token) as bare:  # a client with no Origin header at all
        assert bare.call("getPrinters")["code"] == "NO_ORIGIN"
        assert bare.call("pair", name="x")["code"] == "NO_ORIGIN"
    with Page(server.url, None, token=page.token, additional_headers={"Origin": "null"}) as null:
        assert null.call("pair", name="x")["code"] == "NO_ORIGIN"
    with Page(server.url, ORIGIN.upper(), token=page.token) as same:  # origins compare case-insensitively
        assert same.call("getPrinters")["status"] == "success"


def test_wrong_and_revoked_tokens(bridge, capsys):
    server, _, home = bridge
    page = paired_page(server.url, home)
    assert page.call("getPrinters", token="sgb_" + "A" * 43)["code"] == "BAD_TOKEN"
    assert page.call("getPrinters", token=page.token[:-1] + ("A" if page.token[-1] != "A" else "B"))["code"] \
        == "BAD_TOKEN"
    assert page.call("getPrinters", token=12345)["code"] == "NOT_PAIRED"
    assert page.call("getPrinters")["status"] == "success"
    listener = Page(server.url, token=page.token)  # a second socket of the page, only listening
    assert listener.call("resume", after=0)["status"] == "success"
    assert cli(["bridge", "revoke", ORIGIN + "/"]) == 0
    deadline = time.monotonic() + 10
    while not listener.other and time.monotonic() < deadline:  # it stops hearing notices, and is told
        try:
            listener._recv(deadline)
        except TimeoutError:
            break
    assert listener.other and listener.other[-1] == {"cmd": "notifyPairResult", "status": "revoked", "origin": ORIGIN}
    listener.close()
    refused = page.call("getPrinters")
    assert refused["code"] == "TOKEN_REVOKED"
    assert page.call("getAgentInfo")["pairing"] == "TOKEN_REVOKED"
    assert cli(["bridge", "revoke", "https://never.example"]) == 1
    assert "no pairing to revoke" in capsys.readouterr().err
    page.close()


def test_oversize_messages_are_refused_and_the_socket_survives(bridge):
    server, _, home = bridge
    page = paired_page(server.url, home)
    big = json.dumps({"cmd": "print", "requestID": "big", "version": "1.0", "token": page.token,
                      "task": {"taskID": "t", "documents": [], "pad": "x" * 1_000_100}})
    refused = page.raw(big)
    assert refused["code"] == "MESSAGE_TOO_LARGE" and refused["requestID"] == "big"
    assert page.call("getPrinters")["status"] == "success"
    for junk in ("not json", "[1,2]", '{"cmd": "print"}', '{"requestID": "x"}', "{" * 100000,
                 '{"cmd":"print","requestID":"v","version":"2.0"}', '{"cmd":"format","requestID":"u"}'):
        reply = page.raw(junk)
        assert reply["status"] == "failed" and reply["code"] in (
            "BAD_MESSAGE", "UNSUPPORTED_VERSION", "UNKNOWN_COMMAND"), (junk[:20], reply)
    from websockets.exceptions import ConnectionClosed

    with pytest.raises(ConnectionClosed) as closed:  # beyond the hard cap the bridge does not read it at all
        page.ws.send("x" * 4_500_000)
        for _ in range(10):  # a late notice (the pairing's approval) may come first
            page.ws.recv(timeout=60)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


def test_too_many_documents(bridge, sample_shipments):
    server, sims, home = bridge
    with paired_page(server.url, home) as page:
        refused = page.call("print", task=task("t-501", numbered(sample_shipments, "SGM", 501)))
        assert refused["code"] == "TOO_MANY_DOCUMENTS" and refused["field"] == "task.documents"
        assert page.call("getTaskStatus", taskID=["t-501"])["tasks"][0]["code"] == "UNKNOWN_TASK"
    time.sleep(0.3)
    assert printed_tracking(sims) == []


def test_rate_limit_per_origin(bridge):
    server, _, home = bridge
    page = paired_page(server.url, home)
    other = paired_page(server.url, home, "https://other.example")
    time.sleep(1.1)  # a full bucket for both
    start = time.monotonic()
    ids = [page.send("getPrinters") for _ in range(60)]
    replies = [page.reply_to(i) for i in ids]
    elapsed = time.monotonic() - start
    limited = [r for r in replies if r["status"] == "failed"]
    assert limited and all(r["code"] == "RATE_LIMITED" and r["retryAfterMs"] > 0 for r in limited)
    passed = sum(r["status"] == "success" for r in replies)
    assert 20 <= passed <= 20 + 20 * elapsed + 1  # a burst of 20, then 20 a second (however slow the machine)
    assert other.call("getPrinters")["status"] == "success"  # another origin is not held up
    time.sleep(0.2)
    assert page.call("getPrinters")["status"] == "success"  # and the bucket refills
    page.close()
    other.close()


def test_a_retried_task_prints_nothing_new(bridge, sample_shipments):
    server, sims, home = bridge
    ships = numbered(sample_shipments[:3], "SGR")
    first = paired_page(server.url, home)
    second = Page(server.url, token=first.token)  # the same page after a reload, on a new socket
    a = first.send("print", task=task("t-retry", ships))
    b = second.send("print", task=task("t-retry", ships))  # sent before the first is answered
    replies = [first.reply_to(a), second.reply_to(b)]
    assert sorted(bool(r.get("retried")) for r in replies) == [False, True]
    first.wait_states({f"t-retry-d{i}": "printed" for i in range(3)})
    wait_printed(sims, 3)
    again = first.call("print", task=task("t-retry", ships))
    assert again["retried"] and [e["status"] for e in again["printStatus"]] == ["printed"] * 3
    # a known documentID in a new task is not printed again either; its state comes back
    mixed = {"taskID": "t-new", "documents": [task("t-retry", ships)["documents"][0],
                                              {"documentID": "fresh", "contents": [{"data": {**ships[0], "tracking_number": "SGR99999999"}}]}]}
    reply = first.call("print", task=mixed)
    assert reply["printStatus"][0]["status"] == "printed" and reply["printStatus"][0]["taskID"] == "t-retry"
    first.wait_states({"fresh": "printed"})
    conflict = first.call("print", task=task("t-retry", ships[:2]))
    assert conflict["code"] == "TASK_CONFLICT"
    wait_printed(sims, 4)
    time.sleep(0.3)
    assert sorted(printed_tracking(sims)) == sorted([s["tracking_number"] for s in ships] + ["SGR99999999"])
    first.close()
    second.close()


def test_duplicate_tracking_numbers_and_invalid_documents(bridge, sample_shipments, capsys):
    server, sims, home = bridge
    ships = numbered(sample_shipments[:2], "SGD")
    with paired_page(server.url, home) as page:
        page.call("print", task=task("t1", ships))
        page.wait_states({"t1-d0": "printed", "t1-d1": "printed"})
        bad_phone = {**ships[0], "tracking_number": "SGD77777777",
                     "recipient": {**ships[0]["recipient"], "phone": "12"}}
        same_twice = {**ships[0], "tracking_number": "SGD55555555"}
        reply = page.call("print", task={"taskID": "t2", "documents": [
            {"documentID": "dup", "contents": [{"data": ships[1]}]},
            {"documentID": "phone", "contents": [{"data": bad_phone}]},
            {"documentID": "twice-a", "contents": [{"data": same_twice}]},
            {"documentID": "twice-b", "contents": [{"data": same_twice}]},
            {"documentID": "tpl", "contents": [{"data": {**ships[0], "tracking_number": "SGD66666666",
                                                         "template": "no-such"}}]},
            {"documentID": "enc", "contents": [{"encryptedData": "...", "signature": "..."}]},
        ]})
        by_id = {e["documentID"]: e for e in reply["printStatus"]}
        assert by_id["dup"]["status"] == "failed" and by_id["dup"]["code"] == "DUPLICATE_TRACKING"
        assert by_id["dup"]["field"] == "tracking_number"
        assert by_id["phone"]["code"] == "INVALID_DOCUMENT" and by_id["phone"]["field"] == "recipient.phone"
        assert by_id["twice-a"]["status"] == "queued" and by_id["twice-b"]["code"] == "DUPLICATE_TRACKING"
        assert by_id["tpl"]["field"] == "template" and by_id["enc"]["code"] == "INVALID_DOCUMENT"
        states = page.wait_states({"twice-a": "printed", "dup": "failed", "phone": "failed"})
        assert states["twice-b"] == "failed"
        # a tracking number printed by another way in (sigilo print) is refused as well
        path = home / "one.jsonl"
        path.write_text(json.dumps({**ships[0], "tracking_number": "SGD44444444"}, ensure_ascii=False) + "\n")
        assert cli(["print", str(path), "--printer", sims[0].uri, "--demo-keys"]) == 0
        reply = page.call("print", task=task("t3", [{**ships[0], "tracking_number": "SGD44444444"}]))
        assert reply["printStatus"][0]["code"] == "DUPLICATE_TRACKING"
        # a fixed document goes out under a new task, with the same documentID (nothing was printed)
        fixed = {**bad_phone, "recipient": ships[0]["recipient"]}
        reply = page.call("print", task={"taskID": "t4", "documents": [{"documentID": "phone",
                                                                         "contents": [{"data": fixed}]}]})
        assert reply["printStatus"][0]["status"] == "queued"
        page.wait_states({"phone": "printed"})
    time.sleep(0.3)
    got = printed_tracking(sims)
    assert sorted(got) == sorted(["SGD00000000", "SGD00000001", "SGD55555555", "SGD44444444", "SGD77777777"])
    capsys.readouterr()


def test_a_page_that_drops_gets_what_it_missed(bridge, sample_shipments):
    server, sims, home = bridge
    ships = numbered(sample_shipments[:3], "SGC")
    page = paired_page(server.url, home)
    assert page.call("resume", after=0)["lastSeq"] == 0
    page.send("print", task=task("t-drop", ships))
    page.close()  # the socket drops before any answer
    wait_printed(sims, 3)
    time.sleep(0.5)
    with Page(server.url, token=page.token) as back:
        reply = back.call("resume", after=0)
        assert reply["status"] == "success" and reply["replayed"] >= 3
        states = back.wait_states({f"t-drop-d{i}": "printed" for i in range(3)}, timeout=10)
        assert states == {f"t-drop-d{i}": "printed" for i in range(3)}
        seqs = [n["seq"] for n in back.notices]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        # resuming from the last seen number replays nothing more
        again = back.call("resume", after=seqs[-1])
        assert again["replayed"] == 0 and again["lastSeq"] == seqs[-1]
        # notices belong to their origin: another page hears none of them
        stranger = paired_page(server.url, home, "https://stranger.example")
        assert stranger.call("resume", after=0)["replayed"] == 0
        stranger.close()


def test_a_client_that_stops_reading_holds_up_no_one(bridge, sample_shipments):
    server, sims, home = bridge
    stalled = paired_page(server.url, home)
    stalled.send("print", task=task("t-big", numbered(sample_shipments, "SGS", 60)))
    # the stalled page never reads again; a second page prints and hears its states meanwhile
    with paired_page(server.url, home, "https://second.example") as page:
        page.call("print", task=task("t-small", numbered(sample_shipments[:2], "SGT")))
        assert page.wait_states({"t-small-d0": "printed", "t-small-d1": "printed"}) == {
            "t-small-d0": "printed", "t-small-d1": "printed"}
    wait_printed(sims, 62)
    assert len(printed_tracking(sims)) == 62
    stalled.close()


def test_hosts_other_than_loopback_are_refused():
    from desktop.bridge.errors import BridgeError
    from desktop.bridge.server import check_hosts

    assert check_hosts(["127.0.0.1", "::1", "localhost", "[::1]"]) == ["127.0.0.1", "::1", "127.0.0.1", "::1"]
    for host in ("0.0.0.0", "::", "192.168.1.10", "example.com", "10.0.0.1"):
        with pytest.raises(BridgeError):
            check_hosts([host])
    assert cli(["serve", "--host", "0.0.0.0", "--printer", "L=mem://x", "--demo-keys"]) == 1


def test_rate_limiter_arithmetic():
    from desktop.bridge.limits import RateLimiter

    now = [100.0]
    limiter = RateLimiter(20, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(20)] == [0.0] * 20
    wait = limiter.take("a")
    assert 0.04 < wait <= 0.05 + 1e-9 and limiter.take("b") == 0.0
    now[0] += 0.05
    assert limiter.take("a") == 0.0 and limiter.take("a") > 0
    now[0] += 10
    assert sum(limiter.take("a") == 0.0 for _ in range(30)) == 20  # idle time gives at most a burst
