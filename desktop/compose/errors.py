"""Why a label could not be composed, and how to fix it.

Messages name the field and the measurement, never the recipient's text: error messages end
up in logs and on screens where the masked face is all that may appear.
"""

from __future__ import annotations

from desktop.errors import SigiloError
from desktop.i18n import _


class ComposeError(SigiloError):
    """A shipment that cannot become a label with the chosen template."""


class UnknownTemplateError(ComposeError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(
            _("there is no label template called {name!r}").format(name=name),
            _("choose one of: {names}").format(names=", ".join(known)) if known
            else _("reinstall Sigilo: no templates were found"),
        )
        self.name = name


class TemplateDataError(ComposeError):
    """A template file that is not valid (a programming or installation error)."""


class TextOverflowError(ComposeError):
    """Text that does not fit its box even at the template's smallest size.

    Raised instead of cutting text off: what the clerk must see is never silently lost."""

    def __init__(self, field: str, length: int, min_size_mm: float, template: str) -> None:
        super().__init__(
            _("{field} does not fit its box on {template} ({length} characters, even at "
              "{min_size_mm:g} mm text)").format(field=field, template=template, length=length, min_size_mm=min_size_mm),
            _("shorten {field}, or choose a larger template (sigilo print --template ...)").format(field=field),
        )
        self.field = field
        self.length = length


class QrTooLargeError(ComposeError):
    """A sealed payload whose QR, at whole dots per module, is larger than every QR region
    the template offers. Never answered with a smaller, unscannable code."""

    def __init__(self, version: int, side_mm: float, room_mm: float, module_dots: int, dpi: int, template: str) -> None:
        super().__init__(
            _("the sealed QR needs version {version} ({side_mm:.1f} mm with its quiet zone at "
              "{module_dots} dots per module, {dpi} dpi) but {template} has room for {room_mm:.1f} "
              "mm").format(version=version, side_mm=side_mm, module_dots=module_dots, dpi=dpi, template=template, room_mm=room_mm),
            _("shorten the address detail or items text, or choose a larger template"),
        )
        self.version = version
        self.side_mm = side_mm
        self.room_mm = room_mm


class BarcodeTooWideError(ComposeError):
    def __init__(self, field: str, width_mm: float, room_mm: float, template: str) -> None:
        super().__init__(
            _("the {field} barcode is {width_mm:.1f} mm wide but {template} has room for "
              "{room_mm:.1f} mm").format(field=field, width_mm=width_mm, template=template, room_mm=room_mm),
            _("use a shorter tracking number or a wider template"),
        )
        self.field = field
