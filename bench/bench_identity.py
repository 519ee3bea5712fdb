"""Real-name sending benchmark: what recording a sender costs at the counter, and what the
check before printing adds to a label.

* record = ``IdentityBook.enter`` (validate, CBOR, pad, HPKE seal to the identity key, keyed
  hash, masked view, one SQLite transaction with its audit entry), against the bare HPKE seal
  + HMAC of the same size measured in the same run;
* a card read over a socat pty against the simulated reader (find, select, read 1,288 bytes);
* the check before printing, per label, where a record is required and where none is.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import median_seconds, table  # noqa: E402


def bench() -> str:
    import hashlib
    import hmac
    import os

    from cryptography.hazmat.primitives.asymmetric import x25519

    tmp = Path(tempfile.mkdtemp(prefix="sigilo-bench-identity-"))
    os.environ["SIGILO_HOME"] = str(tmp / "home")
    from desktop.identity.book import IdentityBook
    from desktop.identity.gate import before_print
    from desktop.identity.keys import create_identity, import_enrolment
    from desktop.identity.reader.client import IdCardReader
    from desktop.identity.reader.simulator import SimulatedIdReader
    from desktop.seal.suite import SUITE
    from desktop.shipment import Shipment
    from desktop.store import open_store

    create_identity(tmp / "office", None, demo=True)
    import_enrolment(tmp / "keys", tmp / "office" / "identity-enrol.json")
    store = open_store(tmp / "home")
    store.set_setting("identity.station_kind", "counter")
    book = IdentityBook(store, tmp / "keys")
    data = {"id_type": "cn_resident", "number": "11010519491231002X", "name": "欧阳明月", "method": "card"}
    record_s = median_seconds(lambda: book.enter(data), runs=5, inner=40)
    pub = x25519.X25519PrivateKey.generate().public_key()
    secret = os.urandom(32)
    bare_s = median_seconds(lambda: (SUITE.encrypt(b"\0" * 128, pub, info=b"x" * 60),
                                     hmac.new(secret, b"cn_resident\x0011010519491231002X", hashlib.sha256).digest()),
                            runs=5, inner=200)
    entered = book.enter(data)
    person = Shipment.from_dict({"tracking_number": "SG7700000001", "sender": {"name": "欧阳明月", "country": "CN"},
                                 "parcel": {"weight_kg": 1.2}})
    required_s = median_seconds(lambda: before_print(store, [person], entered.record_id, tmp / "keys"), runs=5, inner=40)
    store.set_setting("identity.station_kind", "")
    free_s = median_seconds(lambda: before_print(store, [person], None, tmp / "keys"), runs=5, inner=200)
    with SimulatedIdReader(tmp / "reader") as sim:
        sim.place("zhou")
        with IdCardReader(sim.uri) as reader:
            reader.read_card()
            reads = []
            for _ in range(15):
                t0 = time.perf_counter()
                reader.read_card()
                reads.append(time.perf_counter() - t0)
    reads.sort()
    read_s = reads[len(reads) // 2]
    store.close()
    rows = [
        ["record a sender (validate, seal, hash, store, audit)", f"{record_s * 1000:.2f} ms",
         f"{record_s / bare_s:.1f}x the bare HPKE seal + HMAC ({bare_s * 1000:.3f} ms)"],
        ["card read over a pty: find, select, read (1,288-byte reply)", f"{read_s * 1000:.1f} ms",
         "a real reader adds its chip time (about 1 s)"],
        ["check before printing, record required (lookup + use row)", f"{required_s * 1000:.2f} ms", "per label"],
        ["check before printing, station without real-name rules", f"{free_s * 1000:.3f} ms", "per label"],
    ]
    return ("Demo identity keys (no scrypt at each record: the hash secret is opened once per book). "
            "Medians.\n\n" + table(["step", "median", "note"], rows))


if __name__ == "__main__":
    print(bench())
