"""The requirement policy as data (resources/identity/policy.json, or the file named by the
setting ``identity.policy``): which senders need what record, at which kind of station, how
long records are kept, how numbers are masked.

The station kind ("counter", "merchant", "warehouse") comes from the identity enrolment and is
kept in the setting ``identity.station_kind``; a station with none set (not enrolled for
real-name sending) has no requirement. The retention period can be overridden by the setting
``identity.retention_days``.
"""

from __future__ import annotations

from desktop.i18n import _

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.identity.errors import IdentityError
from desktop.paths import resources_dir

POLICY_FORMAT = "sigilo-identity-policy-1"
REQUIRES = ("each", "account", "none")


@dataclass(frozen=True)
class Rule:
    id: str
    station: tuple[str, ...]
    sender_country: tuple[str, ...]  # empty: any
    sender: str  # individual | business | any
    require: str
    reason: dict[str, str]  # per language: {"en": ..., "zh_CN": ..., "pt_BR": ...}
    services: tuple[str, ...] = ()  # empty: any

    def reason_text(self) -> str:
        """The reason in the clerk's language (English when the policy has none in it)."""
        from desktop.i18n import current_language

        return self.reason.get(current_language()) or self.reason.get("en", "")

    def matches(self, station_kind: str, country: str, business: bool, service: str) -> bool:
        if station_kind not in self.station:
            return False
        if self.sender_country and country.upper() not in self.sender_country:
            return False
        if self.sender != "any" and self.sender != ("business" if business else "individual"):
            return False
        return not self.services or service in self.services


@dataclass(frozen=True)
class IdentityPolicy:
    id: str
    rules: tuple[Rule, ...]
    retention_days: float
    recognition_days: float
    mask: dict[str, dict[str, int]]
    name_policy: str
    alerts: dict[str, Any]
    source: str

    def rule_for(self, station_kind: str, country: str, business: bool, service: str) -> Rule | None:
        for rule in self.rules:
            if rule.matches(station_kind, country, business, service):
                return rule
        return None


def _reason(value) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {"en": str(value)}


def default_policy_path() -> Path:
    return resources_dir() / "identity" / "policy.json"


_CACHE: dict[tuple[str, float], IdentityPolicy] = {}


def load_policy(path: str | Path | None = None) -> IdentityPolicy:
    path = Path(path) if path else default_policy_path()
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError:
        raise IdentityError(_("the real-name policy {path} is missing").format(path=path),
                            _("reinstall Sigilo, or point the setting identity.policy at a policy file")) from None
    if key in _CACHE:
        return _CACHE[key]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != POLICY_FORMAT:
            raise ValueError(f"format is {data.get('format')!r}")
        rules = []
        for r in data["rules"]:
            if r["require"] not in REQUIRES or r.get("sender", "any") not in ("individual", "business", "any"):
                raise ValueError(f"rule {r.get('id')!r} is not understood")
            rules.append(Rule(str(r["id"]), tuple(r["station"]), tuple(c.upper() for c in r.get("sender_country", [])),
                              r.get("sender", "any"), r["require"], _reason(r.get("reason", "")),
                              tuple(r.get("services", []))))
        policy = IdentityPolicy(str(data.get("id", path.stem)), tuple(rules), float(data.get("retention_days", 730)),
                                float(data.get("recognition_days", 30)), dict(data.get("mask", {})),
                                str(data.get("name_policy", "cn-default")), dict(data.get("alerts", {})), str(path))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IdentityError(_("the real-name policy {path} cannot be read ({exc})").format(path=path, exc=exc),
                            _("fix the file (see docs/identity.md) or restore the bundled one")) from None
    _CACHE[key] = policy
    return policy


def station_policy(store) -> IdentityPolicy:
    return load_policy(store.get_setting("identity.policy", None))


def station_kind(store) -> str:
    return str(store.get_setting("identity.station_kind", "") or "")


def retention_days(store) -> float:
    override = store.get_setting("identity.retention_days", None)
    return float(override) if override is not None else station_policy(store).retention_days
