"""Pairing: a page asks, an operator approves a short code, the page's token works from its
origin only.

A page's ``pair`` request gets a code and a token at once. The token does nothing until an
operator approves the code (in the window, or ``sigilo bridge approve CODE``) after checking
that the page shows the same code and that the origin is the shop's; it never works from
another origin. The station keeps only the token's SHA-256 (a token is 256 random bits, so a
plain hash is as strong as a slow one). Decisions are audited.
"""

from __future__ import annotations

from desktop.i18n import _

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from desktop.bridge.errors import BridgeError, BridgeRefusal
from desktop.store.db import Store

PENDING, APPROVED, REFUSED, REVOKED = "pending", "approved", "refused", "revoked"
PENDING_SECONDS = 15 * 60  # an unapproved code lapses after this
MAX_PENDING_PER_ORIGIN = 5  # a page cannot flood the operator's list

_ORIGIN = re.compile(r"^(https?)://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$", re.IGNORECASE)


@dataclass(frozen=True)
class Pending:
    code: str
    origin: str
    name: str
    created_at: float


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_origin(origin: str | None) -> str:
    """The Origin header as the bridge binds tokens to it (scheme://host[:port], lower case)."""
    if not origin:
        raise BridgeRefusal("NO_ORIGIN", "the connection has no Origin header; open the bridge from a web page "
                            "served over http(s), or send an Origin header from a back-end client")
    origin = origin.strip()
    if len(origin) > 200 or not _ORIGIN.match(origin):
        raise BridgeRefusal("NO_ORIGIN", "the connection's Origin is not an http(s) origin (a page opened from a "
                            "file has origin null); serve the page over http(s)")
    return origin.lower()


def clean_name(name: object) -> str:
    text = name if isinstance(name, str) else ""
    text = "".join(ch for ch in text if ch.isprintable())
    return text.strip()[:80]


class Pairings:
    def __init__(self, store: Store) -> None:
        self.store = store

    # --- the page's side --------------------------------------------------------------
    def request(self, origin: str, name: str) -> tuple[str, str]:
        """A new pending pairing: (code shown to both, token for the page)."""
        now = time.time()
        with self.store.tx() as c:
            self._expire(c, now)
            waiting = c.execute("SELECT COUNT(*) FROM bridge_pairings WHERE origin=? AND state=?",
                                (origin, PENDING)).fetchone()[0]
            if waiting >= MAX_PENDING_PER_ORIGIN:
                raise BridgeRefusal("PAIRING_PENDING", "this origin already has pairings waiting for approval; "
                                    "ask the operator to approve or refuse them")
            taken = {r[0] for r in c.execute("SELECT code FROM bridge_pairings WHERE state=?", (PENDING,))}
            code = _new_code(taken)
            token = "sgb_" + secrets.token_urlsafe(32)
            c.execute("INSERT INTO bridge_pairings(origin, name, code, token_hash, state, created_at) "
                      "VALUES(?,?,?,?,?,?)", (origin, name, code, token_hash(token), PENDING, now))
        return code, token

    def check(self, origin: str, token: object) -> None:
        """Nothing when ``token`` is an approved token of ``origin``; else the refusal."""
        if not isinstance(token, str) or not token:
            raise BridgeRefusal("NOT_PAIRED", "the request carries no token; pair first (cmd \"pair\")", "token")
        rows = self.store.query("SELECT origin, state, created_at FROM bridge_pairings WHERE token_hash=?",
                                (token_hash(token),))
        if not rows:
            raise BridgeRefusal("BAD_TOKEN", "this token was not issued by this station; pair again", "token")
        row = rows[0]
        if row["origin"] != origin:
            raise BridgeRefusal("ORIGIN_MISMATCH", "this token belongs to another origin than this page's", "token")
        state = row["state"]
        if state == PENDING and time.time() - row["created_at"] > PENDING_SECONDS:
            state = REFUSED
        if state == PENDING:
            raise BridgeRefusal("PAIRING_PENDING", "the pairing waits for an operator to approve its code")
        if state == REVOKED:
            raise BridgeRefusal("TOKEN_REVOKED", "an operator revoked this page's pairing; pair again", "token")
        if state == REFUSED:
            raise BridgeRefusal("PAIRING_REFUSED", "the pairing was refused or lapsed unapproved; pair again", "token")

    def state_of(self, token: str) -> str:
        rows = self.store.query("SELECT state FROM bridge_pairings WHERE token_hash=?", (token_hash(token),))
        return rows[0][0] if rows else ""

    # --- the operator's side ----------------------------------------------------------
    def pending(self) -> list[Pending]:
        cutoff = time.time() - PENDING_SECONDS
        rows = self.store.query("SELECT code, origin, name, created_at FROM bridge_pairings "
                                "WHERE state=? AND created_at>=? ORDER BY created_at", (PENDING, cutoff))
        return [Pending(r["code"], r["origin"], r["name"], r["created_at"]) for r in rows]

    def approved_origins(self) -> list[tuple[str, int, float]]:
        """(origin, tokens, last approval time) of every origin with a working token."""
        rows = self.store.query("SELECT origin, COUNT(*) AS n, MAX(decided_at) AS t FROM bridge_pairings "
                                "WHERE state=? GROUP BY origin ORDER BY origin", (APPROVED,))
        return [(r["origin"], r["n"], r["t"]) for r in rows]

    def approve(self, code: str, actor: str) -> Pending:
        return self._decide(code, APPROVED, actor)

    def refuse(self, code: str, actor: str) -> Pending:
        return self._decide(code, REFUSED, actor)

    def _decide(self, code: str, state: str, actor: str) -> Pending:
        from desktop.audit.log import AuditLog

        wanted = normalise_code(code)
        now = time.time()
        with self.store.tx() as c:
            self._expire(c, now)
            row = c.execute("SELECT id, code, origin, name, created_at FROM bridge_pairings WHERE code=? AND state=?",
                            (wanted, PENDING)).fetchone()
            if row is None:
                raise BridgeError(_("no pairing is waiting with the code {code}").format(code=code),
                                  _("check the code the page shows (sigilo bridge pending lists them); "
                                  "codes lapse after 15 minutes, then the page pairs again"))
            c.execute("UPDATE bridge_pairings SET state=?, decided_at=?, decided_by=? WHERE id=?",
                      (state, now, actor, row["id"]))
            AuditLog(self.store).append(actor, "bridge", row["origin"],
                                        {"pairing": state, "code": row["code"], "name": row["name"]}, conn=c)
        return Pending(row["code"], row["origin"], row["name"], row["created_at"])

    def revoke(self, origin: str, actor: str) -> int:
        """Every token of ``origin`` stops working at once; returns how many."""
        from desktop.audit.log import AuditLog

        wanted = origin.strip().lower().rstrip("/")
        now = time.time()
        with self.store.tx() as c:
            n = c.execute("UPDATE bridge_pairings SET state=?, decided_at=?, decided_by=? "
                          "WHERE origin=? AND state IN (?, ?)", (REVOKED, now, actor, wanted, APPROVED, PENDING)).rowcount
            if n == 0:
                raise BridgeError(_("{origin} has no pairing to revoke").format(origin=origin),
                                  _("sigilo bridge list shows the paired origins as they are written (scheme://host:port)"))
            AuditLog(self.store).append(actor, "bridge", wanted, {"pairing": REVOKED, "tokens": n}, conn=c)
        return n

    @staticmethod
    def _expire(c, now: float) -> None:
        c.execute("UPDATE bridge_pairings SET state=?, decided_at=?, decided_by='lapsed' "
                  "WHERE state=? AND created_at<?", (REFUSED, now, PENDING, now - PENDING_SECONDS))


def normalise_code(code: str) -> str:
    digits = "".join(ch for ch in str(code) if ch.isdigit())
    return f"{digits[:3]}-{digits[3:]}" if len(digits) == 6 else str(code).strip()


def _new_code(taken: set[str]) -> str:
    while True:
        n = secrets.randbelow(1_000_000)
        code = f"{n // 1000:03d}-{n % 1000:03d}"
        if code not in taken:
            return code
