"""Write docs/seal-vectors.json and the generated parts of docs/seal-format.md.

    .venv/bin/python scripts/make_seal_vectors.py

Keys are derived from fixed seeds so they never change; HPKE picks a fresh ephemeral key each
run, so the ciphertexts (and QR texts) differ between runs while staying valid. The QR-version
table is computed from the sample shipments after validation, as a print station seals them.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric import ed25519, x25519  # noqa: E402

from desktop.keys.ids import key_id  # noqa: E402
from desktop.keys.keyfile import raw_private, raw_public  # noqa: E402
from desktop.keys.trust import TrustList  # noqa: E402
from desktop.seal import Sealer  # noqa: E402
from desktop.seal.payload import encode_shipment, pad  # noqa: E402
from desktop.seal.suite import SUITE  # noqa: E402
from desktop.shipment import Shipment, load_jsonl  # noqa: E402

DOC = ROOT / "docs" / "seal-format.md"
VECTORS = ROOT / "docs" / "seal-vectors.json"
ISSUED_AT = 1_795_000_000  # 2026-11-18 08:26:40 UTC
VALIDITY = 3650 * 86400  # the longest a station may seal for: the vectors open until 2036-11
NOW = ISSUED_AT + 3600  # the clock every vector is opened (or refused) at, unless it says otherwise
DPI, DOTS = 203, 4


def seed(name: str) -> bytes:
    return hashlib.sha256(f"sigilo seal test vector key: {name}".encode()).digest()


FLEET = x25519.X25519PrivateKey.from_private_bytes(seed("fleet cn-1"))
STATION = ed25519.Ed25519PrivateKey.from_private_bytes(seed("station HZ-0001"))
AUTHORITY = ed25519.Ed25519PrivateKey.from_private_bytes(seed("authority"))
STATION_ID, STATION_NAME = "HZ-0001", "杭州文一西路网点"


def samples() -> list[Shipment]:
    from desktop.paths import sample_shipments_path
    from desktop.validation import validate

    return [validate(row).shipment for row in load_jsonl(sample_shipments_path())]


def edge_case() -> Shipment:
    return Shipment.from_dict({
        "order_id": "", "tracking_number": "SG7700009999", "service": "express",
        "sender": {"name": "Zé", "phone": "", "country": "BR", "province": "SP", "city": "São Paulo",
                   "district": "", "street": "Rua Augusta 1500", "detail": "", "postcode": "01304-001"},
        "recipient": {"name": "王小明🙂", "phone": "+861065529988;ext=8021", "country": "CN", "province": "内蒙古自治区",
                      "city": "呼和浩特市", "district": "新城区", "street": "中山路436号", "detail": "5栋2单元2504室",
                      "postcode": "010020", "business": False},
        "parcel": {"weight_kg": 2, "items": "", "declared_value": 19.99, "pieces": 2}})


def vector(name: str, description: str, shipment: Shipment) -> dict:
    sealer = Sealer(STATION, raw_public(FLEET), STATION_ID, STATION_NAME, "cn-1")
    envelope = sealer.envelope(shipment, ISSUED_AT, ISSUED_AT + VALIDITY)
    plaintext = encode_shipment(shipment)
    # check what we publish against the implementation before writing it down
    assert SUITE.decrypt(envelope.enc + envelope.ciphertext, FLEET, info=envelope.header.info()) == pad(plaintext)
    from printers.qr import qr_matrix

    return {
        "name": name,
        "description": description,
        "fleet_private_key_hex": raw_private(FLEET).hex(),
        "fleet_public_key_hex": raw_public(FLEET).hex(),
        "fleet_key_id_hex": key_id(raw_public(FLEET)).hex(),
        "station_private_key_hex": raw_private(STATION).hex(),
        "station_public_key_hex": raw_public(STATION).hex(),
        "station_key_id_hex": key_id(raw_public(STATION)).hex(),
        "shipment": shipment.to_dict(),
        "issued_at": ISSUED_AT,
        "expires_at": ISSUED_AT + VALIDITY,
        "now": NOW,
        "barcode": shipment.tracking_number,
        "header_hex": envelope.header_bytes.hex(),
        "info_hex": envelope.header.info().hex(),
        "plaintext_cbor_hex": plaintext.hex(),
        "padded_plaintext_hex": pad(plaintext).hex(),
        "enc_hex": envelope.enc.hex(),
        "ciphertext_hex": envelope.ciphertext.hex(),
        "signature_hex": envelope.signature.hex(),
        "envelope_hex": envelope.to_bytes().hex(),
        "qr_text": envelope.to_text(),
        "qr_version_m": qr_matrix(envelope.to_text(), "M").version,
    }


def trust_example() -> dict:
    trust = TrustList(key_id(raw_public(AUTHORITY)).hex())
    trust.add({"station_id": STATION_ID, "name": STATION_NAME, "key_id": key_id(raw_public(STATION)).hex(),
               "public_key": raw_public(STATION).hex()}, now=ISSUED_AT - 86400)
    old = ed25519.Ed25519PrivateKey.from_private_bytes(seed("station HZ-0000"))
    trust.add({"station_id": "HZ-0000", "name": "旧网点", "key_id": key_id(raw_public(old)).hex(),
               "public_key": raw_public(old).hex()}, now=ISSUED_AT - 30 * 86400)
    trust.revoke("HZ-0000", "station PC replaced", now=ISSUED_AT - 2 * 86400)
    trust.serial = 6
    return {"authority_public_key_hex": raw_public(AUTHORITY).hex(),
            "authority_private_key_hex": raw_private(AUTHORITY).hex(),
            "trust_json": trust.sign(AUTHORITY, now=ISSUED_AT - 86400)}


def _raw_seal(plaintext: bytes, tracking: str = "SG7700000000", issued: int = ISSUED_AT,
              expires: int = ISSUED_AT + VALIDITY) -> str:
    """A seal of any plaintext bytes and header times, by the vector station to the vector fleet
    key: every step before the one under test passes."""
    from desktop.seal import envelope as env

    header = env.Header(key_id(raw_public(FLEET)), key_id(raw_public(STATION)), issued, expires, tracking)
    sealed = SUITE.encrypt(plaintext, FLEET.public_key(), info=header.info())
    enc, ct = sealed[:32], sealed[32:]
    sig = STATION.sign(env.signature_input(header.pack(), enc, ct))
    return env.Envelope(header, header.pack(), enc, ct, sig).to_text()


REFUSAL_EXIT = {"malformed": 11, "wrong-fleet-key": 12, "unknown-station": 13, "revoked-station": 14,
                "bad-signature": 15, "tampered": 16, "expired": 17, "tracking-mismatch": 18, "bad-lifetime": 10}


def refusals(first: dict) -> list[dict]:
    """Texts a decoder must refuse, each made with the CN vector's keys, with the reason."""
    from desktop.seal import envelope as env
    from desktop.seal.base45 import b45encode

    good = env.parse_text(first["qr_text"])
    raw = good.to_bytes()
    flip_ct = bytearray(raw)
    flip_ct[len(good.header_bytes) + 32 + 3] ^= 0x01
    forged = ed25519.Ed25519PrivateKey.from_private_bytes(seed("not the station"))
    other_station = Sealer(forged, raw_public(FLEET), "XX", "unknown", "cn-1")
    other_fleet = x25519.X25519PrivateKey.from_private_bytes(seed("fleet cn-2"))
    shipment = Shipment.from_dict(first["shipment"])
    v2 = bytearray(raw)
    v2[0] = 2
    now = first["now"]
    truncated = first["qr_text"][4:-1]
    while len(truncated) % 3 != 1:
        truncated = truncated[:-1]
    minimal = encode_shipment(Shipment.from_dict({"tracking_number": "SG7700000000", "order_id": "A"}))
    out = [
        {"reason": "malformed", "qr_text": "SG1:" + truncated, "why": "truncated to a Base45 length with length % 3 == 1"},
        {"reason": "malformed", "qr_text": "SG1:" + b45encode(bytes(v2)), "why": "version 2"},
        {"reason": "wrong-fleet-key", "qr_text": Sealer(STATION, raw_public(other_fleet), STATION_ID, STATION_NAME,
                                                        "cn-2").envelope(shipment, first["issued_at"],
                                                                         first["expires_at"]).to_text(),
         "why": "encrypted to another fleet key (epoch cn-2), which the decoder does not hold"},
        {"reason": "unknown-station", "qr_text": other_station.envelope(shipment, first["issued_at"],
                                                                        first["expires_at"]).to_text(),
         "why": "sealed by a station key that is not on the trust list"},
        {"reason": "tampered", "qr_text": "SG1:" + b45encode(bytes(flip_ct)), "why": "one bit of the ciphertext flipped"},
        {"reason": "bad-signature", "qr_text": env.Envelope(good.header, good.header_bytes, good.enc, good.ciphertext,
                                                            forged.sign(good.signed_bytes())).to_text(),
         "why": "intact envelope, signature by another key"},
        {"reason": "expired", "qr_text": first["qr_text"], "now": first["expires_at"], "why": "now == expires_at"},
        {"reason": "tracking-mismatch", "qr_text": first["qr_text"], "barcode": "SG7700000001",
         "why": "the Code128 reads another tracking number"},
        {"reason": "tracking-mismatch", "qr_text": first["qr_text"], "barcode": first["shipment"]["tracking_number"].lower(),
         "why": "the barcode comparison is exact apart from surrounding whitespace (here: lower case)"},
    ]
    # the plaintext rules of section 3 (each signed and encrypted properly: only the CBOR is wrong)
    for why, plaintext in (
        ("a CBOR tag (bignum, tag 2) where the recipient's phone is", bytes.fromhex("a104a102c2490100000000000000000000")),
        ("duplicate map key 1", bytes.fromhex("a2016141016142")),
        ("map key true (0xf5) instead of an unsigned integer", bytes.fromhex("a1f56141")),
        ("map key 1.0 (a float) instead of an unsigned integer", bytes.fromhex("a1f93c006141")),
        ("indefinite-length map", bytes.fromhex("bf016141ff")),
        ("integer not in shortest form (1 written in 2 bytes)", bytes.fromhex("a105a106190001")),
        ("null (0xf6) for business", bytes.fromhex("a104a10af6")),
        ("unknown top-level key 9", bytes.fromhex("a1096141")),
        ("a non-zero byte after the CBOR item", bytes.fromhex("a1016141") + b"\x01"),
        ("an E.164 phone of 16 digits", bytes.fromhex("a104a1021b00038d7ea4c68000")),
        ("text string that is not UTF-8", bytes.fromhex("a10162c328")),
    ):
        out.append({"reason": "malformed", "qr_text": _raw_seal(pad(plaintext)), "why": why,
                    "plaintext_hex": plaintext.hex()})
    out += [
        {"reason": "bad-lifetime", "qr_text": _raw_seal(pad(minimal), issued=ISSUED_AT + 10 * 365 * 86400,
                                                        expires=ISSUED_AT + 10 * 365 * 86400 + 86400),
         "why": "issued ten years after the decoder's clock (more than 86400 s ahead)"},
        {"reason": "bad-lifetime", "qr_text": _raw_seal(pad(minimal), expires=2**32 - 1),
         "why": "valid for longer than 3650 days (until 2106)"},
        {"reason": "bad-lifetime", "qr_text": _raw_seal(pad(minimal), issued=ISSUED_AT, expires=ISSUED_AT),
         "why": "issued_at == expires_at"},
    ]
    for r in out:
        r.setdefault("now", now)
        r["exit"] = REFUSAL_EXIT[r["reason"]]
        r["keys"] = first["name"]
    return out


def accepted(first: dict) -> list[dict]:
    """Borderline texts a decoder must open (to the CN vector's shipment, or to the one given)."""
    minimal = Shipment.from_dict({"tracking_number": "SG7700000000", "order_id": "A"})
    return [
        {"qr_text": "  " + first["qr_text"].lower() + "\r\n", "now": first["now"], "barcode": "SG7700000000 \r\n",
         "shipment": first["shipment"], "keys": first["name"],
         "why": "wedge input: surrounding spaces/CR/LF, lower case; a barcode with a trailing space and CR LF"},
        {"qr_text": _raw_seal(pad(encode_shipment(minimal)), issued=NOW + 86400, expires=NOW + 2 * 86400),
         "now": NOW, "shipment": minimal.to_dict(), "keys": first["name"],
         "why": "issued exactly 86400 s ahead of the decoder's clock (a station clock a day fast)"},
    ]


def qr_rows(shipments: list[Shipment]) -> list[list]:
    from printers.qr import qr_matrix

    sealer = Sealer(STATION, raw_public(FLEET), STATION_ID, STATION_NAME, "cn-1")
    rows = []
    for s in shipments:
        envelope = sealer.envelope(s, ISSUED_AT, ISSUED_AT + VALIDITY)
        text = envelope.to_text()
        m = qr_matrix(text, "M")
        side_mm = (m.size + 8) * DOTS * 25.4 / DPI
        rows.append([s.order_id, s.recipient.country, len(encode_shipment(s)), len(envelope.ciphertext) - 16,
                     len(envelope.to_bytes()), len(text), m.version, f"{side_mm:.1f}"])
    return rows


def qr_table(shipments: list[Shipment]) -> str:
    head = ("| order | recipient | CBOR bytes | padded | envelope bytes | QR text chars | QR version (M) "
            "| side at 4 dots/module, 203 dpi, with quiet zone (mm) |\n|---|---|---|---|---|---|---|---|")
    return head + "\n" + "\n".join("| " + " | ".join(str(c) for c in row) + " |" for row in qr_rows(shipments))


def replace_block(text: str, name: str, body: str) -> str:
    start, end = f"<!-- generated:{name} -->", f"<!-- /generated:{name} -->"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{DOC} lacks the {start} ... {end} block")
    return pattern.sub(lambda _: f"{start}\n{body.strip()}\n{end}", text)


def main() -> int:
    shipments = samples()
    by_country = {s.recipient.country: s for s in reversed(shipments)}
    vectors = [
        vector("cn", "CN recipient, business sender, validated (E.164 phones)", by_country["CN"]),
        vector("br", "BR recipient, CEP with a dash", by_country["BR"]),
        vector("intl", "GB recipient, alphanumeric postcode", by_country["GB"]),
        vector("edge", "extension, leading-zero postcode, float value, empty fields, business false/absent", edge_case()),
    ]
    first = vectors[0]
    refused = refusals(first)
    document = {
        "format": "sigilo-seal-vectors-2",
        "spec": "docs/seal-format.md",
        "vectors": vectors,
        "accepted": accepted(first),
        "refusals": refused,
    }
    VECTORS.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    trust = trust_example()
    doc = DOC.read_text(encoding="utf-8")
    steps = "\n".join(f"{k}:\n    {first[k]}" for k in (
        "fleet_private_key_hex", "fleet_public_key_hex", "fleet_key_id_hex", "station_public_key_hex",
        "station_key_id_hex", "issued_at", "expires_at", "now", "header_hex", "info_hex", "plaintext_cbor_hex",
        "padded_plaintext_hex", "enc_hex", "ciphertext_hex", "signature_hex", "qr_text"))
    doc = replace_block(doc, "vector-cn", "```\n" + steps + "\nshipment:\n    "
                        + json.dumps(first["shipment"], ensure_ascii=False) + "\n```")
    doc = replace_block(doc, "refusals", "| reason | exit | why |\n|---|---|---|\n" + "\n".join(
        f"| `{r['reason']}` | {r['exit']} | {r['why']} |" for r in refused))
    doc = replace_block(doc, "trust-example", "```json\n" + json.dumps(trust, ensure_ascii=False, indent=2) + "\n```")
    doc = replace_block(doc, "qr-table", qr_table(shipments))
    DOC.write_text(doc, encoding="utf-8")
    print(f"wrote {VECTORS.relative_to(ROOT)} ({len(vectors)} vectors) and the generated parts of {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
