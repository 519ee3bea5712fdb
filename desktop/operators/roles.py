"""Roles and their permissions, read from resources/operators/roles.json: a deployment changes
data, not code."""

from __future__ import annotations

import json

from printers.resources import resource_path

ROLES: dict[str, frozenset[str]] = {
    role: frozenset(perms)
    for role, perms in json.loads(resource_path("operators", "roles.json").read_text(encoding="utf-8")).items()
}


def permissions(role: str) -> frozenset[str]:
    return ROLES.get(role, frozenset())


def has_permission(role: str, permission: str) -> bool:
    return permission in permissions(role)
