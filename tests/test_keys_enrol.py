"""`sigilo keys enrol-station NAME --out FILE` and importing the file at the station: one file
carries the encrypted station key, the fleet public keys and the signed trust list; importing it
needs the passphrase, refuses damaged, revoked or foreign files by name, and a label sealed after
it opens with the fleet's private key."""

from __future__ import annotations

import json

import pytest

from desktop.cli import main as sigilo
from desktop.keys import enrol
from desktop.keys.errors import BadKeyFile, TrustListError, WrongPassphrase
from desktop.keys.layout import KeysDir


@pytest.fixture(scope="module")
def officer(tmp_path_factory):
    base = tmp_path_factory.mktemp("enrol")
    d = base / "officer"
    pw = base / "officer.pass"
    pw.write_text("officer passphrase 1\n", encoding="utf-8")
    spw = base / "station.pass"
    spw.write_text("station passphrase 1\n", encoding="utf-8")
    assert sigilo(["keys", "init-authority", "--dir", str(d), "--passphrase-file", str(pw)]) == 0
    assert sigilo(["keys", "create-fleet", "--region", "br", "--dir", str(d), "--passphrase-file", str(pw)]) == 0
    out = base / "sp.enrol"
    assert sigilo(["keys", "enrol-station", "Agência Paulista 3", "--region", "br", "--out", str(out), "--dir", str(d),
                   "--passphrase-file", str(pw), "--station-passphrase-file", str(spw)]) == 0
    return base, d, pw, spw, out


def test_the_file_holds_no_plaintext_key_and_is_private(officer):
    _base, d, _pw, _spw, out = officer
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == enrol.ENROLMENT_FORMAT
    assert "private_key" not in doc["station_key"] and doc["station_key"]["sealed_private_key"]
    assert [f["region"] for f in doc["fleet"]] == ["br"]
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    trusted = json.loads((d / "trust.json").read_text(encoding="utf-8"))
    assert doc["station_pub"]["key_id"] in json.dumps(trusted)  # on the officer's signed list
    assert doc["station_config"]["station_id"].startswith("AGENCIA-PAULISTA")


def test_import_needs_the_passphrase_and_then_seals_what_the_scanner_opens(officer, tmp_path):
    from desktop.seal import Scanner, Sealer
    from desktop.shipment import Shipment

    base, d, pw, _spw, out = officer
    station = KeysDir.at(tmp_path / "station")
    with pytest.raises(WrongPassphrase):
        enrol.import_enrolment(out, station, "wrong passphrase")
    assert not station.root.exists()  # nothing written on a wrong passphrase
    facts = enrol.import_enrolment(out, station, "station passphrase 1")
    assert facts["fleet"] == ["br-1"] and facts["region"] == "br"
    with pytest.raises(BadKeyFile):  # never over an existing station key
        enrol.import_enrolment(out, station, "station passphrase 1")
    sealer = Sealer.from_keys_dir(station.root, "station passphrase 1")
    data = {"tracking_number": "SG7700001234", "recipient": {"name": "Maria Silva", "phone": "+55 11 91234-5678",
                                                           "country": "BR", "city": "São Paulo", "province": "SP",
                                                           "street": "Av. Paulista", "detail": "1000 ap 52",
                                                           "postcode": "01310-100"},
            "sender": {"name": "Loja", "phone": "+55 11 3000-0000", "country": "BR", "city": "São Paulo"}}
    text = sealer.seal(Shipment.from_dict(data))
    scanner_dir = tmp_path / "scanner"
    assert sigilo(["keys", "import-fleet", str(d / "fleet" / "br-1.key"), "--dir", str(scanner_dir)]) == 0
    assert sigilo(["keys", "import-trust", str(d / "trust.json"), "--authority", str(d / "authority.pub"),
                   "--dir", str(scanner_dir)]) == 0
    opened = Scanner.from_keys_dir(scanner_dir, "officer passphrase 1").open(text)
    assert opened.station_name == "Agência Paulista 3" and opened.shipment.recipient.detail == "1000 ap 52"


def test_import_enrolment_command(officer, tmp_path, capsys):
    _base, _d, _pw, spw, out = officer
    assert sigilo(["keys", "import-enrolment", str(out), "--dir", str(tmp_path / "st"), "--passphrase-file",
                   str(spw)]) == 0
    assert "seals to br-1" in capsys.readouterr().out
    assert (tmp_path / "st" / "station.key").exists() and (tmp_path / "st" / "fleet" / "br-1.pub").exists()


def test_foreign_damaged_and_revoked_files_are_refused_by_name(officer, tmp_path, capsys):
    base, d, pw, spw, out = officer
    other = tmp_path / "notes.enrol"
    other.write_text("{\"format\": \"something-else\"}", encoding="utf-8")
    with pytest.raises(BadKeyFile, match="notes.enrol is not a Sigilo enrolment file"):
        enrol.import_enrolment(other, KeysDir.at(tmp_path / "a"), "x")
    doc = json.loads(out.read_text(encoding="utf-8"))
    del doc["fleet"]
    cut = tmp_path / "cut.enrol"
    cut.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(BadKeyFile, match="incomplete"):
        enrol.import_enrolment(cut, KeysDir.at(tmp_path / "b"), "station passphrase 1")
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["trust"]["signed"] = doc["trust"]["signed"].replace('"serial":', '"serial":1')  # edited: signature fails
    forged = tmp_path / "forged.enrol"
    forged.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(TrustListError):
        enrol.import_enrolment(forged, KeysDir.at(tmp_path / "c"), "station passphrase 1")
    # the CLI says it in one line with a hint, no traceback
    assert sigilo(["keys", "import-enrolment", str(other), "--dir", str(tmp_path / "d"), "--passphrase-file",
                   str(spw)]) == 24
    err = capsys.readouterr().err
    assert "not a Sigilo enrolment file" in err and "Traceback" not in err
    # an existing output file is never overwritten
    assert sigilo(["keys", "enrol-station", "Again", "--region", "br", "--out", str(out), "--dir", str(d),
                   "--passphrase-file", str(pw), "--station-passphrase-file", str(spw)]) == 24
