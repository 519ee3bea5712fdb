"""Sigilo's translations: one gettext domain ("sigilo") for the core, the CLI and the GUI.

The whole API is a handful of names::

    from desktop.i18n import _, ngettext, N_

    _("The phone number is too short.")                 # translated now
    ngettext("{n} label printed.", "{n} labels printed.", n).format(n=n)
    FIELD_NAMES = {"phone": N_("Phone")}                # marked at import, translated at use:
    _(FIELD_NAMES["phone"])                             # ... with _() where it is shown

    set_language("pt_BR")      # what the GUI does after reading the Settings choice
    current_language()         # "zh_CN", "pt_BR" or "en"

Rules for the strings: whole sentences with named ``{placeholders}`` (``str.format``), never
fragments glued together, so a translator can reorder them. Data (names, addresses) and
identifiers a user types (tracking numbers, URIs, field paths) stay outside ``_()``.

After adding or changing a wrapped string, regenerate the template and the catalogs with the
one command ``./run i18n`` (``scripts/i18n.py update``), then fill in the new ``msgstr`` in
``resources/locale/{zh_CN,pt_BR}/LC_MESSAGES/sigilo.po``.

The language is chosen once at start (``desktop.i18n.language.choose_language``): ``SIGILO_LANG``,
then the saved setting, then the OS (LANGUAGE, LC_ALL, LC_MESSAGES, LANG; the Windows and macOS
UI language), else English. No OS locale needs to be installed: catalogs are read from
``resources/locale`` by gettext directly, never through ``setlocale``.
"""

from __future__ import annotations

import gettext as _gettext

from desktop.i18n.catalog import load_translations
from desktop.i18n.language import SOURCE_LANGUAGE, SUPPORTED, choose_language, normalize

__all__ = [
    "_",
    "ngettext",
    "N_",
    "pgettext",
    "set_language",
    "current_language",
    "SUPPORTED",
    "normalize",
]

_state: dict = {"lang": None, "tr": None}


def _translations() -> _gettext.NullTranslations:
    tr = _state["tr"]
    if tr is None:
        set_language(choose_language())
        tr = _state["tr"]
    return tr


def set_language(lang: str | None) -> str:
    """Switch every later ``_()`` to ``lang`` (any spelling ``normalize`` accepts; None or an
    unsupported language means English). Returns the language now in force."""
    code = normalize(lang) if lang else SOURCE_LANGUAGE
    code = code or SOURCE_LANGUAGE
    _state["tr"] = load_translations(code)
    _state["lang"] = code
    return code


def current_language() -> str:
    _translations()
    return _state["lang"]


def _(message: str) -> str:
    """The translation of ``message`` in the current language (``message`` itself in English
    or when the catalog lacks it)."""
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message that fits the count ``n`` under the current language's plural rule.
    Format the count in yourself: ``ngettext("{n} row", "{n} rows", n).format(n=n)``."""
    return _translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for the template without translating it (module-level tables, built before
    the language is known). Translate it where it is shown: ``_(value)``."""
    return message


def pgettext(context: str, message: str) -> str:
    """``_()`` for a short word whose meaning needs a context for the translator
    (``pgettext("verb", "Print")``)."""
    return _translations().pgettext(context, message)
