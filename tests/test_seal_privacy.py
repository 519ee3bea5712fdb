"""Nothing of the recipient travels in clear in a seal: the hidden fragments of every sample
(desktop.masking.hidden_fragments) appear neither in the envelope bytes, in any encoding the
plaintext could use, nor in the QR text; the clear header holds the tracking number only."""

from __future__ import annotations

import pytest

from desktop.masking import hidden_fragments, mask
from desktop.seal import Sealer, ensure_demo_keys
from desktop.seal import envelope as env
from desktop.validation import validate


@pytest.fixture(scope="module")
def sealer(tmp_path_factory):
    path = tmp_path_factory.mktemp("privacy") / "keys"
    ensure_demo_keys(path)
    return Sealer.from_keys_dir(path)


def test_hidden_fragments_never_in_clear(sealer, sample_shipments, awkward_rows):
    rows = sample_shipments + [r for r in awkward_rows if r["expect"] == "ok"]
    for row in rows:
        shipment = validate(row).shipment
        fragments = hidden_fragments(shipment, mask(shipment))
        assert fragments, row["order_id"]
        text = sealer.seal(shipment, issued_at=1_790_000_000)
        envelope = env.parse_text(text)
        raw = envelope.to_bytes()
        assert envelope.header_bytes[18:] == shipment.tracking_number.encode()
        for fragment in fragments:
            for encoded in (fragment.encode("utf-8"), fragment.encode("utf-16-be")):
                if len(encoded) >= 4:  # 3 random bytes match by chance once in ~16 million
                    assert encoded not in raw, (row["order_id"], fragment)
            if len(fragment) >= 5:
                assert fragment.upper() not in text, (row["order_id"], fragment)
            if fragment.isdigit() and len(fragment) >= 7:
                assert int(fragment).to_bytes(8, "big").lstrip(b"\0") not in raw, (row["order_id"], fragment)
