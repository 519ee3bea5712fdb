"""Printer languages: a label scene -> TSPL, ZPL II or ESC/POS bytes for one printer profile.

``encode()`` is stateless: every label carries everything it needs. A ``LabelEncoder`` kept
for the life of one printer connection can also store repeated bitmaps on printers whose
profile allows it, so later labels send only what changed.
"""

from __future__ import annotations

from printers.lang.options import EncodeOptions, check
from printers.lang.storage import PrinterMemory
from printers.profiles import PrinterProfile
from printers.scene import Scene

__all__ = ["EncodeOptions", "LabelEncoder", "encode"]


def _encoder_class(language: str):
    if language == "zpl":
        from printers.lang.zpl import ZplEncoder

        return ZplEncoder
    if language == "tspl":
        from printers.lang.tspl import TsplEncoder

        return TsplEncoder
    from printers.lang.escpos import EscposEncoder

    return EscposEncoder


class LabelEncoder:
    """Encodes labels for one printer connection; ``store_graphics`` keeps repeated bitmaps in
    the printer's RAM (only where the profile says it supports storage)."""

    def __init__(self, profile: PrinterProfile, store_graphics: bool = False) -> None:
        self.profile = profile
        use = store_graphics and profile.supports_storage and profile.storage_bytes > 0
        self.memory = PrinterMemory(profile.storage_bytes) if use else None
        self._encoder = _encoder_class(profile.language)(profile, self.memory)

    def encode(self, scene: Scene, options: EncodeOptions | None = None) -> bytes:
        options = options or EncodeOptions()
        scene.validate(self.profile.dpi)
        check(scene, self.profile, options)
        return self._encoder.encode(scene, options)

    def printer_restarted(self) -> None:
        """The printer lost its RAM (power cycle, reconnect): send everything again."""
        if self.memory is not None:
            self.memory.forget()


def encode(scene: Scene, profile: PrinterProfile, options: EncodeOptions | None = None) -> bytes:
    return LabelEncoder(profile).encode(scene, options)
