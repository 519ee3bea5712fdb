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
        epilog=_("exit status:\n"
                 "  0 opened            11 malformed, or no QR   12 wrong fleet key (region/epoch)\n"
                 "  13 unknown station  14 revoked station       15 bad signature\n"
                 "  16 tampered         17 expired               18 tracking number differs from the barcode\n"
                 "  2 usage error (e.g. the --image file does not exist)\n"
                 "  21 key material missing  22 passphrase needed  23 wrong passphrase\n"
                 "  24 damaged key file      25 invalid or damaged trust list\n"
                 "  26 trust list (or void list) older than one this machine accepted before\n"
                 "  28 voided by the station that printed it (its store, or an installed void list)\n"
                 "  29 an installed void list is invalid\n"
                 "  10 impossible lifetime (issued in the future, or valid for longer than any station seals)\n"
                 "examples:\n"
                 "  sigilo scan --keys scanner --image label.png\n"
                 "  sigilo scan --keys scanner --text 'SG1:...' --barcode SG7700000000 --json"),
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


def _scan(args) -> int:
    from desktop.seal.auditing import claimed_tracking, record

    state = {"text": "", "barcode": args.barcode}
    try:
        opened = _open(args, state)
    except SigiloError as exc:
        # every scan that does not open is audited, whatever refused it (the image, the keys,
        # an older trust list, the seal): failed scans feed the alerts
        record("scan_failed", claimed_tracking(state["text"]),
               {"reason": getattr(exc, "reason", type(exc).__name__), "exit": exc.exit_code,
                "barcode_checked": state["barcode"] is not None})
        raise
    barcode = state["barcode"]
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


def refuse_voided(text: str, tracking: str, keys: Path, trust) -> None:
    """A label this station voided (its own store), or one on a void list installed beside the
    trust list, is refused (VoidedSeal, exit 28) saying when and, here, by whom and why."""
    from desktop.seal.voids import check, load_lists

    store_file = _store_file()
    if store_file is not None:
        from desktop.station.voids import voided_here
        from desktop.store import open_store

        with open_store(store_file.parent) as store:
            voided_here(store, text, tracking)
    check(text, tracking, load_lists(keys, trust))


def _store_file() -> Path | None:
    """The station's store, if this machine has one (a courier's scanner may have none)."""
    from desktop.paths import data_dir
    from desktop.store.db import DB_FILE

    path = data_dir() / DB_FILE
    return path if path.exists() else None


def _open(args, state: dict):
    from desktop.keys.passphrase import from_environment
    from desktop.seal import Scanner
    from desktop.seal.errors import MalformedSeal
    from desktop.seal.image import read_label_image

    if args.image:
        found = read_label_image(args.image, barcode_given=args.barcode is not None)
        state["text"] = found.seal
        if state["barcode"] is None:
            state["barcode"] = found.barcode
    elif args.text is not None:
        state["text"] = args.text
    else:
        if sys.stdin.isatty():
            print(_("Scan the label's QR code now (or type it and press Enter):"), file=sys.stderr)
        try:
            state["text"] = sys.stdin.readline()
        except UnicodeDecodeError:
            raise MalformedSeal(_("the scanned line is not text (it holds bytes that are not UTF-8)"),
                                _("set the scanner to a US keyboard layout and scan the QR code again")) from None
        if not state["text"].strip():
            raise MalformedSeal(_("nothing was scanned: standard input gave an empty line"),
                                _("scan the label's QR code into this window, or pass --text 'SG1:...' or --image FILE"))
    keys = args.keys
    if keys is None:
        from desktop.paths import data_dir

        keys = data_dir() / "keys"
    scanner = Scanner.from_keys_dir(keys, from_environment(args.passphrase_file))
    opened = scanner.open(state["text"], barcode=state["barcode"], now=args.now)
    refuse_voided(state["text"], opened.tracking_number, keys, scanner.trust)
    return opened


def _when(t: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t))
