"""The scanner refuses, never crashes (hardening issue, findings 2, 3 and 7): validly signed
plaintexts that break seal-format.md §3's CBOR rules (tags and bignums, duplicate or non-integer
keys, indefinite lengths, non-shortest integers, null), headers with impossible lifetimes,
images over the pixel limit, and a photo whose several barcodes would skip the waybill check.
Each refusal has its exit status and is audited like any refused scan."""

from __future__ import annotations

import cbor2
import pytest

from desktop.cli import main
from desktop.seal import Sealer, ensure_demo_keys
from desktop.seal.payload import PayloadError, decode_shipment, encode_shipment, pad
from desktop.seal.strictcbor import CBORError, decode_one
from desktop.shipment import Shipment
from desktop.store import open_store
from tests.sealkit import T0, png_header_only, seal_raw
from tests.test_scan_cli import _label_image

NOW = T0 + 3600


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("strict") / "keys"
    ensure_demo_keys(path)
    return path


@pytest.fixture(scope="module")
def sealer(demo):
    return Sealer.from_keys_dir(demo)


def scan(capsys, *args):
    capsys.readouterr()
    code = main(["scan", *[str(a) for a in args]])
    out = capsys.readouterr()
    return code, out.out, out.err


def last_audit() -> dict:
    with open_store() as store:
        return dict(store.query("SELECT action, subject, details FROM audit ORDER BY seq DESC LIMIT 1")[0])


BAD_PLAINTEXTS = {
    "bignum phone (tag 2, 5,000 digits)": cbor2.dumps({4: {1: "A", 2: 10**5000}}),
    "bignum grams (float overflow)": cbor2.dumps({5: {2: 10**400}}),
    "bignum postcode": cbor2.dumps({4: {9: [10**4400, 5000]}}),
    "negative bignum weight": cbor2.dumps({5: {1: -(10**5000)}}),
    "huge native pieces": cbor2.dumps({5: {6: 10**4500}}),
    "map key true": cbor2.dumps({True: "ORDER"}),
    "map key 1.0": cbor2.dumps({1.0: "ORDER"}),
    "duplicate key": bytes.fromhex("a2" "01" "6141" "01" "6142"),
    "indefinite map": bytes.fromhex("bf" "01" "6141" "ff"),
    "indefinite text": bytes.fromhex("a1" "01" "7f" "6141" "ff"),
    "non-shortest integer": bytes.fromhex("a1" "04" "a1" "02" "1b00000000000000ff"),
    "non-shortest length": bytes.fromhex("a1" "01" "7801" "41"),
    "tag 0 date": bytes.fromhex("a1" "01" "c0" "6141"),
    "null business": bytes.fromhex("a1" "04" "a1" "0a" "f6"),
    "undefined": bytes.fromhex("a1" "01" "f7"),
    "deep nesting": b"\x81" * 3000 + b"\x00",
    "invalid UTF-8": bytes.fromhex("a1" "01" "62" "c328"),
    "truncated": bytes.fromhex("a1" "01" "7840" "4142"),  # 64 bytes of text, past the padding
}


@pytest.mark.parametrize("name", sorted(BAD_PLAINTEXTS))
def test_signed_plaintexts_outside_the_rules_are_refused_as_malformed(capsys, demo, sealer, name):
    text = seal_raw(sealer, pad(BAD_PLAINTEXTS[name]))
    code, out, err = scan(capsys, "--keys", demo, "--text", text, "--now", NOW)
    assert code == 11, (name, err)
    assert "not a valid shipment" in err and "Traceback" not in err and out == ""
    row = last_audit()
    assert row["action"] == "scan_failed" and row["subject"] == "SG7700000000"


def test_the_decoder_names_each_rule():
    for data, words in ((bytes.fromhex("a2016141016142"), "twice"), (bytes.fromhex("bf016141ff"), "indefinite"),
                        (bytes.fromhex("1818"), "17") , (bytes.fromhex("c06141"), "tag"),
                        (cbor2.dumps({True: 1}), "not an unsigned integer"), (bytes.fromhex("f6"), "simple")):
        if words == "17":
            assert decode_one(bytes.fromhex("1818")) == (24, 2)  # 24 needs the one-byte form: fine
            with pytest.raises(CBORError, match="shortest"):
                decode_one(bytes.fromhex("1817"))
            continue
        with pytest.raises(CBORError, match=words):
            decode_one(data)


def test_every_sample_still_decodes_exactly(sample_shipments):
    for row in sample_shipments:
        shipment = Shipment.from_dict(row)
        assert decode_shipment(pad(encode_shipment(shipment)), shipment.tracking_number) == shipment


def test_phone_and_postcode_integers_are_bounded():
    with pytest.raises(PayloadError):
        decode_shipment(cbor2.dumps({4: {2: 10**15}}), "X")
    assert decode_shipment(cbor2.dumps({4: {2: 10**15 - 1}}), "X").recipient.phone == "+" + "9" * 15


@pytest.mark.parametrize("issued, expires, why", [
    (T0 + 3650 * 86400, T0 + 3660 * 86400, "issued"),        # ten years ahead of the clock
    (T0, 2**32 - 1, "longer than any station"),             # valid until 2106
    (T0 + 10, T0 + 10, "before it was issued"),
    (T0 + 10, T0, "before it was issued"),
])
def test_impossible_lifetimes_are_refused(capsys, demo, sealer, issued, expires, why):
    text = seal_raw(sealer, pad(encode_shipment(Shipment.from_dict({"tracking_number": "SG7700000000"}))),
                    issued=issued, expires=expires)
    code, _, err = scan(capsys, "--keys", demo, "--text", text, "--now", NOW)
    assert code == 10 and why in err, err
    assert last_audit()["action"] == "scan_failed"


def test_a_clock_a_little_fast_at_the_station_is_fine(capsys, demo, sealer):
    text = seal_raw(sealer, pad(encode_shipment(Shipment.from_dict({"tracking_number": "SG7700000000"}))),
                    issued=NOW + 3600, expires=NOW + 180 * 86400)
    assert scan(capsys, "--keys", demo, "--text", text, "--now", NOW)[0] == 0


def test_barcode_comparison_trims_only_wedge_whitespace(capsys, demo, sealer, sample_shipments):
    text = sealer.seal(Shipment.from_dict(sample_shipments[0]))
    assert scan(capsys, "--keys", demo, "--text", text, "--barcode", "SG7700000000\r\n")[0] == 0
    assert scan(capsys, "--keys", demo, "--text", text, "--barcode", "sg7700000000")[0] == 18
    assert scan(capsys, "--keys", demo, "--text", text, "--barcode", "SG77 00000000")[0] == 18


def test_a_moved_qr_does_not_pass_on_a_photo_with_two_barcodes(capsys, tmp_path, demo, sealer, sample_shipments):
    """The QR of parcel A beside the barcodes of parcel B and of A: the waybill's own barcode
    cannot be told, so the scan is refused instead of opened unchecked."""
    from PIL import Image

    shipment = Shipment.from_dict(sample_shipments[0])
    a = _label_image(sealer.seal(shipment), "SG7700000099")
    b = _label_image(sealer.seal(shipment), shipment.tracking_number)
    photo = Image.new("L", (a.width, a.height + 170), 255)
    photo.paste(a, (0, 0))
    photo.paste(b.crop((0, b.height - 160, b.width, b.height)), (0, a.height + 5))
    path = tmp_path / "two.png"
    photo.save(path)
    code, out, err = scan(capsys, "--keys", demo, "--image", path)
    assert code == 18 and "2 different barcodes" in err and out == "", err
    assert last_audit()["action"] == "scan_failed"
    # the clerk who reads the waybill's barcode off the parcel can still check it
    assert scan(capsys, "--keys", demo, "--image", path, "--barcode", "SG7700000099")[0] == 18
    assert scan(capsys, "--keys", demo, "--image", path, "--barcode", shipment.tracking_number)[0] == 0


@pytest.mark.parametrize("width, height", [(8000, 7500), (20000, 10000), (65535, 65535)])
def test_images_over_the_pixel_limit_are_refused_before_decoding(capsys, tmp_path, demo, width, height):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header_only(width, height))
    assert path.stat().st_size < 1000
    code, out, err = scan(capsys, "--keys", demo, "--image", path)
    assert code == 11 and "megapixels" in err and "Traceback" not in err, err
    assert last_audit()["action"] == "scan_failed"


def test_the_scan_page_refuses_the_same_images(tmp_path, sealer, sample_shipments):
    from desktop.seal.errors import MalformedSeal, TrackingMismatch
    from desktop import station as services

    path = tmp_path / "bomb.png"
    path.write_bytes(png_header_only(20000, 10000))
    with pytest.raises(MalformedSeal, match="megapixels"):
        services.read_label(str(path))
    shipment = Shipment.from_dict(sample_shipments[0])
    img = _label_image(sealer.seal(shipment), shipment.tracking_number)
    img.save(tmp_path / "one.png")
    seal, code = services.read_label(str(tmp_path / "one.png"))
    assert seal.startswith("SG1:") and code == shipment.tracking_number
    from PIL import Image

    photo = Image.new("L", (img.width, img.height + 170), 255)
    photo.paste(img, (0, 0))
    photo.paste(_label_image(seal, "SG7700000099").crop((0, img.height - 160, img.width, img.height)),
                (0, img.height + 5))
    photo.save(tmp_path / "two.png")
    with pytest.raises(TrackingMismatch, match="2 different barcodes"):
        services.read_label(str(tmp_path / "two.png"))
