"""Start the GUI: the Qt application, its fonts and style, sign-in when operators exist, and
the main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, Qt
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


def prepare_station(station, login: bool = True) -> bool:
    """Before the form opens: the setup flow on a station with no keys, the station key's
    passphrase when nothing else opens it, then sign-in. False when the person cancelled."""
    from desktop.keys.readiness import readiness
    from desktop.ui.setup_flow import SetupDialog, keys_need_setup

    keys_dir = config.station_keys_dir()
    if keys_need_setup(keys_dir):
        if SetupDialog(station).exec() != QDialog.Accepted:
            return False
    state = readiness(keys_dir)
    if state.state == "locked":
        from desktop.ui.unlock import UnlockDialog

        if UnlockDialog(keys_dir, state.name).exec() != QDialog.Accepted:
            return False
    if login and station.has_operators() and station.operator is None:
        from desktop.ui.login import LoginDialog

        if LoginDialog(station).exec() != QDialog.Accepted:
            return False
    return True


def place_window(window) -> None:
    """Maximised on a small screen (up to 1440x900 of available room, which is 1366x768 at
    100 % or 1920x1080 at 125-150 %), else the size it had, else 1366x768 centred: never taller
    or wider than the screen, so the status bar and the DEMO banner stay on it."""
    screen = window.screen() or QApplication.primaryScreen()
    room = screen.availableGeometry() if screen is not None else None
    geometry = config.settings().value("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    elif room is not None:
        window.resize(min(1366, room.width()), min(768, room.height()))
    if room is not None and (room.width() <= 1440 or room.height() <= 900):
        window.setWindowState(window.windowState() | Qt.WindowMaximized)


def build_window(station=None, login: bool = True):
    """The main window for ``station`` (the local one by default); None when setup, unlocking
    or sign-in was cancelled."""
    from desktop.ui.main_window import MainWindow
    from desktop.station import Station

    from desktop import oskeyring
    from desktop.ui.translator import apply_language

    oskeyring.warm_up()  # where a keyring service may exist, probe it off the main thread
    apply_language()
    station = station or Station()
    if not prepare_station(station, login):
        return None
    window = MainWindow(station)
    place_window(window)
    return window


def main(argv: list[str] | None = None) -> int:
    app = make_app(argv)
    window = build_window()
    if window is None:
        return 1
    if window.windowState() & Qt.WindowMaximized:
        window.showMaximized()
    else:
        window.show()
    return app.exec()
