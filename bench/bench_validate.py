"""Validation and masking per shipment: what a 2,000-row shop export or a 20,000-label day
costs before composing, against the floor of parsing and formatting the phone alone.
``desktop.phones`` keeps the last few hundred parses, so validation, masking and the
privacy checks of one label parse each number once; the first row measures without it."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import median_seconds, table  # noqa: E402


def bench() -> str:
    import phonenumbers

    from desktop.masking import hidden_fragments, mask
    from desktop.paths import sample_shipments_path
    from desktop.phones import _parse_cached
    from desktop.shipment import load_jsonl
    from desktop.validation import validate

    rows = load_jsonl(sample_shipments_path())
    shipments = [validate(r).shipment for r in rows]
    views = [mask(s) for s in shipments]
    n = len(rows)

    def floor():
        for r in rows:
            recipient = r["recipient"]
            number = phonenumbers.parse(recipient["phone"], recipient["country"])
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            phonenumbers.is_valid_number(number)

    def run_validate():  # every number new to the process, as in a fresh export
        _parse_cached.cache_clear()
        for r in rows:
            validate(r)

    def run_validate_warm():
        for r in rows:
            validate(r)

    def run_mask():
        for s in shipments:
            mask(s)

    def run_fragments():
        for s, v in zip(shipments, views):
            hidden_fragments(s, v)

    base = median_seconds(floor, runs=5, inner=3) / n
    results = [
        ("validate (dict -> normalised Shipment), numbers new to the process", median_seconds(run_validate, runs=5, inner=3) / n),
        ("mask after validate (numbers parsed once, reused)", median_seconds(run_mask, runs=5, inner=3) / n),
        ("hidden_fragments (privacy-check strings)", median_seconds(run_fragments, runs=5, inner=3) / n),
    ]
    warm = median_seconds(run_validate_warm, runs=5, inner=3) / n
    out_rows = [[label, f"{t * 1e3:.3f} ms", f"{t / base:.1f}x"] for label, t in results]
    out_rows.insert(1, ["validate again (a GUI re-check while typing)", f"{warm * 1e3:.3f} ms", f"{warm / base:.1f}x"])
    out_rows.append(["baseline: phonenumbers parse + E.164 + is_valid of the recipient phone", f"{base * 1e3:.3f} ms", "1x"])
    total = sum(t for _, t in results[:2])
    return (
        f"Per shipment, over the {n} sample shipments (25 CN, 8 BR, 7 international).\n\n"
        + table(["step", "median per shipment", "vs baseline"], out_rows)
        + f"\n\nValidate + mask of a 2,000-row export: {total * 2000:.2f} s; of a 20,000-label day: "
        f"{total * 20000:.1f} s of CPU, spread over the day.\n"
    )
