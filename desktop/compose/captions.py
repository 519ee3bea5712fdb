"""The fixed words on a label face, per label language, from ``resources/labels/captions.json``.

A label speaks the language of the people who handle it at its destination, not the clerk's
window: a Brazilian recipient's label is in Portuguese even when the counter's screen is in
Chinese, a Chinese one stays bilingual (Chinese and English, as sorting centres and couriers
read it), anything else is English. The label language is chosen, first match wins, by:

1. the caller (``compose_label(caption_language=...)``),
2. the template's ``caption_language``,
3. the station's ``label_language`` setting (SIGILO_HOME/settings.json; "auto" or absent: go on),
4. the recipient's country (``by_country``, then ``"*"``).

Masked fields and the sealed QR are the same in every language.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from desktop.compose.errors import TemplateDataError
from desktop.i18n import _
from desktop.paths import resources_dir

FALLBACK = "en"


def captions_path() -> Path:
    return resources_dir() / "labels" / "captions.json"


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TemplateDataError(_("the label captions {path} cannot be read: {error}").format(path=path, error=exc),
                                _("reinstall Sigilo, or restore resources/labels/captions.json")) from exc
    if not isinstance(data, dict) or not isinstance(data.get("languages"), dict) \
            or FALLBACK not in data["languages"]:
        raise TemplateDataError(_("the label captions {path} have no English set").format(path=path),
                                _("reinstall Sigilo, or restore resources/labels/captions.json"))
    return data


def _data() -> dict:
    path = captions_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return _load(str(path), mtime)


def label_languages() -> list[str]:
    """The caption sets there are ("zh-en", "pt", "en", ...)."""
    return list(_data()["languages"])


def caption_set(language: str) -> dict:
    """The captions of ``language`` with English filling any key it lacks."""
    languages = _data()["languages"]
    base = dict(languages[FALLBACK])
    chosen = languages.get(language) or {}
    out = {**base, **chosen}
    out["services"] = {**base.get("services", {}), **chosen.get("services", {})}
    out["carrier_names"] = dict(chosen.get("carrier_names", {}))  # a brand is renamed only where a set says so
    return out


def station_label_language() -> str | None:
    """The station's ``label_language`` setting, when it names a caption set."""
    from desktop.i18n.language import read_setting

    value = read_setting("label_language")
    return value if isinstance(value, str) and value in _data()["languages"] else None


def language_for(country: str, *, requested: str | None = None, template: str | None = None) -> str:
    """The caption set for a label to ``country`` (see the module docstring for the order)."""
    languages = _data()["languages"]
    for choice in (requested, template, station_label_language()):
        if choice and choice != "auto" and choice in languages:
            return choice
    by_country = _data().get("by_country", {})
    # no country known (a reprint of an old face): the bilingual set every label had before
    key = (country or "").upper() or "CN"
    chosen = by_country.get(key) or by_country.get("*") or FALLBACK
    return chosen if chosen in languages else FALLBACK
