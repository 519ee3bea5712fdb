"""The station service's rules, whichever way a label comes in: a waybill number prints once
(in one file, across runs, across two processes at once, after a void it is free again), the
refusal names the row and the field and says how to reprint, reprints stay possible through
the reprint path, and a store that already holds duplicates upgrades cleanly."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.shipment import Shipment

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> Path:
    from desktop.seal import ensure_demo_keys

    path = tmp_path_factory.mktemp("station-keys") / "keys"
    ensure_demo_keys(path)
    return path


def _file(tmp_path, rows, name="orders.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _labels(home: Path, tracking: str) -> list[tuple]:
    with sqlite3.connect(home / "sigilo.db") as c:
        return c.execute("SELECT state, reprint_reason, original FROM labels WHERE tracking_number=? ORDER BY id",
                         (tracking,)).fetchall()


def test_one_file_with_a_row_twice_prints_it_once_and_names_the_second_row(tmp_path, keys, sample_shipments,
                                                                             sigilo_home, capsys):
    row = sample_shipments[0]
    other = sample_shipments[1]
    path = _file(tmp_path, [row, other, row])
    out = tmp_path / "out.zpl"
    status = main(["print", str(path), "--printer", out.as_uri(), "--profile", "zpl-203", "--keys", str(keys)])
    captured = capsys.readouterr()
    assert status == 1
    assert f"refused row 3: tracking_number: tracking number {row['tracking_number']}" in captured.err
    assert "reprint" in captured.err and "Traceback" not in captured.err
    assert "Printed 2 label(s)" in captured.out
    assert _labels(sigilo_home, row["tracking_number"]) == [("confirmed", None, 1)]
    assert out.read_bytes().count(b"^XA") == 2


def test_the_same_numbers_run_again_print_nothing_twice(tmp_path, keys, sample_shipments, sigilo_home, capsys):
    """The same file again is recognised as the same batch (nothing printed, it says so and
    how to reprint); another file holding the same numbers is refused row by row by the
    store's index, and only its new number prints."""
    rows = sample_shipments[:2]
    path = _file(tmp_path, rows)
    out = tmp_path / "out.zpl"
    args = ["print", str(path), "--printer", out.as_uri(), "--profile", "zpl-203", "--keys", str(keys)]
    assert main(args) == 0
    first = out.read_bytes()
    capsys.readouterr()
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "already printed this batch" in captured.err and "sigilo jobs reprint" in captured.err
    assert "Nothing printed" in captured.out
    assert out.read_bytes() == first  # nothing more went to the printer
    other = _file(tmp_path, [*rows, sample_shipments[2]], "again.jsonl")
    assert main(["print", str(other), *args[2:]]) == 1
    captured = capsys.readouterr()
    for number, r in enumerate(rows, start=1):
        assert f"refused row {number}: tracking_number: tracking number {r['tracking_number']} was printed at " \
               f"this station on" in captured.err
        assert _labels(sigilo_home, r["tracking_number"]) == [("confirmed", None, 1)]
    assert "Printed 1 label(s)" in captured.out
    printed = out.read_bytes()  # a file:// printer holds what the last run sent
    assert printed.count(b"^XA") == 1 and sample_shipments[2]["tracking_number"].encode() in printed
    assert not any(r["tracking_number"].encode() in printed for r in rows)
    assert _labels(sigilo_home, sample_shipments[2]["tracking_number"]) == [("confirmed", None, 1)]


def test_batch_print_refuses_a_number_already_printed(tmp_path, keys, sample_shipments, sigilo_home, capsys):
    rows = [r for r in sample_shipments if r["recipient"]["country"] == "CN"][:2]
    first = _file(tmp_path, rows[:1], "first.jsonl")
    out = tmp_path / "out.tspl"
    assert main(["print", str(first), "--printer", out.as_uri(), "--keys", str(keys)]) == 0
    header = "order_id,tracking_number,recipient.name,recipient.phone,recipient.address,weight\n"
    lines = [f"{r['order_id']},{r['tracking_number']},{r['recipient']['name']},{r['recipient']['phone']},"
             f"{r['recipient']['province']}{r['recipient']['city']}{r['recipient']['district']}"
             f"{r['recipient']['street']},0.5\n" for r in rows]
    csv_path = tmp_path / "orders.csv"
    csv_path.write_text(header + "".join(lines), encoding="utf-8")
    mapping = ["--save-mapping", "station-test", "--map", "order_id=order_id", "--map",
               "tracking_number=tracking_number", "--map", "recipient.name=recipient.name", "--map",
               "recipient.phone=recipient.phone", "--map", "recipient.address=recipient.address", "--map",
               "parcel.weight_kg=weight", "--default", "recipient.country=CN"]
    sender = tmp_path / "sender.json"
    sender.write_text(json.dumps({"name": "Sigilo Shop", "phone": "13800138000", "country": "CN",
                                  "province": "浙江省", "city": "杭州市", "district": "西湖区",
                                  "street": "文三路100号", "business": True}, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    status = main(["batch", str(csv_path), *mapping, "--sender", str(sender), "--print", "--printer", out.as_uri(),
                   "--keys", str(keys)])
    captured = capsys.readouterr()
    assert status == 1, captured
    assert f"row 2 refused: tracking_number: tracking number {rows[0]['tracking_number']} was printed" in captured.err
    assert "Printed 1 label(s)" in captured.out
    assert len(_labels(sigilo_home, rows[0]["tracking_number"])) == 1
    assert _labels(sigilo_home, rows[1]["tracking_number"]) == [("confirmed", None, 1)]


RACER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from desktop.jobs.jobstore import JobStore
    from desktop.shipment import Shipment
    from desktop.store import open_store

    home, go, row = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
    store = open_store(home)
    jobs = JobStore(store)
    shipments = [Shipment.from_dict(row)] * 5
    while not go.exists():
        time.sleep(0.001)
    queued = 0
    for _ in range(20):
        job, refused = jobs.create_job_refusing("mem://race", "zpl-203", shipments, "waybill-100x150")
        queued += 0 if job is None else 5 - len(refused)
    print(queued)
""")


def test_two_processes_racing_for_one_number_queue_it_once(tmp_path, sample_shipments, sigilo_home):
    from desktop.store import open_store

    open_store(sigilo_home).close()  # the schema and data key exist before the race
    go = tmp_path / "go"
    row = json.dumps(sample_shipments[0], ensure_ascii=False)
    procs = [subprocess.Popen([sys.executable, "-c", RACER, str(sigilo_home), str(go), row], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    go.touch()
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), results
    assert sorted(int(out) for out, _ in results) == [0, 1]  # 200 attempts, one label queued
    assert _labels(sigilo_home, sample_shipments[0]["tracking_number"]) == [("queued", None, 1)]


def test_the_store_refuses_a_second_live_label_even_past_the_service(sample_shipments, sigilo_home):
    """The unique index decides, not a check before the insert: a raw insert is refused too."""
    from desktop.store import open_store

    with open_store(sigilo_home) as store:
        from desktop.jobs.jobstore import JobStore

        JobStore(store).create_job("mem://x", "zpl-203", [Shipment.from_dict(sample_shipments[0])], "waybill-100x150")
        with pytest.raises(sqlite3.IntegrityError):
            with store.tx() as c:
                c.execute("INSERT INTO labels(job_id, idx, printer_uri, tracking_number, state, created_at) "
                          "SELECT job_id, 1, printer_uri, tracking_number, 'confirmed', 0 FROM labels")


def test_reprint_void_and_a_free_number_through_the_station(tmp_path, keys, sample_shipments, sigilo_home):
    from desktop.jobs.errors import DuplicateTracking
    from desktop.station import Printer, Station
    from printers.transports.mem import mem_printer, remove_mem_printer

    shipment = Shipment.from_dict(sample_shipments[0])
    printer = Printer("Counter", "mem://station-rules", "zpl-203")
    try:
        with Station(sigilo_home, keys_dir=keys) as station:
            station.start_queue(printers=[printer.uri])
            sub = station.submit([shipment], printer, "waybill-100x150")
            station.wait(sub.job_id, timeout=60)
            with pytest.raises(DuplicateTracking) as refused:
                station.submit([shipment], printer, "waybill-100x150")
            assert refused.value.field == "tracking_number" and "reprint" in refused.value.hint
            with pytest.raises(DuplicateTracking):
                station.check_tracking(shipment.tracking_number)
            # the reprint path: allowed, marked, outside the one-live-label index
            label_id = sub.label_ids[0]
            again = station.reprint(label_id, "damaged", printer)
            station.wait(again.job_id, timeout=60)
            assert _labels(sigilo_home, shipment.tracking_number) == [("confirmed", None, 1),
                                                                        ("confirmed", "damaged", 0)]
            # a void frees the number; the voided labels stay in history as voided
            from desktop.operators.accounts import Operators

            station.operators().add("wang", "supervisor-pass-1", "supervisor")
            approval = Operators(station.store).approve("void", "wang", "supervisor-pass-1", shipment.tracking_number)
            station.void(label_id, "wrong phone", approval)
            station.check_tracking(shipment.tracking_number)
            fresh = station.submit([shipment], printer, "waybill-100x150")
            station.wait(fresh.job_id, timeout=60)
            states = [s for s, _, _ in _labels(sigilo_home, shipment.tracking_number)]
            assert states == ["voided", "voided", "confirmed"]
            assert len(mem_printer("station-rules").writes) >= 3
    finally:
        remove_mem_printer("station-rules")


def test_a_store_holding_duplicates_upgrades_keeping_the_oldest_as_the_original(tmp_path, sample_shipments):
    """Stations that printed duplicates before the rule: the migration keeps the oldest live
    label of each number as the original and the others as (unmarked) copies."""
    from desktop.store import open_store
    from desktop.store.migrations import MIGRATIONS

    home = tmp_path / "old"
    home.mkdir()
    conn = sqlite3.connect(home / "sigilo.db")
    for script in MIGRATIONS[:6]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version=6")
    conn.execute("INSERT INTO jobs(id, printer_uri, profile, template, actor, state, created_at) "
                 "VALUES('j1','mem://a','zpl-203','waybill-100x150','cli','done',1)")
    for n, state in enumerate(("confirmed", "confirmed", "failed", "confirmed")):
        conn.execute("INSERT INTO labels(job_id, idx, printer_uri, tracking_number, state, created_at) "
                     "VALUES('j1',?,'mem://a','SG1',?,1)", (n, state))
    conn.commit()
    conn.close()
    with open_store(home) as store:
        rows = [tuple(r) for r in store.query("SELECT state, original FROM labels ORDER BY id")]
        assert rows == [("confirmed", 1), ("confirmed", 0), ("failed", 1), ("confirmed", 0)]
        assert store.query("SELECT options FROM jobs")[0][0] == "{}"
