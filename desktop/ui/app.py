"""Start the GUI: the Qt application, its fonts and style, sign-in when operators exist, and
the main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication, QDialog

from desktop.ui import config
from desktop.ui.style import FONT_FAMILIES, QSS
from printers.resources import resource_path

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def make_app(argv: list[str] | None = None) -> QApplication:
    QCoreApplication.setOrganizationName(config.ORG)
    QCoreApplication.setApplicationName(config.APP)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    # The taskbar, dock and window switcher show Sigilo's icon, and a Linux desktop pairs the
    # window with the menu entry the package installs (sigilo.desktop).
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(resource_path("icons", f"sigilo-{size}.png")))
    app.setWindowIcon(icon)
    app.setDesktopFileName("sigilo")
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(9.5)
    app.setFont(font)
    app.setStyle("Fusion")
    app.setStyleSheet(QSS)
    return app


def build_window(station=None, login: bool = True):
    """The main window for ``station`` (the local one by default); None when sign-in was
    cancelled."""
    from desktop.ui.main_window import MainWindow
    from desktop.ui.station import Station

    from desktop.ui.translator import apply_language

    apply_language()
    station = station or Station()
    if login and station.has_operators():
        from desktop.ui.login import LoginDialog

        if LoginDialog(station).exec() != QDialog.Accepted:
            return None
    window = MainWindow(station)
    geometry = config.settings().value("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    else:
        window.resize(1366, 768)
    return window


def main(argv: list[str] | None = None) -> int:
    app = make_app(argv)
    window = build_window()
    if window is None:
        return 1
    window.show()
    return app.exec()
