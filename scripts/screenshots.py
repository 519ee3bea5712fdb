"""Screenshots of each main view at 1366x768 and 1920x1080, into docs/screenshots/.

Run under a real X server so fonts and styles are those a clerk sees:

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python scripts/screenshots.py
    SIGILO_SHOT_LANG=pt_BR xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python scripts/screenshots.py

Uses a throw-away SIGILO_HOME, demo keys, a memory printer and the sample shipments, so it
never touches a station's data.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# SIGILO_SHOT_LANG=zh_CN (or pt_BR): every view in that language at 1366x768, into
# docs/screenshots/<lang>/ (the window at the counter in China and in Brazil).
LANG = os.environ.get("SIGILO_SHOT_LANG", "")
OUT = ROOT / "docs" / "screenshots" / LANG if LANG else ROOT / "docs" / "screenshots"
SIZES = ((1366, 768),) if LANG else ((1366, 768), (1920, 1080))


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="sigilo-shots-"))
    os.environ["SIGILO_HOME"] = str(home)
    if LANG:
        os.environ["SIGILO_LANG"] = LANG
    from PySide6.QtCore import QCoreApplication, QSettings

    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(home / "qsettings"))
    from desktop.paths import sample_shipments_path
    from desktop.shipment import load_jsonl
    from desktop.ui import config
    from desktop.ui.app import make_app
    from desktop.ui.main_window import MainWindow
    from desktop.station import Station

    app = make_app([])
    config.set_printers([config.PrinterConfig("Counter (ZPL 203 dpi)", "mem://screenshots", "zpl-203"),
                         config.PrinterConfig("PDF (labels folder)", (home / "labels").as_uri() + "/", "pdf")])
    rows = load_jsonl(sample_shipments_path())
    cn = next(r for r in rows if r["recipient"]["country"] == "CN")
    config.set_sender_presets([config.SenderPreset("Shop", cn["sender"])])
    station = Station(home)
    config.put("keys/station_dir", str(station.use_demo_keys()))  # the explicit demo choice (Settings > Keys)
    window = MainWindow(station)
    OUT.mkdir(parents=True, exist_ok=True)

    def settle(ms: int = 300) -> None:
        window.ops.wait(30000)
        for _ in range(5):
            app.processEvents()
        QCoreApplication.processEvents()
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        window.ops.wait(30000)
        app.processEvents()

    # a few labels in history and the queue
    page = window.label_page

    def printed(count: int) -> None:
        """The window prints through the station's queue: wait for the label to be confirmed."""
        import time

        deadline = time.monotonic() + 30
        while page.print_count < count and time.monotonic() < deadline:
            settle(50)

    for row in rows[:3] + [r for r in rows if r["recipient"]["country"] == "BR"][:1]:
        page.form.set_data(row)
        settle(50)
        page.print_label()
        printed(page.print_count + 1)

    import time

    deadline = time.monotonic() + 60  # the queue prints to the memory printer in its own thread
    while len(station.history()) < 4 and time.monotonic() < deadline:
        settle(200)

    # journey 1 step 5: the first label voided and corrected (wrong phone, a supervisor approved), printed again
    station.operators().add("wang.supervisor", "screenshot-only-2", "supervisor")
    first = station.history()[-1]
    station.void(first.label_id, "wrong phone", station.approve("void", "wang.supervisor", "screenshot-only-2"))
    page.load_for_correction(first)  # as "Void and correct…" does: the form gets the label back
    page.form.cells["recipient.phone"].set_text("13912345678")
    settle(50)
    page.print_label()
    printed(page.print_count + 1)

    # journey 2: a shop's export opened on the Import page, one row with a phone the shop mangled
    export_src = ROOT.parent / "shared" / "data" / "shop_export_shopify.csv"
    if export_src.exists():
        lines = export_src.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        bad = lines[3].rstrip("\r\n")
        lines[3] = bad[: bad.rindex(",") + 1] + "12\n"
        export = home / "orders-export.csv"
        export.write_text("".join(lines), encoding="utf-8")
        imp = window.import_view
        imp.weight.setValue(1.2)
        imp.prefix.setText("SG")
        imp.open_file(export)
        settle(100)

    shots = []
    for w, h in SIZES:
        window.resize(w, h)
        window.show()
        settle()
        # the form mid-entry: a pasted chat message with one uncertain field
        window.show_page(0)
        page.form.set_data({**cn, "recipient": {}, "tracking_number": ""})
        page.form.paste_edit.setPlainText(json.loads(
            (ROOT.parent / "shared" / "data" / "smart_paste.jsonl").read_text(encoding="utf-8").splitlines()[0])["text"]
            if (ROOT.parent / "shared" / "data" / "smart_paste.jsonl").exists()
            else "张伟 13800138001 广东省深圳市南山区科技园南路88号阳光花园3栋2单元1201室")
        page.form.apply_paste()
        page.form.set_data({**page.form.data(), "tracking_number": "SG7700012345",
                            "parcel": {"weight_kg": "1.2", "items": "书籍 x2", "declared_value": "59", "pieces": 1}})
        settle(600)
        shots.append(("label", w, h))
        window.grab().save(str(OUT / f"label-{w}x{h}.png"))
        for index, name in ((1, "queue"), (2, "history"), (4, "alerts"), (5, "settings"), (6, "import")):
            window.show_page(index)
            settle(400)
            window.grab().save(str(OUT / f"{name}-{w}x{h}.png"))
            shots.append((name, w, h))
        window.show_page(3)
        scan = window.scan_view
        last = station.history()[0]
        scan.qr_edit.setText(last.qr_text)
        scan.barcode_edit.setText(last.tracking_number)
        scan.verify()
        scan.qr_edit.setCursorPosition(0)
        settle(400)
        window.grab().save(str(OUT / f"scan-{w}x{h}.png"))
        shots.append(("scan", w, h))
    calibrate_shots(app, window, settle)
    from desktop.ui.login import LoginDialog

    station.operators().add("li.na", "screenshot-only-1", "clerk")
    dialog = LoginDialog(station)
    dialog.user.setText("li.na")
    dialog.show()
    settle(200)
    dialog.grab().save(str(OUT / "login.png"))
    print(OUT / "login.png")
    dialog.close()
    locked = LoginDialog(station, locked_user="li.na")  # after the idle minutes
    locked.show()
    settle(200)
    locked.grab().save(str(OUT / "locked.png"))
    print(OUT / "locked.png")
    locked.hide()
    for name, w, h in shots:
        print(OUT / f"{name}-{w}x{h}.png")
    window.close()
    station.close()
    return 0


def calibrate_shots(app, window, settle) -> None:
    """The label page with the printer's calibration open, and the Calibrate dialog after the
    printer (a simulated TSPL one with 100 x 100 mm labels loaded) measured its labels."""
    import time

    from desktop.ui import config
    from printers.simulator import SimulatedPrinter

    sim = SimulatedPrinter("tspl", baud=None, seconds_per_label=0.05, mem="screenshots-tsc", media="gap",
                           media_length_mm=100.0, media_gap_mm=3.0, detect_seconds=0.2).start()
    page = window.label_page
    config.set_printers([config.PrinterConfig("Counter TSC (TSPL 203 dpi)", sim.uri, "tspl-203"), *config.printers()])
    config.put("print/printer", "Counter TSC (TSPL 203 dpi)")
    window.resize(1366, 768)
    window.show_page(0)
    page.load_settings()
    page.printer_panel.cal_toggle.setChecked(True)
    settle(600)
    window.grab().save(str(OUT / "label-calibrate-1366x768.png"))
    page.calibrate()
    dialog = page.calibrate_dialog
    settle(200)
    dialog.start()
    deadline = time.monotonic() + 30
    while dialog.result.property("kind") not in ("ok", "warn", "bad") and time.monotonic() < deadline:
        settle(100)
    settle(200)
    dialog.grab().save(str(OUT / "calibrate-dialog.png"))
    dialog.reject()
    page.printer_panel.cal_toggle.setChecked(False)
    for name in ("label-calibrate-1366x768.png", "calibrate-dialog.png"):
        print(OUT / name)
    window.station.stop_queue()
    sim.stop()


if __name__ == "__main__":
    sys.exit(main())
