"""`sigilo simulate-scale --pty LINK`: a simulated counter scale on a socat pty, for demos and
tests. It speaks a scale profile (resources/scales: continuous `ST,GS,+  1.240kg` frames, or
answers to `W`); type a weight in kg (1.240), `unstable`, `stable` or `empty` on stdin to change
what it weighs, `quit` to stop. SIGTERM and Ctrl-C stop it cleanly."""

from __future__ import annotations

from desktop.i18n import _

import signal
import sys
import threading


def register(subparsers) -> None:
    from desktop.scale.profiles import list_scale_profiles

    p = subparsers.add_parser("simulate-scale", help=_("run a simulated counter scale on a pty"),
                              description=_("Serve a simulated weighing scale on a pty; clients open serial://LINK."))
    p.add_argument("--pty", metavar="LINK", required=True, help=_("create a pty pair; the scale's port is LINK"))
    p.add_argument("--profile", default="ascii-st-gs", choices=list_scale_profiles(),
                   help=_("the scale's output style (default ascii-st-gs)"))
    p.add_argument("--weight", type=float, default=0.0, help=_("what is on the pan at start, in kg (default 0)"))
    p.add_argument("--hz", type=float, default=10.0, help=_("frames a second for a continuous scale (default 10)"))
    p.set_defaults(handler=run)


def run(args) -> int:
    from desktop.scale.profiles import load_scale_profile
    from desktop.scale.simulator import SimulatedScale

    if args.hz <= 0:
        print(_("sigilo simulate-scale: --hz must be more than 0 (frames a second, e.g. 10)"), file=sys.stderr)
        return 2
    scale = SimulatedScale(load_scale_profile(args.profile), args.pty, kg=args.weight, hz=args.hz)
    stopped = threading.Event()

    def on_signal(signum, frame):
        stopped.set()
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, on_signal)
    try:
        scale.start()
        print(_("simulated {profile} scale at {uri}").format(profile=args.profile, uri=scale.uri), flush=True)
        print(_("type a weight in kg (1.240), unstable, stable, empty or quit"), flush=True)
        ended = False
        for line in sys.stdin:
            if line.strip().lower() in ("quit", "exit"):
                ended = True
                break
            if line.strip():
                print(scale.command(line), flush=True)
        if not ended:
            stopped.wait()  # stdin closed (a background run): serve until signalled
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, old)
        scale.stop()
    return 0
