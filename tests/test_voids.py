"""A voided label stops scanning: the station's own scan (the window's Scan page and
``sigilo scan`` on the station) refuses it saying when, by whom and why; ``sigilo voids
export`` writes a void list signed by the station key that scanners elsewhere install beside
their trust list, after which ``sigilo scan`` refuses the label with its own exit status (28).
A void list with a bad signature, from an unknown station, or older than one installed is
refused (29; an older one: 26). The format's vector is in docs/seal-format.md §8."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.shipment import Shipment


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> Path:
    from desktop.seal import ensure_demo_keys

    path = tmp_path_factory.mktemp("void-keys") / "keys"
    ensure_demo_keys(path)
    return path


@pytest.fixture
def printed(sigilo_home, keys, sample_shipments):
    """Two labels printed at the station; the first voided by a supervisor ("wrong phone").
    Returns (station, voided qr text, voided tracking, kept qr text, kept tracking)."""
    from desktop.station import Printer, Station
    from printers.transports.mem import remove_mem_printer

    printer = Printer("Counter", "mem://voids-test", "zpl-203")
    station = Station(sigilo_home, keys_dir=keys)
    station.operators().add("wang", "supervisor-pass-1", "supervisor")
    station.operators().add("li", "counter-pass-1", "clerk")
    station.login("li", "counter-pass-1")
    station.start_queue(printers=[printer.uri])
    ships = [Shipment.from_dict(s) for s in sample_shipments[:2]]
    sub = station.submit(ships, printer, "waybill-100x150")
    progress = station.wait(sub.job_id, timeout=60)
    assert progress.count("confirmed") == 2
    rows = {r.tracking_number: r for r in station.history()}
    first, second = rows[ships[0].tracking_number], rows[ships[1].tracking_number]
    approval = station.approve("void", "wang", "supervisor-pass-1", first.tracking_number)
    station.void(first.label_id, "wrong phone", approval)
    station.stop_queue()
    yield station, first.qr_text, first.tracking_number, second.qr_text, second.tracking_number
    station.close()
    remove_mem_printer("voids-test")


def _scan(capsys, keys, text, barcode=None):
    args = ["scan", "--keys", str(keys), "--text", text] + (["--barcode", barcode] if barcode else [])
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_the_station_refuses_its_own_voided_label_saying_when_who_and_why(printed, keys, capsys):
    station, voided, tracking, kept, kept_tracking = printed
    from desktop.seal.voids import VoidedSeal

    with pytest.raises(VoidedSeal) as refused:
        station.scan(voided.lower(), keys, tracking)  # a keyboard wedge in lower case: still this label
    message = refused.value.message
    assert f"label {tracking} was voided at this station on" in message
    assert "by li, approved by wang: wrong phone" in message
    assert "Authentic" not in message and station.scan(kept, keys, kept_tracking)["tracking_number"] == kept_tracking
    audit = station.store.query("SELECT details FROM audit WHERE action='scan_failed' ORDER BY seq DESC LIMIT 1")
    assert json.loads(audit[0]["details"])["reason"] == "voided"
    status, said = _scan(capsys, keys, voided, tracking)
    assert status == 28 and "was voided at this station" in said and "wrong phone" in said
    assert "Traceback" not in said
    status, said = _scan(capsys, keys, kept, kept_tracking)
    assert status == 0, said


def _scanner_elsewhere(tmp_path, keys, monkeypatch) -> Path:
    """A courier's scanner: the fleet private key and the trust list, no station store."""
    scanner = tmp_path / "scanner-keys"
    shutil.copytree(keys, scanner)
    for name in ("station.key", "station.json"):
        (scanner / name).unlink()
    monkeypatch.setenv("SIGILO_HOME", str(tmp_path / "courier-home"))
    return scanner


def test_a_scanner_holding_the_void_list_refuses_the_label(printed, keys, tmp_path, monkeypatch, capsys):
    station, voided, tracking, kept, kept_tracking = printed
    out = tmp_path / "voids.json"
    status = main(["voids", "export", "--keys", str(keys), "--out", str(out)])
    said = capsys.readouterr().out
    assert status == 0 and "serial 1" in said and "1 voided label(s)" in said
    document = json.loads(out.read_text(encoding="utf-8"))
    body = json.loads(document["signed"])
    from desktop.seal.voids import envelope_hash

    assert body["voids"] == [{"tracking_number": tracking, "envelope_sha256": envelope_hash(voided),
                              "voided_at": body["voids"][0]["voided_at"]}]
    assert "wrong phone" not in out.read_text(encoding="utf-8")  # the reason may quote the recipient: not exported
    newer = tmp_path / "newer.json"
    assert main(["voids", "export", "--keys", str(keys), "--out", str(newer)]) == 0  # serial 2
    scanner = _scanner_elsewhere(tmp_path, keys, monkeypatch)
    assert _scan(capsys, scanner, voided, tracking)[0] == 0  # no void list yet: it opens
    assert main(["voids", "import", str(newer), "--keys", str(scanner)]) == 0
    assert "will be refused" in capsys.readouterr().out
    status, said = _scan(capsys, scanner, voided, tracking)
    assert status == 28 and f"label {tracking} was voided by station DEMO-0001 on" in said
    assert _scan(capsys, scanner, kept, kept_tracking)[0] == 0
    # an older list is refused once a newer one is installed, even if the newer file is removed
    for f in (scanner / "voids").glob("*.json"):
        f.unlink()
    status = main(["voids", "import", str(out), "--keys", str(scanner)])
    assert status == 26 and "older than serial 2" in capsys.readouterr().err


def test_a_void_list_with_a_bad_signature_or_from_an_unknown_station_is_refused(printed, keys, tmp_path,
                                                                                  monkeypatch, capsys):
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from desktop.seal.voids import VoidList, sign

    station, voided, tracking, *_ = printed
    out = tmp_path / "voids.json"
    assert main(["voids", "export", "--keys", str(keys), "--out", str(out)]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    scanner = _scanner_elsewhere(tmp_path, keys, monkeypatch)
    capsys.readouterr()
    # the signed text changed after signing: another label added to the list
    forged = dict(document, signed=document["signed"].replace('"voids":[', '"voids":[{"tracking_number":"SG1",'
                                                                          '"envelope_sha256":"00","voided_at":1},'))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(forged), encoding="utf-8")
    assert main(["voids", "import", str(bad), "--keys", str(scanner)]) == 29
    assert "does not carry a valid signature" in capsys.readouterr().err
    # signed by a station key the trust list does not hold
    other = ed25519.Ed25519PrivateKey.generate()
    from desktop.keys.ids import key_id
    from desktop.keys.keyfile import raw_public

    kid = key_id(raw_public(other)).hex()
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps(sign(VoidList("THIEF-1", kid, 9, 1, [{"tracking_number": tracking,
                                                                       "envelope_sha256": "00", "voided_at": 1}]),
                                       other)), encoding="utf-8")
    assert main(["voids", "import", str(unknown), "--keys", str(scanner)]) == 29
    assert "not on the trust list" in capsys.readouterr().err
    # a tampered list put straight into the folder is refused at scan time too, never ignored
    (scanner / "voids").mkdir(exist_ok=True)
    shutil.copy(bad, scanner / "voids" / "planted.json")
    status, said = _scan(capsys, scanner, voided, tracking)
    assert status == 29 and "Traceback" not in said


B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def _b45decode(text: str) -> bytes:
    """RFC 9285, written here apart from desktop.seal.base45 so the vector is checked twice."""
    out = bytearray()
    values = [B45.index(c) for c in text]
    for i in range(0, len(values), 3):
        chunk = values[i:i + 3]
        n = sum(v * 45 ** k for k, v in enumerate(chunk))
        out += n.to_bytes(2 if len(chunk) == 3 else 1, "big")
    return bytes(out)


def test_the_spec_example_verifies_as_written():
    """docs/seal-format.md §8: the example's signature checks with the station key over the
    exact `signed` bytes, its hash is SHA-256 of the voided QR's envelope bytes, and Sigilo's
    own verifier accepts it from a trust list holding that station."""
    import hashlib
    import re

    from cryptography.hazmat.primitives.asymmetric import ed25519

    from desktop.keys.trust import TrustList
    from desktop.seal.voids import verify

    doc = (Path(__file__).resolve().parent.parent / "docs" / "seal-format.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- generated:void-example -->\n```json\n(.*?)\n```\n<!-- /generated:void-example -->",
                      doc, re.S)
    example = json.loads(block.group(1))
    document, public = example["void_list"], bytes.fromhex(example["station_public_key_hex"])
    ed25519.Ed25519PublicKey.from_public_bytes(public).verify(bytes.fromhex(document["signature"]),
                                                              document["signed"].encode("utf-8"))
    body = json.loads(document["signed"])
    qr = example["voided_qr_text"]
    assert qr.startswith("SG1:")
    assert body["voids"][0]["envelope_sha256"] == hashlib.sha256(_b45decode(qr[4:])).hexdigest()
    assert hashlib.sha256(public).digest()[:4].hex() == document["station_key_id"] == body["station_key_id"]
    trust = TrustList("00000000", 1, 0, [{"station_id": "HZ-0001", "name": "x", "key_id": document["station_key_id"],
                                          "public_key": public.hex(), "added_at": 0}], [])
    assert verify(document, trust).serial == body["serial"] == 3
