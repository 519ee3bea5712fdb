"""Keys at rest and in transit: 0600 files that never hold a raw private key, a clear wrong-
passphrase error, a trust list that only its authority can change, the documented layout, and
the demo set marked demo-only."""

from __future__ import annotations

import base64
import json
import stat
import threading

import pytest

from desktop.cli import main
from desktop.keys import manage
from desktop.keys.errors import BadKeyFile, PassphraseRequired, TrustListError, WrongPassphrase
from desktop.keys.highwater import ListRollback
from desktop.keys.keyfile import load_private, raw_private
from desktop.keys.layout import KeysDir
from desktop.seal import Scanner, Sealer, ensure_demo_keys
from desktop.shipment import Shipment

PW = "tr0ub4dor&3"


@pytest.fixture
def pwfile(tmp_path):
    path = tmp_path / "pass.txt"
    path.write_text(PW + "\n", encoding="utf-8")
    return path


def cli(*args) -> int:
    return main([str(a) for a in args])


@pytest.fixture(scope="module")
def built_once(tmp_path_factory):
    """The CLI set-up is run once (scrypt is deliberately slow); each test gets a copy."""
    root = tmp_path_factory.mktemp("keys-world")
    pw = root / "pass.txt"
    pw.write_text(PW + "\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:  # runs before the per-test SIGILO_HOME: keep the audit here
        mp.setenv("SIGILO_HOME", str(root / "home"))
        _build_via_cli(root / "world", pw)
    return root / "world"


@pytest.fixture
def world_copy(built_once, tmp_path):
    import shutil

    shutil.copytree(built_once, tmp_path, dirs_exist_ok=True)
    return tmp_path


def make_via_cli(root, pwfile):
    """A copy of the world built once by ``_build_via_cli`` (root must be the world_copy)."""
    assert (root / "officer" / "authority.key").exists(), "use the world_copy fixture"
    return root / "officer", root / "station", root / "scanner"


def _build_via_cli(root, pwfile):
    officer, station, scanner = root / "officer", root / "station", root / "scanner"
    assert cli("keys", "init-authority", "--dir", officer, "--passphrase-file", pwfile) == 0
    assert cli("keys", "create-fleet", "--region", "cn", "--dir", officer, "--passphrase-file", pwfile) == 0
    assert cli("keys", "create-station", "--station-id", "SP-0007", "--name", "Loja Paulista", "--region", "cn",
               "--dir", station, "--passphrase-file", pwfile) == 0
    assert cli("keys", "add-station", station / "station.pub", "--dir", officer, "--passphrase-file", pwfile) == 0
    assert cli("keys", "import-fleet", officer / "fleet" / "cn-1.pub", "--dir", station) == 0
    assert cli("keys", "import-trust", officer / "trust.json", "--authority", officer / "authority.pub",
               "--dir", scanner) == 0
    assert cli("keys", "import-fleet", officer / "fleet" / "cn-1.key", "--dir", scanner) == 0
    return officer, station, scanner


def test_cli_workflow_seals_and_opens(tmp_path, world_copy, pwfile, sample_shipments):
    officer, station, scanner = make_via_cli(world_copy, pwfile)
    shipment = Shipment.from_dict(sample_shipments[30])
    text = Sealer.from_keys_dir(station, PW).seal(shipment)
    opened = Scanner.from_keys_dir(scanner, PW).open(text, barcode=shipment.tracking_number)
    assert opened.shipment == shipment and opened.station_name == "Loja Paulista"


def test_private_keys_are_0600_and_never_hold_the_raw_key(tmp_path, world_copy, pwfile):
    officer, station, _ = make_via_cli(world_copy, pwfile)
    files = [(officer / "authority.key", "authority"), (officer / "fleet" / "cn-1.key", "fleet"),
             (station / "station.key", "station"), (world_copy / "scanner" / "fleet" / "cn-1.key", "fleet")]
    for path, kind in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        raw = raw_private(load_private(path, kind, PW).private)
        content = path.read_bytes()
        for form in (raw, raw.hex().encode(), raw.hex().upper().encode(), base64.b64encode(raw),
                     base64.urlsafe_b64encode(raw).rstrip(b"=")):
            assert form not in content, (path, form)
        record = json.loads(content)
        assert "private_key" not in record and record["protection"]["kdf"] == "scrypt"
    assert not list(tmp_path.rglob(".*.tmp"))


def test_wrong_passphrase_is_a_clear_error(tmp_path, world_copy, pwfile, capsys, monkeypatch):
    _, station, scanner = make_via_cli(world_copy, pwfile)
    with pytest.raises(WrongPassphrase, match="wrong passphrase for station key station.key"):
        Sealer.from_keys_dir(station, "Tr0ub4dor&3")
    monkeypatch.setenv("SIGILO_PASSPHRASE", "nope")
    assert cli("scan", "--keys", scanner, "--text", "SG1:ABC") == WrongPassphrase.exit_code == 23
    err = capsys.readouterr().err
    assert "wrong passphrase for fleet key cn-1.key" in err and "Traceback" not in err


def test_missing_passphrase_says_how_to_give_one(tmp_path, world_copy, pwfile, monkeypatch):
    monkeypatch.delenv("SIGILO_PASSPHRASE", raising=False)
    _, station, _ = make_via_cli(world_copy, pwfile)
    with pytest.raises(PassphraseRequired) as info:
        Sealer.from_keys_dir(station)
    assert "--passphrase-file" in info.value.hint and "SIGILO_PASSPHRASE" in info.value.hint


def test_passphrase_from_environment(tmp_path, world_copy, pwfile, monkeypatch):
    _, station, _ = make_via_cli(world_copy, pwfile)
    monkeypatch.setenv("SIGILO_PASSPHRASE", PW)
    assert Sealer.from_keys_dir(station).station_id == "SP-0007"


def test_swapped_fields_between_key_files_are_refused(tmp_path, world_copy, pwfile):
    officer, station, _ = make_via_cli(world_copy, pwfile)
    record = json.loads((station / "station.key").read_text())
    other = json.loads((officer / "authority.key").read_text())
    record["sealed_private_key"] = other["sealed_private_key"]
    record["protection"] = other["protection"]
    (station / "station.key").write_text(json.dumps(record))
    with pytest.raises(WrongPassphrase):  # the associated data (kind, key id) no longer matches
        Sealer.from_keys_dir(station, PW)


def test_keys_are_never_overwritten(tmp_path, world_copy, pwfile):
    officer, station, _ = make_via_cli(world_copy, pwfile)
    before = (station / "station.key").read_bytes()
    with pytest.raises(BadKeyFile, match="never overwrites"):
        manage.create_station(KeysDir.at(station), "X", "Y", "cn", PW)
    assert (station / "station.key").read_bytes() == before
    assert cli("keys", "create-fleet", "--region", "cn", "--epoch", "1", "--dir", officer,
               "--passphrase-file", pwfile) == BadKeyFile.exit_code


def test_trust_list_edited_by_hand_is_refused(tmp_path, world_copy, pwfile):
    officer, _, scanner = make_via_cli(world_copy, pwfile)
    doc = json.loads((scanner / "trust.json").read_text())
    doc["signed"] = doc["signed"].replace("Loja Paulista", "Loja Paulistx")
    (scanner / "trust.json").write_text(json.dumps(doc, ensure_ascii=False))
    with pytest.raises(TrustListError, match="not signed by this fleet authority"):
        Scanner.from_keys_dir(scanner, PW)


def test_trust_list_from_another_authority_is_refused(tmp_path, world_copy, pwfile):
    _, _, scanner = make_via_cli(world_copy, pwfile)
    rogue = KeysDir.at(tmp_path / "rogue")
    manage.init_authority(rogue, PW)
    with pytest.raises(TrustListError):
        manage.import_trust(KeysDir.at(scanner), rogue.trust)
    with pytest.raises(TrustListError, match="different fleet authority"):
        manage.import_trust(KeysDir.at(scanner), rogue.trust, rogue.authority_pub)


def test_older_trust_list_does_not_replace_newer(tmp_path, world_copy, pwfile):
    officer, _, scanner = make_via_cli(world_copy, pwfile)
    old = (officer / "trust.json").read_bytes()
    assert cli("keys", "revoke-station", "SP-0007", "--reason", "closed", "--dir", officer,
               "--passphrase-file", pwfile) == 0
    assert cli("keys", "import-trust", officer / "trust.json", "--dir", scanner) == 0
    (tmp_path / "old.json").write_bytes(old)
    assert cli("keys", "import-trust", tmp_path / "old.json", "--dir", scanner) == ListRollback.exit_code
    trust = manage.load_trust(KeysDir.at(scanner))
    assert trust.stations == [] and trust.revoked[0]["station_id"] == "SP-0007"
    assert trust.revoked[0]["reason"] == "closed"


def test_revoked_station_key_cannot_be_trusted_again(tmp_path, world_copy, pwfile):
    officer, station, _ = make_via_cli(world_copy, pwfile)
    manage.revoke_station(KeysDir.at(officer), "SP-0007", "", PW)
    with pytest.raises(TrustListError, match="was revoked"):
        manage.add_station(KeysDir.at(officer), station / "station.pub", PW)
    with pytest.raises(TrustListError, match="not in the trust list"):
        manage.revoke_station(KeysDir.at(officer), "SP-0007", "", PW)


def test_list_shows_public_facts_only(tmp_path, world_copy, pwfile, capsys):
    officer, station, scanner = make_via_cli(world_copy, pwfile)
    capsys.readouterr()
    assert cli("keys", "list", "--dir", officer, "--json") == 0
    info = json.loads(capsys.readouterr().out)
    assert [f["name"] for f in info["fleet"]] == ["cn-1"] and info["authority"]["private"]
    assert info["trust"]["stations"][0]["station_id"] == "SP-0007"
    assert cli("keys", "list-stations", "--dir", scanner) == 0
    out = capsys.readouterr().out
    assert "SP-0007" in out and "Loja Paulista" in out
    assert "sealed_private_key" not in json.dumps(info)


def test_rotate_fleet_adds_the_next_epoch(tmp_path, world_copy, pwfile):
    officer = tmp_path / "o"
    for _ in range(3):
        assert cli("keys", "rotate-fleet", "--region", "br", "--dir", officer, "--passphrase-file", pwfile) == 0
    assert KeysDir.at(officer).epochs("br") == [1, 2, 3]
    assert KeysDir.at(officer).epochs("br", ".key") == [1, 2, 3]


@pytest.mark.parametrize("region", ["CN", "cn-2", "", "c n", "../x"])
def test_bad_region_names_are_refused(tmp_path, region):
    with pytest.raises(BadKeyFile):
        manage.create_fleet(KeysDir.at(tmp_path), region, None, PW)


def test_demo_keys_are_complete_marked_and_work_without_passphrase(tmp_path, sample_shipments, monkeypatch):
    monkeypatch.delenv("SIGILO_PASSPHRASE", raising=False)
    path = tmp_path / "demo"
    ensure_demo_keys(path)
    fleet_keys = list((path / "fleet").glob("*.key"))
    assert [p.name for p in fleet_keys] == ["demo-1.key"]
    for key in [*fleet_keys, path / "station.key", path / "authority.key"]:
        record = json.loads(key.read_text())
        assert record["protection"] == "none-demo-only" and "DEMO ONLY" in record["warning"]
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert json.loads((path / "demo.json").read_text())["demo_only"] is True
    assert "DEMO ONLY" in (path / "DEMO-ONLY.txt").read_text()
    shipment = Shipment.from_dict(sample_shipments[0])
    opened = Scanner.from_keys_dir(path).open(Sealer.from_keys_dir(path).seal(shipment), barcode=shipment.tracking_number)
    assert opened.shipment == shipment and "DEMO" in opened.station_name
    before = {p: p.read_bytes() for p in path.rglob("*") if p.is_file()}
    ensure_demo_keys(path)
    assert before == {p: p.read_bytes() for p in path.rglob("*") if p.is_file()}


def test_demo_keys_created_concurrently_form_one_set(tmp_path, sample_shipments):
    path = tmp_path / "race" / "keys"
    threads = [threading.Thread(target=ensure_demo_keys, args=(path,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    shipment = Shipment.from_dict(sample_shipments[1])
    assert Scanner.from_keys_dir(path).open(Sealer.from_keys_dir(path).seal(shipment)).shipment == shipment
    assert [p.name for p in (path.parent).iterdir()] == ["keys"]


def test_demo_command(tmp_path, capsys):
    assert cli("keys", "demo", "--dir", tmp_path / "d") == 0
    assert "DEMO-ONLY" in capsys.readouterr().out
    assert (tmp_path / "d" / "fleet" / "demo-1.key").exists()


def test_station_key_replacement_revokes_only_the_old_key(tmp_path, world_copy, pwfile, sample_shipments):
    officer, station, scanner = make_via_cli(world_copy, pwfile)
    shipment = Shipment.from_dict(sample_shipments[2])
    old_text = Sealer.from_keys_dir(station, PW).seal(shipment)
    old_kid = json.loads((station / "station.pub").read_text())["key_id"]
    for name in ("station.key", "station.pub", "station.json"):
        (station / name).rename(tmp_path / f"old-{name}")
    assert cli("keys", "create-station", "--station-id", "SP-0007", "--name", "Loja Paulista", "--region", "cn",
               "--dir", station, "--passphrase-file", pwfile) == 0
    assert cli("keys", "add-station", station / "station.pub", "--dir", officer, "--passphrase-file", pwfile) == 0
    assert cli("keys", "revoke-station", "SP-0007", "--key-id", old_kid, "--reason", "key replaced",
               "--dir", officer, "--passphrase-file", pwfile) == 0
    assert cli("keys", "import-trust", officer / "trust.json", "--dir", scanner) == 0
    new_text = Sealer.from_keys_dir(station, PW).seal(shipment)
    reader = Scanner.from_keys_dir(scanner, PW)
    assert reader.open(new_text).station_id == "SP-0007"
    from desktop.seal import RevokedStation

    with pytest.raises(RevokedStation, match="key replaced"):
        reader.open(old_text)


def test_directories_made_for_private_keys_are_0700(tmp_path):
    kd = KeysDir.at(tmp_path / "new" / "keys")
    manage.create_fleet(kd, "cn", 1, PW)
    assert stat.S_IMODE(kd.fleet_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(kd.fleet_key("cn", 1).stat().st_mode) == 0o600


def test_importing_keys_checks_them(tmp_path, world_copy, pwfile):
    officer, station, scanner = make_via_cli(world_copy, pwfile)
    assert cli("keys", "import-fleet", station / "station.key", "--dir", tmp_path / "x") == BadKeyFile.exit_code
    manage.create_fleet(KeysDir.at(tmp_path / "other"), "cn", 1, PW)
    assert cli("keys", "import-fleet", tmp_path / "other" / "fleet" / "cn-1.key", "--dir", scanner) == BadKeyFile.exit_code
    assert cli("keys", "import-fleet", tmp_path / "other" / "fleet" / "cn-1.pub", "--dir", station) == BadKeyFile.exit_code
    doc = json.loads((officer / "fleet" / "cn-1.pub").read_text())
    doc["key_id"] = "00000000"
    (tmp_path / "bad.pub").write_text(json.dumps(doc))
    assert cli("keys", "import-fleet", tmp_path / "bad.pub", "--dir", tmp_path / "y") == BadKeyFile.exit_code


# -- OS keyring ---------------------------------------------------------------------------

@pytest.fixture
def memory_keyring(monkeypatch):
    import keyring
    import keyring.backend
    import keyring.errors

    class Memory(keyring.backend.KeyringBackend):
        priority = 1

        def __init__(self):
            self.store = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            if self.store.pop((service, username), None) is None:
                raise keyring.errors.PasswordDeleteError(username)

    previous = keyring.get_keyring()
    backend = Memory()
    keyring.set_keyring(backend)
    monkeypatch.delenv("SIGILO_PASSPHRASE", raising=False)
    yield backend
    keyring.set_keyring(previous)


def test_passphrase_remembered_in_the_keyring(world_copy, pwfile, memory_keyring, tmp_path, sample_shipments):
    _, station, scanner = make_via_cli(world_copy, pwfile)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not it")
    assert cli("keys", "remember-passphrase", "--dir", station, "--passphrase-file", wrong) == WrongPassphrase.exit_code
    assert memory_keyring.store == {}
    with pytest.raises(PassphraseRequired):
        Sealer.from_keys_dir(station)
    assert cli("keys", "remember-passphrase", "--dir", station, "--passphrase-file", pwfile) == 0
    assert cli("keys", "remember-passphrase", "--dir", scanner, "--passphrase-file", pwfile) == 0
    assert list(memory_keyring.store.values()) == [PW, PW]
    shipment = Shipment.from_dict(sample_shipments[5])
    text = Sealer.from_keys_dir(station).seal(shipment)
    assert Scanner.from_keys_dir(scanner).open(text).shipment == shipment
    assert cli("keys", "forget-passphrase", "--dir", station) == 0
    with pytest.raises(PassphraseRequired):
        Sealer.from_keys_dir(station)


def test_demo_keys_never_ask_the_keyring(tmp_path, memory_keyring):
    calls = []
    original = memory_keyring.get_password
    memory_keyring.get_password = lambda s, u: calls.append(u) or original(s, u)
    ensure_demo_keys(tmp_path / "demo")
    Sealer.from_keys_dir(tmp_path / "demo")
    Scanner.from_keys_dir(tmp_path / "demo")
    assert calls == []


def test_without_a_keyring_service_remembering_says_what_to_do(world_copy, pwfile, capsys):
    import keyring

    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        _, station, _ = make_via_cli(world_copy, pwfile)
        assert cli("keys", "remember-passphrase", "--dir", station, "--passphrase-file", pwfile) == 20
        assert "--passphrase-file or SIGILO_PASSPHRASE" in capsys.readouterr().err
    finally:
        keyring.set_keyring(previous)


def test_every_keys_action_and_argument_explains_itself():
    """`sigilo keys ACTION --help` is the key officer's first reference: each action says what it
    does and each argument has a help text."""
    import argparse

    from desktop.cli import build_parser

    parser = build_parser()
    keys = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices["keys"]
    actions = next(a for a in keys._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert {"create-fleet", "rotate-fleet", "create-station", "add-station", "revoke-station", "import-fleet",
            "import-trust", "list-stations"} <= set(actions)
    for name, sub in actions.items():
        assert sub.description, name
        for arg in sub._actions:
            if not isinstance(arg, argparse._HelpAction):
                assert arg.help, (name, arg.dest)


@pytest.mark.parametrize("days", ["0", "-5", "40000"])
def test_a_station_whose_seals_could_not_live_is_refused_at_creation(tmp_path, capsys, days):
    from desktop.cli import main

    pw = tmp_path / "pw"
    pw.write_text("pass phrase", encoding="utf-8")
    status = main(["keys", "create-station", "--station-id", "X-1", "--name", "x", "--region", "cn",
                   "--dir", str(tmp_path / "st"), "--passphrase-file", str(pw), "--validity-days", days])
    assert status == 2 and "--validity-days" in capsys.readouterr().err
    assert not (tmp_path / "st" / "station.key").exists()


def test_passphrase_files_that_cannot_serve_are_clear_errors(tmp_path, capsys, monkeypatch):
    """A missing or empty passphrase file is named (no traceback), and a new private key is
    not protected by a passphrase too short to slow anyone down."""
    from desktop.cli import main

    monkeypatch.delenv("SIGILO_PASSPHRASE", raising=False)
    short, empty = tmp_path / "short", tmp_path / "empty"
    short.write_text("1234\n", encoding="utf-8")
    empty.write_text("\n", encoding="utf-8")
    cases = [(tmp_path / "missing", "cannot be read"), (empty, "is empty"), (short, "at least 8")]
    for path, said in cases:
        status = main(["keys", "create-fleet", "--region", "cn", "--dir", str(tmp_path / "k"),
                       "--passphrase-file", str(path)])
        err = capsys.readouterr().err
        assert status == 22 and said in err and "fix:" in err, (path, err)
    assert not (tmp_path / "k" / "fleet" / "cn-1.key").exists()
    status = main(["scan", "--keys", str(tmp_path / "k"), "--passphrase-file", str(tmp_path / "missing"),
                   "--text", "SG1:X"])
    assert status == 22 and "cannot be read" in capsys.readouterr().err
    monkeypatch.setenv("SIGILO_PASSPHRASE", "short")
    assert main(["keys", "init-authority", "--dir", str(tmp_path / "a")]) == 22
    assert "at least 8" in capsys.readouterr().err
