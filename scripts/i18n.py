#!/usr/bin/env python3
"""Sigilo's translation catalogs, in one command each.

    ./run i18n            (= scripts/i18n.py update) re-extract every _() / ngettext() / N_() /
                          pgettext() string of desktop/ into resources/locale/sigilo.pot and merge
                          it into each language's sigilo.po: new strings arrive untranslated,
                          strings gone from the code leave. Then fill in the new msgstr.
    scripts/i18n.py compile   .po -> .mo (what ./run and the installer do; .mo is not in git)
    scripts/i18n.py check     untranslated, fuzzy or incomplete plural entries, by language

The template is written without line numbers or dates and sorted by message, so that two
people adding strings in different files do not collide in it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from desktop.i18n.catalog import DOMAIN, compile_po, mo_path, po_path, pot_path  # noqa: E402
from desktop.i18n.language import SUPPORTED  # noqa: E402

LANGUAGES = [code for code in SUPPORTED if code != "en"]
SOURCES = ["desktop"]
# Words in data files that a person reads in a chooser: the model names of the bundled printer
# and scale profiles (shown through _() where they are listed; brands stay as written).
DATA_TEXTS = [("resources/printers", "display_name"), ("resources/scales", "display_name")]
FIXED_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
KEYWORDS = dict(DEFAULT_KEYWORDS)
# GNU gettext's plural rules (what msginit writes): Chinese has one form; Brazilian Portuguese
# two, the singular for 0 and 1 ("0 etiqueta", "1 etiqueta", "2 etiquetas").
PLURALS = {"zh_CN": (1, "0"), "pt_BR": (2, "(n > 1)")}
TEAMS = {"zh_CN": "Chinese (China)", "pt_BR": "Portuguese (Brazil)"}


def extract() -> Catalog:
    """Every marked message in the code, as a template catalog."""
    catalog = Catalog(project="Sigilo", version="", domain=DOMAIN, creation_date=FIXED_DATE,
                      msgid_bugs_address="", copyright_holder="Sigilo", charset="utf-8",
                      header_comment="# Sigilo's user-visible messages. Regenerate with ./run i18n.\n")
    catalog.fuzzy = False
    method_map = [("**.py", "python")]
    for src in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / src, method_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True,
        ):
            where = (f"{src}/{filename}", lineno)
            catalog.add(message, locations=[where], auto_comments=comments, context=context)
    for folder, key in DATA_TEXTS:
        for path in sorted((ROOT / folder).glob("*.json")):
            value = json.loads(path.read_text(encoding="utf-8")).get(key)
            if isinstance(value, str) and value.strip():
                catalog.add(value, locations=[(f"{folder}/{path.name}", 1)],
                            auto_comments=["a model name in a chooser: keep brands and model numbers as written"])
    return catalog


def _write(catalog: Catalog, path: Path, *, template: bool) -> None:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=True, include_lineno=False,
             ignore_obsolete=True, omit_header=False)
    text = buf.getvalue().decode("utf-8")
    # No dates in the header: they would change on every run and collide in every merge.
    lines = [ln for ln in text.splitlines()
             if not ln.startswith(('"POT-Creation-Date:', '"PO-Revision-Date:',
                                   '"Generated-By:'))]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def update() -> int:
    template = extract()
    _write(template, pot_path(), template=True)
    for lang in LANGUAGES:
        po = po_path(lang)
        if po.is_file():
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
        else:
            catalog = Catalog(locale=lang, domain=DOMAIN, project="Sigilo", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog._num_plurals, catalog._plural_expr = PLURALS[lang]
        catalog.fuzzy = False
        catalog.project, catalog.version = "Sigilo", ""
        catalog.msgid_bugs_address = ""
        catalog.last_translator = "Sigilo"
        catalog.language_team = TEAMS[lang]
        catalog.header_comment = (f"# {TEAMS[lang]} translation of Sigilo.\n"
                                  "# Regenerate the entries with ./run i18n; fill in each msgstr.\n")
        catalog.creation_date = FIXED_DATE
        catalog.revision_date = FIXED_DATE
        _write(catalog, po, template=False)
    missing = check(verbose=False)
    print(f"{pot_path().relative_to(ROOT)}: {len(template)} messages; "
          f"{missing} entries to translate in {', '.join(LANGUAGES)}")
    compile_all()
    return 0


def compile_all(quiet: bool = False) -> int:
    for lang in LANGUAGES:
        po, mo = po_path(lang), mo_path(lang)
        if not po.is_file():
            continue
        if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.write_bytes(compile_po(po))
        if not quiet:
            print(f"compiled {mo.relative_to(ROOT)}")
    return 0


def problems(lang: str) -> list[str]:
    """What keeps ``lang``'s catalog from being complete, one line per entry."""
    with pot_path().open("rb") as fh:
        template = read_po(fh)
    with po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    out = []
    nplurals = catalog.num_plurals
    for msg in template:
        if not msg.id:
            continue
        found = catalog.get(msg.id, context=msg.context)
        key = msg.id if isinstance(msg.id, str) else msg.id[0]
        if found is None:
            out.append(f"{lang}: not in the catalog: {key!r}")
        elif found.fuzzy:
            out.append(f"{lang}: fuzzy: {key!r}")
        elif isinstance(found.string, (list, tuple)):
            forms = list(found.string)
            if len(forms) < nplurals or not all(forms[:nplurals]):
                out.append(f"{lang}: a plural form is missing ({nplurals} needed): {key!r}")
        elif not found.string:
            out.append(f"{lang}: untranslated: {key!r}")
    return out


def check(verbose: bool = True) -> int:
    count = 0
    for lang in LANGUAGES:
        for line in problems(lang):
            count += 1
            if verbose:
                print(line)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", nargs="?", default="update", choices=["update", "compile", "check"])
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.action == "update":
        return update()
    if args.action == "compile":
        return compile_all(args.quiet)
    return 1 if check() else 0


if __name__ == "__main__":
    sys.exit(main())
