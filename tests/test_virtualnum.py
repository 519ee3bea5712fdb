"""Virtual numbers: unique extensions among active ones, the real phone encrypted at rest,
resolved only for authorized roles (audited), expiry after delivery, and a carrier AXB
provider plugged in through the interface (mocked here: no carrier API is reachable)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from desktop.audit import AuditLog
from desktop.masking.view import MaskedParty, MaskedView
from desktop.operators import Operators, PermissionDenied
from desktop.shipment import Shipment
from desktop.store import open_store
from desktop.virtualnum import (
    BuiltinProvider,
    CarrierProvider,
    ProviderError,
    VirtualNumbers,
    with_virtual_phone,
)


class Clock:
    t = 2_000_000.0

    def __call__(self):
        return self.t


def ship(i, phone="13800138000"):
    return Shipment.from_dict({"tracking_number": f"SG{i:010d}", "recipient": {"name": "王芳", "phone": phone}})


@pytest.fixture
def people():
    ops = Operators(open_store(), hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))
    return ops.add("c", "password1", "clerk"), ops.add("s", "password2", "supervisor")


def test_allocation_is_unique_and_stable(sigilo_home):
    store = open_store()
    store.set_setting("virtualnum.hotline", "95013")
    store.set_setting("virtualnum.digits", 2)  # 100 extensions: collisions are certain to be tried
    vn = VirtualNumbers(store)
    numbers = [vn.allocate(ship(i)) for i in range(100)]
    assert len({n.display for n in numbers}) == 100
    assert all(n.display.startswith("95013-") and len(n.extension) == 2 for n in numbers)
    assert vn.allocate(ship(5)).display == numbers[5].display  # a reprint shows the same number
    with pytest.raises(ProviderError, match="in use"):
        vn.allocate(ship(100))


def test_real_number_encrypted_and_resolved_only_for_authorized_roles(sigilo_home, people):
    clerk, sup = people
    store = open_store()
    vn = VirtualNumbers(store)
    number = vn.allocate(ship(1, "13912345678"))
    store.close()
    raw = b"".join(p.read_bytes() for p in sigilo_home.glob("sigilo.db*"))
    assert b"13912345678" not in raw and "13912345678".encode("utf-16-le") not in raw
    store = open_store()
    vn = VirtualNumbers(store)
    with pytest.raises(PermissionDenied):
        vn.resolve(number.display, clerk)
    assert vn.resolve(number.display, sup, reason="courier cannot reach") == "13912345678"
    resolves = AuditLog(store).entries(action="resolve")
    assert [(e.actor, e.details["granted"]) for e in resolves] == [("c", False), ("s", True)]
    assert all("13912345678" not in str(e.details) for e in resolves)


def test_expiry_after_delivery_frees_the_extension(people):
    _, sup = people
    clock = Clock()
    store = open_store()
    store.set_setting("virtualnum.expiry_days", 3)
    vn = VirtualNumbers(store, clock=clock)
    number = vn.allocate(ship(1))
    vn.mark_delivered("SG0000000001")
    clock.t += 2 * 86400
    assert vn.purge_expired() == 0 and vn.resolve(number.display, sup) == "13800138000"
    clock.t += 1.01 * 86400
    assert vn.purge_expired() == 1
    assert vn.get("SG0000000001").state == "expired"
    assert store.query("SELECT length(phone) FROM virtual_numbers")[0][0] == 0
    with pytest.raises(Exception, match="not an active virtual number"):
        vn.resolve(number.display, sup)


def test_with_virtual_phone_replaces_only_the_recipient_phone():
    party = MaskedParty("张**", "*******8000", "北京市 朝阳区", "建国路", "100000", "CN")
    view = MaskedView(party, party, "cn-default")
    out = with_virtual_phone(view, "95013-0042")
    assert out.recipient.phone == "95013-0042" and out.sender.phone == "*******8000"
    assert out.recipient.name == "张**" and out.policy == "cn-default"


class MockCarrier(CarrierProvider):
    """Stands in for a carrier's AXB HTTP API (none can be reached from here)."""

    name = "mockcarrier"

    def __init__(self, fail=False):
        self.bound, self.unbound, self.fail = {}, [], fail

    def bind(self, tracking_number, real_phone, expires_at):
        if self.fail:
            raise ConnectionError("carrier down")
        ref = f"b{len(self.bound)}"
        self.bound[ref] = real_phone
        return {"number": "17100001111", "extension": f"{len(self.bound):03d}", "id": ref}

    def unbind(self, reference):
        self.unbound.append(reference)


def test_carrier_provider_binds_and_releases():
    carrier = MockCarrier()
    store = open_store()
    vn = VirtualNumbers(store, provider=carrier)
    number = vn.allocate(ship(1, "13700000000"))
    assert number.display == "17100001111-001" and carrier.bound == {"b0": "13700000000"}
    vn.mark_delivered("SG0000000001")
    vn.clock = lambda: 10 ** 12
    assert vn.purge_expired() == 1 and carrier.unbound == ["b0"]
    with pytest.raises(ProviderError, match="masked phone"):
        VirtualNumbers(store, provider=MockCarrier(fail=True)).allocate(ship(2))


def test_builtin_provider_is_offline_and_configurable():
    taken = set()
    p = BuiltinProvider("400800", digits=3)
    for _ in range(50):
        b = p.allocate("T", "1", None, lambda h, e: (h, e) in taken)
        assert b.hotline == "400800" and (b.hotline, b.extension) not in taken
        taken.add((b.hotline, b.extension))


def test_labels_show_the_virtual_number_instead_of_the_phone(sample_shipments, tmp_path):
    from desktop.jobs import PrintQueue
    from desktop.jobs.render import compose_renderer
    from desktop.seal import Sealer, ensure_demo_keys
    from desktop.validation import validate
    from printers.simulator import SimulatedPrinter

    keys = tmp_path / "keys"
    ensure_demo_keys(keys)
    shipment = validate(sample_shipments[3]).shipment
    store = open_store()
    vn = VirtualNumbers(store)
    sim = SimulatedPrinter("tspl", baud=None, seconds_per_label=0.0, mem="virtual-label").start()
    try:
        with PrintQueue(store, compose_renderer(Sealer.from_keys_dir(keys), virtual_numbers=vn),
                        poll_interval=0.002) as q:
            assert q.wait(q.submit(sim.uri, "tspl-203-cn", [shipment]), timeout=60).count("confirmed") == 1
    finally:
        sim.stop()
    number = vn.get(shipment.tracking_number)
    stored = store.query("SELECT masked FROM labels")[0][0]
    assert f'"phone": "{number.display}"' in stored
    assert number.display.encode() in sim.labels[0]
    from desktop.masking import mask

    assert mask(shipment).recipient.phone.encode() not in sim.labels[0]  # the masked phone gave way


def test_sigilo_print_virtual_numbers(sample_shipments, tmp_path, capsys):
    """``sigilo print --virtual-numbers``: the printed label shows hotline-extension, the store
    keeps the real number only encrypted, and a supervisor resolves it (audited)."""
    import json as _json

    from desktop.cli import main
    from desktop.masking import mask
    from desktop.seal import ensure_demo_keys
    from desktop.validation import validate
    from printers.simulator import SimulatedPrinter

    keys = tmp_path / "keys"
    ensure_demo_keys(keys)
    orders = tmp_path / "orders.json"
    orders.write_text(_json.dumps(sample_shipments[3], ensure_ascii=False), encoding="utf-8")
    shipment = validate(sample_shipments[3]).shipment
    sim = SimulatedPrinter("tspl", baud=None, seconds_per_label=0.0, pty=tmp_path / "printer").start()
    try:
        assert main(["print", str(orders), "--printer", sim.uri, "--profile", "tspl-203-cn", "--keys", str(keys),
                     "--virtual-numbers"]) == 0
    finally:
        sim.stop()
    store = open_store()
    number = VirtualNumbers(store).get(shipment.tracking_number)
    assert number.display.encode() in sim.labels[0]
    assert mask(shipment).recipient.phone.encode() not in sim.labels[0]
    assert main(["print", str(orders), "--printer", "file:///dev/null", "--format", "pdf", "--keys", str(keys),
                 "--virtual-numbers"]) == 1
    assert "print queue only" in capsys.readouterr().err
