"""``sigilo print FILE --printer URI``: shipments from a JSON or JSON Lines file, each masked,
sealed and composed, sent to any printer URI (serial://, usb://, tcp://, cups://, win32://,
file://, mem://). Rows that fail validation or do not fit the template are reported by row
number and field and skipped; the rest print. Exit status 0 when every row printed, 1 when
some were skipped.

The printing itself is ``print_labels`` (labels -> one transport), the one piece a print
queue replaces."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Iterable, Iterator

from desktop.i18n import _, ngettext


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "print", help=_("print shipments from a JSON/JSONL file to a printer"),
        description=_("Mask, seal and print every valid shipment of FILE (a JSON array or object, or JSON "
                      "Lines). Invalid rows are listed by row and field and skipped."),
    )
    p.add_argument("file", type=Path, help=_("shipments: a JSON array/object or one JSON object per line"))
    p.add_argument("--printer", required=True, metavar="URI",
                   help=_("tcp://host:9100, serial:///dev/ttyUSB0?baud=115200, usb://VID:PID, cups://QUEUE, "
                          "file:///path ..."))
    from desktop.compose.templates import list_templates

    p.add_argument("--template", default=None,
                   help=_("label template, one of: {names} (default: waybill-100x150)").format(
                       names=", ".join(list_templates())))
    p.add_argument("--profile", default=None, help=_("printer profile (default: tspl-203); sets language and dpi"))
    p.add_argument("--format", choices=("printer", "pdf", "png"), default="printer",
                   help=_("printer: the profile's language (default); pdf: one PDF for office printers; png: "
                          "one label"))
    p.add_argument("--sheet", default=None, metavar="NAME",
                   help=_("with --format pdf: N-up on a sheet with cut marks; A4 or Letter (more in "
                          "resources/templates/sheets.json)"))
    p.add_argument("--copies", type=int, default=1, help=_("copies of each label (default 1)"))
    p.add_argument("--reprint", metavar="REASON", default=None, help=_("mark every label REPRINT with this reason"))
    p.add_argument("--virtual-numbers", action=argparse.BooleanOptionalAction, default=None,
                   help=_("show the hotline and an extension allocated per shipment instead of the masked "
                          "phone (default: the setting virtualnum.enabled); printer format only"))
    keys = p.add_mutually_exclusive_group()
    keys.add_argument("--keys", type=Path, default=None, help=_("station keys directory (default: the station's keys/)"))
    keys.add_argument("--demo-keys", action="store_true",
                      help=_("seal with demo keys (created if missing; DEMO ONLY, never for real parcels)"))
    p.add_argument("--passphrase-file", type=Path, default=None, help=_("passphrase of the station key (else SIGILO_PASSPHRASE)"))
    p.add_argument("--identity", metavar="RECORD", default=None,
                   help=_("the sender's identity record (from `sigilo identity record`), where real-name sending applies"))
    p.set_defaults(handler=run)


def print_labels(labels: Iterable, uri: str, render) -> int:
    """Send each label's bytes (``render(label) -> bytes``) to the printer at ``uri``, over one
    connection. Returns the number of labels sent."""
    from printers.transports import open_transport

    sent = 0
    with open_transport(uri) as transport:
        for label in labels:
            transport.write(render(label))
            sent += 1
        transport.drain()
    return sent


class _TransportFile:
    """A write-only file over a transport, so a PDF streams to the printer as it is drawn."""

    def __init__(self, transport) -> None:
        self.transport = transport

    def write(self, data: bytes) -> int:
        self.transport.write(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def check_printer_uri(uri: str) -> None:
    """Refuse a printer URI that can never work before anything is queued: the print queue
    waits out a printer that is off or out of paper, and would wait for ever for a typo."""
    from desktop.compose.outputs import as_output_error
    from printers.errors import PrinterError
    from printers.transports import parse_uri

    try:
        parsed = parse_uri(uri)
    except PrinterError as exc:
        raise as_output_error(exc) from exc
    if parsed.scheme == "file":
        folder = Path(parsed.target).parent
        if not folder.is_dir():
            from desktop.compose.errors import ComposeError

            raise ComposeError(_("the folder {folder} of {uri} does not exist").format(folder=folder, uri=uri),
                               _("create it first, or give a file:// path in an existing folder"))


def _sealer(args):
    from desktop.keys.passphrase import from_environment
    from desktop.paths import data_dir
    from desktop.seal import Sealer, ensure_demo_keys

    if args.demo_keys:
        path = data_dir() / "demo-keys"
        ensure_demo_keys(path)
        print(_("sigilo print: sealing with DEMO keys in {path}: labels sealed so prove nothing").format(path=path), file=sys.stderr)
        return Sealer.from_keys_dir(path)
    path = args.keys or (data_dir() / "keys")
    if not (path / "station.json").exists():
        from desktop.compose.errors import ComposeError

        raise ComposeError(
            _("no station keys in {path}: labels cannot be sealed").format(path=path),
            _("ask the key officer for this station's keys (sigilo keys create-station), pass "
              "--keys DIR, or try Sigilo with --demo-keys"),
        )
    sealer = Sealer.from_keys_dir(path, from_environment(args.passphrase_file))
    if sealer.demo:
        print(_("sigilo print: WARNING: {path} holds DEMO-ONLY keys (unencrypted, known to anyone): "
                "labels sealed with them protect nothing; never use them for real parcels").format(path=path), file=sys.stderr)
    return sealer


def run(args) -> int:
    from desktop.compose import DEFAULT_TEMPLATE, ComposeError, compose_label, load_template
    from desktop.compose.batch import read_rows, validate_rows
    from desktop.compose.outputs import as_output_error, load_printer_profile, render_label, write_pdf
    from printers.errors import PrinterError

    if args.copies < 1:
        print(_("sigilo print: --copies must be 1 or more"), file=sys.stderr)
        return 2
    if args.sheet and args.format != "pdf":
        print(_("sigilo print: --sheet lays labels out on a PDF page; add --format pdf"), file=sys.stderr)
        return 2
    check_printer_uri(args.printer)
    if args.sheet:
        from printers.render.pdf import sheet_layouts

        try:
            sheet_layouts().size(args.sheet)
        except PrinterError as exc:
            raise as_output_error(exc) from exc
    template = args.template or DEFAULT_TEMPLATE
    load_template(template)
    profile = None
    dpi = 203
    if args.format == "printer":
        profile = load_printer_profile(args.profile or "tspl-203")
        dpi = profile.dpi
    if profile is not None and load_template(template).width_mm > profile.print_width_mm + 0.5:
        from desktop.compose.errors import ComposeError as _ComposeError

        raise _ComposeError(
            _("{template} is {width_mm:g} mm wide but {name} prints {print_width_mm:g} mm wide").format(template=template, width_mm=load_template(template).width_mm, name=profile.name, print_width_mm=profile.print_width_mm),
            _("choose a narrower template (--template waybill-72x130 for 80 mm printers) or "
              "another --profile"),
        )
    if args.virtual_numbers and args.format != "printer":
        from desktop.errors import SigiloError

        raise SigiloError(_("--virtual-numbers prints through the print queue only"),
                          _("drop --format, or drop --virtual-numbers for a PDF or PNG"))
    good, bad = validate_rows(read_rows(args.file))
    for problem in bad:
        print(_("sigilo print: skipped {describe}").format(describe=problem.describe()), file=sys.stderr)
    _audit_import(args.file, len(good), len(bad))
    if args.format == "png" and (len(good) > 1 or args.copies > 1):
        from desktop.compose.errors import ComposeError as _ComposeError

        raise _ComposeError(
            ngettext("a PNG holds one label, but {file} has {n} shipment(s) x {copies} copy",
                     "a PNG holds one label, but {file} has {n} shipment(s) x {copies} copies",
                     args.copies).format(file=args.file, n=len(good), copies=args.copies),
            _("use --format pdf for several labels in one file, or `sigilo demo --out DIR` for a "
              "PNG per shipment"))
    if good:
        from desktop.identity.gate import check_command

        check_command([shipment for _row, shipment in good], args.identity, args.keys, _identity_passphrase(args))
    sealer = _sealer(args) if good else None
    skipped = len(bad)
    composed = 0

    def labels() -> Iterator:
        nonlocal skipped, composed
        for number, shipment in good:
            try:
                label = compose_label(shipment, template, sealer=sealer, dpi=dpi, reprint=args.reprint)
            except ComposeError as exc:
                skipped += 1
                problem = (_("{problem} ({hint})").format(problem=exc.message, hint=exc.hint) if exc.hint
                           else exc.message)
                print(_("sigilo print: skipped row {number}: {error}").format(number=number, error=problem),
                      file=sys.stderr)
                continue
            for warning in label.warnings:
                print(_("sigilo print: row {number}: {warning}").format(number=number, warning=warning), file=sys.stderr)
            composed += 1
            yield label

    try:
        if args.format == "printer" and good:
            # through the print queue: each label confirmed by the printer, faults waited out,
            # nothing lost or silently duplicated (desktop.jobs)
            from desktop.station import Station

            rows = [number for number, _ in good]
            with Station(sealer=sealer, actor="cli") as station:
                progress = station.print_and_wait(
                    [shipment for _row, shipment in good], args.printer, profile.name, template,
                    reprint=args.reprint, copies=args.copies, virtual_numbers=args.virtual_numbers,
                    warn=lambda work, warning: print(_("sigilo print: row {number}: {warning}").format(
                        number=rows[work.index], warning=warning), file=sys.stderr),
                    source=batch_source(args.file, profile.name, template, args.copies, args.reprint,
                                        args.virtual_numbers),
                    what=str(args.file))
            if progress.run == "already printed":
                print(_("Nothing printed: job {job} printed {count} label(s) of {file} to {printer} before.").format(
                    job=progress.job_id, count=progress.count("confirmed"), file=args.file, printer=args.printer))
                return 0 if progress.count("confirmed") == len(progress.labels) and not skipped else 1
            for refusal in progress.refused:
                skipped += 1
                print(_("sigilo print: refused row {row}: {field}: {message} ({hint})").format(
                    row=rows[refusal.index], field=refusal.field, message=refusal.message, hint=refusal.hint),
                    file=sys.stderr)
            for label in progress.labels:
                if label.state == "failed":
                    skipped += 1
                    print(_("sigilo print: skipped row {number}: {error}").format(number=rows[label.index], error=label.error), file=sys.stderr)
            sent = progress.count("confirmed")
        elif args.format == "printer" or not good:
            sent = 0  # no valid row: nothing to send, and no empty file written (the rows said why)
        elif args.format == "png":
            sent = print_labels(labels(), args.printer, lambda label: render_label(label, "png"))
        else:
            from printers.transports import open_transport

            def copies() -> Iterator:
                for label in labels():
                    for _copy in range(args.copies):
                        yield label

            with open_transport(args.printer) as transport:
                write_pdf(copies(), _TransportFile(transport), sheet=args.sheet, dpi=dpi)
                transport.drain()
            sent = composed
    except PrinterError as exc:
        raise as_output_error(exc) from exc
    what = profile.name if profile else args.format.upper()
    # English keeps "label(s)" in both forms (scripts read it); the catalogs have real plurals.
    printed = ngettext("Printed {n} label(s) x {copies} copy to {printer} ({what}, {template})",
                       "Printed {n} label(s) x {copies} copies to {printer} ({what}, {template})",
                       args.copies).format(n=sent, copies=args.copies, printer=args.printer, what=what,
                                           template=template)
    if skipped:
        printed = ngettext("{printed}; {n} row(s) skipped.", "{printed}; {n} row(s) skipped.", skipped).format(
            printed=printed, n=skipped)
    else:
        printed = _("{printed}.").format(printed=printed)
    print(printed)
    return 0 if not skipped else 1


def _identity_passphrase(args):
    from desktop.keys.passphrase import from_environment

    return from_environment(getattr(args, "passphrase_file", None))


def batch_source(path, *options) -> str:
    """What makes a run "the same batch again": the file's bytes and every option that changes
    the labels (the printer is added by the queue). Only a keyed hash of it is stored."""
    import hashlib
    import json

    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        digest = str(path)
    return json.dumps([digest, *[o if o is None or isinstance(o, (str, int, float, bool)) else str(o) for o in options]])


def _audit_import(path, valid: int, invalid: int) -> None:
    """An order file read is an import in the audit: its name and counts, never its rows."""
    from pathlib import Path as _Path

    try:
        from desktop.audit import AuditLog
        from desktop.seal.auditing import actor
        from desktop.store import open_store

        with open_store() as store:
            AuditLog(store).append(actor(), "import", _Path(str(path)).name,
                                   {"rows": valid + invalid, "valid": valid, "invalid": invalid})
    except Exception as exc:  # the audit store unavailable must not stop a PDF to a file
        print(_("sigilo print: warning: could not write the import to the audit ({kind})").format(kind=type(exc).__name__),
              file=sys.stderr)
