"""The watch list: identities the compliance office asks stations to flag, distributed as keyed
hashes (never numbers) and signed with the office's identity signing key (Ed25519).

File ``sigilo-identity-watchlist-1``: serial, issue time, the hash secret's id, entries
``{"hash", "note"}`` and a signature over the canonical JSON of everything else. A station
installs a list only if the signature verifies against its identity.pub and the serial is not
lower than the highest it accepted (desktop.keys.highwater, kind "identity-watch"); the list
replaces the previous one.
"""

from __future__ import annotations

from desktop.i18n import _

import json
import time
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from desktop.identity.errors import IdentityError
from desktop.identity.keys import KeyedHash
from desktop.identity.record import require_identity

WATCH_FORMAT = "sigilo-identity-watchlist-1"


class WatchListError(IdentityError):
    exit_code = 50


def _canonical(doc: dict) -> bytes:
    body = {k: v for k, v in doc.items() if k != "signature"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def build(entries: list[tuple[str, str, str]], hasher: KeyedHash, signer, serial: int, hash_key_id: str) -> dict:
    """entries: (id_type, number, note). Numbers are validated, then only their hashes kept."""
    out = []
    for i, (id_type, number, note) in enumerate(entries, start=1):
        try:
            record = require_identity({"id_type": id_type, "number": number, "name": "-"})
        except IdentityError as exc:
            raise WatchListError(_("watch list line {i}: {message}").format(i=i, message=exc.message), exc.hint) from None
        out.append({"hash": hasher.of(record.holder.id_type, record.holder.number), "note": note})
    doc = {"format": WATCH_FORMAT, "serial": int(serial), "issued_at": int(time.time()), "hash_key_id": hash_key_id,
           "entries": sorted(out, key=lambda e: e["hash"])}
    doc["signature"] = signer.sign(_canonical(doc)).hex()
    return doc


def install(store, path: Path, sign_public_raw: bytes) -> int:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or doc.get("format") != WATCH_FORMAT:
            raise ValueError("format")
        ed25519.Ed25519PublicKey.from_public_bytes(sign_public_raw).verify(bytes.fromhex(doc["signature"]),
                                                                           _canonical(doc))
        entries = [(str(e["hash"]), str(e.get("note", ""))) for e in doc["entries"]]
        serial = int(doc["serial"])
    except InvalidSignature:
        raise WatchListError(_("the watch list {path} is not signed by this station's compliance office").format(path=path),
                             _("import only the list the compliance office sent")) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise WatchListError(_("{path} is not a readable watch list ({kind})").format(path=path, kind=exc.__class__.__name__),
                             _("ask the compliance office for the file again")) from None
    from desktop.audit import AuditLog
    from desktop.keys.highwater import FILE_NAME, HighWater, ListRollback
    from desktop.keys.ids import key_id

    try:  # trust moves forward only: the highest serial accepted is remembered apart from the list
        HighWater(Path(store.home) / FILE_NAME).accept("identity-watch", key_id(sign_public_raw).hex(), serial,
                                                       what="watch list")
    except ListRollback as exc:
        raise WatchListError(exc.message, exc.hint) from None

    with store.tx() as c:
        c.execute("DELETE FROM identity_watch")
        c.executemany("INSERT OR REPLACE INTO identity_watch(id_hash, note) VALUES(?, ?)", entries)
        AuditLog(store).append("cli", "identity", "watch list", {"op": "watchlist", "serial": serial,
                                                                 "entries": len(entries)}, conn=c)
    return len(entries)
