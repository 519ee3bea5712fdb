"""The window carries Sigilo's icon in every size the desktop asks for, and names the menu entry
the .deb installs, so the taskbar shows the icon rather than a generic one."""

from __future__ import annotations


def test_the_app_has_the_icon_in_every_size_and_names_its_desktop_entry(qapp):
    from PySide6.QtCore import QSize

    from desktop.ui.app import ICON_SIZES, make_app

    app = make_app([])
    icon = app.windowIcon()
    assert not icon.isNull()
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert {(n, n) for n in ICON_SIZES} <= sizes
    image = icon.pixmap(QSize(48, 48)).toImage()
    assert image.width() == 48 and image.pixelColor(24, 4).alpha() > 0  # drawn, not blank
    assert app.desktopFileName() == "sigilo"
