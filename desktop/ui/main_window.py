"""The main window: a sidebar of the clerk's views (New label, Queue, History, Scan, Alerts,
Settings, Import) with F1-F7 shortcuts, and a status bar that shows what happened in words, never a
traceback. A signed-in operator's session locks after the configured idle minutes: the sign-in
dialog comes back over the window and nothing prints until someone signs in."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import __version__
from desktop.i18n import _
from desktop.ui import config
from desktop.ui.alerts_view import AlertsView
from desktop.ui.history_view import HistoryView
from desktop.ui.import_view import ImportView
from desktop.ui.label_page import LabelPage
from desktop.ui.operations import Operations
from desktop.ui.queue_events import QueueEvents
from desktop.ui.queue_view import QueueView
from desktop.ui.scan_view import ScanView
from desktop.ui.settings_view import SettingsView
from desktop.ui.translator import sync_qt_translator
from desktop.i18n import N_

PAGES = (N_("New label"), N_("Queue"), N_("History"), N_("Scan"), N_("Alerts"), N_("Settings"), N_("Import"))
ALERTS_PAGE, SETTINGS_PAGE, IMPORT_PAGE = 4, 5, 6
IDLE_CHECK_MS = 15000
_ACTIVITY = (QEvent.KeyPress, QEvent.MouseButtonPress, QEvent.Wheel)


class _ActivityWatch(QObject):
    """Any key, click or wheel in the application counts as the operator's activity."""

    def __init__(self, station, parent: QObject) -> None:
        super().__init__(parent)
        self.station = station

    def eventFilter(self, obj, event):
        if event.type() in _ACTIVITY:
            self.station.touch()
        return False


class MainWindow(QMainWindow):
    def __init__(self, station, ops: Operations | None = None) -> None:
        super().__init__()
        sync_qt_translator()
        self.station = station
        self.ops = ops or Operations(self, max_threads=3)  # preview, printer status and one more at once
        self.setWindowTitle(_("Sigilo — privacy waybills"))
        self.setObjectName("mainWindow")

        self.label_page = LabelPage(self.ops, station)
        self.queue_view = QueueView(self.ops, station, self._printer_and_calibration)
        self.history_view = HistoryView(self.ops, station, self._printer_and_calibration)
        self.scan_view = ScanView(self.ops, station)
        self.alerts_view = AlertsView(self.ops, station)
        self.settings_view = SettingsView(self.ops, station, self._form_sender)
        self.import_view = ImportView(self.ops, station, self._printer_and_calibration,
                                      lambda: (self.label_page.keys_dir(), self.label_page.policy()))
        self.stack = QStackedWidget()
        for page in (self.label_page, self.queue_view, self.history_view, self.scan_view, self.alerts_view,
                     self.settings_view, self.import_view):
            page.setObjectName(page.objectName() or "page")
            # a page scrolls rather than squeezes when the window is small (1366x768 at 125 %)
            scroll = QScrollArea()
            scroll.setObjectName("pageScroll")
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.NoFrame)
            scroll.setWidget(page)
            self.stack.addWidget(scroll)

        side = QFrame()
        side.setObjectName("sidebar")
        side.setFixedWidth(168)
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.setSpacing(0)
        brand = QLabel(_("Sigilo"))
        brand.setObjectName("brand")
        sub = QLabel(_("privacy waybills · {__version__}").format(__version__=__version__))
        sub.setObjectName("brandSub")
        sub.setWordWrap(True)  # "etiquetas privadas · 0.1.0" is wider than the sidebar
        sl.addWidget(brand)
        sl.addWidget(sub)
        self.nav = QButtonGroup(self)
        self.nav.setExclusive(True)
        for i, name in enumerate(PAGES):
            b = QPushButton(_(name))
            b.setToolTip(f"F{i + 1}")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.NoFocus)
            b.setObjectName(f"nav{i}")
            self.nav.addButton(b, i)
            sl.addWidget(b)
            QShortcut(QKeySequence(f"F{i + 1}"), self, activated=lambda i=i: self.show_page(i))
        self.nav.idClicked.connect(self.show_page)
        sl.addStretch(1)
        self.operator_label = QLabel("")
        self.operator_label.setObjectName("operatorLabel")
        self.operator_label.setWordWrap(True)
        sl.addWidget(self.operator_label)

        central = QWidget()
        cl = QHBoxLayout(central)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(0)
        cl.addWidget(side)
        pages = QWidget()
        pl = QVBoxLayout(pages)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.setSpacing(0)
        # inside the window above every page (not in the status bar, which a small screen may hide)
        self.demo_banner = QLabel("")
        self.demo_banner.setObjectName("demoBanner")
        self.demo_banner.setAlignment(Qt.AlignCenter)
        self.demo_banner.setWordWrap(True)
        pl.addWidget(self.demo_banner)
        pl.addWidget(self.stack, 1)
        cl.addWidget(pages, 1)
        self.setCentralWidget(central)
        self.statusBar().setSizeGripEnabled(False)

        for src in (self.label_page, self.queue_view, self.history_view, self.scan_view, self.alerts_view,
                    self.settings_view, self.import_view):
            src.status_message.connect(self.show_message)
        self.alerts_view.count_changed.connect(self._alert_count)
        self.label_page.printed.connect(lambda _o: self._describe_keys())
        self.history_view.reprinted.connect(lambda _o: None)
        self.history_view.correct_requested.connect(self._correct)
        self.label_page.void_correct_requested.connect(self.history_view.void_and_correct)
        self.settings_view.changed.connect(self._settings_changed)

        self.queue_events = QueueEvents(self)
        self.queue_events.event.connect(self._on_queue_event)
        station.keys_dir = config.station_keys_dir()
        legacy = config.tracking_range()
        if legacy is not None and not station.has_tracking_range():  # kept in QSettings before
            station.set_tracking_range(legacy.prefix, legacy.end, legacy.width, legacy.next)
        requeued = station.start_queue(self.queue_events.callback)

        self.label_page.load_settings()
        self.import_view.load_settings()
        self.show_page(0)
        if requeued:
            self.show_message(_("{n} label(s) whose fate was unknown after a restart will be printed again, marked "
                                "REPRINT").format(n=len(requeued)), 0)
        self._describe_operator()
        self._describe_keys()
        self.alerts_view.refresh()

        self.lock_dialog = None
        self._activity = _ActivityWatch(station, self)
        from PySide6.QtWidgets import QApplication

        QApplication.instance().installEventFilter(self._activity)
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(IDLE_CHECK_MS)
        self.idle_timer.timeout.connect(self.check_idle)
        self.idle_timer.start()

    # ------------------------------------------------------------------ idle lock
    def check_idle(self) -> None:
        """Bring the sign-in back once the session has been idle for the configured minutes."""
        if self.station.locked and (self.lock_dialog is None or not self.lock_dialog.isVisible()):
            self.lock()

    def lock(self) -> None:
        from desktop.keys.passphrase import from_environment, from_keyring, is_unlocked, lock
        from desktop.ui.login import LoginDialog
        from desktop import station as services

        op = self.station.operator
        keys = config.station_keys_dir()
        # a passphrase typed into this window is forgotten while the station stands locked
        needs_passphrase = is_unlocked(keys) and not from_environment() and from_keyring(keys) is None
        if needs_passphrase:
            lock(keys)
            services.forget_keys()
        self.lock_dialog = LoginDialog(self.station, self, locked_user=op.username if op else "",
                                       keys_dir=keys if needs_passphrase else None)
        self.lock_dialog.setWindowModality(Qt.ApplicationModal)
        self.lock_dialog.accepted.connect(self._unlocked)
        self.show_message(_("Locked after inactivity: sign in to go on"), 0)
        self.lock_dialog.open()

    def _unlocked(self) -> None:
        self.activateWindow()  # keys (Ctrl+P, Esc) go to the window again
        self._describe_operator()
        self.show_message(_("Signed in: {username}").format(username=self.station.operator.username), 4000)

    def _alert_count(self, n: int) -> None:
        name = _(PAGES[ALERTS_PAGE])
        self.nav.button(ALERTS_PAGE).setText(_("{page}  ({n})").format(page=name, n=n) if n else name)

    # ------------------------------------------------------------------ navigation
    def current_page(self) -> QWidget:
        return self.stack.currentWidget().widget()

    def show_page(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.nav.button(index).setChecked(True)
        if index == 0:
            self.label_page.form.first_field().setFocus()
        elif index == 2:
            self.history_view.refresh()
            self.history_view.search.setFocus()
        elif index == 3:
            self.scan_view.qr_edit.setFocus()
        elif index == ALERTS_PAGE:
            self.alerts_view.refresh()

    def _correct(self, row) -> None:
        """A voided label goes back into the form, which the clerk fixes and prints again."""
        self.show_page(0)
        self.label_page.load_for_correction(row)
        self.history_view.refresh()

    def show_message(self, text: str, msecs: int = 0) -> None:
        self.statusBar().showMessage(text, msecs)

    # ------------------------------------------------------------------ helpers
    def _printer_and_calibration(self):
        p = self.label_page.printer_panel
        return p.printer(), p.calibration()

    def _form_sender(self) -> dict:
        return self.label_page.form.data()["sender"]

    def _settings_changed(self) -> None:
        self.station.keys_dir = config.station_keys_dir()
        page = self.label_page
        self._describe_operator()
        current = page.form.data()
        page.load_settings()
        page.form.set_data({**current, "sender": current["sender"]})
        self._describe_keys()
        page.debounce.start()
        self.import_view.load_settings()

    def _describe_operator(self) -> None:
        op = self.station.operator
        self.operator_label.setText(_("Signed in: {user} ({role})").format(user=op.username, role=op.role) if op
                                    else _("No operators set up"))

    def _describe_keys(self) -> None:
        from desktop.keys.readiness import readiness

        try:
            demo = readiness(config.station_keys_dir()).state == "demo"
        except Exception:  # noqa: BLE001 - a damaged key folder: the preview names the problem
            demo = False
        self.demo_banner.setText(_("DEMO KEYS — labels sealed here prove nothing; not for real parcels. "
                                   "Set up real keys in Settings > Keys.") if demo else "")
        self.demo_banner.setVisible(demo)
        self.label_page.preview.set_demo(demo)

    def _on_queue_event(self, ev) -> None:
        self.label_page.on_queue_event(ev)
        self.history_view.on_queue_event(ev)
        self.queue_view.on_queue_event(ev)
        self.alerts_view.on_queue_event(ev)
        self.import_view.on_queue_event(ev)

    def closeEvent(self, event):
        s = config.settings()
        s.setValue("window/geometry", self.saveGeometry())
        self.idle_timer.stop()
        self.label_page.scale.stop()
        self.ops.wait(5000)
        self.settings_view.bridge_box.stop()
        self.station.stop_queue()
        super().closeEvent(event)
