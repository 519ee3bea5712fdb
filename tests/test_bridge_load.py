"""A bounded load: 10 pages each sending 100 tasks at once, resending a fifth of them, to three
simulated printers: every document printed exactly once, none lost. (`bench bridge` runs the
same load and writes its latencies to BENCHMARKS.md; nothing here is timed.)"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from bridge_helpers import paired_page, running_bridge
from bridge_load import run_load

from printers.simulator import SimulatedPrinter

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # 1,000 labels: ~30 s on an idle 2-core machine


def test_ten_pages_a_hundred_tasks_each_with_retries(sigilo_home, sample_shipments):
    sims = [SimulatedPrinter("tspl", baud=None, seconds_per_label=0.0, mem=f"load-{i}-{id(sigilo_home)}").start()
            for i in range(3)]
    try:
        with running_bridge(sigilo_home, [(f"P{i}", s.uri) for i, s in enumerate(sims)]) as (server, _):
            pages = []
            for n in range(10):
                page = paired_page(server.url, sigilo_home, f"https://shop{n}.example")
                pages.append((f"https://shop{n}.example", page.token))
                page.close()
            result = run_load(server.url, pages, sample_shipments, ["P0", "P1", "P2"], tasks_per_page=100,
                              retry_share=0.2)
        assert result.documents == 1000
        assert result.failed == {}
        assert len(result.printed_at) == 1000 and result.retried_replies > 0
        printed = Counter(re.search(rb'BARCODE [^\r\n]*"([A-Z0-9]+)"', label).group(1).decode()
                          for sim in sims for label in sim.labels)
        assert len(printed) == 1000 and set(printed.values()) == {1}  # each exactly once
        assert all(sim.labels for sim in sims)  # the work spread over the three printers
    finally:
        for sim in sims:
            sim.stop()
