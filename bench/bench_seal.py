"""Seal benchmark: seals and opens per second, envelope bytes and QR version for a CN, a BR and
an international sample, against the bare cryptography (one HPKE seal + one Ed25519 signature,
or one HPKE open + one verification) measured in the same run, so the ratio shows what the
format (CBOR, Base45, header, checks) costs on top."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import median_seconds, table  # noqa: E402


def bench() -> str:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from desktop.keys import manage
    from desktop.keys.layout import KeysDir
    from desktop.paths import sample_shipments_path
    from desktop.seal import Scanner, Sealer, ensure_demo_keys
    from desktop.seal import envelope as env
    from desktop.seal.suite import SUITE
    from desktop.shipment import load_jsonl
    from desktop.validation import validate
    from printers.qr import qr_matrix

    tmp = Path(tempfile.mkdtemp(prefix="sigilo-bench-seal-"))
    ensure_demo_keys(tmp / "demo")
    sealer, scanner = Sealer.from_keys_dir(tmp / "demo"), Scanner.from_keys_dir(tmp / "demo")
    rows = load_jsonl(sample_shipments_path())
    picks = {}
    for row in rows:
        picks.setdefault({"CN": "CN", "BR": "BR"}.get(row["recipient"]["country"], "international"), row)
    fleet = scanner.fleet_keys[0]
    station = ed25519.Ed25519PrivateKey.generate()
    out_rows = []
    for label, row in picks.items():
        shipment = validate(row).shipment
        text = sealer.seal(shipment)
        raw = env.parse_text(text)
        pt = b"\0" * (len(raw.ciphertext) - 16)
        info = raw.header.info()
        bare_seal = median_seconds(lambda: station.sign(SUITE.encrypt(pt, fleet.private.public_key(), info=info)),
                                   runs=5, inner=100)
        bare_open = median_seconds(lambda: (SUITE.decrypt(raw.enc + raw.ciphertext, fleet.private, info=info),
                                            station.public_key().verify(station.sign(b"x"), b"x")), runs=5, inner=100)
        seal_s = median_seconds(lambda: sealer.seal(shipment), runs=5, inner=100)
        open_s = median_seconds(lambda: scanner.open(text, barcode=shipment.tracking_number), runs=5, inner=100)
        out_rows.append([label, row["order_id"], len(raw.to_bytes()), len(text), qr_matrix(text).version,
                         f"{1 / seal_s:,.0f}", f"{seal_s / bare_seal:.2f}x", f"{1 / open_s:,.0f}",
                         f"{open_s / bare_open:.2f}x"])
    # loading encrypted keys: scrypt is deliberately slow, once per start-up
    world = KeysDir.at(tmp / "enc")
    manage.create_fleet(world, "cn", 1, "bench passphrase")
    load_s = median_seconds(lambda: __import__("desktop.keys.keyfile", fromlist=["x"]).load_private(
        world.fleet_key("cn", 1), "fleet", "bench passphrase"), runs=3)
    return (
        "Seal = `Sealer.seal` of a validated shipment (CBOR, pad, HPKE, Ed25519, Base45); open = `Scanner.open` with the "
        "barcode check. The ratio is against the bare primitives on the same sizes (HPKE seal + Ed25519 sign; "
        "HPKE open + Ed25519 sign-and-verify).\n\n"
        + table(["recipient", "order", "envelope bytes", "QR text chars", "QR version (M)", "seals/s",
                 "vs bare crypto", "opens/s", "vs bare crypto"], out_rows)
        + f"\n\nLoading one passphrase-protected key (scrypt N=2^15, r=8): {load_s * 1000:.0f} ms (median of 3)."
    )


if __name__ == "__main__":
    print(bench())
