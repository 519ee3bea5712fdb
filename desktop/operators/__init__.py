"""Local operator accounts: argon2id password hashes, roles whose permissions are data
(roles.json), supervisor approval for reprint and void, failed-login throttling and a
session that locks after inactivity."""

from desktop.operators.roles import ROLES, permissions, has_permission
from desktop.operators.accounts import (Operators, Operator, OperatorError, LoginThrottled,
                                        BadCredentials, PermissionDenied)
from desktop.operators.session import Session, SessionLocked

__all__ = ["ROLES", "permissions", "has_permission", "Operators", "Operator", "OperatorError",
           "LoginThrottled", "BadCredentials", "PermissionDenied", "Session", "SessionLocked"]
