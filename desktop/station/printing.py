"""Printing that needs no queue: a PDF "printer" (a file:// folder or file) written at once,
the calibration label's scene, and where a PDF goes. Label printers are driven only by their
queue worker (desktop.jobs), which holds the one connection to each."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from desktop.shipment import Shipment


@dataclass(frozen=True)
class PrintOutcome:
    """A printed label as the window reports it."""

    tracking_number: str
    printer: str  # the printer's name as the clerk knows it
    where: str  # the URI or the PDF path written
    bytes_sent: int
    qr_text: str
    masked: dict
    labels: int  # physical labels (copies)
    data_hash: str = ""


def pdf_target(uri: str, tracking_number: str) -> Path:
    """A file:// URI naming a folder (ending in /) gets one PDF per label, named by tracking
    number and time; one naming a file is overwritten."""
    parts = urlsplit(uri)
    path = Path(unquote(parts.path))
    if uri.endswith("/") or path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = path / f"{tracking_number}-{stamp}.pdf"
        n = 1
        while target.exists():  # a reprint in the same second must not overwrite the original
            n += 1
            target = path / f"{tracking_number}-{stamp}-{n}.pdf"
        return target
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_pdf_label(label, uri: str, tracking_number: str, copies: int = 1) -> tuple[str, int, str]:
    """Write a composed label (``copies`` pages) as a PDF; returns (path, size, sha256)."""
    from printers.render.pdf import render_pdf

    target = pdf_target(uri, tracking_number)
    render_pdf((label.scene for _ in range(max(1, copies))), target)
    return str(target), target.stat().st_size, hashlib.sha256(target.read_bytes()).hexdigest()


def encode_test_label(profile: str, calibration=None) -> bytes:
    """The calibration label in the printer's language, with its offsets and darkness."""
    from desktop.compose.testlabel import test_scene
    from desktop.jobs.render import encode_options
    from printers.lang import encode
    from printers.profiles import load_profile

    return encode(test_scene(), load_profile(profile), encode_options(calibration))


def test_print_pdf(uri: str) -> int:
    """The calibration label as a PDF page (a PDF "printer"); returns the pages written."""
    from desktop.compose.testlabel import test_scene
    from printers.render.pdf import render_pdf

    return render_pdf([test_scene()], pdf_target(uri, "test-print"))


def compose_for_pdf(shipment: Shipment, template: str, sealer, *, policy=None, reprint=None, qr_text=None,
                    masked=None, printed_at=None):
    from desktop.compose import compose_label

    return compose_label(shipment, template, sealer=sealer, dpi=203, policy=policy or None, reprint=reprint,
                         qr_text=qr_text, masked=masked, printed_at=printed_at)
