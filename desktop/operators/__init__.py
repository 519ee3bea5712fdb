"""Local operator accounts: argon2id password hashes, roles whose permissions are data
(roles.json), supervisor approval for reprint and void, failed-login throttling and a
session that locks after inactivity."""

from desktop.operators.accounts import (
                                        BadCredentials,
                                        LoginThrottled,
                                        Operator,
                                        OperatorError,
                                        Operators,
                                        PermissionDenied,
)
from desktop.operators.roles import ROLES, has_permission, permissions
from desktop.operators.session import Session, SessionLocked

__all__ = ["ROLES", "permissions", "has_permission", "Operators", "Operator", "OperatorError",
           "LoginThrottled", "BadCredentials", "PermissionDenied", "Session", "SessionLocked"]
