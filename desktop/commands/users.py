"""``sigilo users add|list|passwd|disable``: local operator accounts. Passwords are asked
for on the terminal, or read from standard input with --password-stdin (for scripts).

Once any account exists, changes need ``--as NAME``: an operator allowed to manage users
(roles.json: ``users.manage``) who gives their password first - otherwise a clerk could reset a
supervisor's password and approve their own reprints. The first account needs no one."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from desktop.i18n import _


def register(subparsers) -> None:
    p = subparsers.add_parser("users", help=_("manage operator accounts"))
    sub = p.add_subparsers(dest="users_command", metavar="ACTION")
    add = sub.add_parser("add", help=_("create an account"))
    add.add_argument("name")
    add.add_argument("--role", required=True, help=_("clerk, supervisor, auditor or 'key officer'"))
    _common(add)
    add.set_defaults(handler=_add)
    ls = sub.add_parser("list", help=_("list accounts"))
    ls.add_argument("--home", type=Path)
    ls.set_defaults(handler=_list)
    pw = sub.add_parser("passwd", help=_("set a new password (also clears a sign-in lockout)"))
    pw.add_argument("name")
    _common(pw)
    pw.set_defaults(handler=_passwd)
    dis = sub.add_parser("disable", help=_("disable an account"))
    dis.add_argument("name")
    dis.add_argument("--enable", action="store_true", help=_("enable it again instead"))
    _common(dis)
    dis.set_defaults(handler=_disable)
    p.set_defaults(handler=lambda args: (p.print_help(), 2)[1])


def _common(parser) -> None:
    parser.add_argument("--password-stdin", action="store_true",
                        help=_("read passwords from standard input, one a line (with --as: that operator's first)"))
    parser.add_argument("--as", dest="as_user", metavar="NAME", help=_("the operator making the change"))
    parser.add_argument("--actor", default=None, help=argparse_suppress())
    parser.add_argument("--home", type=Path)


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS


def _authorize(args, ops) -> str:
    """The acting operator's name after checking their password and right to manage users;
    "cli" while no account exists yet."""
    from desktop.operators import OperatorError, PermissionDenied

    if not ops.list():
        return args.as_user or "cli"
    if not args.as_user:
        raise OperatorError(_("changing accounts needs an operator who may manage users"),
                            _("add --as NAME (a supervisor or key officer); you will be asked for that password"))
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(_("password of {user}: ").format(user=args.as_user))
    operator = ops.authenticate(args.as_user, password, purpose="manage users")
    if not operator.can("users.manage"):
        raise PermissionDenied(_("{username} ({role}) may not manage users").format(username=operator.username, role=operator.role),
                               _("ask a supervisor or the key officer"))
    return operator.username


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        from desktop.operators import OperatorError

        raise OperatorError(_("the two passwords differ"), _("type the same password twice"))
    return first


def _operators(home):
    from desktop.operators import Operators
    from desktop.store import open_store

    return Operators(open_store(home))


def _add(args) -> int:
    ops = _operators(args.home)
    actor = _authorize(args, ops)
    op = ops.add(args.name, _password(args), args.role, actor=actor)
    print(_("users: added {username} ({role})").format(username=op.username, role=op.role))
    return 0


def _list(args) -> int:
    ops = _operators(args.home)
    for op in ops.list():
        flags = []
        if op.disabled:
            flags.append(_("disabled"))
        if op.failed_logins:
            flags.append(_("{n} failed sign-ins").format(n=op.failed_logins))
        print(f"{op.username}\t{op.role}\t{', '.join(flags) or _('active')}")
    return 0


def _passwd(args) -> int:
    ops = _operators(args.home)
    actor = _authorize(args, ops)
    ops.set_password(args.name, _password(args), actor=actor)
    print(_("users: password of {name} changed").format(name=args.name))
    return 0


def _disable(args) -> int:
    ops = _operators(args.home)
    actor = _authorize(args, ops)
    ops.set_disabled(args.name, not args.enable, actor=actor)
    if args.enable:
        print(_("users: {name} enabled").format(name=args.name))
    else:
        print(_("users: {name} disabled").format(name=args.name))
    return 0
