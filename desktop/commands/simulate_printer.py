"""`sigilo simulate-printer`: a simulated TSPL/ZPL/ESC-POS printer on a pty or a local TCP port,
for demos and for trying a print station without hardware. Control it by typing words on
stdin: paper-out, paper-in, head-open, head-close, ribbon-out, ribbon-in, pause, resume,
vanish, return, stall, unstall, status, labels, "media gap|bline|continuous [LENGTH] [GAP]", quit. SIGTERM and Ctrl-C stop it cleanly (its socat is ended too)."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from printers.simulator import SimulatedPrinter, SimulatorError, run_forever

from desktop.i18n import _


def register(subparsers) -> None:
    p = subparsers.add_parser("simulate-printer", help=_("run a simulated label printer"),
                              description=_("Serve a simulated printer on a pty (serial) or a 127.0.0.1 TCP port."))
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--pty", metavar="LINK", help=_("create a pty pair; clients open serial://LINK"))
    where.add_argument("--tcp", metavar="PORT", type=int, help=_("listen on 127.0.0.1:PORT (0 picks a free port)"))
    p.add_argument("--language", choices=("tspl", "zpl", "escpos"), default="tspl")
    p.add_argument("--baud", type=int, default=115200, help=_("pace incoming bytes at this rate (default 115200; 0: no pacing)"))
    p.add_argument("--seconds-per-label", type=float, default=0.5, help=_("mechanical time per label"))
    p.add_argument("--out", metavar="DIR", help=_("save each printed label as DIR/label-NNNN.prn"))
    p.add_argument("--media", choices=("gap", "bline", "continuous"), default="gap",
                   help=_("the labels loaded, as a calibration finds them (default: die-cut labels with gaps)"))
    p.add_argument("--media-length", type=float, default=150.0, metavar="MM", help=_("label length (default 150)"))
    p.add_argument("--media-gap", type=float, default=3.0, metavar="MM", help=_("gap or black mark (default 3)"))
    p.set_defaults(handler=run)


def run(args) -> int:
    out_dir = Path(args.out) if args.out else None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)

    def on_label(count: int, data: bytes) -> None:
        if out_dir is not None:
            (out_dir / f"label-{count:04d}.prn").write_bytes(data)
        print(_("printed label {count} ({n} bytes)").format(count=count, n=len(data)), flush=True)

    try:
        printer = SimulatedPrinter(args.language, baud=args.baud, seconds_per_label=args.seconds_per_label,
                                   pty=args.pty, tcp_port=args.tcp, on_label=on_label, media=args.media,
                                   media_length_mm=args.media_length, media_gap_mm=args.media_gap)
    except SimulatorError as exc:
        print(_("sigilo simulate-printer: {exc}").format(exc=exc), file=sys.stderr)
        return 2
    stopped = threading.Event()

    def on_signal(signum, frame):
        stopped.set()
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, on_signal)
    try:
        try:
            printer.start()
        except SimulatorError as exc:
            print(_("sigilo: {exc}").format(exc=exc), file=sys.stderr)
            return 1
        print(_("simulated {language} printer at {uri}").format(language=args.language, uri=printer.uri), flush=True)
        print(_("commands: paper-out paper-in head-open head-close ribbon-out ribbon-in pause resume "
                "vanish return stall unstall status labels quit"),
              flush=True)
        if not run_forever(printer, sys.stdin, lambda text: print(text, flush=True)):
            stopped.wait()  # stdin ended without "quit" (a background run): serve until signalled
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, old)
        printer.stop()
    return 0
