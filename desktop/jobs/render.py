"""The one label renderer every way in prints through (the CLI, the window, an import, the
bridge): compose (mask + seal) and encode a queued label for its printer at the moment it is
printed, so the plaintext exists only in memory.

What a label looks like is decided by its job (``LabelWork.options``: copies, masking policy,
virtual numbers - chosen when it was submitted and kept with the job, so a label printed after
a restart prints as asked) and by its printer's calibration (offsets, darkness, speed). A
reprint from history composes from what the store kept - the masked view, the sealed QR and
the face with its original print time - and needs no seal key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from desktop.jobs.model import LabelWork, RenderedLabel


def label_composer(store, sealer: Callable[[LabelWork], Any], *, now: Callable[[], datetime] | None = None,
                   warn: Callable[[LabelWork, str], None] | None = None, defaults: dict | None = None,
                   numbers: Any = None):
    """``compose(work, dpi) -> (ComposedLabel, copies)``: the label of a queued LabelWork as its
    job asked (copies, policy, virtual numbers), a reprint from what the store kept.
    ``sealer(work)`` returns the Sealer for a fresh label (called only when one must be
    sealed); ``now()`` the print time shown on a first print (a fixed clock in tests)."""
    from desktop.compose import compose_label

    registry: list = [numbers] if numbers is not None else []  # VirtualNumbers, made on first use
    clock = now or (lambda: datetime.now().astimezone())

    def compose(work: LabelWork, dpi: int):
        options = {**(defaults or {}), **(work.options or {})}
        copies = max(1, int(options.get("copies", 1) or 1))
        policy = options.get("policy") or None
        masked = None
        if work.masked is not None:  # a reprint from history: the face as it was printed
            masked = masked_view(work.masked)
        elif options.get("virtual_numbers"):
            from desktop.masking import mask
            from desktop.virtualnum import VirtualNumbers, with_virtual_phone

            if not registry:
                registry.append(VirtualNumbers(store))
            masked = with_virtual_phone(mask(work.shipment, policy), registry[0].allocate(work.shipment))
        when = datetime.fromisoformat(work.printed_at) if work.printed_at else clock()
        label = compose_label(work.shipment, work.template, sealer=None if work.qr_text else sealer(work),
                              dpi=dpi, policy=policy, reprint=face_mark(work.reprint), masked=masked,
                              qr_text=work.qr_text, printed_at=when, caption_language=work.caption_language)
        if warn is not None:
            for warning in label.warnings:
                warn(work, warning)
        return label, copies, when

    return compose


def label_renderer(store, sealer: Callable[[LabelWork], Any], *, calibration: Callable[[str], Any] | None = None,
                   media: Callable[[str], dict | None] | None = None,
                   now: Callable[[], datetime] | None = None,
                   warn: Callable[[LabelWork, str], None] | None = None, defaults: dict | None = None,
                   numbers: Any = None):
    """A desktop.jobs renderer (LabelWork -> RenderedLabel) over label_composer, encoding for
    the job's printer profile with ``calibration(uri)`` (offsets, darkness, speed) or none, and
    ``media(uri)``: what the printer's media calibration found (sensor and gap) or None."""
    from desktop.compose.outputs import as_output_error, load_printer_profile
    from printers.errors import PrinterError
    from printers.lang import encode

    profiles: dict[str, Any] = {}
    compose = label_composer(store, sealer, now=now, warn=warn, defaults=defaults, numbers=numbers)

    def render(work: LabelWork) -> RenderedLabel:
        profile = profiles.get(work.profile)
        if profile is None:
            profile = profiles[work.profile] = load_printer_profile(work.profile)
        cal = calibration(work.printer_uri) if calibration is not None else None
        found = media(work.printer_uri) if media is not None else None
        if (work.options or {}).get("test_print"):
            from desktop.compose.testlabel import test_scene

            try:
                data = encode(test_scene(), profile, encode_options(cal, media=found))
            except PrinterError as exc:
                raise as_output_error(exc) from exc
            return RenderedLabel(data, {}, "", 1, None)
        label, copies, when = compose(work, profile.dpi)
        try:
            data = encode(label.scene, profile, encode_options(cal, copies, media=found))
        except PrinterError as exc:
            raise as_output_error(exc) from exc
        return RenderedLabel(data, label.masked.to_dict(), label.qr_text, copies,
                             when.isoformat(timespec="seconds"), label.caption_language)

    return render


def compose_renderer(sealer: Any, *, virtual_numbers: Any = None, copies: int = 1,
                     warn: Callable[[LabelWork, str], None] | None = None):
    """label_renderer with one sealer for every label, and defaults for jobs that carry no
    options: ``copies`` and ``virtual_numbers`` (a desktop.virtualnum.VirtualNumbers)."""
    store = getattr(virtual_numbers, "store", None)
    defaults = {"copies": copies, "virtual_numbers": virtual_numbers is not None}
    return label_renderer(store, lambda work: sealer, warn=warn, defaults=defaults, numbers=virtual_numbers)


def masked_view(m: dict):
    """A stored MaskedView.to_dict() back as a MaskedView."""
    from desktop.masking.view import MaskedParty, MaskedView

    return MaskedView(recipient=MaskedParty(**m["recipient"]), sender=MaskedParty(**m["sender"]),
                      policy=m.get("policy", ""))


def encode_options(calibration=None, copies: int = 1, media: dict | None = None):
    """EncodeOptions from a printer's calibration (offsets in mm, darkness, speed), copies and
    the media its calibration found ({"sensor", "gap_mm"}; "auto" states nothing of its own)."""
    from printers.lang import EncodeOptions

    cal = calibration
    sensor = (media or {}).get("sensor")
    sensor = sensor if sensor in ("gap", "bline", "continuous") else None
    gap = (media or {}).get("gap_mm") if sensor else None
    return EncodeOptions(copies=max(1, int(copies)), offset_x_mm=float(getattr(cal, "offset_x_mm", 0.0) or 0.0),
                         offset_y_mm=float(getattr(cal, "offset_y_mm", 0.0) or 0.0),
                         darkness=getattr(cal, "darkness", None), speed=getattr(cal, "speed", None),
                         media=sensor, gap_mm=float(gap) if gap is not None else None)


def face_mark(reason: str | None) -> str | None:
    """What the REPRINT mark says on the label. A copy printed again because its first copy's
    fate is unknown says just that ("fate unknown"), short enough to stay legible text, and
    distinct from a reprint someone asked for (whose reason it shows); the whole reason stays
    in the job and the audit."""
    from desktop.jobs.model import UNKNOWN_FATE_PREFIX

    if reason and reason.startswith(UNKNOWN_FATE_PREFIX):
        return UNKNOWN_FATE_PREFIX
    return reason
