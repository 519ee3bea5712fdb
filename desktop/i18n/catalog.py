"""Finding and loading the compiled catalogs (``resources/locale/<lang>/LC_MESSAGES/sigilo.mo``).

The ``.mo`` files are built from the ``.po`` sources by the set-up (``./run``) and the
installer, never kept in git. A checkout whose ``.mo`` is missing or older than its ``.po``
(a pull, a merge) compiles the ``.po`` in memory instead, so a stale binary never shows old text.
Fuzzy entries are not used: a translator's unsure guess shows the English source instead.
"""

from __future__ import annotations

import gettext
import io
import threading
from pathlib import Path

from desktop.paths import resources_dir

DOMAIN = "sigilo"

_cache: dict[str, gettext.NullTranslations] = {}
_lock = threading.Lock()


def locale_dir() -> Path:
    return resources_dir() / "locale"


def po_path(lang: str) -> Path:
    return locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


def pot_path() -> Path:
    return locale_dir() / f"{DOMAIN}.pot"


def compile_po(po: Path) -> bytes:
    """The ``.mo`` bytes of one ``.po`` file (Babel's reader and writer; fuzzy entries left out)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _load(lang: str) -> gettext.NullTranslations:
    po, mo = po_path(lang), mo_path(lang)
    try:
        if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as fh:
                return gettext.GNUTranslations(fh)
        if po.is_file():
            return gettext.GNUTranslations(io.BytesIO(compile_po(po)))
    except (OSError, ImportError, ValueError):
        pass
    return gettext.NullTranslations()


def load_translations(lang: str) -> gettext.NullTranslations:
    """The translations for ``lang`` ("en" and unknown languages: the source text)."""
    with _lock:
        tr = _cache.get(lang)
        if tr is None:
            tr = gettext.NullTranslations() if lang == "en" else _load(lang)
            _cache[lang] = tr
        return tr


def clear_cache() -> None:
    """Forget loaded catalogs (after recompiling them, e.g. in tests)."""
    with _lock:
        _cache.clear()
