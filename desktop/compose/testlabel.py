"""The calibration (test) label: a frame, a centre cross and a ruler, no shipment and no keys."""

from __future__ import annotations


def test_scene():
    """A calibration label: a frame 2 mm inside the edge, a cross at the centre and a ruler, so
    the clerk sees at once which way and how far to move the offsets. Needs no keys."""
    from printers.scene import Box, Line, Scene, Text

    w, h = 100.0, 150.0
    elements = [Box(2, 2, w - 4, h - 4, 0.4), Line(w / 2 - 10, h / 2, w / 2 + 10, h / 2, 0.3),
                Line(w / 2, h / 2 - 10, w / 2, h / 2 + 10, 0.3),
                Text(8, 8, w - 16, 8, "Sigilo test print 测试", size_mm=4.5, bold=True)]
    for mm in range(10, int(w) - 5, 10):
        elements.append(Line(mm, 2, mm, 6, 0.3))
    return Scene(w, h, tuple(elements), name="test-print")
