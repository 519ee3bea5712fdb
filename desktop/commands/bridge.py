"""``sigilo bridge pending | approve CODE | refuse CODE | revoke ORIGIN | list``: the operator's
side of pairing web pages with the print bridge (docs/bridge.md). Decisions are audited."""

from __future__ import annotations

from desktop.i18n import _

import time


def register(subparsers) -> None:
    p = subparsers.add_parser("bridge", help=_("approve, list and revoke web pages paired with the print bridge"),
                              description=_("Pages that print through `sigilo serve` pair first: the page and the "
                                          "station show the same code, and an operator approves it here."))
    sub = p.add_subparsers(dest="bridge_command", metavar="ACTION", required=True)
    sub.add_parser("pending", help=_("pairing codes waiting for approval, with the page's origin")).set_defaults(
        handler=_pending)
    a = sub.add_parser("approve", help=_("approve the pairing with this code (check the page shows the same code)"))
    a.add_argument("code")
    a.set_defaults(handler=_approve)
    r = sub.add_parser("refuse", help=_("refuse the pairing with this code"))
    r.add_argument("code")
    r.set_defaults(handler=_refuse)
    v = sub.add_parser("revoke", help=_("stop every token of an origin at once (scheme://host:port)"))
    v.add_argument("origin")
    v.set_defaults(handler=_revoke)
    sub.add_parser("list", help=_("the origins paired with this station")).set_defaults(handler=_list)


def _pairings():
    from desktop.bridge.pairing import Pairings
    from desktop.store import open_store

    store = open_store()
    return store, Pairings(store)


def _actor() -> str:
    from desktop.seal.auditing import actor

    return actor()


def _pending(args) -> int:
    store, pairings = _pairings()
    with store:
        waiting = pairings.pending()
    if not waiting:
        print(_("No page is waiting to pair."))
        return 0
    for p in waiting:
        age = int(time.time() - p.created_at)
        print(_("{code}  {origin}  {value}  asked {age} s ago").format(code=p.code, origin=p.origin, value=p.name or _('(no name)'), age=age))
    print(_("Approve one with: sigilo bridge approve CODE (only if the page shows the same code)."))
    return 0


def _approve(args) -> int:
    store, pairings = _pairings()
    with store:
        p = pairings.approve(args.code, _actor())
    print(_("Approved {origin} ({value}), code {code}: that page may now print at this station.").format(origin=p.origin, value=p.name or _('no name'), code=p.code))
    return 0


def _refuse(args) -> int:
    store, pairings = _pairings()
    with store:
        p = pairings.refuse(args.code, _actor())
    print(_("Refused the pairing of {origin}, code {code}.").format(origin=p.origin, code=p.code))
    return 0


def _revoke(args) -> int:
    store, pairings = _pairings()
    with store:
        n = pairings.revoke(args.origin, _actor())
    print(_("Revoked {n} pairing(s) of {rstrip}: its pages must pair again.").format(n=n, rstrip=args.origin.strip().lower().rstrip('/')))
    return 0


def _list(args) -> int:
    store, pairings = _pairings()
    with store:
        origins = pairings.approved_origins()
    if not origins:
        print(_("No page is paired with this station."))
        return 0
    for origin, tokens, when in origins:
        stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(when or 0))
        print(_("{origin}  {tokens} token(s), last approved {stamp}").format(origin=origin, tokens=tokens, stamp=stamp))
    return 0
