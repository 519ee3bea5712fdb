"""Screenshots of the first-run setup flow and the unlock dialog, into docs/screenshots/:
every page in English, and the keys and printer pages in zh_CN and pt_BR.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots_setup.py [LANG]

A throw-away SIGILO_HOME: a key officer's folder and enrolment file are made there first (as
`sigilo keys enrol-station` makes them), and a simulated TSPL printer on a pty is "found"."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"


def main(argv: list[str]) -> int:
    lang = argv[0] if argv else "en"
    os.environ["SIGILO_LANG"] = lang
    home = Path(tempfile.mkdtemp(prefix="sigilo-setup-shots-"))
    os.environ["SIGILO_HOME"] = str(home)
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(home / "qsettings"))
    from desktop.cli import main as sigilo
    from printers import discovery
    from printers.discovery import FoundPrinter
    from printers.simulator import SimulatedPrinter

    pw, spw = home / "officer.pass", home / "station.pass"
    pw.write_text("officer passphrase 1", encoding="utf-8")
    spw.write_text("station passphrase 1", encoding="utf-8")
    officer = home / "officer"
    for args in (["init-authority"], ["create-fleet", "--region", "cn"]):
        sigilo(["keys", *args, "--dir", str(officer), "--passphrase-file", str(pw)])
    enrolment = home / "hangzhou-wenyi.enrol"
    sigilo(["keys", "enrol-station", "杭州文一西路网点", "--station-id", "HZ-0007", "--out", str(enrolment),
            "--dir", str(officer), "--passphrase-file", str(pw), "--station-passphrase-file", str(spw)])
    sim = SimulatedPrinter("tspl", baud=115200, seconds_per_label=0.05, pty=home / "ttyUSB0").start()
    found = [FoundPrinter(uri=sim.uri, kind="serial", description="TSC TE244", vid=0x1203, pid=0x0230, vendor="TSC",
                          likely_printer=True, language="tspl"),
             FoundPrinter(uri="serial:///dev/ttyUSB1", kind="serial", description="USB-Serial", vid=0x1A86,
                          pid=0x7523, vendor="WinChipHead CH340 serial bridge", language="")]
    discovery.discover = lambda include_plain_serial=False: found  # no USB printers on this machine

    from desktop.ui.app import make_app
    from desktop.ui.setup_flow import SetupDialog
    from desktop.station import Station
    from desktop.ui.unlock import UnlockDialog

    app = make_app([])

    def settle(ms: int = 250) -> None:
        for _ in range(3):
            app.processEvents()
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    OUT.mkdir(parents=True, exist_ok=True)
    suffix = "" if lang == "en" else f"-{lang}"
    station = Station(home)
    d = SetupDialog(station)
    d.show()
    settle()
    shots = []

    def shot(name: str) -> None:
        settle()
        path = OUT / f"setup-{name}{suffix}.png"
        d.grab().save(str(path))
        shots.append(path)

    shot("1-keys")
    d.next()
    d.enrol_path.setText(str(enrolment))
    d._show_enrolment()
    d.enrol_passphrase.setText("station passphrase 1")
    if lang == "en":
        shot("2-enrolment")
    d.next()
    d.sup_user.setText("wang.supervisor")
    d.sup_pass.setText("supervisor-1")
    d.sup_pass2.setText("supervisor-1")
    if lang == "en":
        shot("3-supervisor")
    d.next()
    d.test_print()
    shot("4-printer")
    d.next()
    for key, value in (("name", "晨光文具文一西路店"), ("phone", "0571-88880000"), ("province", "浙江省"), ("city", "杭州市"),
                       ("district", "余杭区"), ("street", "文一西路969号"), ("postcode", "311121")):
        d.sender_edits[key].setText(value)
    if lang == "en":
        shot("5-sender")
    d.next()
    shot("6-done")
    d.close()
    if lang == "en":
        from desktop.keys.passphrase import lock

        lock()
        u = UnlockDialog(Path(os.environ["SIGILO_HOME"]) / "keys", "杭州文一西路网点")
        u.show()
        settle()
        path = OUT / "unlock.png"
        u.grab().save(str(path))
        shots.append(path)
    sim.stop()
    station.close()
    for p in shots:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
