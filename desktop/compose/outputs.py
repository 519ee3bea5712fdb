"""One composed label -> the bytes of one output format. The printing path (``sigilo print``,
the demo, the print queue) calls only ``render_label``, so the way a label becomes bytes can be
swapped in one place.

Formats: "png" (1-bit, as the printer prints it; no text metadata), "png-preview"
(greyscale), "pdf" (one label a page at true size), and "zpl"/"tspl"/"escpos" through a
printer profile. A batch PDF (one page per label, or N-up on A4/Letter) streams from a
generator with ``write_pdf``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO, Iterable

from desktop.compose.compose import ComposedLabel
from desktop.compose.errors import ComposeError
from desktop.i18n import _

LANGUAGES = ("zpl", "tspl", "escpos")
DEFAULT_PROFILES = {"zpl": "zpl-203", "tspl": "tspl-203", "escpos": "escpos-80"}
FORMATS = ("png", "png-preview", "pdf") + LANGUAGES


class OutputError(ComposeError):
    """A label that cannot be written in the chosen format or for the chosen printer."""


def as_output_error(exc: Exception) -> OutputError:
    """A printers-layer error as the core's error type, message and fix hint kept."""
    return OutputError(getattr(exc, "message", str(exc)), getattr(exc, "hint", ""))


def png_bytes(label: ComposedLabel, mode: str = "1") -> bytes:
    from printers.render.raster import render_raster

    img = render_raster(label.scene, label.dpi, mode)
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(label.dpi, label.dpi), optimize=False)
    return buf.getvalue()


def write_pdf(labels: Iterable[ComposedLabel], out: str | Path | BinaryIO, sheet: str | None = None,
              dpi: int = 203) -> int:
    """Stream labels into one PDF (pages written). ``labels`` may be a generator: only one
    scene is alive at a time. ``dpi`` is the resolution the labels were composed for."""
    from printers.render.pdf import render_pdf

    return render_pdf((label.scene for label in labels), out, sheet=sheet, dpi=dpi)


def encode_label(label: ComposedLabel, profile, copies: int = 1) -> bytes:
    from printers.errors import PrinterError
    from printers.lang import EncodeOptions, encode

    try:
        return encode(label.scene, profile, EncodeOptions(copies=copies))
    except PrinterError as exc:
        raise as_output_error(exc) from exc


def load_printer_profile(name: str):
    from printers.errors import PrinterError
    from printers.profiles import load_profile

    try:
        return load_profile(name)
    except PrinterError as exc:
        raise as_output_error(exc) from exc


def render_label(label: ComposedLabel, fmt: str, profile=None, copies: int = 1, sheet: str | None = None) -> bytes:
    """The bytes of ``label`` in ``fmt``. For printer languages, ``profile`` is a
    PrinterProfile or a profile name (default: the plain 203 dpi profile of that language)."""
    from printers.errors import PrinterError

    fmt = fmt.lower()
    try:
        if fmt == "png":
            return png_bytes(label, "1")
        if fmt == "png-preview":
            return png_bytes(label, "L")
        if fmt == "pdf":
            buf = io.BytesIO()
            write_pdf([label] * max(1, copies), buf, sheet=sheet, dpi=label.dpi)
            return buf.getvalue()
    except PrinterError as exc:
        raise as_output_error(exc) from exc
    if fmt in LANGUAGES:
        if profile is None or isinstance(profile, str):
            profile = load_printer_profile(profile or DEFAULT_PROFILES[fmt])
        if profile.language != fmt:
            raise OutputError(_("printer profile {name} speaks {language}, not {fmt}").format(name=profile.name, language=profile.language, fmt=fmt),
                              _("choose a {fmt} profile or the {language} format").format(fmt=fmt, language=profile.language))
        if profile.dpi != label.dpi:
            raise OutputError(_("the label was composed for {dpi} dpi but {name} prints at {dpi2} dpi").format(dpi=label.dpi, name=profile.name, dpi2=profile.dpi),
                              _("compose the label at the printer's dpi"))
        return encode_label(label, profile, copies)
    raise OutputError(_("unknown output format {fmt!r}").format(fmt=fmt), _("use one of: {names}").format(names=', '.join(FORMATS)))
