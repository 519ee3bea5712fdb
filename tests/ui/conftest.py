"""GUI fixtures: QSettings in a temporary folder, a station with its own store, and the main
window with a memory printer (mem://) speaking ZPL and a PDF printer configured."""

from __future__ import annotations

import json
import uuid

import pytest



@pytest.fixture(autouse=True)
def qsettings_tmp(tmp_path, qapp):
    from PySide6.QtCore import QCoreApplication, QSettings

    QCoreApplication.setOrganizationName("Sigilo")
    QCoreApplication.setApplicationName("Sigilo")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "qsettings"))
    QSettings().clear()
    yield tmp_path / "qsettings"


@pytest.fixture(scope="session")
def demo_keys(tmp_path_factory):
    """One demo key set for the whole GUI session (key generation is the slow part)."""
    from desktop.seal import ensure_demo_keys

    path = tmp_path_factory.mktemp("keys") / "station"
    ensure_demo_keys(path)
    return path


@pytest.fixture
def mem_name():
    from printers.transports.mem import remove_mem_printer

    name = "gui-" + uuid.uuid4().hex[:8]
    yield name
    remove_mem_printer(name)


@pytest.fixture
def station(sigilo_home):
    from desktop.station import Station

    s = Station(sigilo_home)
    yield s
    s.close()


@pytest.fixture
def window(qtbot, station, demo_keys, mem_name, tmp_path):
    from desktop.ui import config
    from desktop.ui.app import make_app
    from desktop.ui.main_window import MainWindow

    make_app()
    config.put("keys/station_dir", str(demo_keys))
    config.set_printers([
        config.PrinterConfig("Counter ZPL", f"mem://{mem_name}", "zpl-203"),
        config.PrinterConfig("PDF", (tmp_path / "pdf").as_uri() + "/", "pdf"),
    ])
    config.set_sender_presets([config.SenderPreset("Shop", {
        "name": "晨光文具旗舰店", "phone": "0571-88880000", "country": "CN", "province": "浙江省", "city": "杭州市",
        "district": "余杭区", "street": "文一西路969号", "detail": "3号楼", "postcode": "311121", "business": True})])
    w = MainWindow(station)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()  # keyboard shortcuts (Ctrl+P, Esc, F1-F5) go to the active window
    from PySide6.QtWidgets import QApplication

    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
    yield w
    w.label_page.printer_panel.timer.stop()
    w.ops.wait(20000)


def sample(sample_shipments, country="CN"):
    return next(s for s in sample_shipments if s["recipient"]["country"] == country)


def jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
