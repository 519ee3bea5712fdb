"""The sender identity section as a clerk uses it: Ctrl+P is refused while the policy requires
the sender's ID; a mistyped number is named and nothing is sealed; a typed and a card-read ID
(the simulated reader on a socat pty) show only the masked view and how often the sender was
seen; the label then prints; nothing of the number or name reaches SIGILO_HOME or QSettings."""

from __future__ import annotations

import shutil

from PySide6.QtCore import Qt

from desktop.identity.keys import create_identity, import_enrolment
from desktop.identity.reader.simulator import SimulatedIdReader
from tests.ui.conftest import sample
from tests.ui.test_gui_clerk import press_print

RESIDENT = "11010519491231002X"
CARD_NUMBER = "330106198503120044"


def _enrol(window, demo_keys, tmp_path):
    keys = tmp_path / "station-keys"
    shutil.copytree(demo_keys, keys)
    create_identity(tmp_path / "office", None, demo=True)
    import_enrolment(keys, tmp_path / "office" / "identity-enrol.json")
    from desktop.ui import config

    config.put("keys/station_dir", str(keys))
    window.station.store.set_setting("identity.station_kind", "counter")
    window.label_page.identity.refresh_setup()
    return window.label_page.identity


def _individual(sample_shipments):
    data = sample(sample_shipments)
    data["sender"] = {"name": "王小明", "phone": "13900001111", "country": "CN", "province": "浙江省",
                      "city": "杭州市", "district": "西湖区", "street": "文三路1号", "postcode": "310000"}
    return data


def test_identity_required_typed_then_read_from_the_card(qtbot, window, demo_keys, tmp_path, sample_shipments,
                                                         sigilo_home, qsettings_tmp):
    page = window.label_page
    section = _enrol(window, demo_keys, tmp_path)
    assert section.isVisible()
    page.form.set_data(_individual(sample_shipments))
    qtbot.waitUntil(lambda: section.requirement.text() == "required for this sender", timeout=5000)
    qtbot.keyClick(page.form.first_field(), Qt.Key_P, Qt.ControlModifier)
    qtbot.waitUntil(lambda: "sender's ID is required" in window.statusBar().currentMessage(), timeout=20000)
    assert page.print_count == 0
    # a mistyped check digit: named, nothing sealed
    qtbot.keyClicks(section.number_edit, RESIDENT[:-1] + "1")
    section.name_edit.setText("王小明")
    section.record_button.click()
    assert "check character" in section.message.text() and section.record_id is None
    section.number_edit.clear()
    qtbot.keyClicks(section.number_edit, RESIDENT)
    section.record_button.click()
    qtbot.waitUntil(lambda: section.record_id is not None, timeout=20000)
    assert "110***********002X" in section.shown.text() and "王**" in section.shown.text()
    assert "typed" in section.shown.text() and "first visit" in section.shown.text()
    assert section.number_edit.text() == "" and section.name_edit.text() == ""
    outcome = press_print(qtbot, window)
    uses = window.station.store.query("SELECT tracking_number FROM identity_uses WHERE record_id=?",
                                      (section.record_id,))
    assert [u[0] for u in uses] == [outcome.tracking_number]
    # the next customer puts a card on the reader
    qtbot.keyClick(page.form.first_field(), Qt.Key_Escape)
    assert section.record_id is None and section.shown.text() == ""
    with SimulatedIdReader(tmp_path / "idreader") as reader:
        reader.place("zhou")
        section.reader_edit.setText(reader.uri)
        section.read_button.click()
        qtbot.waitUntil(lambda: section.record_id is not None, timeout=20000)
        assert "330***********0044" in section.shown.text() and "read from the card" in section.shown.text()
        first = section.record_id
        reader.place("huang")  # taken off mid-read: the clerk reads why, the earlier record stays
        section.read_button.click()
        qtbot.waitUntil(lambda: "taken off the reader" in section.message.text(), timeout=20000)
        assert section.record_id == first
        reader.place("zhou")
        section.read_button.click()
        qtbot.waitUntil(lambda: section.record_id != first, timeout=20000)
        assert "seen once in the last 30 days" in section.shown.text()
    window.ops.wait(20000)
    secrets = [RESIDENT, "王小明", CARD_NUMBER, "周文静"]
    for folder in (sigilo_home, qsettings_tmp):
        for path in (p for p in folder.rglob("*") if p.is_file()):
            data = path.read_bytes()
            for s in secrets:
                for codec in ("utf-8", "utf-16-le", "gb18030"):
                    assert s.encode(codec) not in data, (path, s, codec)


def test_section_hidden_where_real_name_sending_does_not_apply(window):
    assert not window.label_page.identity.isVisible()
