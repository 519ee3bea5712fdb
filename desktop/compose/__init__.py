"""Label composition: a shipment, a template, a masking policy and a seal become a scene that
every output (preview, PDF, TSPL, ZPL, ESC/POS) renders the same way."""

from desktop.compose.compose import ComposedLabel, compose_label
from desktop.compose.errors import (
    BarcodeTooWideError,
    ComposeError,
    QrTooLargeError,
    TextOverflowError,
    UnknownTemplateError,
)
from desktop.compose.templates import DEFAULT_TEMPLATE, list_templates, load_template

__all__ = [
    "BarcodeTooWideError", "ComposeError", "ComposedLabel", "DEFAULT_TEMPLATE", "QrTooLargeError",
    "TextOverflowError", "UnknownTemplateError", "compose_label", "list_templates", "load_template",
]
