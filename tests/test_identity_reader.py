"""The ID card reader protocol against the simulated reader through a real socat pty: a good
card of each layout, no card, a card taken away mid-read, damaged replies; frames against the
bytes readers' documentation gives; the photo block never kept; the CLI end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.identity.errors import CardRemoved, CorruptFrame, NoCard, ReaderNotFound
from desktop.identity.reader import protocol as p
from desktop.identity.reader.client import IdCardReader
from desktop.identity.reader.simulator import PHOTO_MARKER, SimulatedIdReader, card_text, load_cards
from desktop.identity.reader.textblock import parse_text
from desktop.identity.record import validate_identity

ROOT = Path(__file__).resolve().parent.parent


def test_command_frames_are_the_documented_bytes():
    assert p.command(*p.FIND).hex(" ") == "aa aa aa 96 69 00 03 20 01 22"
    assert p.command(*p.SELECT).hex(" ") == "aa aa aa 96 69 00 03 20 02 21"
    assert p.command(*p.READ).hex(" ") == "aa aa aa 96 69 00 03 30 01 32"
    assert p.reply(p.FOUND, bytes(4)).hex(" ") == "aa aa aa 96 69 00 08 00 00 9f 00 00 00 00 97"


def test_frame_parse_refuses_damage():
    good = p.reply(p.OK, b"\x01\x02")
    assert p.parse(good) == (b"\x00\x00\x90", b"\x01\x02")
    for bad, kind in ((good[:-2], "short"), (good[:-1] + bytes([good[-1] ^ 1]), "checksum"),
                      (p.PREAMBLE + b"\xff\xff" + good[7:], "length")):
        with pytest.raises(p.FrameError) as exc:
            p.parse(bad)
        assert exc.value.kind == kind


def test_text_block_layouts():
    cards = load_cards()
    for name, id_type in (("zhou", "cn_resident"), ("chan", "residence_permit"), ("ivanova", "foreign_permanent")):
        text = card_text(cards[name])
        assert len(text) == 256
        read = parse_text(text)
        assert read.id_type == id_type and read.number == cards[name]["number"]
        record, errors = validate_identity(read.record_data())
        assert errors == [], errors
    assert parse_text(card_text(cards["zhou"])).name == "周文静"
    assert card_text(cards["zhou"])[122:158].decode("utf-16-le") == "330106198503120044"  # the number's field
    assert parse_text(card_text(cards["ivanova"])).name == "安娜"


@pytest.fixture()
def sim(tmp_path):
    with SimulatedIdReader(tmp_path / "idreader") as reader:
        yield reader


def test_reads_good_cards_over_the_pty(sim):
    with IdCardReader(sim.uri) as reader:
        with pytest.raises(NoCard):
            reader.read_card()
        sim.place("zhou")
        card = reader.read_card()
        assert (card.id_type, card.number, card.name) == ("cn_resident", "330106198503120044", "周文静")
        assert card.record_data()["method"] == "card"
        sim.place("chan")
        assert reader.read_card().id_type == "residence_permit"
    assert sim.commands[-3:] == [p.FIND, p.SELECT, p.READ]


def test_card_removed_mid_read(sim):
    sim.place("huang")
    with IdCardReader(sim.uri) as reader:
        with pytest.raises(CardRemoved) as exc:
            reader.read_card()
        assert "put the card back" in exc.value.hint.lower()
        with pytest.raises(NoCard):  # it is gone now
            reader.read_card()
        sim.place("zhou")
        assert reader.read_card().name == "周文静"  # the reader is still usable


def test_corrupt_frames(sim):
    sim.place("corrupt-once")
    with IdCardReader(sim.uri) as reader:
        assert reader.read_card().number == "330106198503120044"  # asked again, second reply good
        assert sim.reads == 2
        sim.place("ivanova")
        with pytest.raises(CorruptFrame) as exc:
            reader.read_card()
        assert "damaged reply" in exc.value.message
        assert "RUS310079060201" not in str(exc.value) + exc.value.hint


def test_line_noise_and_missing_reader(sim, tmp_path):
    sim.place("zhou")
    with IdCardReader(sim.uri) as reader:
        sim._send(b"\x00\xffnoise")  # bytes before the reply are skipped
        assert reader.read_card().name == "周文静"
    with pytest.raises(ReaderNotFound) as exc:
        IdCardReader(f"serial://{tmp_path}/no-such-reader").open()
    assert "plugged in" in exc.value.hint


@pytest.mark.slow
def test_cli_reads_the_simulator_and_keeps_no_photo_and_no_number(tmp_path, sigilo_home):
    env = dict(os.environ, SIGILO_PASSPHRASE="a long passphrase for tests")
    run = [sys.executable, "-m", "desktop.cli"]
    office = tmp_path / "office"
    assert subprocess.run(run + ["keys", "create-identity", "--dir", str(office)], env=env, cwd=ROOT,
                          capture_output=True).returncode == 0
    assert subprocess.run(run + ["keys", "import-identity", str(office / "identity-enrol.json")], env=env, cwd=ROOT,
                          capture_output=True).returncode == 0
    link = tmp_path / "reader"
    sim = subprocess.Popen(run + ["simulate-id-reader", "--pty", str(link), "--card", "zhou"], env=env, cwd=ROOT,
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "simulated ID card reader" in sim.stdout.readline()
        assert "commands" in sim.stdout.readline()
        rec = subprocess.run(run + ["identity", "record", "--reader", f"serial://{link}", "--json"], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
        assert rec.returncode == 0, rec.stderr
        out = json.loads(rec.stdout)
        assert out["masked"]["number"] == "330***********0044" and out["masked"]["name"] == "周**"
        assert out["masked"]["method"] == "card" and "330106198503120044" not in rec.stdout + rec.stderr
        sim.stdin.write("remove\n")
        sim.stdin.flush()
        assert "no card" in sim.stdout.readline()
        none = subprocess.run(run + ["identity", "record", "--reader", f"serial://{link}"], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert none.returncode == 46 and "no ID card" in none.stderr and "Traceback" not in none.stderr
        sim.stdin.write("place huang\n")
        sim.stdin.flush()
        assert "on the reader" in sim.stdout.readline()
        gone = subprocess.run(run + ["identity", "record", "--reader", f"serial://{link}"], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert gone.returncode == 47 and "taken off the reader" in gone.stderr
    finally:
        sim.terminate()
        sim.wait(timeout=10)
    assert not link.exists()
    marker_forms = [PHOTO_MARKER, PHOTO_MARKER.hex().encode(), __import__("base64").b64encode(PHOTO_MARKER)[:16]]
    for path in (f for f in sigilo_home.rglob("*") if f.is_file()):
        data = path.read_bytes()
        for form in marker_forms:
            assert form not in data, path
        assert "330106198503120044".encode() not in data and "周文静".encode() not in data
        assert "330106198503120044".encode("utf-16-le") not in data
