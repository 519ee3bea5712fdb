"""Settings > Print bridge: let web shops and warehouse systems on this computer print through
Sigilo (the same bridge as `sigilo serve`, run inside the window and printing through the
window's queue), and approve the pairing codes their pages show."""

from __future__ import annotations

from desktop.i18n import _

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSpinBox,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from desktop.errors import SigiloError
from desktop.ui import config


class BridgeBox(QGroupBox):
    status_message = Signal(str, int)
    pairing_asked = Signal()  # from the bridge's thread: a page asks to pair

    def __init__(self, station, parent: QWidget | None = None) -> None:
        super().__init__("Print bridge (web shops, WMS)", parent)
        from desktop.bridge.protocol import DEFAULT_PORT

        self.station = station
        self.thread = None
        self.instance = None
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.enabled = QCheckBox(_("Let web pages on this computer print through Sigilo"))
        self.port = QSpinBox()
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText(_("any free"))  # 0: the system picks one (shown once listening)
        port = config.get("bridge/port", DEFAULT_PORT)
        self.port.setValue(int(port) if str(port).isdigit() else DEFAULT_PORT)
        row.addWidget(self.enabled, 1)
        row.addWidget(QLabel(_("Port")))
        row.addWidget(self.port)
        lay.addLayout(row)
        self.state = QLabel(_("The bridge is off."))
        self.state.setWordWrap(True)
        lay.addWidget(self.state)
        lay.addWidget(QLabel(_("Pages waiting for approval: approve only when the page shows the same code.")))
        self.pending = QTableWidget(0, 3)
        self.pending.setHorizontalHeaderLabels([_("Code"), _("Page origin"), _("Name")])
        self.pending.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.pending.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.pending.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.pending.setMaximumHeight(120)
        lay.addWidget(self.pending)
        buttons = QHBoxLayout()
        self.approve_button = QPushButton(_("Approve"))
        self.refuse_button = QPushButton(_("Refuse"))
        self.revoke_button = QPushButton(_("Revoke a paired origin…"))
        for b in (self.approve_button, self.refuse_button, self.revoke_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.paired = QLabel("")
        self.paired.setWordWrap(True)
        lay.addWidget(self.paired)
        self.enabled.setChecked(bool(config.get("bridge/enabled", False) in (True, "true", "1", 1)))
        self.enabled.toggled.connect(self._toggled)
        self.approve_button.clicked.connect(lambda: self._decide(True))
        self.refuse_button.clicked.connect(lambda: self._decide(False))
        self.revoke_button.clicked.connect(self._revoke)
        self.pairing_asked.connect(self.refresh)
        self.timer = QTimer(self)
        self.timer.setInterval(2000)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        if self.enabled.isChecked():
            QTimer.singleShot(0, self.start)
        self.refresh()

    # --- running --------------------------------------------------------------------
    def _toggled(self, on: bool) -> None:
        config.put("bridge/enabled", "true" if on else "false")
        config.put("bridge/port", self.port.value())
        self.start() if on else self.stop()

    def start(self) -> None:
        from desktop.bridge.instance import BridgeInstance
        from desktop.bridge.printing import BridgePrinting, PrinterChoice
        from desktop.bridge.server import BridgeServer, BridgeThread
        from desktop.paths import data_dir

        if self.thread is not None:
            return
        printers = [PrinterChoice(p.name, p.uri, p.profile) for p in config.printers() if p.profile != "pdf"]
        try:
            if not printers:
                raise SigiloError(_("the print bridge needs a label printer"),
                                  _("add one under Printers above, then turn the bridge on"))
            if self.station.print_queue is None:
                raise SigiloError(_("the print queue is not running"), _("restart Sigilo"))
            instance = BridgeInstance(data_dir())
            instance.acquire()
            try:
                printing = BridgePrinting(self.station, printers)
                server = BridgeServer(self.station.store, printing, port=self.port.value(),
                                      on_pairing=self.pairing_asked.emit)
                self.thread = BridgeThread(server).start()
            except BaseException:
                instance.release()
                raise
            self.instance = instance
            instance.announce(server.url, [server.url])
        except SigiloError as exc:
            self.thread = None
            self.state.setText(_("The bridge is off: {message}").format(message=exc.message) + (f" ({exc.hint})" if exc.hint else ""))
            self.enabled.blockSignals(True)
            self.enabled.setChecked(False)
            self.enabled.blockSignals(False)
            return
        names = ", ".join(p.name for p in printers)
        self.state.setText(_("Listening on {url}; pages print to: {names}. docs/bridge.md is the protocol.").format(url=self.url, names=names))
        self.status_message.emit(_("Print bridge on at {url}").format(url=self.url), 4000)

    @property
    def url(self) -> str:
        return self.thread.server.url if self.thread is not None else ""

    def stop(self) -> None:
        if self.thread is not None:
            self.thread.stop()
            self.thread = None
        if self.instance is not None:
            self.instance.release()
            self.instance = None
        self.state.setText(_("The bridge is off."))

    # --- pairing --------------------------------------------------------------------
    def _pairings(self):
        from desktop.bridge.pairing import Pairings

        return Pairings(self.station.store)

    def refresh(self) -> None:
        try:
            waiting = self._pairings().pending()
            paired = self._pairings().approved_origins()
        except Exception:  # noqa: BLE001 - the station closing under the timer: nothing to show
            return
        self.pending.setRowCount(len(waiting))
        for r, p in enumerate(waiting):
            for c, text in enumerate((p.code, p.origin, p.name)):
                self.pending.setItem(r, c, QTableWidgetItem(text))
        if waiting and not self.pending.selectedItems():
            self.pending.selectRow(0)
        self.approve_button.setEnabled(bool(waiting))
        self.refuse_button.setEnabled(bool(waiting))
        self.revoke_button.setEnabled(bool(paired))
        self.paired.setText(_("Paired: {origins}").format(origins=", ".join(o for o, _x, _y in paired)) if paired
                           else _("No page is paired yet."))

    def selected_code(self) -> str:
        row = self.pending.currentRow()
        item = self.pending.item(row, 0) if row >= 0 else None
        return item.text() if item is not None else ""

    def _decide(self, approve: bool) -> None:
        code = self.selected_code()
        if not code:
            return
        try:
            self.station.require("settings.change")
            p = self._pairings()
            done = p.approve(code, self.station.actor) if approve else p.refuse(code, self.station.actor)
        except SigiloError as exc:
            self.status_message.emit(exc.message, 6000)
            return
        self.status_message.emit((_("Approved {origin}: its page may print now.").format(origin=done.origin) if approve
                                  else _("Refused the pairing of {origin}.").format(origin=done.origin)), 5000)
        self.refresh()

    def _revoke(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        origins = [o for o, _x, _y in self._pairings().approved_origins()]
        if not origins:
            return
        origin, ok = QInputDialog.getItem(self, "Revoke a paired page", "Origin whose tokens stop working:",
                                          origins, 0, False)
        if not ok:
            return
        try:
            self.station.require("settings.change")
            n = self._pairings().revoke(origin, self.station.actor)
        except SigiloError as exc:
            self.status_message.emit(exc.message, 6000)
            return
        self.status_message.emit(_("Revoked {n} pairing(s) of {origin}.").format(n=n, origin=origin), 5000)
        self.refresh()

    def closeEvent(self, event):  # noqa: N802
        self.stop()
        super().closeEvent(event)

