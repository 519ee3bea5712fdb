"""The counter scale as the window sees it: the Qt-free ScaleReader (desktop.scale) on its own
thread, its readings brought to the main thread by signals. The label page fills the weight
field with each settled weight unless the clerk typed one for this customer (manual override)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop.ui import config


class ScaleWatch(QObject):
    settled = Signal(float)  # kg, on the main thread
    state_changed = Signal(str, str)  # online | offline | silent, detail

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reader = None
        self.state = "off"

    def start(self, uri: str | None = None, profile: str | None = None) -> bool:
        """Start reading the configured scale (Settings > Counter scale); False when none is set."""
        from desktop.scale import ScaleReader, load_scale_profile

        self.stop()
        uri = uri if uri is not None else config.get("scale/uri", "")
        profile = profile or config.get("scale/profile", "") or "ascii-st-gs"
        if not uri:
            return False
        self.reader = ScaleReader(uri, load_scale_profile(profile), lambda r: self.settled.emit(r.kg),
                                  lambda state, detail: self.state_changed.emit(state, detail)).start()
        return True

    def stop(self) -> None:
        if self.reader is not None:
            self.reader.stop()
            self.reader = None
