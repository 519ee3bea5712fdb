"""``sigilo simulate-id-reader``: a simulated ID card reader (SAM, serial protocol) on a pty,
with test cards of fictitious people. Type on stdin: ``place NAME``, ``remove``, ``cards``,
``reads``, ``quit``. Clients read it with ``sigilo identity record --reader serial://LINK``."""

from __future__ import annotations

from desktop.i18n import _

import signal
import sys
import threading


def register(subparsers) -> None:
    p = subparsers.add_parser("simulate-id-reader", help=_("run a simulated ID card reader on a pty"),
                              description=__doc__)
    p.add_argument("--pty", metavar="LINK", required=True, help=_("create a pty pair; clients open serial://LINK"))
    p.add_argument("--card", metavar="NAME", help=_("a test card to put on the reader at once"))
    p.set_defaults(handler=run)


def run(args) -> int:
    from desktop.identity.reader.simulator import SimulatedIdReader, SimulatorError

    reader = SimulatedIdReader(args.pty)
    try:
        if args.card:
            reader.place(args.card)
        reader.start()
    except SimulatorError as exc:
        print(_("sigilo simulate-id-reader: {exc}").format(exc=exc), file=sys.stderr)
        return 2
    stopped = threading.Event()

    def on_signal(signum, frame):
        stopped.set()
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, on_signal)
    print(_("simulated ID card reader at {uri}; cards: {join}").format(uri=reader.uri, join=', '.join(sorted(reader.cards))), flush=True)
    print(_("commands: place NAME, remove, cards, reads, quit"), flush=True)
    try:
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "quit":
                break
            if words[0] == "place" and len(words) == 2:
                try:
                    reader.place(words[1])
                    print(_("card {value} on the reader").format(value=words[1]), flush=True)
                except SimulatorError as exc:
                    print(str(exc), flush=True)
            elif words[0] == "remove":
                reader.remove()
                print(_("no card on the reader"), flush=True)
            elif words[0] == "cards":
                for name, card in sorted(reader.cards.items()):
                    print(f"{name}: {card.get('behaviour', 'ok')}", flush=True)
            elif words[0] == "reads":
                print(_("{reads} read(s)").format(reads=reader.reads), flush=True)
            else:
                print(_("commands: place NAME, remove, cards, reads, quit"), flush=True)
        else:
            stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, old)
        reader.stop()
    return 0
