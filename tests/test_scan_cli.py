"""``sigilo scan`` end to end: the shipment and its station on success, and each refusal with
its own message and documented exit status; text from an argument, from a wedge on stdin, or
read from a label image (whose Code128 then checks the seal)."""

from __future__ import annotations

import io
import json
import shutil

import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric import ed25519
from PIL import Image, ImageDraw

from desktop.cli import main
from desktop.keys import manage
from desktop.keys.layout import KeysDir
from desktop.seal import Sealer, ensure_demo_keys
from desktop.seal import envelope as env
from desktop.shipment import Shipment

T0 = 1_790_000_000


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("scan") / "keys"
    ensure_demo_keys(path)
    return path


@pytest.fixture(scope="module")
def sealer(demo):
    return Sealer.from_keys_dir(demo)


@pytest.fixture(scope="module")
def shipment(sample_shipments):
    return Shipment.from_dict(sample_shipments[0])


def scan(capsys, *args):
    capsys.readouterr()
    code = main(["scan", *[str(a) for a in args]])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_prints_shipment_and_station(capsys, demo, sealer, shipment):
    code, out, err = scan(capsys, "--keys", demo, "--text", sealer.seal(shipment), "--barcode", shipment.tracking_number)
    assert code == 0, err
    assert "刘建国" in out and "13800131563" in out and "绿地中心13栋3单元402室" in out
    assert "sealed by station DEMO-0001" in out and "SG7700000000" in out


def test_json_is_the_shared_data_shape(capsys, demo, sealer, sample_shipments):
    for row in sample_shipments[24:27]:
        code, out, err = scan(capsys, "--keys", demo, "--json", "--text", sealer.seal(Shipment.from_dict(row)))
        assert code == 0, err
        assert json.dumps(json.loads(out), sort_keys=True) == json.dumps(row, sort_keys=True)
        assert "DEMO-0001" in err and "barcode not checked" in err


def test_reads_a_wedge_line_from_stdin_in_any_case(capsys, monkeypatch, demo, sealer, shipment):
    monkeypatch.setattr("sys.stdin", io.StringIO(sealer.seal(shipment).lower() + "\r\n"))
    code, out, _ = scan(capsys, "--keys", demo, "--json")
    assert code == 0 and json.loads(out)["recipient"]["name"] == "刘建国"


def _label_image(qr_text: str, barcode: str | None) -> Image.Image:
    """A label photo: the QR at 3 px a module and, below it, a Code128 of the tracking number."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=3, border=4)
    qr.add_data(qr_text)
    qr_img = qr.make_image().get_image().convert("L")
    canvas = Image.new("L", (max(qr_img.width, 700), qr_img.height + 160), 255)
    canvas.paste(qr_img, (0, 0))
    if barcode:
        import barcode as pybarcode

        draw = ImageDraw.Draw(canvas)
        modules = pybarcode.get("code128", barcode).build()[0]
        x = 40
        for bit in modules:
            if bit == "1":
                draw.rectangle([x, qr_img.height + 20, x + 2, qr_img.height + 140], fill=0)
            x += 3
    return canvas


def test_image_with_qr_and_barcode(capsys, tmp_path, demo, sealer, shipment):
    path = tmp_path / "label.png"
    _label_image(sealer.seal(shipment), shipment.tracking_number).save(path)
    code, out, err = scan(capsys, "--keys", demo, "--image", path)
    assert code == 0, err
    assert "刘建国" in out and "barcode not checked" not in out


def test_image_whose_barcode_belongs_to_another_parcel(capsys, tmp_path, demo, sealer, shipment):
    path = tmp_path / "label.png"
    _label_image(sealer.seal(shipment), "SG7700007919").save(path)
    code, _, err = scan(capsys, "--keys", demo, "--image", path)
    assert code == 18 and "SG7700007919" in err


def test_image_without_a_seal(capsys, tmp_path, demo):
    path = tmp_path / "blank.png"
    Image.new("L", (300, 300), 255).save(path)
    code, _, err = scan(capsys, "--keys", demo, "--image", path)
    assert code == 11 and "no Sigilo QR code" in err


def test_a_composed_and_rendered_label_scans(capsys, tmp_path, demo, sealer, shipment):
    """What the label renderer prints is what the scanner opens, Code128 included."""
    from desktop.compose import compose_label
    from printers.render.raster import render_raster

    label = compose_label(shipment, sealer=sealer)
    path = tmp_path / "rendered.png"
    render_raster(label.scene, dpi=203, mode="L").save(path)
    code, out, err = scan(capsys, "--keys", demo, "--image", path, "--json")
    assert code == 0, err
    assert json.loads(out) == shipment.to_dict() and "barcode not checked" not in err


# -- refusals through the CLI, each with its exit status -------------------------------

@pytest.fixture(scope="module")
def other_world(tmp_path_factory, demo):
    """A second fleet/authority, and a rogue station that holds the demo fleet's public key."""
    root = tmp_path_factory.mktemp("other")
    other = KeysDir.at(root / "other")
    ensure_demo_keys(other.root)
    rogue = KeysDir.at(root / "rogue")
    manage.create_station(rogue, "RG-1", "rogue", "demo", None, demo=True)
    manage.import_fleet(rogue, KeysDir.at(demo).fleet_pub("demo", 1))
    return other, rogue


def test_exit_11_malformed(capsys, demo):
    code, _, err = scan(capsys, "--keys", demo, "--text", "SG7700000000")
    assert code == 11 and "not a Sigilo seal" in err


def test_exit_12_wrong_fleet_key(capsys, other_world, sealer, shipment):
    code, _, err = scan(capsys, "--keys", other_world[0].root, "--text", sealer.seal(shipment))
    assert code == 12 and "holds no fleet key" in err


def test_exit_13_unknown_station(capsys, demo, other_world, shipment):
    text = Sealer.from_keys_dir(other_world[1].root).seal(shipment)
    code, _, err = scan(capsys, "--keys", demo, "--text", text)
    assert code == 13 and "not in the trust list" in err


def test_exit_14_revoked_station(capsys, tmp_path, demo, shipment):
    keys = tmp_path / "k"
    shutil.copytree(demo, keys)
    text = Sealer.from_keys_dir(keys).seal(shipment)
    manage.revoke_station(KeysDir.at(keys), "DEMO-0001", "test", None)
    code, _, err = scan(capsys, "--keys", keys, "--text", text)
    assert code == 14 and "revoked" in err


def test_exit_15_bad_signature(capsys, demo, sealer, shipment):
    good = env.parse_text(sealer.seal(shipment))
    sig = ed25519.Ed25519PrivateKey.generate().sign(good.signed_bytes())
    text = env.Envelope(good.header, good.header_bytes, good.enc, good.ciphertext, sig).to_text()
    code, _, err = scan(capsys, "--keys", demo, "--text", text)
    assert code == 15 and "signature" in err


def test_exit_16_tampered(capsys, demo, sealer, shipment):
    good = env.parse_text(sealer.seal(shipment))
    enc = bytes([good.enc[0] ^ 1]) + good.enc[1:]
    text = env.Envelope(good.header, good.header_bytes, enc, good.ciphertext, good.signature).to_text()
    code, _, err = scan(capsys, "--keys", demo, "--text", text)
    assert code == 16 and "does not decrypt" in err


def test_exit_17_expired(capsys, demo, sealer, shipment):
    text = sealer.seal(shipment, issued_at=T0)
    code, _, err = scan(capsys, "--keys", demo, "--text", text, "--now", T0 + 181 * 86400)
    assert code == 17 and "expired" in err


def test_exit_18_tracking_mismatch(capsys, demo, sealer, shipment):
    code, _, err = scan(capsys, "--keys", demo, "--text", sealer.seal(shipment), "--barcode", "SG7700000001")
    assert code == 18 and "SG7700000001" in err


def test_exit_21_no_keys(capsys, tmp_path):
    code, _, err = scan(capsys, "--keys", tmp_path / "nothing", "--text", "SG1:AB")
    assert code == 21 and "no fleet private key" in err


# -- audit -------------------------------------------------------------------------------

def test_scans_are_audited_without_the_shipment(capsys, sigilo_home, demo, sealer, shipment):
    from desktop.audit import AuditLog, verify_chain
    from desktop.store import open_store

    text = sealer.seal(shipment)
    assert scan(capsys, "--keys", demo, "--text", text, "--barcode", shipment.tracking_number)[0] == 0
    assert scan(capsys, "--keys", demo, "--text", text, "--barcode", "SG7700000001")[0] == 18
    with open_store() as store:
        entries = AuditLog(store).entries()
        assert [(e.action, e.subject) for e in entries] == [("scan", shipment.tracking_number),
                                                            ("scan_failed", shipment.tracking_number)]
        assert entries[0].details["station_id"] == "DEMO-0001"
        assert entries[1].details["reason"] == "tracking-mismatch"
        assert verify_chain(store)[1] == []
    written = b"".join(p.read_bytes() for p in sigilo_home.rglob("*") if p.is_file())
    for secret in ("刘建国", "建国", "13800131563", "绿地中心13栋3单元402室", "3单元402室"):
        assert secret.encode() not in written, secret
    assert text.encode() not in written  # not even the sealed text: the label store keeps that


def test_key_changes_are_audited(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("SIGILO_PASSPHRASE", raising=False)
    from desktop.audit import AuditLog
    from desktop.store import open_store

    # no passphrase from anywhere, no terminal: refused, and nothing written or audited
    assert main(["keys", "create-station", "--station-id", "A-1", "--name", "A", "--region", "cn",
                 "--dir", str(tmp_path / "s")]) == 22
    assert not (tmp_path / "s" / "station.key").exists()
    pw = tmp_path / "pw"
    pw.write_text("pass phrase")
    assert main(["keys", "create-fleet", "--region", "cn", "--dir", str(tmp_path / "o"), "--passphrase-file", str(pw)]) == 0
    with open_store() as store:
        entries = [e for e in AuditLog(store).entries() if e.action == "key"]
    assert [(e.subject, e.details["op"]) for e in entries] == [("cn-1", "create-fleet")]


def test_a_mistyped_image_path_is_a_usage_error(capsys, demo):
    code, _, err = scan(capsys, "--keys", demo, "--image", "no-such-label.png")
    assert code == 2 and "no-such-label.png" in err and "fix:" in err


def test_help_lists_every_refusal_exit_status(capsys):
    import desktop.seal.errors as seal_errors
    from desktop.keys import errors as key_errors

    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    text = capsys.readouterr().out
    assert "SG1:" in text and "sigilo scan --keys" in text
    classes = [c for m in (seal_errors, key_errors) for c in vars(m).values()
               if isinstance(c, type) and issubclass(c, Exception) and getattr(c, "exit_code", 1) > 10]
    codes = {c.exit_code for c in classes} - {19, 20}  # sealing failed; the OS keyring (keys remember-passphrase)
    assert codes >= {11, 12, 13, 14, 15, 16, 17, 18, 21, 22, 23, 24, 25}
    for code in codes:
        assert f" {code} " in text, code


def test_an_empty_scan_says_nothing_was_scanned(capsys, monkeypatch, demo):
    monkeypatch.setattr("sys.stdin", io.StringIO("\r\n"))
    code, _, err = scan(capsys, "--keys", demo)
    assert code == 11 and "nothing was scanned" in err and "--image" in err
