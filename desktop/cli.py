"""The ``sigilo`` command. Each subcommand lives in ``desktop/commands/<name>.py`` and exposes
``register(subparsers)``; a handler returns an exit status. Errors derived from SigiloError
are printed as one readable line with their fix hint, never as a traceback."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from desktop import __version__
from desktop.errors import SigiloError
from desktop.i18n import _
from desktop.i18n.argparse_messages import install as install_argparse_messages


def build_parser() -> argparse.ArgumentParser:
    install_argparse_messages()
    parser = argparse.ArgumentParser(prog="sigilo", description=_("Privacy waybill printing."))
    parser.add_argument("--version", action="version", version=f"sigilo {__version__}",
                        help=_("show the version and exit"))
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
    import desktop.commands as commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"desktop.commands.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except SigiloError as exc:
        print(_("sigilo: {message}").format(message=exc.message), file=sys.stderr)
        if exc.hint:
            print(_("  fix: {hint}").format(hint=exc.hint), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`sigilo audit export | head`): what it wanted it has; no traceback
        _quiet_stdout()
        return 0


def _quiet_stdout() -> None:
    """Point stdout at the null device so the interpreter's final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    sys.exit(main())
