"""Sealing and opening: a second HPKE implementation opens what Sigilo seals, every single
bit flipped in a real envelope is refused, each refusal has its own error, epochs rotate, and
generated shipments of every script come back exactly."""

from __future__ import annotations

import json
import shutil

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.keys import manage
from desktop.keys.keyfile import load_private
from desktop.keys.layout import KeysDir
from desktop.seal import (
    BadSignature, ExpiredSeal, MalformedSeal, RevokedStation, Scanner, SealError, Sealer, TamperedSeal,
    TrackingMismatch, UnknownFleetKey, UnknownStation,
)
from desktop.seal import envelope as env
from desktop.seal.base45 import b45encode
from desktop.seal.payload import decode_shipment
from desktop.shipment import Shipment

PW = "correct horse battery staple"
T0 = 1_790_000_000


def exact(data) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def build_world(root):
    """Key officer, one print station, one scanner, with encrypted keys, as docs/keys.md says."""
    officer, station, scanner = (KeysDir.at(root / n) for n in ("officer", "station", "scanner"))
    manage.init_authority(officer, PW)
    manage.create_fleet(officer, "cn", None, PW)
    manage.create_station(station, "HZ-0001", "杭州文一西路网点", "cn", PW)
    manage.import_fleet(station, officer.fleet_pub("cn", 1))
    manage.add_station(officer, station.station_pub, PW)
    (scanner.root / "fleet").mkdir(parents=True)
    shutil.copy(officer.fleet_key("cn", 1), scanner.fleet_key("cn", 1))
    manage.import_trust(scanner, officer.trust, officer.authority_pub)
    return officer, station, scanner


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def sealer(world):
    return Sealer.from_keys_dir(world[1].root, PW)


@pytest.fixture(scope="module")
def scanner(world):
    return Scanner.from_keys_dir(world[2].root, PW)


@pytest.fixture(scope="module")
def cn(sample_shipments):
    from desktop.validation import validate

    return validate(sample_shipments[0]).shipment


def test_seal_then_open_gives_back_shipment_station_and_times(sealer, scanner, cn):
    text = sealer.seal(cn, issued_at=T0)
    assert text.startswith("SG1:") and set(text[4:]) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    opened = scanner.open(text, barcode=cn.tracking_number, now=T0 + 60)
    assert exact(opened.shipment.to_dict()) == exact(cn.to_dict())
    assert (opened.station_id, opened.station_name) == ("HZ-0001", "杭州文一西路网点")
    assert opened.tracking_number == cn.tracking_number
    assert (opened.issued_at, opened.expires_at) == (T0, T0 + 180 * 86400)
    assert opened.fleet_key_id == sealer.fleet_kid.hex()


def test_hpke_is_randomised_but_length_is_not(sealer, cn):
    a, b = sealer.seal(cn, issued_at=T0), sealer.seal(cn, issued_at=T0)
    assert a != b and len(a) == len(b)


def test_pyhpke_opens_what_sigilo_seals(world, sealer, cn):
    """An independent HPKE implementation, through its context API, with the spec's info."""
    from pyhpke import AEADId, CipherSuite, KDFId, KEMId

    envelope = env.parse_text(sealer.seal(cn, issued_at=T0))
    fleet = load_private(world[0].fleet_key("cn", 1), "fleet", PW)
    from desktop.keys.keyfile import raw_private

    suite = CipherSuite.new(KEMId.DHKEM_X25519_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.CHACHA20_POLY1305)
    skr = suite.kem.deserialize_private_key(raw_private(fleet.private))
    info = b"sigilo-seal-v1 info" + envelope.header_bytes
    ctx = suite.create_recipient_context(envelope.enc, skr, info=info)
    plaintext = ctx.open(envelope.ciphertext, aad=b"")
    assert exact(decode_shipment(plaintext, envelope.header.tracking_number).to_dict()) == exact(cn.to_dict())
    # and the station's signature over the documented input verifies with the public key alone
    station_pub = ed25519.Ed25519PublicKey.from_public_bytes(
        bytes.fromhex(json.loads(world[1].station_pub.read_text())["public_key"]))
    station_pub.verify(envelope.signature, b"sigilo-seal-v1 signature" + envelope.header_bytes
                       + envelope.enc + envelope.ciphertext)


def test_every_single_bit_flip_is_refused(sealer, scanner, cn):
    raw = env.parse_text(sealer.seal(cn, issued_at=T0)).to_bytes()
    seen = set()
    for bit in range(len(raw) * 8):
        flipped = bytearray(raw)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(SealError) as info:
            scanner.open("SG1:" + b45encode(bytes(flipped)), barcode=cn.tracking_number, now=T0 + 60)
        seen.add(type(info.value))
    # header flips name a missing key/station or fail decryption; signature flips fail the signature
    assert {TamperedSeal, BadSignature, UnknownFleetKey, UnknownStation} <= seen


def test_keyboard_wedge_case_and_line_ending_are_undone(sealer, scanner, cn):
    text = sealer.seal(cn, issued_at=T0)
    opened = scanner.open(text.lower() + "\r\n", now=T0)
    assert opened.shipment == cn


# -- each refusal ------------------------------------------------------------------------

def test_wrong_fleet_key(tmp_path, sealer, cn):
    other = KeysDir.at(tmp_path)
    manage.init_authority(other, PW)
    manage.create_fleet(other, "cn", 1, PW)
    with pytest.raises(UnknownFleetKey, match="holds no fleet key"):
        Scanner.from_keys_dir(tmp_path, PW).open(sealer.seal(cn), now=None)


def test_unknown_station(tmp_path, world, cn):
    rogue = KeysDir.at(tmp_path)
    manage.create_station(rogue, "XX-9", "not trusted", "cn", PW)
    manage.import_fleet(rogue, world[0].fleet_pub("cn", 1))
    text = Sealer.from_keys_dir(tmp_path, PW).seal(cn)
    with pytest.raises(UnknownStation, match="not in the trust list") as info:
        Scanner.from_keys_dir(world[2].root, PW).open(text)
    assert info.value.exit_code == 13


def test_revoked_station(tmp_path, cn):
    officer, station, scanner_dir = build_world(tmp_path)
    text = Sealer.from_keys_dir(station.root, PW).seal(cn, issued_at=T0)
    assert Scanner.from_keys_dir(scanner_dir.root, PW).open(text, now=T0).station_id == "HZ-0001"
    manage.revoke_station(officer, "HZ-0001", "station PC stolen", PW, now=T0 + 10)
    manage.import_trust(scanner_dir, officer.trust)
    with pytest.raises(RevokedStation, match="HZ-0001.*revoked.*station PC stolen"):
        Scanner.from_keys_dir(scanner_dir.root, PW).open(text, now=T0 + 20)


def test_bad_signature_by_a_fleet_key_holder(sealer, scanner, cn):
    """Someone holding the fleet key re-encrypts a label under a station's id: the content
    decrypts, but they cannot sign as the station."""
    good = env.parse_text(sealer.seal(cn, issued_at=T0))
    forged_sig = ed25519.Ed25519PrivateKey.generate().sign(good.signed_bytes())
    forged = env.Envelope(good.header, good.header_bytes, good.enc, good.ciphertext, forged_sig)
    with pytest.raises(BadSignature, match="HZ-0001"):
        scanner.open(forged.to_text(), now=T0)


def test_tampered_ciphertext(sealer, scanner, cn):
    good = env.parse_text(sealer.seal(cn, issued_at=T0))
    ct = bytearray(good.ciphertext)
    ct[5] ^= 0x40
    bad = env.Envelope(good.header, good.header_bytes, good.enc, bytes(ct), good.signature)
    with pytest.raises(TamperedSeal):
        scanner.open(bad.to_text(), now=T0)


def test_header_moved_to_another_tracking_number_is_tampered(sealer, scanner, cn):
    good = env.parse_text(sealer.seal(cn, issued_at=T0))
    header = env.Header(good.header.fleet_kid, good.header.station_kid, good.header.issued_at,
                        good.header.expires_at, "SG7700000001")
    moved = env.Envelope(header, header.pack(), good.enc, good.ciphertext, good.signature)
    with pytest.raises(TamperedSeal):
        scanner.open(moved.to_text(), barcode="SG7700000001", now=T0)


def test_expired(sealer, scanner, cn):
    text = sealer.seal(cn, issued_at=T0)
    scanner.open(text, now=T0 + 180 * 86400 - 1)
    with pytest.raises(ExpiredSeal, match="expired"):
        scanner.open(text, now=T0 + 180 * 86400)


def test_tracking_mismatch(sealer, scanner, cn):
    text = sealer.seal(cn, issued_at=T0)
    with pytest.raises(TrackingMismatch, match="SG7700000099"):
        scanner.open(text, barcode="SG7700000099", now=T0)


@pytest.mark.parametrize("text", ["", "hello", "SG2:ABC", "SG1:", "SG1:A", "SG1:~~~", "SG1:" + "0" * 30,
                                  "https://example.invalid/SG1:ABC"])
def test_malformed(scanner, text):
    with pytest.raises(MalformedSeal):
        scanner.open(text)


def test_unsupported_version_is_malformed(sealer, scanner, cn):
    raw = bytearray(env.parse_text(sealer.seal(cn)).to_bytes())
    raw[0] = 2
    with pytest.raises(MalformedSeal, match="version 2"):
        scanner.open("SG1:" + b45encode(bytes(raw)))


def test_refusals_have_distinct_exit_statuses():
    from desktop.seal.errors import REFUSALS

    assert len({cls.exit_code for cls in REFUSALS}) == len(REFUSALS) == 9  # bad-lifetime (10) joined
    assert all(issubclass(cls, SealError) for cls in REFUSALS)


# -- epochs ------------------------------------------------------------------------------

def test_rotation_scanner_opens_every_epoch_station_seals_to_newest(tmp_path, cn):
    officer, station, scanner_dir = build_world(tmp_path)
    old_text = Sealer.from_keys_dir(station.root, PW).seal(cn, issued_at=T0)
    manage.create_fleet(officer, "cn", None, PW)  # epoch 2
    manage.import_fleet(station, officer.fleet_pub("cn", 2))
    new_sealer = Sealer.from_keys_dir(station.root, PW)
    assert new_sealer.fleet_name == "cn-2"
    new_text = new_sealer.seal(cn, issued_at=T0)
    only_old = Scanner.from_keys_dir(scanner_dir.root, PW)
    only_old.open(old_text, now=T0)
    with pytest.raises(UnknownFleetKey):
        only_old.open(new_text, now=T0)
    shutil.copy(officer.fleet_key("cn", 2), scanner_dir.fleet_key("cn", 2))
    both = Scanner.from_keys_dir(scanner_dir.root, PW)
    assert both.open(old_text, now=T0).shipment == cn
    assert both.open(new_text, now=T0).shipment == cn
    assert both.open(old_text, now=T0).fleet_key_id != both.open(new_text, now=T0).fleet_key_id


def test_a_station_cannot_open_its_own_labels(world):
    from desktop.keys.errors import MissingKey

    with pytest.raises(MissingKey):
        Scanner.from_keys_dir(world[1].root, PW)


# -- generated shipments -----------------------------------------------------------------

def _text(alphabet: str | None = None, max_size: int = 40):
    chars = st.characters(codec="utf-8") if alphabet is None else st.sampled_from(alphabet)
    return st.text(chars, max_size=max_size)


CJK = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 300)) + "𠮷𡈽号栋单元室路"
LATIN = "abcdefghijklmnopqrstuvwxyzÁÉÍÓÚãõçñüßØæ -'.0123456789"
EMOJI = "🙂📦🚚✨👍🏽"
texts = st.one_of(_text(CJK), _text(LATIN), _text(EMOJI, 5), _text(None), _text(CJK + LATIN + EMOJI, 250))
e164 = st.builds(lambda cc, rest: f"+{cc}{rest}", st.sampled_from(["86138", "5511", "4477", "1555", "33", "4930"]),
                 st.text("0123456789", min_size=7, max_size=8))
phones = st.one_of(e164, st.builds(lambda p, x: f"{p};ext={x}", e164, st.text("0123456789", min_size=1, max_size=5)),
                   st.text("0123456789 -+()转", max_size=20), texts)
postcodes = st.one_of(st.text("0123456789", max_size=12), st.text("0123456789-ABC ", max_size=10), texts)
numbers = st.one_of(st.integers(-10, 10**6), st.floats(allow_nan=False), st.floats(0, 100).map(lambda x: round(x, 2)))
parties = st.builds(
    lambda name, phone, country, prov, city, dist, street, detail, postcode, business: {
        "name": name, "phone": phone, "country": country, "province": prov, "city": city, "district": dist,
        "street": street, "detail": detail, "postcode": postcode, **({} if business is None else {"business": business})},
    texts, phones, st.sampled_from(["CN", "BR", "GB", "US", "", "XX"]), texts, texts, texts, texts, texts, postcodes,
    st.sampled_from([None, True, False]))
shipments = st.builds(
    lambda order, tracking, service, sender, recipient, w, items, v, pieces: {
        "order_id": order, "tracking_number": tracking, "service": service, "sender": sender,
        "recipient": recipient, "parcel": {"weight_kg": w, "items": items, "declared_value": v, "pieces": pieces}},
    texts, st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", max_size=20), st.sampled_from(["standard", "express", ""]),
    parties, parties, numbers, texts, numbers, st.integers(1, 99))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shipments)
def test_generated_shipments_round_trip_exactly(sealer, scanner, data):
    shipment = Shipment.from_dict(data)
    text = sealer.seal(shipment, issued_at=T0)
    opened = scanner.open(text, barcode=shipment.tracking_number, now=T0 + 1)
    assert exact(opened.shipment.to_dict()) == exact(data)


def test_only_ascii_letters_are_case_folded(sealer, scanner, cn):
    text = sealer.seal(cn, issued_at=T0)
    assert env.normalise_text(" sg1:a b ß\n") == "SG1:A B ß"
    with pytest.raises(MalformedSeal):
        scanner.open(text + "ß", now=T0)
    assert scanner.open(" \t" + text + " \r\n", now=T0).shipment == cn
    with pytest.raises(MalformedSeal):  # a space inside is a Base45 digit, never dropped
        scanner.open(text[:20] + " " + text[20:], now=T0)


@pytest.mark.parametrize("tracking", [b"\x00SG", "SG77é".encode(), b"A" * 65])
def test_header_tracking_must_be_short_printable_ascii(tracking):
    raw = bytes([1]) + b"\0" * 16 + bytes([len(tracking)]) + tracking + b"\0" * (32 + 16 + 64)
    with pytest.raises(MalformedSeal, match="tracking number"):
        env.parse_bytes(raw)



def test_revoked_key_sharing_an_id_with_a_trusted_one_is_still_revoked(sealer, scanner, cn):
    """Key ids are 4 bytes: should a revoked and a trusted key share one, the signature decides."""
    from desktop.keys.keyfile import raw_public
    from desktop.keys.trust import TrustList

    text = sealer.seal(cn, issued_at=T0)
    kid = sealer.station_kid.hex()
    other = ed25519.Ed25519PrivateKey.generate()
    trust = TrustList("00000000",
                      stations=[{"station_id": "NEW", "name": "n", "key_id": kid,
                                 "public_key": raw_public(other).hex(), "added_at": 0}],
                      revoked=[{"station_id": "OLD", "name": "o", "key_id": kid, "added_at": 0,
                                "public_key": raw_public(sealer.station_private).hex(), "revoked_at": 5, "reason": ""}])
    with pytest.raises(RevokedStation, match="OLD"):
        Scanner(scanner.fleet_keys, trust).open(text, now=T0)


def test_epochs_under_different_passphrases_each_open_with_their_own(tmp_path, cn):
    """A scanner keeps last year's key (one passphrase) beside this year's (another): either
    passphrase opens the labels of its own epoch, and a label of the other epoch names the key
    it needs instead of the scanner refusing everything."""
    from desktop.keys.errors import WrongPassphrase

    officer, station, scanner_dir = build_world(tmp_path)
    old_text = Sealer.from_keys_dir(station.root, PW).seal(cn, issued_at=T0)
    manage.create_fleet(officer, "cn", None, "next year's passphrase")
    manage.import_fleet(station, officer.fleet_pub("cn", 2))
    new_text = Sealer.from_keys_dir(station.root, PW).seal(cn, issued_at=T0)
    shutil.copy(officer.fleet_key("cn", 2), scanner_dir.fleet_key("cn", 2))
    with_old = Scanner.from_keys_dir(scanner_dir.root, PW)
    assert with_old.open(old_text, now=T0).shipment == cn
    with pytest.raises(WrongPassphrase) as err:
        with_old.open(new_text, now=T0)
    assert "cn-2.key" in err.value.message
    with_new = Scanner.from_keys_dir(scanner_dir.root, "next year's passphrase")
    assert with_new.open(new_text, now=T0).shipment == cn
    with pytest.raises(WrongPassphrase):
        Scanner.from_keys_dir(scanner_dir.root, "neither")
