"""Qt's own strings (standard buttons) follow Sigilo's language through one QTranslator."""

from __future__ import annotations


def test_standard_buttons_follow_the_language(qapp):
    from PySide6.QtWidgets import QDialogButtonBox

    from desktop.ui.translator import apply_language, qt_translator_loaded

    try:
        for lang, cancel in (("zh_CN", "取消"), ("pt_BR", "Cancelar"), ("en", "Cancel")):
            assert apply_language(lang) == lang
            box = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
            assert box.button(QDialogButtonBox.Cancel).text().replace("&", "") == cancel
            assert qt_translator_loaded() == (lang != "en")
    finally:
        apply_language("en")
