"""Operator accounts in the store.

Passwords are hashed with argon2id (argon2-cffi's PasswordHasher). Failed logins are counted
in the store, so restarting Sigilo does not reset them: each failure doubles the wait before
the next attempt, and after ``max_failures`` the account is blocked for ``lockout_minutes``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from desktop.audit.log import AuditLog
from desktop.errors import SigiloError
from desktop.operators.roles import ROLES, has_permission
from desktop.store.db import Store
from desktop.i18n import _


class OperatorError(SigiloError):
    pass


class BadCredentials(OperatorError):
    def __init__(self) -> None:
        super().__init__(_("wrong user name or password"), _("check the keyboard layout and Caps Lock"))


class LoginThrottled(OperatorError):
    def __init__(self, username: str, wait: float) -> None:
        super().__init__(_("too many failed sign-ins for {username}; wait {int} s").format(username=username, int=int(wait + 0.999)),
                         _("a supervisor can reset the password with `sigilo users passwd`"))
        self.wait = wait


class PermissionDenied(OperatorError):
    pass


@dataclass(frozen=True)
class Operator:
    username: str
    role: str
    disabled: bool
    failed_logins: int
    blocked_until: float
    created_at: str

    def can(self, permission: str) -> bool:
        return not self.disabled and has_permission(self.role, permission)


class Operators:
    def __init__(self, store: Store, audit: AuditLog | None = None, clock: Callable[[], float] = time.time,
                 hasher: PasswordHasher | None = None) -> None:
        self.store = store
        self.audit = audit or AuditLog(store)
        self.clock = clock
        self.hasher = hasher or PasswordHasher()  # argon2id, RFC 9106 low-memory profile

    # settings with defaults
    @property
    def max_failures(self) -> int:
        return int(self.store.get_setting("login.max_failures", 5))

    @property
    def lockout_seconds(self) -> float:
        return float(self.store.get_setting("login.lockout_minutes", 15)) * 60

    @property
    def base_delay(self) -> float:
        return float(self.store.get_setting("login.base_delay_seconds", 1.0))

    def _row(self, username: str):
        rows = self.store.query("SELECT * FROM operators WHERE username=?", (username,))
        return rows[0] if rows else None

    @staticmethod
    def _operator(row) -> Operator:
        return Operator(row["username"], row["role"], bool(row["disabled"]), row["failed_logins"],
                        row["blocked_until"], row["created_at"])

    def get(self, username: str) -> Operator | None:
        row = self._row(username)
        return self._operator(row) if row else None

    def list(self) -> list[Operator]:
        return [self._operator(r) for r in self.store.query("SELECT * FROM operators ORDER BY username")]

    def add(self, username: str, password: str, role: str, actor: str = "system") -> Operator:
        username = username.strip()
        if not username:
            raise OperatorError(_("a user name is required"), _("give one with --name"))
        if role not in ROLES:
            raise OperatorError(_("unknown role {role!r}").format(role=role), _("use one of: {choices}").format(choices=", ".join(sorted(ROLES))))
        if len(password) < 6:
            raise OperatorError(_("the password is too short"), _("use at least 6 characters"))
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.store.tx() as c:
            if c.execute("SELECT 1 FROM operators WHERE username=?", (username,)).fetchone():
                raise OperatorError(_("the user {username} exists").format(username=username), _("pick another name or use `sigilo users passwd`"))
            c.execute("INSERT INTO operators(username, role, password_hash, created_at) VALUES(?,?,?,?)",
                      (username, role, self.hasher.hash(password), now))
            self.audit.append(actor, "user", username, {"change": "add", "role": role}, conn=c)
        return self.get(username)

    def set_password(self, username: str, password: str, actor: str = "system") -> None:
        if len(password) < 6:
            raise OperatorError(_("the password is too short"), _("use at least 6 characters"))
        with self.store.tx() as c:
            cur = c.execute("UPDATE operators SET password_hash=?, failed_logins=0, blocked_until=0 WHERE username=?",
                            (self.hasher.hash(password), username))
            if cur.rowcount == 0:
                raise OperatorError(_("no user {username}").format(username=username), _("list users with `sigilo users list`"))
            self.audit.append(actor, "user", username, {"change": "password"}, conn=c)

    def set_disabled(self, username: str, disabled: bool = True, actor: str = "system") -> None:
        with self.store.tx() as c:
            cur = c.execute("UPDATE operators SET disabled=? WHERE username=?", (int(disabled), username))
            if cur.rowcount == 0:
                raise OperatorError(_("no user {username}").format(username=username), _("list users with `sigilo users list`"))
            self.audit.append(actor, "user", username, {"change": "disable" if disabled else "enable"}, conn=c)

    def authenticate(self, username: str, password: str, purpose: str = "login") -> Operator:
        """Check a password; throttled and audited. ``purpose`` is "login" or an approval."""
        now = self.clock()
        row = self._row(username)
        if row is not None and row["blocked_until"] > now:
            self.audit.append(username, "login_failed", username, {"purpose": purpose, "why": "throttled"})
            raise LoginThrottled(username, row["blocked_until"] - now)
        ok = False
        if row is not None and not row["disabled"]:
            try:
                ok = self.hasher.verify(row["password_hash"], password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                ok = False
        else:
            try:  # spend the same time for unknown users, so names cannot be probed by timing
                self.hasher.verify(self._dummy_hash(), password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                pass
        with self.store.tx() as c:
            if ok:
                rehash = self.hasher.check_needs_rehash(row["password_hash"])
                c.execute("UPDATE operators SET failed_logins=0, blocked_until=0" +
                          (", password_hash=?" if rehash else "") + " WHERE username=?",
                          ((self.hasher.hash(password), username) if rehash else (username,)))
                self.audit.append(username, "login", username, {"purpose": purpose, "role": row["role"]}, conn=c)
            else:
                if row is not None:
                    failures = row["failed_logins"] + 1
                    if failures >= self.max_failures:
                        blocked = now + self.lockout_seconds
                    else:
                        blocked = now + self.base_delay * 2 ** (failures - 1)
                    c.execute("UPDATE operators SET failed_logins=?, blocked_until=? WHERE username=?",
                              (failures, blocked, username))
                why = "disabled" if row is not None and row["disabled"] else "bad credentials"
                self.audit.append(username or "?", "login_failed", username or "?", {"purpose": purpose, "why": why}, conn=c)
        if not ok:
            raise BadCredentials()
        return self.get(username)

    _DUMMY: str | None = None

    def _dummy_hash(self) -> str:
        if Operators._DUMMY is None:
            Operators._DUMMY = self.hasher.hash("sigilo-no-such-user")
        return Operators._DUMMY

    def approve(self, permission: str, username: str, password: str, action_subject: str = "") -> Operator:
        """A second person's credentials for one action (reprint, void): must hold the permission."""
        approver = self.authenticate(username, password, purpose=f"approve {permission} {action_subject}".strip())
        if not approver.can(permission):
            raise PermissionDenied(_("{username} ({role}) may not approve {permission}").format(username=username, role=approver.role, permission=permission),
                                   _("ask a supervisor to approve"))
        return approver

    def require(self, operator: Operator, permission: str) -> None:
        if not operator.can(permission):
            raise PermissionDenied(_("{username} ({role}) may not {permission}").format(username=operator.username, role=operator.role, permission=permission),
                                   _("sign in with a role that may, or ask for approval"))
