"""The language of the window: Sigilo's own strings through desktop.i18n (gettext, as the
core), Qt's own strings (standard buttons, file and colour dialogs, context menus) through one
QTranslator loaded with PySide6's ``qtbase_<lang>.qm``.

The language is chosen again for every window built (``build_window``), which is how a
Settings choice applies from the next window on without a restart of the whole process.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from desktop import i18n
from desktop.i18n.language import choose_language

_installed: dict = {"translator": None, "lang": None}


def qt_translations_dir() -> str:
    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


def apply_language(lang: str | None = None) -> str:
    """Switch Sigilo's and Qt's strings to ``lang`` (default: the choice of SIGILO_LANG, the
    Settings, the OS). Returns the language in force."""
    i18n.set_language(lang or choose_language())
    return sync_qt_translator()


def sync_qt_translator() -> str:
    """Give Qt's own strings the language desktop.i18n speaks now (MainWindow calls this, so
    a window built directly, as the tests do, is in one language throughout)."""
    code = i18n.current_language()
    app = QCoreApplication.instance()
    if app is None or _installed["lang"] == code:
        return code
    old = _installed["translator"]
    if old is not None:
        app.removeTranslator(old)
        _installed["translator"] = None
    if code != "en":
        translator = QTranslator(app)
        if translator.load(f"qtbase_{code}", qt_translations_dir()):
            app.installTranslator(translator)
            _installed["translator"] = translator
    # Number and date formatting in Qt widgets (spin boxes, calendars) follow the same choice.
    QLocale.setDefault(QLocale(code if code != "en" else "en_US"))
    _installed["lang"] = code
    return code


def qt_translator_loaded() -> bool:
    return _installed["translator"] is not None
