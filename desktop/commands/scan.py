"""``sigilo scan``: open a label's sealed QR with the scanner's keys and show the full
shipment and the station that sealed it, or refuse with a reason and its own exit status.

Input is the QR text as a keyboard-wedge scanner types it (``--text``, or one line on standard
input), or a photo/scan of the label (``--image``), in which the Code128 tracking barcode, if
found, is checked against the seal as ``--barcode`` would be. Exit statuses: docs/keys.md.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from desktop.errors import SigiloError
from desktop.i18n import _


def register(subparsers) -> None:
    import argparse

    p = subparsers.add_parser(
        "scan", help=_("open a sealed QR code with this scanner's keys"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_("Open a label's sealed QR code (SG1:...) with this scanner's fleet keys and trust "
                      "list,\nand show the full shipment and the station that sealed it."),
        epilog=_("exit status:\n  0 opened            11 malformed, or no QR   12 wrong fleet key "
                 "(region/epoch)\n  13 unknown station  14 revoked station       15 bad signature\n  16 "
                 "tampered         17 expired               18 tracking number differs from the "
                 "barcode\n  2 usage error (e.g. the --image file does not exist)\n  21 key material "
                 "missing  22 passphrase needed  23 wrong passphrase\n  24 damaged key file      25 "
                 "invalid or older trust list\nexamples:\n  sigilo scan --keys scanner --image "
                 "label.png\n  sigilo scan --keys scanner --text 'SG1:...' --barcode SG7700000000 "
                 "--json"),
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--text", help=_("the QR text (SG1:...); case does not matter. Default: read a line from stdin"))
    src.add_argument("--image", type=Path, help=_("a photo or scan of the label (PNG/JPEG)"))
    p.add_argument("--keys", type=Path, default=None, help=_("scanner keys directory (default: the user data folder's keys/)"))
    p.add_argument("--barcode", help=_("the tracking number from the label's barcode, checked against the seal"))
    p.add_argument("--json", action="store_true", help=_("print the shipment as JSON (shared-data shape)"))
    p.add_argument("--passphrase-file", type=Path, help=_("passphrase for the fleet keys (else SIGILO_PASSPHRASE)"))
    p.add_argument("--now", type=int, help=argparse_suppress())
    p.set_defaults(handler=_scan)


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS


class ImageNotFound(SigiloError):
    """A mistyped path is a usage error, not a damaged label."""

    exit_code = 2


def read_image(path: Path) -> tuple[str, str | None]:
    """(seal text, Code128 value or None) found in an image."""
    import zxingcpp
    from PIL import Image

    from desktop.seal.errors import MalformedSeal

    if not Path(path).is_file():
        raise ImageNotFound(_("there is no image file {path}").format(path=path), _("give the path of a PNG or JPEG photo or scan of the label"))
    try:
        image = Image.open(path)
        image.load()
    except (OSError, ValueError) as exc:
        raise MalformedSeal(_("cannot read the image {path}: {exc}").format(path=path, exc=exc), _("give a PNG or JPEG photo or scan of the label")) from None
    results = zxingcpp.read_barcodes(image.convert("L"))
    seals = [r.text for r in results if r.format == zxingcpp.BarcodeFormat.QRCode and r.text.upper().startswith("SG1:")]
    codes = [r.text for r in results if r.format == zxingcpp.BarcodeFormat.Code128]
    if not seals:
        raise MalformedSeal(_("no Sigilo QR code found in {path}").format(path=path),
                            _("photograph the QR code square-on, in focus, with its white margin"))
    if len(set(seals)) > 1:
        raise MalformedSeal(_("{n} different Sigilo QR codes in {path}").format(n=len(seals), path=path), _("scan one label at a time"))
    return seals[0], (codes[0] if len(set(codes)) == 1 else None)


def _scan(args) -> int:
    from desktop.keys.passphrase import from_environment
    from desktop.seal import Scanner, SealError
    from desktop.seal.auditing import claimed_tracking, record

    barcode = args.barcode
    if args.image:
        text, found = read_image(args.image)
        if barcode is None:
            barcode = found
    elif args.text is not None:
        text = args.text
    else:
        if sys.stdin.isatty():
            print(_("Scan the label's QR code now (or type it and press Enter):"), file=sys.stderr)
        text = sys.stdin.readline()
        if not text.strip():
            from desktop.seal.errors import MalformedSeal

            raise MalformedSeal(_("nothing was scanned: standard input gave an empty line"),
                                _("scan the label's QR code into this window, or pass --text 'SG1:...' or --image FILE"))
    keys = args.keys
    if keys is None:
        from desktop.paths import data_dir

        keys = data_dir() / "keys"
    scanner = Scanner.from_keys_dir(keys, from_environment(args.passphrase_file))
    try:
        opened = scanner.open(text, barcode=barcode, now=args.now)
    except SealError as exc:
        record("scan_failed", claimed_tracking(text), {"reason": exc.reason, "exit": exc.exit_code,
                                                       "barcode_checked": barcode is not None})
        raise
    record("scan", opened.tracking_number, {"station_id": opened.station_id, "fleet_key_id": opened.fleet_key_id,
                                            "barcode_checked": barcode is not None})
    facts = dict(station=opened.station_id, name=opened.station_name, issued=_when(opened.issued_at),
                 expires=_when(opened.expires_at), key=opened.fleet_key_id)
    if barcode is None:
        sealed_by = _("sealed by station {station} ({name}) on {issued}, valid until {expires}, fleet key {key}; "
                      "barcode not checked").format(**facts)
    else:
        sealed_by = _("sealed by station {station} ({name}) on {issued}, valid until {expires}, fleet key "
                      "{key}").format(**facts)
    if args.json:
        print(json.dumps(opened.shipment.to_dict(), ensure_ascii=False))
        print(sealed_by, file=sys.stderr)
        return 0
    s = opened.shipment
    print(_("tracking {tracking_number}  order {order_id}  service {service}").format(tracking_number=opened.tracking_number, order_id=s.order_id, service=s.service))
    print(sealed_by)
    for title, party in (("recipient", s.recipient), ("sender", s.sender)):
        print(f"{title}: {party.name}  {party.phone}")
        place = " ".join(x for x in (party.country, party.province, party.city, party.district,
                                      party.street, party.detail, party.postcode) if x)
        print(f"  {place}")
    p = s.parcel
    print(_("parcel: {weight_kg} kg, {pieces} piece(s), {items}, declared {declared_value}").format(weight_kg=p.weight_kg, pieces=p.pieces, items=p.items, declared_value=p.declared_value))
    return 0


def _when(t: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t))
