"""Roles and their permissions, read from roles.json so a deployment changes data, not code."""

from __future__ import annotations

import json
from pathlib import Path

ROLES: dict[str, frozenset[str]] = {
    role: frozenset(perms)
    for role, perms in json.loads((Path(__file__).with_name("roles.json")).read_text(encoding="utf-8")).items()
}


def permissions(role: str) -> frozenset[str]:
    return ROLES.get(role, frozenset())


def has_permission(role: str, permission: str) -> bool:
    return permission in permissions(role)
