"""Screenshots of the label page at a real-name counter (the sender identity section filled
from a card on the simulated reader, "seen" count shown), at 1366x768, in each language:

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python scripts/identity_screenshots.py [LANG ...]

Writes docs/screenshots/identity-<lang>-1366x768.png. Throw-away SIGILO_HOME, demo keys, a
demo identity key, a memory printer; the test cards' people are fictitious.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"


def shoot(lang: str) -> Path:
    home = Path(tempfile.mkdtemp(prefix="sigilo-idshots-"))
    os.environ["SIGILO_HOME"] = str(home)
    os.environ["SIGILO_LANG"] = lang
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(home / "qsettings"))
    from desktop.i18n import set_language

    set_language(lang)
    from desktop.identity.keys import create_identity, import_enrolment
    from desktop.identity.reader.simulator import SimulatedIdReader
    from desktop.paths import sample_shipments_path
    from desktop.seal import ensure_demo_keys
    from desktop.shipment import load_jsonl
    from desktop.ui import config
    from desktop.ui.app import make_app
    from desktop.ui.main_window import MainWindow
    from desktop.station import Station

    app = make_app([])
    keys = home / "keys"
    ensure_demo_keys(keys)
    create_identity(home / "office", None, demo=True)
    import_enrolment(keys, home / "office" / "identity-enrol.json")
    config.put("keys/station_dir", str(keys))
    config.set_printers([config.PrinterConfig("Counter (ZPL 203 dpi)", "mem://idshots", "zpl-203")])
    station = Station(home)
    station.store.set_setting("identity.station_kind", "counter")
    window = MainWindow(station)
    page = window.label_page

    def settle(ms: int = 300) -> None:
        window.ops.wait(30000)
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        window.ops.wait(30000)
        app.processEvents()

    window.resize(1366, 768)
    window.show()
    settle()
    page.identity.refresh_setup()
    cn = next(r for r in load_jsonl(sample_shipments_path()) if r["recipient"]["country"] == "CN")
    cn["sender"] = {"name": "周文静", "phone": "13900001111", "country": "CN", "province": "浙江省", "city": "杭州市",
                    "district": "西湖区", "street": "文三路100号", "postcode": "310000"}
    with SimulatedIdReader(home / "idreader") as reader:
        reader.place("zhou")
        page.identity.reader_edit.setText(reader.uri)
        for _ in range(3):  # earlier visits this month
            page.identity.read_card()
            settle(100)
    page.form.set_data(cn)
    settle(800)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"identity-{lang}-1366x768.png"
    window.grab().save(str(path))
    window.close()
    station.close()
    return path


if __name__ == "__main__":
    import subprocess

    langs = sys.argv[1:] or ["zh_CN", "pt_BR"]
    if len(langs) == 1:
        print(shoot(langs[0]))
    else:  # one process per language: the language is chosen once at start
        for lang in langs:
            subprocess.run([sys.executable, __file__, lang], check=True)
