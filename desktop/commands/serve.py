"""``sigilo serve``: the local print bridge for web shops and warehouse systems (docs/bridge.md).
WebSocket on 127.0.0.1 and ::1 only, default port 17528; pages pair with a code an operator
approves (``sigilo bridge approve CODE``), then print to the printers named here."""

from __future__ import annotations

from desktop.i18n import _

import argparse
import sys
from pathlib import Path


def register(subparsers) -> None:
    from desktop.bridge.protocol import DEFAULT_PORT

    p = subparsers.add_parser(
        "serve", help=_("run the local print bridge for web pages (WebSocket on this computer only)"),
        description=_("Serve the Sigilo print bridge on the loopback addresses. Pages pair first; an operator approves "
                    "their code with `sigilo bridge approve CODE`. See docs/bridge.md for the protocol."))
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=_("WebSocket port (default {DEFAULT_PORT}; 0 picks a free one)").format(DEFAULT_PORT=DEFAULT_PORT))
    p.add_argument("--host", action="append", default=None, metavar="ADDRESS",
                   help=_("a loopback address to listen on (default: 127.0.0.1 and ::1); other addresses are refused"))
    p.add_argument("--printer", action="append", default=None, metavar="NAME=URI",
                   help=_("a printer pages may print to, e.g. Label=tcp://192.168.1.50:9100 (repeat for more; "
                        "the first is the default); append ,PROFILE to the URI's name to set its profile: "
                        "Label,zpl-203=tcp://..."))
    p.add_argument("--profile", default="tspl-203", help=_("printer profile for printers named without one (default tspl-203)"))
    p.add_argument("--tls", action="store_true", help=_("also serve wss with a certificate made on this computer"))
    p.add_argument("--tls-port", type=int, default=DEFAULT_PORT + 1, help=_("wss port (default {value})").format(value=DEFAULT_PORT + 1))
    p.add_argument("--example", action="store_true", help=_("also serve the example WMS page over http on another port"))
    p.add_argument("--example-port", type=int, default=DEFAULT_PORT + 2, help=_("example page port (default {value})").format(value=DEFAULT_PORT + 2))
    keys = p.add_mutually_exclusive_group()
    keys.add_argument("--keys", type=Path, default=None, help=_("station keys directory (default: the station's keys/)"))
    keys.add_argument("--demo-keys", action="store_true", help=_("seal with demo keys (DEMO ONLY, never for real parcels)"))
    p.add_argument("--passphrase-file", type=Path, default=None, help=_("passphrase of the station key (else SIGILO_PASSPHRASE)"))
    p.set_defaults(handler=run)


def parse_printers(values: list[str] | None, profile: str) -> list:
    from desktop.bridge.errors import BridgeError
    from desktop.bridge.printing import PrinterChoice
    from desktop.commands.print import check_printer_uri

    out = []
    for value in values or []:
        if "=" not in value:
            raise BridgeError(_("--printer {value}: name the printer, NAME=URI").format(value=value),
                              _("e.g. --printer Label=tcp://192.168.1.50:9100"))
        name, uri = value.split("=", 1)
        name, _sep, own_profile = name.partition(",")
        name = name.strip()
        if not name or any(p.name == name for p in out):
            raise BridgeError(_("--printer {value}: each printer needs a name of its own").format(value=value), _("e.g. --printer Label=URI"))
        check_printer_uri(uri)
        out.append(PrinterChoice(name, uri, own_profile.strip() or profile))
    for choice in out:
        from desktop.compose.outputs import load_printer_profile

        load_printer_profile(choice.profile)
    return out


def run(args) -> int:
    import asyncio
    import signal

    from desktop.bridge.instance import BridgeInstance
    from desktop.bridge.printing import BridgePrinting
    from desktop.bridge.server import BridgeServer, check_hosts
    from desktop.commands.print import _sealer
    from desktop.paths import data_dir

    hosts = check_hosts(args.host or ["127.0.0.1", "::1"])
    printers = parse_printers(args.printer, args.profile)
    if not printers:
        from desktop.bridge.errors import BridgeError

        raise BridgeError(_("the bridge needs a printer to print to"),
                          _("name one: sigilo serve --printer Label=tcp://192.168.1.50:9100 "
                          "(or a simulated one: sigilo simulate-printer --tcp 0)"))
    home = data_dir()
    instance = BridgeInstance(home)
    instance.acquire()
    sealer = _sealer(args)
    from desktop.station import Station

    station = Station(home, sealer=sealer, actor="bridge")
    store = station.store
    tls = None
    if args.tls:
        from desktop.bridge.tls import certificate_paths, server_context

        tls = server_context(home)
    printing = BridgePrinting(station, printers)
    server = BridgeServer(store, printing, port=args.port, hosts=hosts, tls=tls,
                          tls_port=args.tls_port if args.tls else None,
                          on_pairing=lambda: print(_("sigilo serve: a page asks to pair; see `sigilo bridge pending`"),
                                                   flush=True))
    example = None

    async def main() -> None:
        nonlocal example
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, stop.set)
            except (NotImplementedError, RuntimeError):  # Windows: Ctrl+C raises KeyboardInterrupt
                pass
        await server.start()
        urls = [f"ws://{'[' + h + ']' if ':' in h else h}:{p}" for h, p in server.bound]
        urls += [f"wss://{'[' + h + ']' if ':' in h else h}:{p}" for h, p in server.bound_tls]
        if args.example:
            from desktop.bridge.example import ExampleServer

            example = ExampleServer(server.url, "127.0.0.1", args.example_port).start()
        instance.announce(server.url, urls, example.url if example else None)
        print(_("sigilo serve: print bridge listening on {join}").format(join=', '.join(urls)), flush=True)
        print(_("sigilo serve: printers: {printers}").format(printers=", ".join(f"{p.name} ({p.uri}, {p.profile})" for p in printers)), flush=True)
        if tls is not None:
            print(_("sigilo serve: wss certificate {value} (docs/bridge.md: trusting it)").format(value=certificate_paths(home)[0]), flush=True)
        if example is not None:
            print(_("sigilo serve: example page at {url}").format(url=example.url), flush=True)
        print(_("sigilo serve: pages pair with a code; approve it with `sigilo bridge approve CODE`. Ctrl+C stops."),
              flush=True)
        try:
            await stop.wait()
        finally:
            if example is not None:
                example.stop()
            await server.stop()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    finally:
        store.close()
        instance.release()
    print(_("sigilo serve: stopped"), file=sys.stderr)
    return 0


__all__ = ["register", "run", "parse_printers", "argparse"]
