"""Which bitmaps to keep in the printer's memory, so repeated ones are sent once.

A bitmap is stored only the second time it is seen: what repeats from label to label (the
sender block, a banner, a logo) is worth storing, a recipient's line is not and never takes
printer memory. The printer forgets its RAM when switched off, so a ``PrinterMemory``
belongs to one connection: start a new one after reconnecting.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PrinterMemory:
    capacity_bytes: int
    seen: set = field(default_factory=set)
    stored: dict = field(default_factory=dict)  # digest -> name on the printer
    used_bytes: int = 0

    def decide(self, digest: str, size: int) -> tuple[str, str]:
        """("recall", name) if stored, ("store", name) to download it now, else ("inline", "")."""
        if digest in self.stored:
            return "recall", self.stored[digest]
        if digest in self.seen and self.used_bytes + size <= self.capacity_bytes:
            name = "S" + digest[:7].upper()
            self.stored[digest] = name
            self.used_bytes += size
            return "store", name
        self.seen.add(digest)
        return "inline", ""

    def forget(self) -> None:
        """After a power cycle or reconnect the printer's RAM is empty."""
        self.seen.clear()
        self.stored.clear()
        self.used_bytes = 0
