"""Why a label could not be composed, and how to fix it.

Messages name the field and the measurement, never the recipient's text: error messages end
up in logs and on screens where the masked face is all that may appear.
"""

from __future__ import annotations

from desktop.errors import SigiloError


class ComposeError(SigiloError):
    """A shipment that cannot become a label with the chosen template."""


class UnknownTemplateError(ComposeError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(
            f"there is no label template called {name!r}",
            f"choose one of: {', '.join(known)}" if known else "reinstall Sigilo: no templates were found",
        )
        self.name = name


class TemplateDataError(ComposeError):
    """A template file that is not valid (a programming or installation error)."""


class TextOverflowError(ComposeError):
    """Text that does not fit its box even at the template's smallest size.

    Raised instead of cutting text off: what the clerk must see is never silently lost."""

    def __init__(self, field: str, length: int, min_size_mm: float, template: str) -> None:
        super().__init__(
            f"{field} does not fit its box on {template} ({length} characters, even at {min_size_mm:g} mm text)",
            f"shorten {field}, or choose a larger template (sigilo print --template ...)",
        )
        self.field = field
        self.length = length


class QrTooLargeError(ComposeError):
    """A sealed payload whose QR, at whole dots per module, is larger than every QR region
    the template offers. Never answered with a smaller, unscannable code."""

    def __init__(self, version: int, side_mm: float, room_mm: float, module_dots: int, dpi: int, template: str) -> None:
        super().__init__(
            f"the sealed QR needs version {version} ({side_mm:.1f} mm with its quiet zone at "
            f"{module_dots} dots per module, {dpi} dpi) but {template} has room for {room_mm:.1f} mm",
            "shorten the address detail or items text, or choose a larger template",
        )
        self.version = version
        self.side_mm = side_mm
        self.room_mm = room_mm


class BarcodeTooWideError(ComposeError):
    def __init__(self, field: str, width_mm: float, room_mm: float, template: str) -> None:
        super().__init__(
            f"the {field} barcode is {width_mm:.1f} mm wide but {template} has room for {room_mm:.1f} mm",
            "use a shorter tracking number or a wider template",
        )
        self.field = field
