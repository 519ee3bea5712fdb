"""Render resources/icons/sigilo.svg into the icon files the installers need.

    .venv/bin/python scripts/make_icons.py

hicolor PNGs for the Linux desktop entry (16 to 512 px), sigilo.ico for Windows (the .exe and
the installer) and sigilo.icns for the macOS .app. The outputs are committed, so packaging needs
neither Qt's SVG renderer nor this script; run it again when the SVG changes."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path, size: int) -> Image.Image:
    renderer = QSvgRenderer(str(svg))
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return Image.open(io.BytesIO(bytes(data))).convert("RGBA")


def main() -> int:
    QGuiApplication(sys.argv[:1])
    svg = ICONS / "sigilo.svg"
    images = {size: render(svg, size) for size in SIZES}
    for size, image in images.items():
        image.save(ICONS / f"sigilo-{size}.png", optimize=True)
    images[256].save(ICONS / "sigilo.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    images[512].save(ICONS / "sigilo.icns")
    print(f"wrote {len(images)} PNGs, sigilo.ico and sigilo.icns to {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
