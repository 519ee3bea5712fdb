"""``sigilo gui``: open the desktop window. Qt is imported only here, inside the handler, so
every other command works on a machine without PySide6."""

from __future__ import annotations

from desktop.i18n import _


def register(subparsers) -> None:
    p = subparsers.add_parser("gui", help=_("open the desktop window (form, preview, queue, history, scan)"))
    p.set_defaults(handler=run)


def run(args) -> int:
    try:
        from desktop.ui.app import main
    except ImportError as exc:
        from desktop.errors import SigiloError

        raise SigiloError(_("the desktop window needs PySide6 ({module})").format(module=exc.name or exc),
                          _("install Sigilo with its GUI dependencies: pip install pyside6-essentials")) from None
    return main([])
