"""``sigilo batch FILE``: import a shop's order export (CSV or XLSX), report every row by row
number and field, and with ``--print`` print only the valid rows through the print queue, as
``sigilo print`` does. ``--retry-failed JOB`` prints only the rows that job did not print
(rows fixed since, or labels that failed), so nothing prints twice.

Exit status: 0 when every row is valid (and printed, with --print); 1 when some were not."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from desktop.i18n import _



def register(subparsers) -> None:
    p = subparsers.add_parser(
        "batch", help=_("import a shop's order export (CSV/XLSX), report rows, print the valid ones"),
        description=_("Read a CSV (UTF-8, UTF-8 with BOM, UTF-16, GB18030 or Windows-1252) or XLSX order export, "
                      "recognise its columns from a saved mapping, validate every row and list the errors by row "
                      "and field."),
    )
    p.add_argument("file", type=Path, help=_("the order export: .csv or .xlsx"))
    p.add_argument("--encoding", choices=["utf-8", "gb18030", "cp1252", "utf-16"], default=None,
                   help=_("the CSV's text encoding, when Sigilo cannot tell it with certainty (it then names the "
                          "candidates and shows a sample as each reads it)"))
    p.add_argument("--mapping", metavar="NAME", default=None,
                   help=_("the column mapping to use (default: recognised from the header row)"))
    p.add_argument("--save-mapping", metavar="NAME", default=None,
                   help=_("save the --map pairs as mapping NAME for this and later files"))
    p.add_argument("--map", dest="pairs", action="append", default=[], metavar="FIELD=COLUMN",
                   help=_("with --save-mapping: which column holds a field, e.g. recipient.name=Receiver "
                          "(recipient.address: a whole address in one column)"))
    p.add_argument("--default", dest="default_pairs", action="append", default=[], metavar="FIELD=VALUE",
                   help=_("with --save-mapping: a value for a field no column gives, e.g. recipient.country=CN"))
    p.add_argument("--report", type=Path, default=None, metavar="CSV",
                   help=_("write the per-row report (row, status, field, message) to this CSV"))
    p.add_argument("--sender", type=Path, default=None, metavar="JSON",
                   help=_("the sender (a JSON object: name, phone, country, province, city, street ...) for "
                          "rows whose export names none"))
    p.add_argument("--weight", type=float, default=None, metavar="KG",
                   help=_("parcel weight for rows without one"))
    p.add_argument("--tracking-prefix", default="", metavar="PREFIX",
                   help=_("for rows without a tracking number: PREFIX + the order id's letters and digits"))
    p.add_argument("--print", dest="do_print", action="store_true", help=_("print the valid rows"))
    p.add_argument("--printer", metavar="URI", default=None, help=_("with --print: the printer URI"))
    p.add_argument("--profile", default=None, help=_("printer profile (default: tspl-203)"))
    p.add_argument("--template", default=None, help=_("label template (default: waybill-100x150)"))
    p.add_argument("--retry-failed", metavar="JOB", default=None,
                   help=_("with --print: print only the rows job JOB did not print (fixed rows, failed labels)"))
    keys = p.add_mutually_exclusive_group()
    keys.add_argument("--keys", type=Path, default=None, help=_("station keys directory (default: the station's keys/)"))
    keys.add_argument("--demo-keys", action="store_true",
                      help=_("seal with demo keys (created if missing; DEMO ONLY, never for real parcels)"))
    p.add_argument("--passphrase-file", type=Path, default=None, help=_("passphrase of the station key (else SIGILO_PASSPHRASE)"))
    p.set_defaults(handler=run)


def run(args) -> int:
    from desktop.importer import (
        find_mapping,
        import_table,
        read_table,
        recognise,
        save_user_mapping,
    )
    from desktop.importer.mapping import mapping_from_pairs

    if (args.pairs or args.default_pairs) and not args.save_mapping:
        print(_("sigilo batch: --map and --default make a mapping; name it with --save-mapping NAME"), file=sys.stderr)
        return 2
    if args.do_print and not args.printer:
        print(_("sigilo batch: --print needs --printer URI"), file=sys.stderr)
        return 2
    if args.retry_failed and not args.do_print:
        print(_("sigilo batch: --retry-failed prints; add --print --printer URI"), file=sys.stderr)
        return 2
    if args.do_print:
        from desktop.commands.print import check_printer_uri

        check_printer_uri(args.printer)
    table = read_table(args.file, args.encoding)
    if args.save_mapping:
        defaults = dict(pair.split("=", 1) for pair in args.default_pairs if "=" in pair)
        mapping = mapping_from_pairs(args.save_mapping, args.pairs, table.headers, defaults)
        path = save_user_mapping(mapping)
        print(_("Saved mapping {name!r} to {path}.").format(name=mapping.name, path=path))
    elif args.mapping:
        mapping = find_mapping(args.mapping)
    else:
        mapping = recognise(table.headers)
    report = import_table(table, mapping, _defaults(args), source=args.file.name)
    print(_("{name}: mapping {mapping} ({encoding}): {summary}.").format(name=args.file.name, mapping=report.mapping, encoding=report.encoding, summary=report.summary()))
    for row in report.rows:
        for e in row.errors:
            print(_("  row {row}: {field}: {message}").format(row=row.row, field=e.field, message=e.message))
    _hint_defaults(args, report)
    warned = sum(1 for row in report.rows if row.warnings)
    if warned:
        if args.report:
            print(_("  {n} row(s) with warnings; see {report}").format(n=warned, report=args.report))
        else:
            print(_("  {n} row(s) with warnings; --report CSV lists them").format(n=warned))
    if args.report:
        report.write_csv(args.report)
        print(_("Report written to {report}.").format(report=args.report))
    _audit_import(args.file.name, len(report.valid), len(report.invalid))
    if not args.do_print:
        return 0 if not report.invalid else 1
    return _print(args, report)


def _hint_defaults(args, report) -> None:
    """Shop exports rarely hold the sender, a weight or tracking numbers: say which option
    supplies what the rows lack, once, instead of leaving it to N identical errors."""
    fields = {e.field for row in report.invalid for e in row.errors}
    hints = []
    if not args.sender and any(f.startswith("sender.") or f == "sender" for f in fields):
        hints.append(_("--sender JSON for the sender"))
    if args.weight is None and "parcel.weight_kg" in fields:
        hints.append(_("--weight KG for the parcel weight"))
    if not args.tracking_prefix and "tracking_number" in fields:
        hints.append(_("--tracking-prefix PREFIX for tracking numbers (or map a tracking number column)"))
    if hints:
        print(_("  hint: the export lacks what these give: {options}").format(options="; ".join(hints)))


def _defaults(args):
    from desktop.errors import SigiloError
    from desktop.importer import Defaults

    sender = {}
    if args.sender:
        try:
            sender = json.loads(args.sender.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as exc:
            raise SigiloError(_("cannot read the sender from {sender} ({kind})").format(sender=args.sender, kind=type(exc).__name__),
                              _('give a JSON object, e.g. {"name": ..., "phone": ..., "country": "CN", ...}')) from exc
        if not isinstance(sender, dict):
            raise SigiloError(_("{sender} is not a JSON object").format(sender=args.sender), _("write the sender as one JSON object"))
    return Defaults(sender=sender, weight_kg=args.weight, tracking_prefix=args.tracking_prefix.strip().upper())


def _print(args, report) -> int:
    """The valid rows through the same print queue and sealing as ``sigilo print``."""
    from desktop.commands.print import _sealer
    from desktop.compose import DEFAULT_TEMPLATE, load_template
    from desktop.compose.outputs import as_output_error, load_printer_profile
    from desktop.station import Station
    from printers.errors import PrinterError

    template = args.template or DEFAULT_TEMPLATE
    load_template(template)
    profile = load_printer_profile(args.profile or "tspl-203")
    rows = report.valid
    if args.retry_failed:
        printed = _printed_in(args.retry_failed)
        rows = [r for r in rows if r.shipment.tracking_number not in printed]
        print(_("Job {job} printed {n} label(s); {left} row(s) left to print.").format(job=args.retry_failed, n=len(printed), left=len(rows)))
    if not rows:
        print(_("Nothing to print."))
        return 0 if not report.invalid else 1
    from desktop.commands.print import _identity_passphrase
    from desktop.identity.gate import check_command

    check_command([r.shipment for r in rows], None, getattr(args, "keys", None), _identity_passphrase(args))
    sealer = _sealer(args)
    try:
        from desktop.commands.print import batch_source

        with Station(sealer=sealer, actor="cli") as station:
            progress = station.print_and_wait(
                [r.shipment for r in rows], args.printer, profile.name, template,
                warn=lambda work, warning: print(_("sigilo batch: row {row}: {warning}").format(
                    row=rows[work.index].row, warning=warning), file=sys.stderr),
                source=batch_source(args.file, "batch", profile.name, template, args.retry_failed,
                                    args.weight, args.tracking_prefix, str(args.sender or ""),
                                    args.mapping, args.pairs, args.default_pairs),
                what=str(args.file), command="sigilo batch")
    except PrinterError as exc:
        raise as_output_error(exc) from exc
    if progress.run == "already printed":
        print(_("Nothing printed: job {job} printed {count} label(s) of {file} to {printer} before.").format(
            job=progress.job_id, count=progress.count("confirmed"), file=args.file, printer=args.printer))
        return 0 if progress.count("confirmed") == len(progress.labels) and not report.invalid else 1
    failed = 0
    for refusal in progress.refused:
        failed += 1
        print(_("sigilo batch: row {row} refused: {field}: {message} ({hint})").format(
            row=rows[refusal.index].row, field=refusal.field, message=refusal.message, hint=refusal.hint),
            file=sys.stderr)
    for label in progress.labels:
        if label.state == "failed":
            failed += 1
            print(_("sigilo batch: row {row} not printed: {error}").format(row=rows[label.index].row, error=label.error), file=sys.stderr)
    sent = progress.count("confirmed")
    if failed:
        print(_("Printed {n} label(s) to {printer} ({profile}, {template}); job {job}; {failed} failed: "
                "sigilo batch {file} --print --printer {printer} --retry-failed {job}.").format(
            n=sent, printer=args.printer, profile=profile.name, template=template, job=progress.job_id,
            failed=failed, file=args.file))
    else:
        print(_("Printed {n} label(s) to {printer} ({profile}, {template}); job {job}.").format(
            n=sent, printer=args.printer, profile=profile.name, template=template, job=progress.job_id))
    return 0 if not failed and not report.invalid else 1


def _printed_in(job_id: str) -> set[str]:
    from desktop.errors import SigiloError
    from desktop.store import open_store

    with open_store() as store:
        if not store.query("SELECT id FROM jobs WHERE id=?", (job_id,)):
            raise SigiloError(_("no print job {job_id}").format(job_id=job_id), _("see the job ids with: sigilo jobs list"))
        rows = store.query("SELECT tracking_number FROM labels WHERE job_id=? AND state='confirmed'", (job_id,))
    return {row["tracking_number"] for row in rows}


def _audit_import(name: str, valid: int, invalid: int) -> None:
    """An import in the audit, as ``sigilo print`` records one: the file's name and counts."""
    from desktop.commands.print import _audit_import as record

    record(name, valid, invalid)
