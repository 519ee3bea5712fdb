"""The queue's standard renderer: compose (mask + seal) and encode a label for the job's
printer profile, at the moment it is printed, so the plaintext exists only in memory.

With ``virtual_numbers`` the label face shows the shipment's virtual number (hotline and
extension) instead of the masked phone."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from desktop.jobs.model import LabelWork, RenderedLabel


def compose_renderer(sealer: Any, *, virtual_numbers: Any = None, copies: int = 1,
                     warn: Callable[[LabelWork, str], None] | None = None):
    from desktop.compose import compose_label
    from desktop.compose.outputs import load_printer_profile, render_label

    profiles: dict[str, Any] = {}

    def render(work: LabelWork) -> RenderedLabel:
        profile = profiles.get(work.profile)
        if profile is None:
            profile = profiles[work.profile] = load_printer_profile(work.profile)
        masked = None
        if work.masked is not None:  # a reprint from history: the face as it was printed
            from desktop.masking.view import MaskedParty, MaskedView

            m = work.masked
            masked = MaskedView(MaskedParty(**m["recipient"]), MaskedParty(**m["sender"]), m["policy"])
        elif virtual_numbers is not None:
            from desktop.masking import mask
            from desktop.virtualnum import with_virtual_phone

            masked = with_virtual_phone(mask(work.shipment), virtual_numbers.allocate(work.shipment))
        when = datetime.fromisoformat(work.printed_at) if work.printed_at else datetime.now().astimezone()
        label = compose_label(work.shipment, work.template, sealer=sealer, dpi=profile.dpi,
                              reprint=face_mark(work.reprint), masked=masked, qr_text=work.qr_text, printed_at=when,
                              caption_language=work.caption_language)
        if warn is not None:
            for warning in label.warnings:
                warn(work, warning)
        data = render_label(label, profile.language, profile, copies)
        return RenderedLabel(data, label.masked.to_dict(), label.qr_text, copies,
                             when.isoformat(timespec="seconds"), label.caption_language)

    return render


def face_mark(reason: str | None) -> str | None:
    """What the REPRINT mark says on the label. A copy printed again because its first copy's
    fate is unknown says just that ("fate unknown"), short enough to stay legible text, and
    distinct from a reprint someone asked for (whose reason it shows); the whole reason stays
    in the job and the audit."""
    from desktop.jobs.model import UNKNOWN_FATE_PREFIX

    if reason and reason.startswith(UNKNOWN_FATE_PREFIX):
        return UNKNOWN_FATE_PREFIX
    return reason
