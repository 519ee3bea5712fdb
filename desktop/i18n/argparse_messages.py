"""argparse's own user-visible messages ("usage:", "options", "the following arguments are
required: ...") in Sigilo's catalog, so ``sigilo --help`` and its errors speak the clerk's
language too. ``install()`` points argparse's module-level ``_``/``ngettext`` at desktop.i18n;
the strings below only mark argparse's msgids (as in CPython 3.11-3.13) for the template."""

from __future__ import annotations

import argparse

from desktop.i18n import N_, _, ngettext

ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("can't open '%(filename)s': %(error)s"),
)


def _plural_marks() -> None:  # never called: marks argparse's plural message for extraction
    ngettext("expected %s argument", "expected %s arguments", 1)


def install() -> None:
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
