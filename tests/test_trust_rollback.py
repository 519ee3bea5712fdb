"""Trust moves forward only (finding 1 of the hardening issue): a scanner remembers the highest
trust-list serial it accepted, apart from trust.json, and refuses an older list, validly signed,
however it arrived: copied over trust.json, or imported after trust.json was deleted. The
refusal has its own exit status (26), and the helper behind it (desktop.keys.highwater) is the
one void lists use."""

from __future__ import annotations

import json
import shutil

import pytest

from desktop.cli import main
from desktop.keys import manage
from desktop.keys.highwater import HighWater, HighWaterDamaged, ListRollback
from desktop.keys.layout import KeysDir
from desktop.seal import Sealer, ensure_demo_keys
from desktop.shipment import Shipment


def run(capsys, *args):
    capsys.readouterr()
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


@pytest.fixture
def world(tmp_path, sample_shipments):
    """A key officer's directory (the demo set, with authority.key) and a scanner that holds
    only the fleet key, authority.pub and an imported trust list."""
    officer = tmp_path / "officer"
    ensure_demo_keys(officer)
    scanner = tmp_path / "scanner"
    (scanner / "fleet").mkdir(parents=True)
    shutil.copy(officer / "fleet" / "demo-1.key", scanner / "fleet" / "demo-1.key")
    old = tmp_path / "trust-old.json"
    shutil.copy(officer / "trust.json", old)
    assert main(["keys", "import-trust", str(old), "--authority", str(officer / "authority.pub"),
                 "--dir", str(scanner)]) == 0
    text = Sealer.from_keys_dir(officer).seal(Shipment.from_dict(sample_shipments[0]))
    return officer, scanner, old, text


def test_a_revoked_station_stays_revoked_when_an_older_list_is_copied_over(capsys, world):
    officer, scanner, old, text = world
    assert run(capsys, "scan", "--keys", scanner, "--text", text)[0] == 0
    manage.revoke_station(KeysDir.at(officer), "DEMO-0001", "stolen laptop", None)
    assert run(capsys, "keys", "import-trust", officer / "trust.json", "--dir", scanner)[0] == 0
    assert run(capsys, "scan", "--keys", scanner, "--text", text)[0] == 14
    shutil.copy(old, scanner / "trust.json")  # the rollback: an older, validly signed list
    code, err = run(capsys, "scan", "--keys", scanner, "--text", text)
    assert code == 26, err
    assert "serial 2" in err and "older than serial 3" in err


def test_deleting_the_list_and_importing_an_older_one_is_refused(capsys, world):
    officer, scanner, old, text = world
    manage.revoke_station(KeysDir.at(officer), "DEMO-0001", "stolen laptop", None)
    assert run(capsys, "keys", "import-trust", officer / "trust.json", "--dir", scanner)[0] == 0
    (scanner / "trust.json").unlink()
    code, err = run(capsys, "keys", "import-trust", old, "--dir", scanner)
    assert code == 26, err
    assert not (scanner / "trust.json").exists()
    assert run(capsys, "scan", "--keys", scanner, "--text", text)[0] != 0
    # the newest list still goes in, and the label is refused as revoked
    assert run(capsys, "keys", "import-trust", officer / "trust.json", "--dir", scanner)[0] == 0
    assert run(capsys, "scan", "--keys", scanner, "--text", text)[0] == 14


def test_a_list_seen_only_by_scanning_sets_the_mark(capsys, world):
    """A newer list that arrived by file copy (not import) is remembered on first use."""
    officer, scanner, old, text = world
    manage.revoke_station(KeysDir.at(officer), "DEMO-0001", "", None)
    shutil.copy(officer / "trust.json", scanner / "trust.json")
    assert run(capsys, "scan", "--keys", scanner, "--text", text)[0] == 14
    shutil.copy(old, scanner / "trust.json")
    assert run(capsys, "scan", "--keys", scanner, "--text", text)[0] == 26


def test_the_key_officer_cannot_sign_on_top_of_a_restored_older_list(capsys, world, tmp_path):
    officer, _, old, _ = world
    manage.revoke_station(KeysDir.at(officer), "DEMO-0001", "", None)
    shutil.copy(old, officer / "trust.json")
    with pytest.raises(ListRollback):
        manage.revoke_station(KeysDir.at(officer), "DEMO-0001", "", None)


def test_highwater_api(tmp_path):
    marks = HighWater(tmp_path / "marks.json")
    assert marks.highest("void", "ab12cd34") is None
    assert marks.accept("void", "ab12cd34", 5, now=100) == 5
    assert marks.accept("void", "ab12cd34", 5) == 5  # the same list again
    assert marks.highest("void", "ab12cd34").serial == 5
    assert marks.highest("void", "ab12cd34").accepted_at == 100
    with pytest.raises(ListRollback, match="serial 4, older than serial 5") as info:
        marks.accept("void", "ab12cd34", 4, what="void list")
    assert info.value.exit_code == 26 and "void list" in info.value.hint
    marks.check("void", "ab12cd34", 6)
    assert marks.highest("void", "ab12cd34").serial == 5  # check records nothing
    # kinds and authorities keep their own marks
    assert marks.accept("trust", "ab12cd34", 1) == 1
    assert marks.accept("void", "ffffffff", 1) == 1
    assert HighWater(tmp_path / "marks.json").highest("void", "ab12cd34").serial == 5  # persisted
    for bad in (-1, "7", 2.0, True):
        with pytest.raises(ListRollback):
            marks.accept("void", "ab12cd34", bad)


def test_a_damaged_mark_file_is_never_taken_as_empty(tmp_path):
    path = tmp_path / "marks.json"
    HighWater(path).accept("trust", "ab12cd34", 9)
    data = json.loads(path.read_text())
    path.write_text(path.read_text()[:20])
    with pytest.raises(HighWaterDamaged):
        HighWater(path).accept("trust", "ab12cd34", 1)
    data["lists"]["trust:ab12cd34"]["serial"] = "9"
    path.write_text(json.dumps(data))
    with pytest.raises(HighWaterDamaged):
        HighWater(path).highest("trust", "ab12cd34")


def test_the_mark_is_kept_apart_from_the_keys(sigilo_home, world):
    _, scanner, _, _ = world
    assert (sigilo_home / "signed-lists.json").is_file()
    assert not any(p.name == "signed-lists.json" for p in scanner.rglob("*"))


def test_a_truncated_trust_list_is_a_damaged_trust_list_exit_25(capsys, world):
    _, scanner, _, text = world
    body = (scanner / "trust.json").read_text()
    (scanner / "trust.json").write_text(body[: len(body) // 2])
    code, err = run(capsys, "scan", "--keys", scanner, "--text", text)
    assert code == 25 and "trust list" in err
