"""A signed-in operator's session: it locks after a configurable idle time, so a counter PC
left alone cannot print or reprint in someone else's name. The clock is injectable."""

from __future__ import annotations

from typing import Callable

from desktop.operators.accounts import (
    Operator,
    OperatorError,
    Operators,
    PermissionDenied,
)
from desktop.i18n import _


class SessionLocked(OperatorError):
    def __init__(self, username: str) -> None:
        super().__init__(_("the session of {username} locked after inactivity").format(username=username), _("sign in again to continue"))


class Session:
    def __init__(self, operators: Operators, operator: Operator, idle_minutes: float | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.operators = operators
        self.operator = operator
        self.clock = clock or operators.clock
        if idle_minutes is None:
            idle_minutes = float(operators.store.get_setting("session.idle_minutes", 10))
        self.idle_seconds = idle_minutes * 60
        self.last_activity = self.clock()
        self.ended = False

    @classmethod
    def login(cls, operators: Operators, username: str, password: str, **kw) -> "Session":
        return cls(operators, operators.authenticate(username, password), **kw)

    @property
    def locked(self) -> bool:
        return self.ended or self.clock() - self.last_activity >= self.idle_seconds

    def touch(self) -> None:
        """Record activity; refuses once locked (activity cannot revive a locked session)."""
        if self.locked:
            raise SessionLocked(self.operator.username)
        self.last_activity = self.clock()

    def unlock(self, password: str) -> None:
        self.operator = self.operators.authenticate(self.operator.username, password, purpose="unlock")
        self.ended = False
        self.last_activity = self.clock()

    def require(self, permission: str) -> Operator:
        self.touch()
        if not self.operator.can(permission):
            raise PermissionDenied(_("{username} ({role}) may not {permission}").format(username=self.operator.username, role=self.operator.role, permission=permission),
                                   _("ask a supervisor to approve"))
        return self.operator

    def logout(self) -> None:
        if not self.ended:
            self.operators.audit.append(self.operator.username, "logout", self.operator.username, {})
        self.ended = True
