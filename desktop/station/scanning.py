"""Opening a sealed QR on this machine (when it holds a scanner key), and finding barcodes in
a photo of a label."""

from __future__ import annotations

from pathlib import Path


def open_seal(text: str, keys_dir: Path, barcode: str | None = None) -> dict:
    """What an authorized scanner reads from a QR text: the shipment and who sealed it."""
    from desktop.station.keys import scanner

    opened = scanner(keys_dir).open(text.strip(), barcode=barcode or None)
    return {
        "shipment": opened.shipment.to_dict(),
        "station_id": opened.station_id,
        "station_name": opened.station_name,
        "tracking_number": opened.tracking_number,
        "issued_at": opened.issued_at,
        "expires_at": opened.expires_at,
        "fleet_key_id": opened.fleet_key_id,
    }


def read_label(path: str) -> tuple[str, str | None]:
    """(seal text, Code128 value or None) of a photo or scan of a label, with the limits and
    refusals of ``sigilo scan --image`` (desktop.seal.image): an oversized image, no QR, or
    several different barcodes are refused, never guessed."""
    from desktop.seal.image import read_label_image

    found = read_label_image(path)
    return found.seal, found.barcode
