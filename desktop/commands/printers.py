"""`sigilo printers`: list the printers this computer can reach, optionally with their status,
or query one printer by URI (`sigilo printers --uri tcp://10.0.0.7:9100 --language zpl`)."""

from __future__ import annotations

import json
import sys

from printers.discovery import FoundPrinter, discover
from printers.errors import PrinterError
from printers.status import LANGUAGES, PrinterState, PrinterStatus, query_status
from printers.transports import open_transport

from desktop.i18n import _


def register(subparsers) -> None:
    p = subparsers.add_parser("printers", help=_("list printers and their status"),
                              description=_("List serial ports, USB printers and usblp devices; query printer status."))
    p.add_argument("--uri", help=_("query this one printer (e.g. serial:///dev/ttyUSB0?baud=9600, tcp://HOST:9100)"))
    p.add_argument("--language", choices=LANGUAGES, help=_("printer language for status queries"))
    p.add_argument("--status", action="store_true", help=_("ask each listed printer for its status"))
    p.add_argument("--baud", type=int, help=_("baud rate for listed serial ports (default: the port's 9600)"))
    p.add_argument("--timeout", type=float, default=1.0, help=_("seconds to wait for a status answer (default 1)"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.add_argument("--all", action="store_true",
                   help=_("also list the computer's own serial ports (/dev/ttyS*, COM1), left out by default"))
    p.set_defaults(handler=run)


def _query(uri: str, language: str, timeout: float) -> tuple[PrinterStatus | None, str]:
    try:
        with open_transport(uri) as transport:
            return query_status(transport, language, timeout=timeout), ""
    except PrinterError as exc:
        return None, str(exc)


def _status_fields(status: PrinterStatus | None, error: str) -> dict:
    if status is None:
        return {"state": "error", "detail": error}
    return {"state": status.state.value, "detail": status.detail, "raw": status.raw.hex()}


def run(args) -> int:
    if args.timeout <= 0:
        print(_("sigilo: --timeout must be more than 0 seconds (a printer needs time to answer; e.g. "
                "1)"),
              file=sys.stderr)
        return 2
    if args.baud is not None and args.baud <= 0:
        print(_("sigilo: --baud must be a baud rate such as 9600 or 115200"), file=sys.stderr)
        return 2
    if args.uri:
        if not args.language:
            print(_("sigilo: --uri needs --language (tspl, zpl or escpos) to ask for status"), file=sys.stderr)
            return 2
        status, error = _query(args.uri, args.language, args.timeout)
        if args.json:
            print(json.dumps({"uri": args.uri, **_status_fields(status, error)}, ensure_ascii=False))
        elif status is None:
            print(_("sigilo: {error}").format(error=error), file=sys.stderr)
        else:
            print(f"{args.uri}: {status}")
        if status is None:
            return 3
        return 0 if status.state in (PrinterState.READY, PrinterState.PRINTING) else 1
    found = discover(include_plain_serial=args.all)
    rows = []
    for printer in found:
        row = {"uri": printer.uri, "kind": printer.kind, "description": printer.description,
               "vendor": printer.vendor, "likely_printer": printer.likely_printer,
               "vid": f"{printer.vid:04x}" if printer.vid is not None else None,
               "pid": f"{printer.pid:04x}" if printer.pid is not None else None}
        if args.status:
            row.update(_status_for(printer, args))
        rows.append(row)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print(_("No serial ports or USB printers found. Network printers: use tcp://HOST:9100; CUPS "
                "queues: cups://QUEUE."))
        return 0
    for row in rows:
        ids = f" [{row['vid']}:{row['pid']}]" if row["vid"] else ""
        mark = "*" if row["likely_printer"] else " "
        line = f"{mark} {row['uri']:<32} {row['description']}{ids}"
        if "state" in row:
            line += f"  -> {row['state']}" + (f" ({row['detail']})" if row.get("detail") else "")
        print(line)
    print(_("(* = a printer maker's device)"))
    return 0


def _status_for(printer: FoundPrinter, args) -> dict:
    language = args.language or printer.language
    if not language:
        return {"state": "unknown", "detail": _("language unknown: give --language")}
    uri = printer.uri
    if printer.kind == "serial" and args.baud:
        uri += f"?baud={args.baud}"
    status, error = _query(uri, language, args.timeout)
    return _status_fields(status, error)
