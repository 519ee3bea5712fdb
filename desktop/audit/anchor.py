"""The station's seal key countersigns the audit chain's head whenever it is unlocked.

Every entry is signed at once with the audit key (a 0600 file beside the store, no passphrase:
logins and scans must be audited while nobody has unlocked anything). That file can be copied
by whoever can copy the database, who could then rewrite the chain and re-sign it. The seal
key is passphrase-protected and on the fleet's trust list, so when a print run has unlocked it
the station also signs (station id, seq, head hash): an anchor nobody without the passphrase
can forge. ``sigilo audit verify --keys DIR`` checks each anchor against the station's public
key and that the chain still holds the anchored head. What it cannot find from the store alone
is an anchor deleted outright: verify says how many heads are anchored, and the newest, so an
auditor who noted them sees one go missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from desktop.i18n import _
from desktop.store.db import Store


def anchor_message(station_id: str, seq: int, hash_: str) -> bytes:
    return f"sigilo-audit-anchor\x00{station_id}\x00{seq}\x00{hash_}".encode()


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    station_id: str
    public_key: str
    signature: str
    time: str


def anchor_head(store: Store, sealer) -> Anchor | None:
    """Countersign the current head with the unlocked station key (a Sealer); None when the
    chain is empty or its head is already anchored."""
    private = sealer.station_private
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    with store.tx() as c:
        row = c.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        if row is None:
            return None
        done = c.execute("SELECT 1 FROM audit_anchors WHERE seq=? AND hash=? AND public_key=?",
                         (row[0], row[1], public)).fetchone()
        if done:
            return None
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        anchor = Anchor(row[0], row[1], sealer.station_id, public,
                        private.sign(anchor_message(sealer.station_id, row[0], row[1])).hex(), now)
        c.execute("INSERT INTO audit_anchors(seq, hash, station_id, public_key, signature, time) VALUES(?,?,?,?,?,?)",
                  (anchor.seq, anchor.hash, anchor.station_id, anchor.public_key, anchor.signature, anchor.time))
    return anchor


def anchors(store: Store) -> list[Anchor]:
    return [Anchor(r["seq"], r["hash"], r["station_id"], r["public_key"], r["signature"], r["time"])
            for r in store.query("SELECT * FROM audit_anchors ORDER BY id")]


def check_anchors(store: Store, station_public: bytes | None = None) -> list:
    """Problems with the anchors: a signature that does not verify (with ``station_public``,
    the station's key from its keys folder, when given; else with the key the anchor names),
    or an anchored head the chain no longer holds."""
    from desktop.audit.verify import Problem

    problems = []
    hashes = {r[0]: r[1] for r in store.query("SELECT seq, hash FROM audit")}
    for a in anchors(store):
        try:
            key = station_public if station_public is not None else bytes.fromhex(a.public_key)
            Ed25519PublicKey.from_public_bytes(key).verify(bytes.fromhex(a.signature),
                                                           anchor_message(a.station_id, a.seq, a.hash))
        except (InvalidSignature, ValueError):
            text = (_("the anchor of {time} is not signed by this station's seal key") if station_public is not None
                    else _("the anchor of {time} is not signed by the key it names"))
            problems.append(Problem(a.seq, "bad-anchor", text.format(time=a.time)))
            continue
        if hashes.get(a.seq) != a.hash:
            problems.append(Problem(a.seq, "unanchored", _("the station's seal key signed this entry's hash on {time} "
                                                           "and the chain no longer has it (rewritten and re-signed?)").format(
                time=a.time)))
    return problems
