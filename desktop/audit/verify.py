"""Checking the audit chain: every problem is reported by seq with what is wrong.

The stored hashes find edits; the links find deletions; the station's signature on each
entry's (seq, hash) finds rewrites with recomputed hashes, moved entries (whose content
still matches the hash signed for another seq) and inserted ones (signed by nobody).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature

from desktop.i18n import _
from desktop.audit.log import GENESIS, entry_hash, head_message
from desktop.audit.signing import AUDIT_KEY_FILE, key_id, read_audit_public
from desktop.store.db import Store


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str  # edited | deleted | moved | inserted | rewritten | broken-link | bad-signature |
    #          bad-anchor | unanchored | unchecked-anchor | no-key | emptied | truncated
    message: str

    def __str__(self) -> str:
        return f"seq {self.seq}: {self.kind}: {self.message}"


def verify_chain(store: Store, public_key: bytes | None = None,
                 station_public: bytes | None = None) -> tuple[int, list[Problem]]:
    """Return (entries checked, problems). No problems means the chain is intact.

    ``public_key`` (32 raw bytes): check the signatures against a key the auditor kept apart
    (``sigilo audit key``), so replacing the key file and re-signing is found too.
    ``station_public``: the station's seal key, to check the heads it countersigned
    (desktop.audit.anchor) - a re-signed chain then fails without any key kept apart."""
    problems: list[Problem] = []
    if public_key is not None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        public = Ed25519PublicKey.from_public_bytes(public_key)
    else:
        public = read_audit_public(store.home)  # never created here: a missing key is a finding
        if public is None:
            problems.append(Problem(0, "no-key", _("the audit key {value} is missing or unreadable, so no signature can be checked (give --public-key HEX as recorded by the auditor)").format(value=store.home / AUDIT_KEY_FILE)))
    our_id = key_id(public) if public is not None else None
    heads_by_seq: dict[int, str] = {}
    seq_by_hash: dict[str, int] = {}
    for h in store.query("SELECT seq, hash, key_id, signature FROM audit_heads ORDER BY id"):
        if public is None:  # links and hashes are still checked against the heads as stored
            heads_by_seq[h["seq"]] = h["hash"]
            seq_by_hash[h["hash"]] = h["seq"]
            continue
        try:
            if h["key_id"] != our_id:
                raise InvalidSignature
            public.verify(bytes.fromhex(h["signature"]), head_message(h["seq"], h["hash"]))
        except (InvalidSignature, ValueError):
            problems.append(Problem(h["seq"], "bad-signature",
                                    _("the head signature does not verify with this station's audit key")))
            continue
        heads_by_seq[h["seq"]] = h["hash"]
        seq_by_hash[h["hash"]] = h["seq"]

    rows = store.query("SELECT * FROM audit ORDER BY seq")
    stored_hashes = {r["hash"] for r in rows}
    prev_hash, prev_seq = GENESIS, 0
    for r in rows:
        seq = r["seq"]
        if seq > prev_seq + 1:
            text = (_("entry {first} is missing") if seq == prev_seq + 2 else _("entries {first}..{last} are missing"))
            problems.append(Problem(prev_seq + 1, "deleted", text.format(first=prev_seq + 1, last=seq - 1)))
        fields = (r["time"], r["actor"], r["action"], r["subject"], r["details"], r["prev_hash"])
        computed = entry_hash(seq, *fields)
        if computed != r["hash"]:
            original = seq_by_hash.get(r["hash"])
            if original is not None and original != seq and entry_hash(original, *fields) == r["hash"]:
                problems.append(Problem(seq, "moved", _("this entry was signed as seq {original} (entries reordered)").format(original=original)))
            else:
                problems.append(Problem(seq, "edited", _("the content does not match its hash")))
        else:
            signed = heads_by_seq.get(seq)
            if signed is None:
                problems.append(Problem(seq, "inserted", _("no station signature covers this entry")))
            elif signed != r["hash"]:
                if signed in stored_hashes:  # the entry signed for this seq still exists elsewhere
                    problems.append(Problem(seq, "inserted", _("an entry the station never signed was put here")))
                else:
                    problems.append(Problem(seq, "rewritten", _("its hash differs from the one the station signed "
                                                                "(content changed and hashes recomputed)")))
        flagged = {p.seq for p in problems}
        if r["prev_hash"] != prev_hash and seq == prev_seq + 1 and not flagged & {seq, prev_seq}:
            problems.append(Problem(seq, "broken-link", _("it does not link to the entry before it")))
        prev_hash, prev_seq = r["hash"], seq
    if heads_by_seq:
        last_signed = max(heads_by_seq)
        if last_signed > prev_seq:
            text = (_("entry {first} was signed by the station but is missing") if last_signed == prev_seq + 1
                    else _("entries {first}..{last} were signed by the station but are missing"))
            problems.append(Problem(prev_seq + 1, "deleted", text.format(first=prev_seq + 1, last=last_signed)))
    from desktop.audit.anchor import check_anchors

    problems += check_anchors(store, station_public)
    problems += check_length(store, len(rows), public is not None)
    problems.sort(key=lambda p: (p.seq, p.kind))
    return len(rows), problems


def check_length(store: Store, entries: int, key_exists: bool) -> list[Problem]:
    """What the chain cannot see in itself: entries deleted from the end together with their
    signed heads and anchors, or all of them. The labels table and the audit key are the
    witnesses: every printed label (confirmed or later voided) has a "print" entry, and the
    audit key is created by the first entry ever written."""
    problems: list[Problem] = []
    printed = store.query("SELECT COUNT(*) AS n FROM labels WHERE state IN ('confirmed', 'voided')")[0]["n"]
    prints = store.query("SELECT COUNT(*) AS n FROM audit WHERE action = 'print'")[0]["n"]
    if entries == 0 and (key_exists or printed):
        problems.append(Problem(0, "emptied", _("the audit holds no entry, yet the store holds {printed} printed "
                                                "label(s): it was wiped").format(printed=printed) if printed
                                else _("the audit holds no entry, yet its signing key exists, so entries were "
                                       "written: it was wiped")))
    elif prints < printed:
        problems.append(Problem(entries + 1, "truncated", _("the store holds {printed} printed label(s) but the audit "
                                                            "records only {prints} print(s): entries were deleted").format(
                                                                printed=printed, prints=prints)))
    return problems
