"""Translations: the catalogs are complete and current, the language is chosen as documented
without any OS locale installed, plural rules follow gettext's, and the command line speaks it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import i18n
from desktop.i18n import catalog
from desktop.i18n.language import choose_language, from_environment, normalize, save_language

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import i18n as i18n_tool  # noqa: E402  (scripts/i18n.py)

FIX = "run ./run i18n (scripts/i18n.py update), then fill in the new msgstr in resources/locale/*/LC_MESSAGES/sigilo.po"


def _template_ids():
    from babel.messages.pofile import read_po

    with catalog.pot_path().open("rb") as fh:
        return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(fh) if m.id}


def test_template_holds_every_marked_string_of_the_code():
    code = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in i18n_tool.extract() if m.id}
    missing = sorted(str(k[1]) for k in code - _template_ids())
    assert not missing, f"{len(missing)} marked strings are not in sigilo.pot: {missing[:20]} -- {FIX}"


@pytest.mark.parametrize("lang", ["zh_CN", "pt_BR"])
def test_catalog_has_no_untranslated_fuzzy_or_missing_plural(lang):
    problems = i18n_tool.problems(lang)
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} in all) -- {FIX}"


_FIELD = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sdr]|%[sdr]")


@pytest.mark.parametrize("lang", ["zh_CN", "pt_BR"])
def test_translations_keep_every_placeholder(lang):
    """A translation that drops or renames {name} or %(x)s would crash .format() or lose data."""
    from babel.messages.pofile import read_po

    with catalog.po_path(lang).open("rb") as fh:
        cat = read_po(fh, locale=lang)
    bad = []
    for m in cat:
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, (list, tuple)) else [m.id]
        strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
        want = sorted(set(_FIELD.findall(ids[-1])))
        for s in strings:
            # a singular form may leave out the count ("one label"), never add or rename one
            got = sorted(set(_FIELD.findall(s)))
            if not set(got) <= set(want) or (len(ids) == 1 and got != want):
                bad.append(f"{ids[0]!r}: {got} vs {want}")
    assert not bad, "\n".join(bad)


def test_compiled_catalogs_are_not_in_git():
    out = subprocess.run(["git", "ls-files", "*.mo"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == ""
    assert "*.mo" in (ROOT / ".gitignore").read_text()


@pytest.mark.parametrize("value,code", [
    ("zh_CN.UTF-8", "zh_CN"), ("zh-Hans-CN", "zh_CN"), ("zh", "zh_CN"), ("pt_BR.utf8", "pt_BR"),
    ("pt-BR", "pt_BR"), ("pt_PT", "pt_BR"), ("en_US.UTF-8", "en"), ("C", None), ("POSIX", None),
    ("C.UTF-8", None), ("de_DE", None), ("", None),
])
def test_normalize(value, code):
    assert normalize(value) == code


def test_environment_order_follows_gettext():
    assert from_environment({"LANGUAGE": "de:pt_BR", "LANG": "zh_CN.UTF-8"}) == "pt_BR"
    assert from_environment({"LC_ALL": "zh_CN.UTF-8", "LANG": "pt_BR.UTF-8"}) == "zh_CN"
    assert from_environment({"LC_MESSAGES": "pt_BR", "LANG": "zh_CN"}) == "pt_BR"
    assert from_environment({"LANG": "de_DE.UTF-8"}) == "en"  # a language without a catalog
    assert from_environment({}) is None


def test_sigilo_lang_then_setting_then_os(sigilo_home):
    assert choose_language({"LANG": "zh_CN.UTF-8"}) == "zh_CN"
    save_language("pt_BR")
    assert (sigilo_home / "settings.json").is_file()
    assert choose_language({"LANG": "zh_CN.UTF-8"}) == "pt_BR"
    assert choose_language({"LANG": "zh_CN.UTF-8", "SIGILO_LANG": "zh_CN"}) == "zh_CN"
    save_language(None)
    assert choose_language({"LANG": "C.UTF-8"}) == "en"


def test_plural_forms_follow_each_language():
    i18n.set_language("pt_BR")
    forms = [i18n.ngettext("expected %s argument", "expected %s arguments", n) % n for n in (0, 1, 2, 5)]
    assert forms == ["esperava 0 argumento", "esperava 1 argumento", "esperava 2 argumentos",
                     "esperava 5 argumentos"]
    i18n.set_language("zh_CN")
    assert {i18n.ngettext("expected %s argument", "expected %s arguments", n) % n for n in (1, 2)} == {
        "需要 1 个参数", "需要 2 个参数"}
    i18n.set_language("en")
    assert i18n.ngettext("expected %s argument", "expected %s arguments", 1) == "expected %s argument"


def test_stale_compiled_catalog_gives_way_to_the_po(tmp_path, monkeypatch):
    """A .mo older than its .po (after a pull) is not read: the .po is compiled in memory."""
    loc = tmp_path / "resources" / "locale" / "pt_BR" / "LC_MESSAGES"
    loc.mkdir(parents=True)
    src = catalog.po_path("pt_BR").read_text(encoding="utf-8")
    (loc / "sigilo.mo").write_bytes(catalog.compile_po(catalog.po_path("pt_BR")))
    os.utime(loc / "sigilo.mo", (1, 1))
    (loc / "sigilo.po").write_text(src.replace('msgstr "uso: "', 'msgstr "USO: "'), encoding="utf-8")
    monkeypatch.setattr(catalog, "resources_dir", lambda: tmp_path / "resources")
    catalog.clear_cache()
    try:
        assert catalog.load_translations("pt_BR").gettext("usage: ") == "USO: "
    finally:
        catalog.clear_cache()


def _sigilo(args, **env):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "SIGILO_LANG"))}
    full.update(env)
    return subprocess.run([sys.executable, "-m", "desktop.cli", *args], cwd=ROOT, env=full,
                          capture_output=True, text=True, timeout=120)


def test_cli_help_in_portuguese_from_sigilo_lang():
    out = _sigilo(["--help"], SIGILO_LANG="pt_BR")
    assert out.returncode == 0
    assert out.stdout.startswith("uso: sigilo")
    assert "argumentos posicionais" in out.stdout and "mostrar esta ajuda e sair" in out.stdout


def test_cli_follows_lang_with_no_locale_installed():
    """This machine has no zh_CN locale (setlocale would fail); LANG alone is enough."""
    out = _sigilo(["print"], LANG="zh_CN.UTF-8")
    assert out.returncode == 2
    assert out.stderr.startswith("用法：sigilo print")
    assert "缺少以下必需参数" in out.stderr


def _code_files():
    return sorted(p for p in (ROOT / "desktop").rglob("*.py"))


def test_every_translated_format_call_supplies_its_placeholders():
    """_("... {name} ...").format(...) must give every {name}: a missing one raises KeyError
    in front of the clerk, only in the code path that shows that message."""
    import ast
    import string

    bad = []
    for path in _code_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"):
                continue
            inner = node.func.value
            if not (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name)
                    and inner.func.id in ("_", "ngettext", "pgettext")):
                continue
            if any(k.arg is None for k in node.keywords):
                continue  # **mapping: checked where it is built
            wanted = set()
            for arg in inner.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    wanted |= {f.split(".")[0].split("[")[0] for _lit, f, _s, _c in string.Formatter().parse(arg.value)
                               if f is not None}
            given = {k.arg for k in node.keywords}
            if wanted - given or node.args:
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: needs {sorted(wanted)}, gets {sorted(given)}")
    assert not bad, "\n".join(bad)


def test_no_local_underscore_hides_the_translation_function():
    """``x, _ = pair`` in a function that also calls _() makes that _() a str (or unbound): a
    TypeError the first time the message is shown."""
    import ast

    bad = []
    for path in _code_files():
        text = path.read_text(encoding="utf-8")
        if "from desktop.i18n import" not in text:
            continue
        tree = ast.parse(text)
        scopes = [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for scope in scopes:
            stack, own = list(ast.iter_child_nodes(scope)), []
            while stack:
                n = stack.pop()
                own.append(n)
                if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
                                      ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                    stack.extend(ast.iter_child_nodes(n))
            stores = [n for n in own if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)]
            calls = scope is tree or any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_"
                                         for n in ast.walk(scope))
            if stores and calls:
                bad.append(f"{path.relative_to(ROOT)}:{stores[0].lineno}")
    assert not bad, "a local named _ where _() translates (rename it, e.g. _unused): " + ", ".join(bad)


def test_cli_print_of_an_invalid_row_speaks_chinese_with_the_form_field_name(tmp_path, sample_shipments):
    """The clerk's own language, the field as the form names it (收件人电话), the hint in
    Chinese too; the dotted path stays for scripts and mappings."""
    import json

    row = dict(sample_shipments[0])
    row["recipient"] = dict(row["recipient"], phone="1380013")
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps(sample_shipments[1], ensure_ascii=False) + "\n"
                    + json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    out = _sigilo(["print", str(rows), "--printer", (tmp_path / "out.pdf").as_uri(), "--format", "pdf",
                   "--demo-keys"], SIGILO_LANG="zh_CN", SIGILO_HOME=str(tmp_path / "home"))
    assert out.returncode == 1, out.stderr
    assert "sigilo print：已跳过 第 2 行：收件人电话（recipient.phone）：中国手机号码为 11 位：检查是否少打或多打了一位" in out.stderr
    assert "Traceback" not in out.stderr
    assert "已打印 1 张面单 × 1 份到" in out.stdout and "跳过 1 行。" in out.stdout
    english = {"skipped", "row", "digits", "missing", "Printed", "label"}
    assert not [w for w in english if w in out.stderr + out.stdout]


def test_cli_print_with_no_valid_row_writes_nothing_and_says_why_in_chinese(tmp_path, sample_shipments):
    """Every row refused: each reason in Chinese, no empty PDF written, and no English error
    from the PDF writer about having no labels."""
    import json

    row = dict(sample_shipments[0])
    row["recipient"] = dict(row["recipient"], phone="1380013")
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    target = tmp_path / "out.pdf"
    out = _sigilo(["print", str(rows), "--printer", target.as_uri(), "--format", "pdf", "--demo-keys"],
                  SIGILO_LANG="zh_CN", SIGILO_HOME=str(tmp_path / "home"))
    assert out.returncode == 1 and "收件人电话（recipient.phone）" in out.stderr
    assert "no labels" not in out.stderr and "Traceback" not in out.stderr
    assert not target.exists()


def test_cli_subcommand_help_in_portuguese():
    out = _sigilo(["print", "--help"], SIGILO_LANG="pt_BR")
    assert out.returncode == 0
    assert "Mascara, sela e imprime cada remessa válida de ARQUIVO" in out.stdout
    assert "cópias de cada etiqueta (padrão 1)" in out.stdout
    assert "opções:" in out.stdout or "options:" not in out.stdout
