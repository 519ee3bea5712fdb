"""Write the void-list example of docs/seal-format.md §8 (the block ``void-example``).

    .venv/bin/python scripts/make_void_vector.py

The station key is derived from a fixed seed (the §6 test-vector station, HZ-0001) and
Ed25519 signatures are deterministic, so the example is the same on every run. The voided
label is the §6 CN vector's QR text as it stands when this runs; the example keeps its own copy.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: E402

from desktop.keys.ids import key_id  # noqa: E402
from desktop.keys.keyfile import raw_public  # noqa: E402
from desktop.seal.voids import VoidList, envelope_hash, sign  # noqa: E402

DOC = ROOT / "docs" / "seal-format.md"
VECTORS = ROOT / "docs" / "seal-vectors.json"
ISSUED_AT = 1_795_100_000


def seed(name: str) -> bytes:
    return hashlib.sha256(f"sigilo seal test vector key: {name}".encode()).digest()


STATION = ed25519.Ed25519PrivateKey.from_private_bytes(seed("station HZ-0001"))


def example(qr_text: str) -> dict:
    kid = key_id(raw_public(STATION)).hex()
    tracking = json.loads(VECTORS.read_text(encoding="utf-8"))[0]["shipment"]["tracking_number"]
    voids = VoidList("HZ-0001", kid, 3, ISSUED_AT, [
        {"tracking_number": tracking, "envelope_sha256": envelope_hash(qr_text), "voided_at": ISSUED_AT - 3600}])
    return {"station_public_key_hex": raw_public(STATION).hex(), "voided_qr_text": qr_text,
            "void_list": sign(voids, STATION)}


def main() -> int:
    qr_text = json.loads(VECTORS.read_text(encoding="utf-8"))[0]["qr_text"]
    body = "```json\n" + json.dumps(example(qr_text), ensure_ascii=False, indent=2) + "\n```"
    doc = DOC.read_text(encoding="utf-8")
    start, end = "<!-- generated:void-example -->", "<!-- /generated:void-example -->"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(doc):
        raise SystemExit(f"{DOC} lacks the {start} ... {end} block")
    DOC.write_text(pattern.sub(lambda _: f"{start}\n{body}\n{end}", doc), encoding="utf-8")
    print(f"wrote the void-list example of {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
