"""The window in Chinese and in Portuguese: every page and dialog walked with SIGILO_LANG set,
and no visible text may be English source text (a wrapped message shown untranslated, or a
sentence never wrapped). Data (names, addresses, tracking numbers) is left alone."""

from __future__ import annotations

import re

import pytest

LANGS = ("zh_CN", "pt_BR")


@pytest.fixture(params=LANGS)
def ui_lang(request, monkeypatch):
    from desktop import i18n

    monkeypatch.setenv("SIGILO_LANG", request.param)
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


def _english(lang: str) -> tuple[set[str], set[str]]:
    """(English source texts whose translation differs, words only English texts use)."""
    from babel.messages.pofile import read_po

    from desktop.i18n.catalog import po_path

    with po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    sources, translated_words, english_words = set(), set(), set()
    for m in catalog:
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        for text in strings:
            translated_words |= {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}
        for text in ids:
            if text not in strings:
                sources.add(text.strip())
            english_words |= {w.lower() for w in re.findall(r"[A-Za-z]{4,}", re.sub(r"\{[^}]*\}", "", text))}
    return sources, english_words - translated_words


def _texts(root) -> list[tuple[str, str]]:
    from PySide6.QtWidgets import (
        QAbstractButton, QComboBox, QGroupBox, QLabel, QLineEdit, QPlainTextEdit, QTableWidget, QWidget,
    )

    out = [("window title", root.windowTitle())]
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root):
            continue
        name = f"{type(w).__name__}#{w.objectName()}"
        if isinstance(w, (QLabel, QAbstractButton)):
            out.append((name, w.text()))
        if isinstance(w, QGroupBox):
            out.append((name, w.title()))
        if isinstance(w, (QLineEdit, QPlainTextEdit)):
            out.append((name + " placeholder", w.placeholderText()))
        if isinstance(w, QComboBox):
            out += [(name + " item", w.itemText(i)) for i in range(w.count())]
        if isinstance(w, QTableWidget):
            out += [(name + " header", w.horizontalHeaderItem(i).text())
                    for i in range(w.columnCount()) if w.horizontalHeaderItem(i)]
        if w.toolTip():
            out.append((name + " tooltip", w.toolTip()))
    return [(where, t) for where, t in out if t and t.strip()]


def _english_shown(root, lang) -> list[str]:
    sources, english_only = _english(lang)
    bad = []
    for where, text in _texts(root):
        plain = text.replace("&", "")
        for line in [plain.strip(), *[ln.strip() for ln in plain.splitlines()]]:
            if line in sources:
                bad.append(f"{where}: {line!r} (source text shown untranslated)")
                break
        else:
            words = [w for w in re.findall(r"[A-Za-z]{4,}", plain) if w.lower() in english_only]
            if len(words) >= 2:
                bad.append(f"{where}: {text!r} (English words {words})")
    return bad


def test_every_page_and_dialog_speaks_the_chosen_language(ui_lang, window, qtbot, sample_shipments):
    from desktop.ui.history_view import ApprovalDialog
    from desktop.ui.login import LoginDialog
    from desktop.ui.main_window import PAGES

    bad = []
    page = window.label_page
    page.form.set_data(sample_shipments[0 if ui_lang == "zh_CN" else 25])
    for index in range(len(PAGES)):
        window.show_page(index)
        qtbot.wait(80)
        bad += [f"page {index}: {b}" for b in _english_shown(window, ui_lang)]
    for dialog in (LoginDialog(window.station), LoginDialog(window.station, locked_user="li.na"),
                   ApprovalDialog("reprint", "SG7700000001", window)):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        bad += [f"{type(dialog).__name__}: {b}" for b in _english_shown(dialog, ui_lang)]
        dialog.close()
    assert not bad, "\n".join(bad)


def test_settings_language_choice_applies_to_the_next_window(window, qtbot, sigilo_home, monkeypatch):
    """Chosen in Settings, kept in SIGILO_HOME; the next window (and the CLI) speaks it."""
    from desktop import i18n
    from desktop.i18n.language import choose_language

    monkeypatch.delenv("SIGILO_LANG")
    settings = window.settings_view
    combo = settings.ui_language
    combo.setCurrentIndex(combo.findData("pt_BR"))
    assert choose_language({"LANG": "zh_CN.UTF-8"}) == "pt_BR"
    assert i18n.current_language() == "en"  # the running window keeps its language
    labels = settings.label_language
    labels.setCurrentIndex(labels.findData("en"))
    from desktop.i18n.language import read_setting

    assert read_setting("label_language") == "en" and read_setting("language") == "pt_BR"
    from desktop.ui.app import build_window

    try:
        second = build_window(station=window.station, login=False)
        qtbot.addWidget(second)
        assert i18n.current_language() == "pt_BR"
        assert second.nav.button(0).text() == "Nova etiqueta"
        assert second.settings_view.ui_language.currentData() == "pt_BR"
    finally:
        from desktop.ui.translator import apply_language

        apply_language("en")
