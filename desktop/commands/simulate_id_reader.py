"""``sigilo simulate-id-reader``: a simulated ID card reader (SAM, serial protocol) on a pty,
with test cards of fictitious people. Type on stdin: ``place NAME``, ``remove``, ``cards``,
``reads``, ``quit``. Clients read it with ``sigilo identity record --reader serial://LINK``."""

from __future__ import annotations

import signal
import sys
import threading


def register(subparsers) -> None:
    p = subparsers.add_parser("simulate-id-reader", help="run a simulated ID card reader on a pty",
                              description=__doc__)
    p.add_argument("--pty", metavar="LINK", required=True, help="create a pty pair; clients open serial://LINK")
    p.add_argument("--card", metavar="NAME", help="a test card to put on the reader at once")
    p.set_defaults(handler=run)


def run(args) -> int:
    from desktop.identity.reader.simulator import SimulatedIdReader, SimulatorError

    reader = SimulatedIdReader(args.pty)
    try:
        if args.card:
            reader.place(args.card)
        reader.start()
    except SimulatorError as exc:
        print(f"sigilo simulate-id-reader: {exc}", file=sys.stderr)
        return 2
    stopped = threading.Event()

    def on_signal(signum, frame):
        stopped.set()
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, on_signal)
    print(f"simulated ID card reader at {reader.uri}; cards: {', '.join(sorted(reader.cards))}", flush=True)
    print("commands: place NAME, remove, cards, reads, quit", flush=True)
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
                    print(f"card {words[1]} on the reader", flush=True)
                except SimulatorError as exc:
                    print(str(exc), flush=True)
            elif words[0] == "remove":
                reader.remove()
                print("no card on the reader", flush=True)
            elif words[0] == "cards":
                for name, card in sorted(reader.cards.items()):
                    print(f"{name}: {card.get('behaviour', 'ok')}", flush=True)
            elif words[0] == "reads":
                print(f"{reader.reads} read(s)", flush=True)
            else:
                print("commands: place NAME, remove, cards, reads, quit", flush=True)
        else:
            stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, old)
        reader.stop()
    return 0
