"""Real-name sending (desktop.identity): ID validation by type, the policy's requirement at
print time, records sealed at once (the station cannot open them, the compliance key can),
recognition by keyed hash, export/open/purge with their audit, alerts and the watch list."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from desktop.identity import checks
from desktop.identity.book import IdentityBook
from desktop.identity.errors import IdentityNotSetUp, IdentityRequired
from desktop.identity.export import export_records, open_export, purge_identities
from desktop.identity.gate import before_print
from desktop.identity.keys import compliance_private, create_identity, import_enrolment
from desktop.identity.record import validate_identity
from desktop.shipment import Shipment
from desktop.store import open_store

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 12, 2)


def independent_gb11643(first17: str) -> str:
    """ISO 7064 MOD 11-2 written out the long way (not the module's table)."""
    total = 0
    for i, ch in enumerate(first17):
        total += int(ch) * (2 ** (17 - i) % 11)
    return "10X98765432"[total % 11]


def independent_gb32100(first17: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(c) * (3 ** i % 31) for i, c in enumerate(first17))
    return alphabet[(31 - total % 31) % 31]


RESIDENT = "11010519491231002X"  # GB 11643's own example number
PERMIT = "810000199408230" + "02" + independent_gb11643("81000019940823002")
FOREIGN_2023 = "93310019800101001" + independent_gb11643("93310019800101001")
CREDIT = "91350100M000100Y43"  # the example code of GB 32100's explanations
CREDIT_2 = "91330106MA2B00000" + independent_gb32100("91330106MA2B00000")


def test_check_characters_match_an_independent_computation():
    for first17 in ("11010519491231002", "44030419900307123", "81000019940823002", "35020319751122001"):
        assert checks.gb11643_check(first17) == independent_gb11643(first17)
    assert checks.gb11643_check("11010519491231002") == "X"
    assert checks.gb32100_check("91350100M000100Y4") == "3"
    assert checks.gb32100_check("91330106MA2B00000") == independent_gb32100("91330106MA2B00000")


@pytest.mark.parametrize("id_type,number", [
    ("cn_resident", RESIDENT), ("cn_resident", RESIDENT.lower()), ("cn_resident", "１１０１０５１９４９１２３１００２Ｘ"),
    ("residence_permit", PERMIT), ("foreign_permanent", FOREIGN_2023), ("foreign_permanent", "USA110080101001"),
    ("passport", "E12345678"), ("passport", "EA1234567"), ("hkmo_permit", "H12345678"), ("hkmo_permit", "M1234567890"),
    ("tw_permit", "01234567"),
])
def test_valid_numbers_of_each_individual_type(id_type, number):
    record, errors = validate_identity({"id_type": id_type, "number": number, "name": "测试人"}, TODAY)
    assert errors == [] and record is not None
    assert record.holder.number == number.upper().replace("１", "1") or record.holder.number.isascii()


def _errors(data):
    record, errors = validate_identity(data, TODAY)
    assert record is None
    return {e.field: e.message for e in errors}


@pytest.mark.parametrize("number,why", [
    ("110105194912310021", "check character"),  # one character off
    ("11010519491231003X", "check character"),  # a digit swapped
    ("1101051949123100", "18 characters"),
    ("11010520270101001" + independent_gb11643("11010520270101001"), "future"),  # born next year
    ("11010518000101001" + independent_gb11643("11010518000101001"), "years ago"),
    ("11010519490231001" + independent_gb11643("11010519490231001"), "not a date"),  # 31 February
    ("91010519491231001" + independent_gb11643("91010519491231001"), "region code"),
    ("11010519491231002Y", "digit or X"),
])
def test_invalid_resident_numbers_name_the_field(number, why):
    errors = _errors({"id_type": "cn_resident", "number": number, "name": "测试人"})
    assert set(errors) == {"identity.number"}
    assert why in errors["identity.number"]
    assert number not in errors["identity.number"]  # the message never repeats the number


@pytest.mark.parametrize("id_type,number,why", [
    ("residence_permit", PERMIT[:-1] + ("0" if PERMIT[-1] != "0" else "1"), "check character"),
    ("residence_permit", RESIDENT, "region code"),
    ("foreign_permanent", FOREIGN_2023[:-1] + ("0" if FOREIGN_2023[-1] != "0" else "1"), "check character"),
    ("foreign_permanent", "US1110080101001", "3 letters"),
    ("passport", "E1", "5 to 17"), ("passport", "ABCDEFGH", "at least one digit"), ("passport", "E1234567!", "letters"),
    ("hkmo_permit", "X12345678", "H or M"), ("hkmo_permit", "H1234567", "H or M"),
    ("tw_permit", "1234567", "8 (or 10)"),
    ("credit_code", CREDIT[:-1] + "4", "check character"), ("credit_code", "91350100M000100I43", "except I"),
    ("credit_code", "9135010", "18 characters"),
])
def test_invalid_numbers_of_the_other_types(id_type, number, why):
    data = {"id_type": id_type, "number": number, "name": "某某"}
    if id_type == "credit_code":
        data["representative"] = {"id_type": "cn_resident", "number": RESIDENT, "name": "张三"}
    errors = _errors(data)
    assert set(errors) == {"identity.number"}, errors
    assert why in errors["identity.number"]


def test_organisation_needs_credit_code_and_a_personal_representative():
    ok, errors = validate_identity({"id_type": "credit_code", "number": CREDIT_2, "name": "晨光文具旗舰店",
                                    "representative": {"id_type": "passport", "number": "E12345678", "name": "Li Wei"}},
                                   TODAY)
    assert errors == [] and ok.organisation and ok.representative.number == "E12345678"
    errors = _errors({"id_type": "credit_code", "number": CREDIT, "name": "某公司",
                      "representative": {"id_type": "credit_code", "number": CREDIT_2, "name": ""}})
    assert set(errors) == {"identity.representative.id_type", "identity.representative.name"}
    errors = _errors({"id_type": "", "number": "", "name": "", "method": "guess"})
    assert set(errors) == {"identity.id_type", "identity.number", "identity.name", "identity.method"}


# ---------------------------------------------------------------- the station side

@pytest.fixture()
def enrolled(tmp_path, sigilo_home):
    office = tmp_path / "office"
    create_identity(office, None, demo=True)
    station = sigilo_home / "keys"
    facts = import_enrolment(station, office / "identity-enrol.json")
    store = open_store()
    store.set_setting("identity.station_kind", facts["station_kind"])
    yield office, station, store
    store.close()


def _person(name="王小明", weight=0.8, tracking="SG7700000001", country="CN", business=None):
    sender = {"name": name, "phone": "13900001111", "country": country, "city": "杭州市"}
    if business is not None:
        sender["business"] = business
    return Shipment.from_dict({"tracking_number": tracking, "sender": sender,
                               "recipient": {"name": "刘建国", "phone": "13800131563", "country": "CN"},
                               "parcel": {"weight_kg": weight}})


def test_record_sealed_at_once_masked_and_recognised(enrolled):
    office, station, store = enrolled
    book = IdentityBook(store, station)
    first = book.enter({"id_type": "cn_resident", "number": RESIDENT, "name": "王小明", "method": "card"}, "clerk1")
    assert first.masked.number == "110***********002X" and first.masked.name == "王**"
    assert first.seen == 0 and "first visit" in first.seen_text()
    for _ in range(3):
        again = book.enter({"id_type": "cn_resident", "number": RESIDENT.lower(), "name": "王小明"}, "clerk1")
    assert again.seen == 3 and again.seen_text() == "seen 3 times in the last 30 days"
    other = book.enter({"id_type": "passport", "number": "E12345678", "name": "Maria Silva"}, "clerk1")
    assert other.seen == 0 and other.masked.number == "E******78"
    row = store.query("SELECT * FROM identity_records WHERE id=?", (first.record_id,))[0]
    assert row["method"] == "card" and row["id_type"] == "cn_resident"
    dump = "\n".join(str(tuple(r)) for r in store.query("SELECT * FROM identity_records")) + \
        "\n".join(str(tuple(r)) for r in store.query("SELECT * FROM audit"))
    assert RESIDENT not in dump and "王小明" not in dump and "E12345678" not in dump
    # the station's keys cannot open the record; the compliance office's can
    with pytest.raises(Exception) as exc:
        compliance_private(station)
    assert "cannot open" in str(exc.value)
    from desktop.identity.sealing import open_record

    header, record = open_record(row["sealed"], compliance_private(office).private)
    assert header.record_id.hex() == first.record_id
    assert record.holder.number == RESIDENT and record.holder.name == "王小明" and record.method == "card"


def test_tampered_or_moved_sealed_record_does_not_open(enrolled):
    office, station, store = enrolled
    entered = IdentityBook(store, station).enter({"id_type": "cn_resident", "number": RESIDENT, "name": "王小明"})
    blob = bytearray(store.query("SELECT sealed FROM identity_records WHERE id=?", (entered.record_id,))[0][0])
    from desktop.identity.sealing import SealedRecordError, open_record

    key = compliance_private(office).private
    for pos in (10, len(blob) - 1):  # the record id in the header; the ciphertext
        bad = bytearray(blob)
        bad[pos] ^= 1
        with pytest.raises(SealedRecordError):
            open_record(bytes(bad), key)


def test_not_enrolled_station_cannot_record(sigilo_home):
    with open_store() as store, pytest.raises(IdentityNotSetUp) as exc:
        IdentityBook(store, sigilo_home / "keys").enter({"id_type": "cn_resident", "number": RESIDENT, "name": "王"})
    assert "import-identity" in exc.value.hint


def test_policy_requires_each_individual_and_businesses_once(enrolled):
    office, station, store = enrolled
    book = IdentityBook(store, station)
    with pytest.raises(IdentityRequired) as exc:
        before_print(store, [_person()], None, station)
    assert "sender's ID is required" in exc.value.message
    rec = book.enter({"id_type": "cn_resident", "number": RESIDENT, "name": "王小明"})
    assert before_print(store, [_person(), _person(tracking="SG7700000002")], rec.record_id, station) == 2
    assert book.uses(rec.record_id) == ["SG7700000001", "SG7700000002"]
    # abroad, the CN rule does not apply
    assert before_print(store, [_person(country="BR")], None, station) == 0
    # a business: its credit code once, then every label of that account prints
    shop = _person(name="晨光文具旗舰店", business=True, tracking="SG7700000003")
    with pytest.raises(IdentityRequired) as exc:
        before_print(store, [shop], None, station)
    assert "credit code" in exc.value.message
    book.enter({"id_type": "credit_code", "number": CREDIT_2, "name": "晨光文具旗舰店",
                "representative": {"id_type": "cn_resident", "number": RESIDENT, "name": "王小明"}})
    assert before_print(store, [shop], None, station) == 1
    # an organisation's record is not a person's ID
    org = book.account_record("晨光文具旗舰店")
    with pytest.raises(IdentityRequired):
        before_print(store, [_person()], org, station)
    # a station not set up as a real-name station has no requirement
    store.set_setting("identity.station_kind", "")
    assert before_print(store, [_person()], None, station) == 0


def test_old_record_does_not_cover_a_new_visit(enrolled):
    office, station, store = enrolled
    clock = [1_800_000_000.0]
    book = IdentityBook(store, station, clock=lambda: clock[0])
    rec = book.enter({"id_type": "cn_resident", "number": RESIDENT, "name": "王小明"})
    clock[0] += 13 * 3600
    with pytest.raises(IdentityRequired) as exc:
        before_print(store, [_person()], rec.record_id, station, clock=lambda: clock[0])
    assert "too long ago" in exc.value.message


def test_export_opens_with_the_compliance_key_only_and_is_audited(enrolled, tmp_path):
    office, station, store = enrolled
    book = IdentityBook(store, station)
    a = book.enter({"id_type": "cn_resident", "number": RESIDENT, "name": "王小明", "method": "card"})
    book.enter({"id_type": "hkmo_permit", "number": "H12345678", "name": "陳大文"})
    before_print(store, [_person()], a.record_id, station)
    out = tmp_path / "export.json"
    assert export_records(store, out, 0, actor="officer") == 2
    text = out.read_text(encoding="utf-8")
    for secret in (RESIDENT, "王小明", "陳大文", "H12345678"):
        assert secret not in text
    opened = open_export(out, compliance_private(office).private)
    assert [(r.holder["number"], r.holder["name"], r.method) for r in opened] == [
        (RESIDENT, "王小明", "card"), ("H12345678", "陳大文", "manual")]
    assert opened[0].labels[0]["tracking_number"] == "SG7700000001"
    # another office's identity key does not open it
    other = tmp_path / "other-office"
    create_identity(other, None, demo=True)
    with pytest.raises(Exception) as exc:
        open_export(out, compliance_private(other).private)
    assert "does not open" in str(exc.value)
    exports = [e for e in _audit(store) if e.action == "export"]
    assert exports and exports[-1].details["records"] == 2 and exports[-1].actor == "officer"


def _audit(store):
    from desktop.audit import AuditLog

    return AuditLog(store).entries()


def test_purge_removes_old_records_and_hashes_and_the_audit_verifies(enrolled):
    office, station, store = enrolled
    now = 1_800_000_000.0
    old = IdentityBook(store, station, clock=lambda: now - 800 * 86400)
    young = IdentityBook(store, station, clock=lambda: now - 10 * 86400)
    r_old = old.enter({"id_type": "cn_resident", "number": RESIDENT, "name": "王小明"})
    old.record_uses(r_old.record_id, [_person()])
    r_new = young.enter({"id_type": "passport", "number": "E12345678", "name": "Li"})
    result = purge_identities(store, now=now, actor="auditor")
    assert (result.records, result.uses, result.days) == (1, 1, 730)
    ids = [r[0] for r in store.query("SELECT id FROM identity_records")]
    assert ids == [r_new.record_id]
    assert store.query("SELECT COUNT(*) FROM identity_uses")[0][0] == 0
    old_hash = IdentityBook(store, station).keys.hasher.of("cn_resident", RESIDENT)
    assert not store.query("SELECT 1 FROM identity_records WHERE id_hash=?", (old_hash,))
    store.set_setting("identity.retention_days", 5)
    assert purge_identities(store, now=now).records == 1
    purges = [e for e in _audit(store) if e.action == "purge"]
    assert [p.details["records"] for p in purges] == [1, 1] and purges[1].details["days"] == 5
    from desktop.audit import verify_chain

    assert verify_chain(store)[1] == []
    raw = (store.path).read_bytes()
    assert b"E12345678" not in raw


def test_alerts_by_identity_and_the_hashed_watch_list(enrolled, tmp_path):
    office, station, store = enrolled
    from desktop.alerts import Alerts
    from desktop.identity import watchlist
    from desktop.identity.keys import compliance_hasher, compliance_signer, load_bundle

    book = IdentityBook(store, station)
    swiper = book.enter({"id_type": "cn_resident", "number": RESIDENT, "name": "王小明"})
    before_print(store, [_person(weight=0.01, tracking=f"SG77{i:08d}") for i in range(20)], swiper.record_id, station)
    honest = book.enter({"id_type": "passport", "number": "E12345678", "name": "Li"})
    before_print(store, [_person(weight=2.5, tracking=f"SG78{i:08d}") for i in range(25)], honest.record_id, station)
    raised = Alerts(store).evaluate()
    swipes = [a for a in raised if a.rule == "identity_bill_swiping"]
    assert len(swipes) == 1 and "20 parcels" in swipes[0].message and "110***********002X" in swipes[0].message
    assert RESIDENT not in json.dumps([a.details for a in raised]) + swipes[0].message

    bundle = load_bundle(office / "identity.pub")
    doc = watchlist.build([("cn_resident", RESIDENT, "case 17"), ("passport", "G00000001", "")],
                          compliance_hasher(office), compliance_signer(office).private, 5, bundle["hash_key_id"])
    assert RESIDENT not in json.dumps(doc)
    path = tmp_path / "watch.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert watchlist.install(store, path, bytes.fromhex(bundle["sign_public_key"])) == 2
    book.enter({"id_type": "passport", "number": "E12345678", "name": "Li"})
    assert not [a for a in Alerts(store).list() if a.rule == "identity_watch"]
    hit = book.enter({"id_type": "cn_resident", "number": RESIDENT, "name": "王小明"})
    watch = [a for a in Alerts(store).list() if a.rule == "identity_watch"]
    assert len(watch) == 1 and watch[0].details["record_id"] == hit.record_id
    # forged and rolled-back lists are refused
    forged = dict(doc, entries=doc["entries"][:1])
    path.write_text(json.dumps(forged), encoding="utf-8")
    with pytest.raises(watchlist.WatchListError, match="not signed"):
        watchlist.install(store, path, bytes.fromhex(bundle["sign_public_key"]))
    older = watchlist.build([], compliance_hasher(office), compliance_signer(office).private, 4, bundle["hash_key_id"])
    path.write_text(json.dumps(older), encoding="utf-8")
    with pytest.raises(watchlist.WatchListError, match="older"):
        watchlist.install(store, path, bytes.fromhex(bundle["sign_public_key"]))


def _sigilo(*args, stdin="", env=None):
    return subprocess.run([sys.executable, "-m", "desktop.cli", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


@pytest.mark.slow
def test_cli_from_nothing_counter_to_compliance_office(tmp_path, sigilo_home, sample_shipments):
    """The commands a key officer, a clerk and a compliance officer run, with encrypted keys."""
    import os

    env = dict(os.environ, SIGILO_PASSPHRASE="a long passphrase for tests")
    office = tmp_path / "office"
    assert _sigilo("keys", "create-identity", "--dir", str(office), env=env).returncode == 0
    r = _sigilo("keys", "import-identity", str(office / "identity-enrol.json"), env=env)
    assert r.returncode == 0, r.stderr
    assert not (sigilo_home / "keys" / "identity.key").exists()
    shipment = dict(sample_shipments[0], sender={"name": "王小明", "phone": "13900001111", "country": "CN",
                                                 "province": "浙江省", "city": "杭州市", "district": "西湖区",
                                                 "street": "文三路1号", "postcode": "310000"})
    rows = tmp_path / "one.jsonl"
    rows.write_text(json.dumps(shipment, ensure_ascii=False) + "\n", encoding="utf-8")
    pdf = tmp_path / "label.pdf"
    refused = _sigilo("print", str(rows), "--printer", f"file://{pdf}", "--format", "pdf", "--demo-keys", env=env)
    assert refused.returncode == 42 and "sender's ID is required" in refused.stderr and not pdf.exists()
    bad = _sigilo("identity", "record", stdin=json.dumps({"id_type": "cn_resident", "number": RESIDENT[:-1] + "1",
                                                          "name": "王小明"}), env=env)
    assert bad.returncode == 41 and "identity.number" in bad.stderr and RESIDENT[:-1] not in bad.stderr
    rec = _sigilo("identity", "record", "--json", stdin=json.dumps({"id_type": "cn_resident", "number": RESIDENT,
                                                                    "name": "王小明"}, ensure_ascii=False), env=env)
    assert rec.returncode == 0, rec.stderr
    rid = json.loads(rec.stdout)["record_id"]
    ok = _sigilo("print", str(rows), "--printer", f"file://{pdf}", "--format", "pdf", "--demo-keys",
                 "--identity", rid, env=env)
    assert ok.returncode == 0, ok.stderr
    out = tmp_path / "export.json"
    assert _sigilo("identity", "export", "--since", "2020-01-01", "--out", str(out), env=env).returncode == 0
    station_try = _sigilo("identity", "open", "--keys", str(sigilo_home / "keys"), str(out), env=env)
    assert station_try.returncode != 0 and RESIDENT not in station_try.stdout
    opened = _sigilo("identity", "open", "--keys", str(office), str(out), env=env)
    assert opened.returncode == 0 and RESIDENT in opened.stdout and shipment["tracking_number"] in opened.stdout
    wrong = _sigilo("identity", "open", "--keys", str(office), str(out), env=dict(env, SIGILO_PASSPHRASE="wrong one!"))
    assert wrong.returncode == 23 and RESIDENT not in wrong.stdout
    purge = _sigilo("identity", "purge", "--days", "0", env=env)
    assert purge.returncode == 0 and "1 record(s)" in purge.stdout
    verify = _sigilo("audit", "verify", env=env)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    for path in [p for p in sigilo_home.rglob("*") if p.is_file()] + [out]:
        data = path.read_bytes()
        assert RESIDENT.encode() not in data and "王小明".encode() not in data, path
