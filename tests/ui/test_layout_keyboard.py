"""The clerk's window at the sizes it meets, and the keyboard walk through the form.

Sizes are logical pixels: 1366x768 and 1920x1080 at 100 %, 1920x1080 at 125 % (1536x864) and
150 % (1280x720), and 1366x768 at 125 % (1093x614). Qt scales everything by the same factor
(QT_SCALE_FACTOR / the screen's DPI), so a window of those logical sizes lays out exactly as the
scaled screen does. On every page: every visible widget lies inside the window (or inside the
scroll area that holds it, which itself lies inside), and no two input widgets overlap."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton, QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QPlainTextEdit, QScrollArea, QWidget,
)

from tests.ui.conftest import sample
from tests.ui.test_gui_clerk import press_print, type_into, type_shipment

SIZES = [(1366, 768), (1920, 1080), (1536, 864), (1280, 720), (1093, 614)]
INPUTS = (QLineEdit, QComboBox, QAbstractSpinBox, QPlainTextEdit, QAbstractButton)


def _global_rect(w: QWidget) -> QRect:
    return QRect(w.mapToGlobal(QPoint(0, 0)), w.size())


def _clip_parent(w: QWidget, window: QWidget) -> QWidget:
    """The nearest scroll area viewport holding w (its contents may scroll), else the window."""
    p = w.parentWidget()
    while p is not None and p is not window:
        if isinstance(p.parentWidget(), QScrollArea) and p is p.parentWidget().viewport():
            return p
        p = p.parentWidget()
    return window


def _outer_clip(w: QWidget, window: QWidget) -> QWidget:
    """The outermost scroll area viewport holding w (nested ones clip inside it), else the window."""
    holder, p = window, w.parentWidget()
    while p is not None and p is not window:
        if isinstance(p.parentWidget(), QScrollArea) and p is p.parentWidget().viewport():
            holder = p
        p = p.parentWidget()
    return holder


def _inside_problems(window: QWidget) -> list[str]:
    problems = []
    win = _global_rect(window)
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.isWindow() or w.width() == 0:
            continue
        holder = _outer_clip(w, window)
        if holder is window and not win.contains(_global_rect(w)):
            problems.append(f"{type(w).__name__} {w.objectName()!r} at {_global_rect(w)} outside {win}")
        elif holder is not window and not win.contains(_global_rect(holder)):
            problems.append(f"scroll area of {w.objectName()!r} outside the window")
    return problems


def _overlaps(window: QWidget) -> list[str]:
    inputs = [w for w in window.findChildren(QWidget) if isinstance(w, INPUTS) and w.isVisible() and w.width()
              and not isinstance(w.parentWidget(), (QComboBox, QAbstractSpinBox))]
    out = []
    for i, a in enumerate(inputs):
        ra = _global_rect(a)
        for b in inputs[i + 1:]:
            if a.isAncestorOf(b) or b.isAncestorOf(a):
                continue
            if _clip_parent(a, window) is not _clip_parent(b, window):
                continue
            inter = ra.intersected(_global_rect(b))
            if inter.width() > 1 and inter.height() > 1:
                out.append(f"{type(a).__name__} {a.objectName()!r} overlaps {type(b).__name__} {b.objectName()!r}")
    return out


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_page_fits_and_nothing_overlaps(qtbot, window, size):
    window.label_page.form.sender_toggle.setChecked(True)  # the sender's fields open too
    window.label_page.printer_panel.cal_toggle.setChecked(True)
    window.resize(*size)
    for page in range(window.stack.count()):
        window.show_page(page)
        qtbot.wait(30)
        QApplication.processEvents()
        assert window.width() <= size[0] and window.height() <= size[1], (page, window.size())
        assert not _inside_problems(window), (page, _inside_problems(window)[:5])
        assert not _overlaps(window), (page, _overlaps(window)[:5])


def test_a_long_printer_fault_never_widens_the_window_or_crushes_the_form(qtbot, window):
    window.resize(1366, 768)
    qtbot.wait(30)
    panel = window.label_page.printer_panel
    panel.set_status("OFFLINE", "the printer at serial:///dev/ttyUSB0?baud=115200&flow=rtscts did not answer "
                                "within 1.5 s; check that it is switched on, the cable is in and the port is right")
    QApplication.processEvents()
    qtbot.wait(30)
    assert window.width() == 1366
    assert window.findChild(QScrollArea, "formScroll").width() >= 440
    assert panel.copies.isVisible() and panel.cal_toggle.isVisible()
    assert not _inside_problems(window)
    assert "did not answer" in panel.status_text.toolTip()  # the whole text, one hover away


def test_the_demo_banner_is_inside_the_window_on_every_page(qtbot, window):
    window.resize(1366, 768)
    assert window.demo_banner.isVisible() and "DEMO" in window.demo_banner.text()
    assert window.label_page.preview.view.demo
    for page in range(window.stack.count()):
        window.show_page(page)
        QApplication.processEvents()
        assert _global_rect(window).contains(_global_rect(window.demo_banner))


def test_tab_and_enter_walk_every_field_in_order_combo_boxes_included(qtbot, window):
    form = window.label_page.form
    form.sender_toggle.setChecked(True)
    keys = form.ordered_keys()
    at = keys.index("sender.name")
    order = keys[:at] + ["preset"] + keys[at:]  # the sender preset sits before the sender's fields
    for key_name in (Qt.Key_Tab, Qt.Key_Return):
        form.first_field().setFocus()
        walked = []
        for _ in order:
            focus = QApplication.focusWidget()
            walked.append("preset" if focus is form.preset_combo else form._key_of(focus))
            qtbot.keyClick(focus, key_name)
        assert walked == order, key_name
    # Enter in the editable Country box moves on: the rest of an address never goes into Country
    country = form.editor("recipient.country")
    country.setFocus()
    country.lineEdit().selectAll()
    qtbot.keyClicks(country.lineEdit(), "BR")
    qtbot.keyClick(country.lineEdit(), Qt.Key_Return)
    assert QApplication.focusWidget() is form.editor("recipient.postcode")
    qtbot.keyClicks(QApplication.focusWidget(), "01310-100")
    assert form.cells["recipient.country"].text() == "BR"


def test_a_new_form_shows_no_errors_until_a_field_is_left_or_print_pressed(qtbot, window, mem_name):
    from printers.transports.mem import mem_printer

    form = window.label_page.form
    type_into(qtbot, window, "recipient.name", "张伟")
    type_into(qtbot, window, "recipient.phone", "12345")
    qtbot.wait(100)
    assert not any(form.message_for(k) for k in form.cells)  # typing: nothing red yet
    qtbot.keyClick(form.editor("recipient.phone"), Qt.Key_Tab)  # left the phone: its error shows
    qtbot.waitUntil(lambda: form.message_for("recipient.phone") != "")
    assert form.message_for("recipient.city") == ""  # not left yet
    # the sender section is collapsed; print names fields as the form labels them and goes there
    window.label_page.form.set_presets([])
    form.sender_toggle.setChecked(False)
    for key in ("sender.name", "sender.city"):
        form.cells[key].editor.clear()
    qtbot.keyClick(form.first_field(), Qt.Key_P, Qt.ControlModifier)
    message = window.statusBar().currentMessage()
    assert message.startswith("Not printed: check these fields: " + form.caption_of("recipient.phone") + ";")
    assert "sender." not in message and "recipient." not in message
    assert form.caption_of("sender.city") in message and form.caption_of("sender.city").startswith("Sender: ")
    assert QApplication.focusWidget() is form.editor("recipient.phone")
    assert form.message_for("recipient.city") != ""  # print pressed: every error shows
    assert bytes(mem_printer(mem_name).received) == b""
    # only sender fields wrong: the collapsed section opens and the cursor is in it
    type_into(qtbot, window, "recipient.phone", "13800138001")
    for key, value in (("recipient.city", "深圳市"), ("recipient.province", "广东省"), ("recipient.street", "科技园南路"),
                       ("recipient.district", "南山区"), ("parcel.weight_kg", "1.2"), ("parcel.items", "书"),
                       ("tracking_number", "SG7700000999")):
        type_into(qtbot, window, key, value)
    form.sender_toggle.setChecked(False)
    qtbot.keyClick(form.first_field(), Qt.Key_P, Qt.ControlModifier)
    assert form.sender_toggle.isChecked() and form.sender_fields.isVisible()
    assert QApplication.focusWidget() is form.editor("sender.name")


def test_escape_asks_first_and_copies_return_to_one(qtbot, window, sample_shipments):
    page = window.label_page
    form = page.form
    asked = []
    page.ask_clear = lambda: asked.append(1) or False
    qtbot.keyClick(form.first_field(), Qt.Key_Escape)
    assert asked == []  # an empty form clears without a question
    type_shipment(qtbot, window, sample(sample_shipments))
    qtbot.keyClick(form.editor("recipient.street"), Qt.Key_Escape)
    assert asked == [1] and form.cells["recipient.name"].text() != ""  # "No" keeps it
    page.ask_clear = lambda: True
    page.printer_panel.copies.setValue(3)
    press_print(qtbot, window)
    assert page.printer_panel.copies.value() == 1
    assert not any(form.message_for(k) for k in form.cells)  # the empty next form is not red
