"""``sigilo demo``: every sample shipment as a finished label in every output, with demo keys,
where no display exists (a server, CI, a first look). Each sample is sealed once; its QR
matrix is computed once and shared by the PNG, the PDF and the three printer languages."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from desktop.compose.outputs import DEFAULT_PROFILES
from desktop.i18n import _

NARROW_TEMPLATE = "waybill-72x130"  # for 80 mm receipt printers (72 mm printable)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo", help=_("write every sample shipment as PNG, PDF, ZPL, TSPL and ESC/POS labels"),
        description=_("Compose every sample shipment into a masked, sealed label and write "
                      "DIR/<tracking>.png, .pdf, .zpl, .tspl and .escpos. Without --keys, a demo key set "
                      "is created in DIR/keys."),
    )
    p.add_argument("--out", type=Path, default=Path("out"), help=_("output folder (default: ./out)"))
    p.add_argument("--keys", type=Path, default=None,
                   help=_("a keys directory with a station key; default: create demo keys in OUT/keys"))
    p.add_argument("--passphrase-file", type=Path, default=None,
                   help=_("passphrase of the station key given with --keys (else SIGILO_PASSPHRASE)"))
    p.add_argument("--template", default=None, help=_("label template (default: waybill-100x150)"))
    p.add_argument("--samples", type=Path, default=None, help=argparse_suppress())
    p.set_defaults(handler=run)


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS


def run(args) -> int:
    from desktop.compose import DEFAULT_TEMPLATE, compose_label, load_template
    from desktop.compose.batch import read_rows, validate_rows
    from desktop.compose.outputs import load_printer_profile, render_label
    from desktop.paths import sample_shipments_path
    from desktop.seal import Sealer, ensure_demo_keys

    started = time.perf_counter()
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from desktop.compose.errors import ComposeError

        raise ComposeError(_("cannot create the output folder {out}: {error}").format(out=out, error=exc.strerror or exc),
                           _("give --out a folder you can write to")) from None
    template = args.template or DEFAULT_TEMPLATE
    load_template(template)  # an unknown name fails before any key is made
    keys = args.keys
    if keys is None:
        keys = out / "keys"
        ensure_demo_keys(keys)
    from desktop.keys.passphrase import from_environment

    sealer = Sealer.from_keys_dir(keys, from_environment(args.passphrase_file) if args.keys is not None else None)
    # no resident fonts: every character is drawn by Sigilo, so each printer prints exactly
    # what the PNG shows, whatever fonts the printer model carries
    profiles = {lang: replace(load_printer_profile(name), resident_fonts=()) for lang, name in DEFAULT_PROFILES.items()}

    good, bad = validate_rows(read_rows(args.samples or sample_shipments_path()))
    for problem in bad:
        print(_("sigilo demo: skipped {describe}").format(describe=problem.describe()), file=sys.stderr)
    narrow = {}  # printers narrower than the template get the narrow template, same seal
    for lang, profile in profiles.items():
        if load_template(template).width_mm > profile.print_width_mm + 0.5:
            narrow[lang] = NARROW_TEMPLATE
    written = []
    for _row, shipment in good:
        label = compose_label(shipment, template, sealer=sealer)
        for warning in label.warnings:
            print(_("sigilo demo: {tracking_number}: {warning}").format(tracking_number=shipment.tracking_number, warning=warning), file=sys.stderr)
        stem = out / shipment.tracking_number
        for fmt in ("png", "pdf", "zpl", "tspl", "escpos"):
            this = label
            if fmt in narrow:
                this = compose_label(shipment, narrow[fmt], sealer=sealer, masked=label.masked, qr_text=label.qr_text)
            data = render_label(this, fmt, profiles.get(fmt))
            try:
                stem.with_suffix(f".{fmt}").write_bytes(data)
            except OSError as exc:
                from desktop.compose.errors import ComposeError

                raise ComposeError(_("cannot write {path}: {error}").format(path=stem.with_suffix(f'.{fmt}'), error=exc.strerror or exc),
                                   _("give --out a folder you can write to, with room on its disk")) from None
        written.append(shipment.tracking_number)
    elapsed = time.perf_counter() - started
    print(_("Wrote {n} labels x 5 outputs (.png .pdf .zpl .tspl .escpos) to {out} in "
            "{elapsed:.1f} s (template {template}, 203 dpi, no resident printer fonts).").format(n=len(written), out=out.resolve(), elapsed=elapsed, template=template))
    for lang, name in narrow.items():
        print(_("  .{lang}: {name} prints {print_width_mm:g} mm wide, so it uses {name2}.").format(lang=lang, name=profiles[lang].name, print_width_mm=profiles[lang].print_width_mm, name2=name))
    if written:
        # a station's own keys cannot open labels (it holds no fleet private key): say whose can
        scanner_keys = keys if any((Path(keys) / "fleet").glob("*.key")) else "SCANNER_KEYS_DIR"
        print(_("Scan one back:  sigilo scan --keys {scanner_keys} --image {stem}.png").format(scanner_keys=scanner_keys, stem=out / written[0]))
        if scanner_keys != keys:
            print(_("  ({keys} holds no fleet private key: scan with an authorized scanner's keys "
                    "directory)").format(keys=keys))
    if args.keys is None:
        print(_("The keys in {keys} are DEMO ONLY (unencrypted): never use them for real labels.").format(keys=keys))
    return 0 if not bad else 1
