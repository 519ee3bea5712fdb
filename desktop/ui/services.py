"""The GUI's calls into the core, as plain functions that background operations run.

Nothing here touches a widget or imports Qt widgets: each function takes values and returns
values, so it can run on a worker thread and be tested without a window.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from desktop.errors import SigiloError
from desktop.shipment import Shipment
from desktop.i18n import _

PLACEHOLDER_TRACKING = "SG0000000000"

_lock = threading.Lock()
_sealers: dict[str, object] = {}


class NotAuthorized(SigiloError):
    """This machine holds no scanner key, so it cannot open sealed labels."""


@dataclass(frozen=True)
class Preview:
    png_gray: bytes  # 8-bit greyscale pixels, row by row
    width: int
    height: int
    dpi: int
    qr_version: int
    qr_mm: float
    qr_text: str
    masked: dict
    warnings: tuple
    placeholder_tracking: bool
    seconds: float


@dataclass(frozen=True)
class PrintOutcome:
    tracking_number: str
    printer: str
    where: str  # the URI or the PDF path written
    bytes_sent: int
    qr_text: str
    masked: dict
    labels: int
    data_hash: str = ""


def sealer(keys_dir: Path):
    """The station's sealer, loaded once per key folder. On first run (no keys at all) a
    clearly marked demo key set is created so the clerk can try Sigilo before the key officer
    has enrolled the station."""
    key = str(keys_dir)
    with _lock:
        if key not in _sealers:
            from desktop.seal import Sealer, ensure_demo_keys

            if not keys_dir.exists() or not any(keys_dir.iterdir()):
                ensure_demo_keys(keys_dir)
            _sealers[key] = Sealer.from_keys_dir(keys_dir)
        return _sealers[key]


def forget_keys() -> None:
    """Drop loaded keys (after the key folder changed in settings)."""
    with _lock:
        _sealers.clear()


def scanner(keys_dir: Path):
    from desktop.keys.errors import TrustListError
    from desktop.keys.highwater import HighWaterDamaged, ListRollback
    from desktop.seal import Scanner

    try:
        return Scanner.from_keys_dir(keys_dir)
    except (ListRollback, TrustListError, HighWaterDamaged):
        raise  # the clerk must read "older trust list", not "no scanner key"
    except SigiloError as exc:
        raise NotAuthorized(_("this station holds no scanner key: it cannot open sealed labels"),
                            _("import a scanner (fleet) key in Settings > Keys, or scan with an authorized device")) from exc
    except (OSError, ValueError) as exc:
        raise NotAuthorized(_("this station holds no scanner key: it cannot open sealed labels"),
                            _("import a scanner (fleet) key in Settings > Keys")) from exc


def profile_dpi(profile: str) -> int:
    if profile == "pdf":
        return 203
    from printers.profiles import load_profile

    return int(load_profile(profile).dpi)


def render_preview(shipment: Shipment, template: str, keys_dir: Path, dpi: int = 203,
                   policy: str | None = None) -> Preview:
    """Compose and rasterise the label exactly as it will print (same composer, same raster
    renderer), in greyscale for the screen."""
    from desktop.compose import compose_label
    from printers.render.raster import render_raster

    start = time.perf_counter()
    placeholder = not shipment.tracking_number.strip()
    if placeholder:
        from dataclasses import replace

        shipment = replace(shipment, tracking_number=PLACEHOLDER_TRACKING)
    label = compose_label(shipment, template, sealer=sealer(keys_dir), dpi=dpi, policy=policy or None)
    image = render_raster(label.scene, dpi=dpi, mode="L")
    qr = next(el for el in label.scene.elements if type(el).__name__ == "QRCode")
    return Preview(
        png_gray=image.tobytes(), width=image.width, height=image.height, dpi=dpi,
        qr_version=label.qr_version, qr_mm=round(qr.size_mm(dpi), 1), qr_text=label.qr_text,
        masked=label.masked.to_dict(), warnings=tuple(label.warnings), placeholder_tracking=placeholder,
        seconds=time.perf_counter() - start,
    )


def open_seal(text: str, keys_dir: Path, barcode: str | None = None) -> dict:
    """What an authorized scanner reads from a QR text: the shipment and who sealed it."""
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


def print_label(shipment: Shipment, *, printer_name: str, uri: str, profile: str, template: str,
                keys_dir: Path, copies: int = 1, offset_x_mm: float = 0.0, offset_y_mm: float = 0.0,
                darkness: int | None = None, speed: int | None = None, policy: str | None = None,
                reprint: str | None = None, qr_text: str | None = None, masked=None) -> PrintOutcome:
    """Compose, encode for the printer's language (or PDF) and send. A reprint passes the stored
    ``qr_text`` and ``masked`` view: the plaintext is no longer kept once a label is printed."""
    from desktop.compose import compose_label

    dpi = profile_dpi(profile)
    label = compose_label(shipment, template, sealer=sealer(keys_dir), dpi=dpi, policy=policy or None,
                          reprint=reprint, qr_text=qr_text, masked=masked)
    copies = max(1, int(copies))
    if profile == "pdf":
        from printers.render.pdf import render_pdf

        target = pdf_target(uri, shipment.tracking_number)
        render_pdf((label.scene for _ in range(copies)), target)
        where, sent = str(target), target.stat().st_size
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
    else:
        from printers.lang import EncodeOptions, encode
        from printers.profiles import load_profile
        from printers.transports import open_transport

        options = EncodeOptions(copies=copies, offset_x_mm=offset_x_mm, offset_y_mm=offset_y_mm,
                                darkness=darkness, speed=speed)
        data = encode(label.scene, load_profile(profile), options)
        with open_transport(uri) as transport:
            transport.write(data)
            transport.drain()
        where, sent = uri, len(data)
        digest = hashlib.sha256(data).hexdigest()
    return PrintOutcome(tracking_number=shipment.tracking_number, printer=printer_name, where=where,
                        bytes_sent=sent, qr_text=label.qr_text, masked=label.masked.to_dict(), labels=copies,
                        data_hash=digest)


def test_print(*, uri: str, profile: str, offset_x_mm: float = 0.0, offset_y_mm: float = 0.0,
               darkness: int | None = None, speed: int | None = None) -> int:
    """A calibration label: a frame 2 mm inside the edge, a cross at the centre and a ruler, so
    the clerk sees at once which way and how far to move the offsets. Needs no keys."""
    from printers.scene import Box, Line, Scene, Text

    w, h = 100.0, 150.0
    elements = [Box(2, 2, w - 4, h - 4, 0.4), Line(w / 2 - 10, h / 2, w / 2 + 10, h / 2, 0.3),
                Line(w / 2, h / 2 - 10, w / 2, h / 2 + 10, 0.3),
                Text(8, 8, w - 16, 8, "Sigilo test print 测试", size_mm=4.5, bold=True)]
    for mm in range(10, int(w) - 5, 10):
        elements.append(Line(mm, 2, mm, 6, 0.3))
    scene = Scene(w, h, tuple(elements), name="test-print")
    if profile == "pdf":
        from printers.render.pdf import render_pdf

        target = pdf_target(uri, "test-print")
        return render_pdf([scene], target)
    from printers.lang import EncodeOptions, encode
    from printers.profiles import load_profile
    from printers.transports import open_transport

    data = encode(scene, load_profile(profile), EncodeOptions(offset_x_mm=offset_x_mm, offset_y_mm=offset_y_mm,
                                                               darkness=darkness, speed=speed))
    with open_transport(uri) as transport:
        transport.write(data)
        transport.drain()
    return len(data)


def query_printer(uri: str, profile: str) -> tuple[str, str]:
    """(state, detail) of a printer: READY, PAPER_OUT, HEAD_OPEN, OFFLINE, UNKNOWN..."""
    if profile == "pdf":
        return "READY", _("writes PDF files")
    from printers.profiles import load_profile
    from printers.transports import open_transport

    try:
        language = load_profile(profile).language
        with open_transport(uri) as transport:
            if not getattr(transport, "can_read", False):
                return "UNKNOWN", _("this connection cannot read the printer's status")
            from printers.status import query_status

            status = query_status(transport, language, timeout=1.5)
    except SigiloError as exc:
        return "OFFLINE", exc.message
    except OSError as exc:
        return "OFFLINE", exc.strerror or "not reachable"
    state = getattr(status.state, "name", None) or str(status.state)
    return state.split(".")[-1].upper(), getattr(status, "detail", "") or ""


GUESSED_PROFILES = {"tspl": "tspl-203", "zpl": "zpl-203", "escpos": "escpos-80"}


def discovered_printers() -> list[tuple[str, str, str]]:
    """(name, uri, guessed profile) of printers found on this machine (serial ports, USB
    printer-class devices), likely printers first, for the printer chooser."""
    try:
        from printers.discovery import discover

        found = discover()
    except (ImportError, SigiloError, OSError):
        return []
    found = sorted(found, key=lambda d: not getattr(d, "likely_printer", False))
    out = []
    for dev in found:
        name = " ".join(x for x in (getattr(dev, "vendor", ""), getattr(dev, "description", "")) if x) or dev.uri
        out.append((name, dev.uri, GUESSED_PROFILES.get(getattr(dev, "language", "") or "", "tspl-203")))
    return out


def import_key_files(paths: list[str], station_dir: Path, scanner_dir: Path) -> list[str]:
    """Install key files the key officer handed over, as `sigilo keys import-fleet` and
    `import-trust` do: a fleet public key goes to the station's fleet folder (so it seals to
    it), a fleet private key to the scanner's, a trust list (with the authority key chosen
    beside it, if any) to the scanner's after its signature is checked. Returns what was
    installed, in words; a file that is none of these is refused by name."""
    import json

    from desktop.keys import manage
    from desktop.keys.keyfile import KEY_FORMAT
    from desktop.keys.layout import KeysDir
    from desktop.keys.trust import TRUST_FORMAT

    kinds: dict[str, list[Path]] = {"fleet-pub": [], "fleet-key": [], "authority": [], "trust": []}
    for p in map(Path, paths):
        try:
            fmt = json.loads(p.read_text(encoding="utf-8")).get("format")
        except (OSError, ValueError, AttributeError) as exc:
            raise SigiloError(_("{name} is not a Sigilo key file").format(name=p.name), _("choose the .pub, .key or trust.json the key officer gave you")) from exc
        kind = {manage.FLEET_PUB_FORMAT: "fleet-pub", KEY_FORMAT: "fleet-key",
                manage.AUTHORITY_PUB_FORMAT: "authority", TRUST_FORMAT: "trust"}.get(fmt)
        if kind is None:
            raise SigiloError(_("{name} is not a fleet key, authority key or trust list").format(name=p.name),
                              _("a station key is created on this machine with `sigilo keys create-station`"))
        kinds[kind].append(p)
    done = []
    for p in kinds["fleet-pub"]:
        b = manage.import_fleet(KeysDir.at(station_dir), p)
        done.append(f"fleet key {b['region']}-{b['epoch']} for sealing")
    for p in kinds["fleet-key"]:
        b = manage.import_fleet(KeysDir.at(scanner_dir), p)
        done.append(_("fleet private key {name} for scanning").format(name=f"{b['region']}-{b['epoch']}"))
    authority = kinds["authority"][0] if kinds["authority"] else None
    for p in kinds["trust"]:
        t = manage.import_trust(KeysDir.at(scanner_dir), p, authority)
        done.append(_("trust list serial {serial}").format(serial=t.serial))
    if authority is not None and not kinds["trust"]:
        raise SigiloError(_("an authority key is installed together with its trust list"),
                          _("choose trust.json and authority.pub together"))
    forget_keys()
    return done
