"""Reading a photo or scan of a label: the sealed QR text and the waybill's Code128, for
``sigilo scan --image`` and the Scan page alike.

An image comes from outside, so it is bounded before it is decoded: a PNG of 38 KB can declare
200 million pixels (a "decompression bomb"), and decoding 96 Mpx took 613 MB here. The header's
size is checked against ``MAX_PIXELS`` before any pixel is read. And the Code128 is what proves
the QR belongs to this parcel, so a photo holding several different Code128 values is refused
rather than opened with the check skipped: a QR moved onto another waybill would pass unseen.
"""

from __future__ import annotations

from desktop.i18n import _

import warnings
from dataclasses import dataclass
from pathlib import Path

from desktop.errors import SigiloError
from desktop.seal.errors import MalformedSeal, TrackingMismatch

MAX_PIXELS = 50_000_000  # a 50 Mpx phone photo still reads; decoding costs about 6 bytes a pixel
MAX_FILE_BYTES = 64 * 1024 * 1024


class ImageNotFound(SigiloError):
    """A mistyped path is a usage error, not a damaged label."""

    exit_code = 2


class ImageTooLarge(MalformedSeal):
    """An image over the pixel or file-size limit, refused before decoding."""


@dataclass(frozen=True)
class LabelImage:
    seal: str
    barcode: str | None  # the one Code128 value, or None when the photo holds none
    barcodes: tuple[str, ...]  # every distinct Code128 value found


def _open_bounded(path: Path):
    from PIL import Image

    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImageTooLarge(_("the image {name} is {value} MB; images over {value2} MB are not read").format(name=path.name, value=size // (1024 * 1024), value2=MAX_FILE_BYTES // (1024 * 1024)),
                            _("photograph or scan just the label, or save the photo at a smaller size"))
    too_large = ImageTooLarge(f"the image {path.name} has more than {MAX_PIXELS // 1_000_000} megapixels; "
                              "larger images are not read",
                              "photograph or scan just the label, or save the photo at a smaller size")
    try:
        with warnings.catch_warnings():  # the size is checked below, against a lower limit
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except Image.DecompressionBombError:
        raise too_large from None
    except Exception as exc:  # Pillow raises many types (OSError, SyntaxError, ValueError...) for bad files
        raise MalformedSeal(_("cannot read the image {name} ({kind})").format(name=path.name, kind=exc.__class__.__name__),
                            _("give a PNG or JPEG photo or scan of the label")) from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise ImageTooLarge(_("the image {name} is {width}x{height} pixels ({value:.0f} megapixels); images over {value2} megapixels are not read").format(name=path.name, width=width, height=height, value=width * height / 1000000.0, value2=MAX_PIXELS // 1000000),
                            _("photograph or scan just the label, or save the photo at a smaller size"))
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)  # an animated image: only its first frame is read
    try:
        image.load()
        return image.convert("L")
    except Exception as exc:  # a truncated or corrupt file fails only here
        raise MalformedSeal(_("cannot read the image {name} ({kind})").format(name=path.name, kind=exc.__class__.__name__),
                            _("give a PNG or JPEG photo or scan of the label")) from None
    finally:
        image.close()


def read_label_image(path: str | Path, barcode_given: bool = False) -> LabelImage:
    """The Sigilo QR text and the Code128 value(s) in an image. Refuses: no such file
    (ImageNotFound), an unreadable or oversized image, no or several different Sigilo QR codes
    (MalformedSeal), and — unless the caller has the label's barcode from elsewhere
    (``barcode_given``) — several different Code128 values (TrackingMismatch: which one is the
    waybill's cannot be told, and skipping the check would let a moved QR pass)."""
    import zxingcpp

    path = Path(path)
    if not path.is_file():
        raise ImageNotFound(_("there is no image file {path}").format(path=path), _("give the path of a PNG or JPEG photo or scan of the label"))
    gray = _open_bounded(path)
    try:
        results = zxingcpp.read_barcodes(gray)
    except Exception as exc:  # the reader itself failing is a refusal too, never a traceback
        raise MalformedSeal(_("cannot read barcodes in {name} ({kind})").format(name=path.name, kind=exc.__class__.__name__),
                            _("photograph the label again, square-on and in focus")) from None
    seals = sorted({r.text for r in results
                    if r.format == zxingcpp.BarcodeFormat.QRCode and r.text.strip().upper().startswith("SG1:")})
    codes = tuple(sorted({r.text for r in results if r.format == zxingcpp.BarcodeFormat.Code128}))
    if not seals:
        raise MalformedSeal(_("no Sigilo QR code found in {name}").format(name=path.name),
                            _("photograph the QR code square-on, in focus, with its white margin"))
    if len(seals) > 1:
        raise MalformedSeal(_("{n} different Sigilo QR codes in {name}").format(n=len(seals), name=path.name), _("scan one label at a time"))
    if len(codes) > 1 and not barcode_given:
        raise TrackingMismatch(
            _("the image holds {n} different barcodes ({join}), so the QR cannot be checked against its waybill's barcode").format(n=len(codes), join=', '.join(codes)),
            _("photograph one label at a time, or give the label's barcode with --barcode"))
    return LabelImage(seals[0], codes[0] if codes else None, codes)
