"""``sigilo bridge pending | approve CODE | refuse CODE | revoke ORIGIN | list``: the operator's
side of pairing web pages with the print bridge (docs/bridge.md). Decisions are audited."""

from __future__ import annotations

import time


def register(subparsers) -> None:
    p = subparsers.add_parser("bridge", help="approve, list and revoke web pages paired with the print bridge",
                              description="Pages that print through `sigilo serve` pair first: the page and the "
                                          "station show the same code, and an operator approves it here.")
    sub = p.add_subparsers(dest="bridge_command", metavar="ACTION", required=True)
    sub.add_parser("pending", help="pairing codes waiting for approval, with the page's origin").set_defaults(
        handler=_pending)
    a = sub.add_parser("approve", help="approve the pairing with this code (check the page shows the same code)")
    a.add_argument("code")
    a.set_defaults(handler=_approve)
    r = sub.add_parser("refuse", help="refuse the pairing with this code")
    r.add_argument("code")
    r.set_defaults(handler=_refuse)
    v = sub.add_parser("revoke", help="stop every token of an origin at once (scheme://host:port)")
    v.add_argument("origin")
    v.set_defaults(handler=_revoke)
    sub.add_parser("list", help="the origins paired with this station").set_defaults(handler=_list)


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
        print("No page is waiting to pair.")
        return 0
    for p in waiting:
        age = int(time.time() - p.created_at)
        print(f"{p.code}  {p.origin}  {p.name or '(no name)'}  asked {age} s ago")
    print("Approve one with: sigilo bridge approve CODE (only if the page shows the same code).")
    return 0


def _approve(args) -> int:
    store, pairings = _pairings()
    with store:
        p = pairings.approve(args.code, _actor())
    print(f"Approved {p.origin} ({p.name or 'no name'}), code {p.code}: that page may now print at this station.")
    return 0


def _refuse(args) -> int:
    store, pairings = _pairings()
    with store:
        p = pairings.refuse(args.code, _actor())
    print(f"Refused the pairing of {p.origin}, code {p.code}.")
    return 0


def _revoke(args) -> int:
    store, pairings = _pairings()
    with store:
        n = pairings.revoke(args.origin, _actor())
    print(f"Revoked {n} pairing(s) of {args.origin.strip().lower().rstrip('/')}: its pages must pair again.")
    return 0


def _list(args) -> int:
    store, pairings = _pairings()
    with store:
        origins = pairings.approved_origins()
    if not origins:
        print("No page is paired with this station.")
        return 0
    for origin, tokens, when in origins:
        stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(when or 0))
        print(f"{origin}  {tokens} token(s), last approved {stamp}")
    return 0
