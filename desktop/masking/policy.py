"""Masking policies: JSON data files, found by id, chosen per customer or by country.

A policy is data, not code, so a customer or a country's rules change by editing a file:
bundled policies live in ``resources/masking/*.json``; a station's own (same id overrides)
in ``<data dir>/masking/*.json``. ``customers.json`` in either place maps a customer (the
merchant account a label is printed for) to a policy id.

Choosing: an explicit policy (id or path to a .json file) wins; then the customer's mapping;
then the policy whose ``default_for`` lists the recipient's country; then the one whose
``default_for`` holds "*".
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.errors import SigiloError
from desktop.paths import data_dir, resources_dir
from desktop.i18n import _


class PolicyError(SigiloError):
    """A masking policy that cannot be found or read."""


@dataclass(frozen=True)
class Policy:
    id: str
    data: dict[str, Any]
    source: str  # the file it came from

    # The sections, with the defaults that keep a half-written policy on the safe side.
    @property
    def mask_char(self) -> str:
        return str(self.data.get("mask_char", "*"))[:1] or "*"

    @property
    def name(self) -> dict[str, Any]:
        return self.data.get("name", {})

    @property
    def phone(self) -> dict[str, Any]:
        return self.data.get("phone", {})

    @property
    def address(self) -> dict[str, Any]:
        return self.data.get("address", {})

    def party_rules(self, role: str) -> dict[str, Any]:
        return self.data.get(role, {})

    def street_patterns(self) -> list[re.Pattern[str]]:
        return _compiled(tuple(self.address.get("street_remove", [])))


_CACHE: dict[tuple[str, float], Policy] = {}
_BY_ID: dict[str, Policy] = {}  # every policy loaded, so a view's policy id resolves later


def policy_dirs() -> list[Path]:
    """Where policies are looked up, later entries overriding earlier ones."""
    return [resources_dir() / "masking", data_dir() / "masking"]


def list_policies() -> list[str]:
    """The ids of every readable policy (a broken file is left out here; loading it says why)."""
    ids: set[str] = set()
    for directory in policy_dirs():
        for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
            if path.name != "customers.json":
                try:
                    ids.add(_read(path).id)
                except PolicyError:
                    continue
    return sorted(ids)


def load_policy(policy: str | Path) -> Policy:
    """A policy by id ("cn-default") or by the path of its JSON file."""
    text = str(policy)
    if text.endswith(".json") or isinstance(policy, Path):
        path = Path(policy)
        if not path.is_file():
            raise PolicyError(_("masking policy file {path} does not exist").format(path=path), _("check the path, or give a policy id"))
        return _read(path)
    found = None
    for directory in policy_dirs():
        if not directory.is_dir():
            continue
        candidate = directory / f"{text}.json"
        if candidate.is_file():
            found = _read(candidate)
        else:
            for path in sorted(directory.glob("*.json")):
                if path.name != "customers.json" and _read(path).id == text:
                    found = _read(path)
    if found is None:
        if text in _BY_ID:
            return _BY_ID[text]
        raise PolicyError(
            _("no masking policy called {text!r}").format(text=text),
            _("use one of {names}, or add {text}.json to {value}").format(names=', '.join(list_policies()), text=text, value=policy_dirs()[-1]),
        )
    return found


def _policy_files(directory: Path) -> list[Path]:
    """The policy files of a directory, listed again only when the directory changes."""
    try:
        stamp = directory.stat().st_mtime_ns
    except OSError:
        return []
    cached = _LISTINGS.get(str(directory))
    if cached is None or cached[0] != stamp:
        files = [p for p in sorted(directory.glob("*.json")) if p.name != "customers.json"]
        cached = _LISTINGS[str(directory)] = (stamp, files)
    return cached[1]


_LISTINGS: dict[str, tuple[int, list[Path]]] = {}


def policy_for_country(country: str) -> Policy:
    country = (country or "").upper()
    fallback = None
    chosen = None
    for directory in policy_dirs():
        for path in _policy_files(directory):
            policy = _read(path)
            targets = [str(c).upper() for c in policy.data.get("default_for", [])]
            if country and country in targets:
                chosen = policy
            elif "*" in targets:
                fallback = policy
    result = chosen or fallback
    if result is None:
        raise PolicyError(
            _("no masking policy covers country {value}").format(value=country or '(none)'),
            _('restore resources/masking/intl-default.json, or add a policy with "default_for": '
              '["*"]'),
        )
    return result


def customer_policies() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for directory in policy_dirs():
        path = directory / "customers.json"
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise PolicyError(_("{path} cannot be read: {exc}").format(path=path, exc=exc), _("fix the JSON, or remove the file")) from None
            mapping.update({str(k): str(v) for k, v in (data.get("customers") or {}).items()})
    return mapping


def choose_policy(
    country: str,
    policy: str | Path | None = None,
    customer: str | None = None,
    customers: Mapping[str, str] | None = None,
) -> Policy:
    """``customers`` (customer -> policy id) is looked up before the customers.json files."""
    if policy is not None:
        return load_policy(policy)
    if customer:
        mapped = (customers or {}).get(customer) or customer_policies().get(customer)
        if mapped:
            return load_policy(mapped)
    return policy_for_country(country)


def _read(path: Path) -> Policy:
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError as exc:
        raise PolicyError(_("masking policy {path} cannot be read: {exc}").format(path=path, exc=exc), _("check the file")) from None
    cached = _CACHE.get(key)
    if cached is not None:
        _BY_ID[cached.id] = cached
        return cached
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PolicyError(_("masking policy {path} is not valid JSON: {exc}").format(path=path, exc=exc), _("fix the file, or remove it")) from None
    if not isinstance(data, dict):
        raise PolicyError(_("masking policy {path} is not a JSON object").format(path=path), _("start from resources/masking/cn-default.json"))
    policy = Policy(id=str(data.get("id") or path.stem), data=data, source=str(path))
    _check(policy)
    _CACHE[key] = policy
    _BY_ID[policy.id] = policy
    return policy


REQUIRED_SECTIONS = ("name", "phone", "address")


def _check(policy: Policy) -> None:
    """Refuse a policy that would break the masking rules every label must meet. A file
    missing a section is refused rather than filled with defaults: a policy without street
    patterns would print house numbers."""
    missing = [key for key in REQUIRED_SECTIONS if not isinstance(policy.data.get(key), dict)]
    if missing or "customers" in policy.data:
        raise PolicyError(
            _("{source} is not a masking policy (missing {value})").format(source=policy.source, value=', '.join(missing) or 'name, phone, address'),
            _("choose a policy from list_policies(), or start one from "
              "resources/masking/cn-default.json"),
        )
    if not policy.address.get("street_remove") and not policy.address.get("show_street_numbers"):
        raise PolicyError(
            _("masking policy {id} has no address.street_remove patterns, so house numbers would "
              "print").format(id=policy.id),
            _("copy the street_remove list of a bundled policy, or set address.show_street_numbers "
              "to true"),
        )
    phone = policy.phone
    if int(phone.get("min_hidden", 6)) < 6:
        raise PolicyError(
            _("masking policy {id} hides only {n} phone digits").format(id=policy.id, n=phone.get('min_hidden')),
            _("set phone.min_hidden to 6 or more (GB/T 41833-2022)"),
        )
    for pattern in policy.address.get("street_remove", []):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise PolicyError(
                _("masking policy {id} has a bad street_remove pattern {pattern!r}: {exc}").format(id=policy.id, pattern=pattern, exc=exc),
                _("fix the regular expression"),
            ) from None


_PATTERNS: dict[tuple[str, ...], list[re.Pattern[str]]] = {}


def _compiled(patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
    if patterns not in _PATTERNS:
        _PATTERNS[patterns] = [re.compile(p, re.IGNORECASE) for p in patterns]
    return _PATTERNS[patterns]
