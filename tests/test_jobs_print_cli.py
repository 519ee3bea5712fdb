"""`sigilo print` through the queue: the printer runs out of paper mid-batch, the command says
so and waits, and after the roll is changed every label prints once and the command succeeds."""

from __future__ import annotations

import json
import threading
import time


from desktop.cli import main
from desktop.seal import ensure_demo_keys
from desktop.store import open_store
from printers.simulator import SimulatedPrinter



def test_print_waits_out_paper_out_and_prints_each_label_once(tmp_path, sample_shipments, capsys):
    keys = tmp_path / "keys"
    ensure_demo_keys(keys)
    orders = tmp_path / "orders.jsonl"
    rows = sample_shipments[:6]
    orders.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    sim = SimulatedPrinter("tspl", baud=921600, seconds_per_label=0.05, pty=tmp_path / "printer").start()
    result = {}
    try:
        thread = threading.Thread(target=lambda: result.setdefault(
            "status", main(["print", str(orders), "--printer", sim.uri, "--profile", "tspl-203-cn",
                            "--keys", str(keys)])))
        thread.start()
        assert sim.wait_printed(2, timeout=60)
        sim.paper_out()
        time.sleep(0.6)
        sim.paper_in()
        thread.join(timeout=120)
    finally:
        sim.stop()
    out, err = capsys.readouterr()
    assert result["status"] == 0, err
    assert "Printed 6 label(s)" in out
    assert "paper" in err and "waiting" in err and "resuming" in err
    assert len(sim.labels) == 6
    for row in rows:
        assert sum(f'"{row["tracking_number"]}"'.encode() in label for label in sim.labels) == 1
    store = open_store()
    assert store.query("SELECT COUNT(*) FROM labels WHERE state='confirmed'")[0][0] == 6
    # the run unlocked the seal key: the audit head it left is countersigned, and verifies
    head = store.query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")[0]
    anchored = store.query("SELECT seq, hash FROM audit_anchors")
    assert [tuple(a) for a in anchored] == [tuple(head)]
    store.close()
    assert main(["audit", "verify", "--keys", str(keys)]) == 0
    assert "countersigned" in capsys.readouterr().out
