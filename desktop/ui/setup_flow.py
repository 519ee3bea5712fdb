"""First-run setup inside the window, for a station with no keys: no terminal at any step.

1. Keys: import the enrolment file the key officer made (``sigilo keys enrol-station``) and type
   its passphrase; or create the station key here and save its public half for the key officer;
   or try Sigilo with demo keys (every page and preview then says DEMO).
2. The first supervisor account (until it exists nobody can add accounts).
3. The printer, picked by model name from what was found (or PDF files), with a test print.
4. The outlet's sender preset.

Every step calls the Qt-free core (desktop.keys, desktop.operators, the printing services);
this module holds only the widgets."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
    QLineEdit, QListWidget, QListWidgetItem, QPushButton, QRadioButton, QScrollArea, QStackedWidget,
    QVBoxLayout, QWidget,
)

from desktop.errors import SigiloError
from desktop.i18n import N_, _
from desktop import station as services
from desktop.ui import config
from desktop.ui.operations import describe_error
from printers import offers

KEYS, ENROL, CREATE, SUPERVISOR, PRINTER, SENDER, DONE = range(7)
TITLES = {
    KEYS: N_("Set up this station"), ENROL: N_("Import the enrolment file"), CREATE: N_("Create this station's key"),
    SUPERVISOR: N_("The first supervisor"), PRINTER: N_("The label printer"), SENDER: N_("The outlet's sender details"),
    DONE: N_("Ready"),
}
SENDER_FIELDS = (("name", N_("Name (shop or outlet)")), ("phone", N_("Phone")), ("province", N_("Province / UF")),
                 ("city", N_("City")), ("district", N_("District")), ("street", N_("Street")),
                 ("detail", N_("Building / unit / room")), ("postcode", N_("Postcode")))


def keys_need_setup(keys_dir: Path) -> bool:
    """No station key at all: the window opens on the setup flow."""
    from desktop.keys.readiness import readiness

    return readiness(keys_dir).state == "none"


def move_aside(keys_dir: Path) -> Path | None:
    """Keys already in the folder (the demo set, a half-made one) are moved beside it, never
    deleted, before real keys are installed."""
    if not keys_dir.exists() or not any(keys_dir.iterdir()):
        return None
    target = keys_dir.with_name(f"{keys_dir.name}-before-setup-{time.strftime('%Y%m%d-%H%M%S')}")
    shutil.move(str(keys_dir), str(target))
    services.forget_keys()
    return target


class SetupDialog(QDialog):
    finished_setup = Signal(str)  # "real" or "demo"

    def __init__(self, station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.mode = ""  # "enrol", "create" or "demo"
        self.found: list = []
        self.setObjectName("setupDialog")
        self.setWindowTitle(_("Sigilo — set up this station"))
        outer = QVBoxLayout(self)
        self.title = QLabel("")
        self.title.setObjectName("pageTitle")
        outer.addWidget(self.title)
        self.stack = QStackedWidget()
        for build in (self._keys_page, self._enrol_page, self._create_page, self._supervisor_page,
                      self._printer_page, self._sender_page, self._done_page):
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.NoFrame)
            scroll.setWidget(build())
            self.stack.addWidget(scroll)
        outer.addWidget(self.stack, 1)
        self.error = QLabel("")
        self.error.setObjectName("setupError")
        self.error.setWordWrap(True)
        outer.addWidget(self.error)
        buttons = QHBoxLayout()
        self.back_button = QPushButton(_("Back"))
        self.back_button.setObjectName("setupBack")
        self.next_button = QPushButton(_("Next"))
        self.next_button.setObjectName("setupNext")
        self.next_button.setDefault(True)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        outer.addLayout(buttons)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.history: list[int] = []
        self.go(KEYS)
        self.resize(640, 560)

    # ------------------------------------------------------------------ pages
    def _page(self, intro: str) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(4, 4, 4, 4)
        if intro:
            text = QLabel(intro)
            text.setWordWrap(True)
            lay.addWidget(text)
        return page, lay

    def _keys_page(self) -> QWidget:
        page, lay = self._page(_("This station has no keys yet. Labels are sealed with the station's key so that only "
                               "authorized scanners can open them. How do you want to start?"))
        self.choice = QButtonGroup(self)
        options = (
            ("enrol", _("Set up this station with the enrolment file from the key officer (recommended)")),
            ("create", _("Create this station's key here and save its public half for the key officer")),
            ("demo", _("Try Sigilo with demo keys (every label says DEMO: not for real parcels)")),
        )
        for i, (key, text) in enumerate(options):
            b = QRadioButton(text)
            b.setObjectName(f"setupChoice_{key}")
            self.choice.addButton(b, i)
            lay.addWidget(b)
        self.choice.button(0).setChecked(True)
        self._choice_keys = [k for k, _ in options]
        lay.addStretch(1)
        return page

    def _enrol_page(self) -> QWidget:
        page, lay = self._page(_("Choose the enrolment file (.enrol) the key officer gave you and type the station "
                               "key's passphrase; the key officer tells it to you separately."))
        form = QFormLayout()
        row = QHBoxLayout()
        self.enrol_path = QLineEdit()
        self.enrol_path.setObjectName("enrolPath")
        browse = QPushButton(_("Choose…"))
        browse.clicked.connect(self._choose_enrolment)
        row.addWidget(self.enrol_path, 1)
        row.addWidget(browse)
        form.addRow(_("Enrolment file"), row)
        self.enrol_passphrase = QLineEdit()
        self.enrol_passphrase.setObjectName("enrolPassphrase")
        self.enrol_passphrase.setEchoMode(QLineEdit.Password)
        form.addRow(_("Passphrase"), self.enrol_passphrase)
        lay.addLayout(form)
        self.enrol_facts = QLabel("")
        self.enrol_facts.setWordWrap(True)
        lay.addWidget(self.enrol_facts)
        self.remember_enrol = self._remember_box(lay)
        self.enrol_path.editingFinished.connect(self._show_enrolment)
        lay.addStretch(1)
        return page

    def _remember_box(self, lay: QVBoxLayout) -> QCheckBox:
        from desktop.keys.passphrase import keyring_available

        ok, why = keyring_available()
        box = QCheckBox(_("Remember the passphrase in this computer's keyring (the station then starts without "
                        "asking)"))
        box.setObjectName("rememberPassphrase")
        box.setEnabled(ok)
        lay.addWidget(box)
        if not ok:
            note = QLabel(_("No keyring on this computer ({why}): Sigilo asks for the passphrase each time it "
                            "starts and after the station locks.").format(why=why))
            note.setObjectName("keyringNote")
            note.setWordWrap(True)
            lay.addWidget(note)
        return box

    def _create_page(self) -> QWidget:
        page, lay = self._page(_("Sigilo creates the station's signing key here, protected by a passphrase. Save its "
                               "public half and send it to the key officer, who adds it to the trust list and sends "
                               "back the fleet key (import it in Settings > Keys)."))
        form = QFormLayout()
        self.create_name = QLineEdit()
        self.create_name.setObjectName("createName")
        self.create_id = QLineEdit()
        self.create_id.setObjectName("createId")
        self.create_id.setPlaceholderText(_("e.g. HZ-0001 (from the key officer)"))
        self.create_region = QLineEdit("cn")
        self.create_pass = QLineEdit()
        self.create_pass.setEchoMode(QLineEdit.Password)
        self.create_pass.setObjectName("createPassphrase")
        self.create_pass2 = QLineEdit()
        self.create_pass2.setEchoMode(QLineEdit.Password)
        self.create_pass2.setObjectName("createPassphrase2")
        row = QHBoxLayout()
        self.create_out = QLineEdit(str(Path.home() / "station.pub"))
        self.create_out.setObjectName("createOut")
        browse = QPushButton(_("Choose…"))
        browse.clicked.connect(self._choose_pub_target)
        row.addWidget(self.create_out, 1)
        row.addWidget(browse)
        form.addRow(_("Station name"), self.create_name)
        form.addRow(_("Station id"), self.create_id)
        form.addRow(_("Region"), self.create_region)
        form.addRow(_("Passphrase (8 or more characters)"), self.create_pass)
        form.addRow(_("Passphrase again"), self.create_pass2)
        form.addRow(_("Save the public half to"), row)
        lay.addLayout(form)
        self.remember_create = self._remember_box(lay)
        lay.addStretch(1)
        return page

    def _supervisor_page(self) -> QWidget:
        page, lay = self._page(_("The first account is a supervisor's: it approves voids and reprints and adds the "
                               "clerks' accounts. Nobody can add accounts before it exists."))
        form = QFormLayout()
        self.sup_user = QLineEdit()
        self.sup_user.setObjectName("supervisorUser")
        self.sup_pass = QLineEdit()
        self.sup_pass.setObjectName("supervisorPassword")
        self.sup_pass.setEchoMode(QLineEdit.Password)
        self.sup_pass2 = QLineEdit()
        self.sup_pass2.setObjectName("supervisorPassword2")
        self.sup_pass2.setEchoMode(QLineEdit.Password)
        form.addRow(_("User name"), self.sup_user)
        form.addRow(_("Password (6 or more characters)"), self.sup_pass)
        form.addRow(_("Password again"), self.sup_pass2)
        lay.addLayout(form)
        self.sup_note = QLabel("")
        self.sup_note.setWordWrap(True)
        lay.addWidget(self.sup_note)
        lay.addStretch(1)
        return page

    def _printer_page(self) -> QWidget:
        page, lay = self._page(_("Choose the label printer. Printers found on this computer are listed by model; "
                               "check the model, then print a test label."))
        self.found_list = QListWidget()
        self.found_list.setObjectName("foundPrinters")
        self.found_list.currentRowChanged.connect(self._found_chosen)
        lay.addWidget(self.found_list, 1)
        find = QHBoxLayout()
        self.find_button = QPushButton(_("Search again"))
        self.find_all = QCheckBox(_("include the computer's own serial ports"))
        find.addWidget(self.find_button)
        find.addWidget(self.find_all)
        find.addStretch(1)
        lay.addLayout(find)
        form = QFormLayout()
        self.printer_name = QLineEdit()
        self.printer_name.setObjectName("setupPrinterName")
        self.printer_uri = QLineEdit()
        self.printer_uri.setObjectName("setupPrinterUri")
        self.printer_uri.setPlaceholderText(_("serial:///dev/ttyUSB0?baud=115200, usb:///dev/usb/lp0, tcp://HOST:9100"))
        self.printer_model = QComboBox()
        self.printer_model.setObjectName("setupPrinterModel")
        self.printer_model.addItem(_("PDF files at true size (office printer)"), "pdf")
        for name, shown in offers.profile_choices():
            self.printer_model.addItem(_(shown), name)
        form.addRow(_("Name"), self.printer_name)
        form.addRow(_("Connection"), self.printer_uri)
        form.addRow(_("Model"), self.printer_model)
        lay.addLayout(form)
        row = QHBoxLayout()
        self.test_button = QPushButton(_("Print a test label"))
        self.test_button.setObjectName("setupTestPrint")
        self.test_result = QLabel("")
        self.test_result.setObjectName("setupTestResult")
        self.test_result.setWordWrap(True)
        row.addWidget(self.test_button)
        row.addWidget(self.test_result, 1)
        lay.addLayout(row)
        self.find_button.clicked.connect(self.find_printers)
        self.test_button.clicked.connect(self.test_print)
        return page

    def _sender_page(self) -> QWidget:
        page, lay = self._page(_("Who sends the parcels from this counter: the form fills these in for every label "
                               "(Settings and the form's sender section can change them)."))
        form = QFormLayout()
        self.preset_label = QLineEdit(_("Outlet"))
        self.preset_label.setObjectName("presetLabel")
        form.addRow(_("Preset name"), self.preset_label)
        self.sender_edits: dict[str, QLineEdit] = {}
        self.sender_country = QComboBox()
        self.sender_country.setEditable(True)
        from desktop.ui.form import COUNTRIES

        self.sender_country.addItems(COUNTRIES)
        form.addRow(_("Country"), self.sender_country)
        for key, caption in SENDER_FIELDS:
            e = QLineEdit()
            e.setObjectName(f"setupSender_{key}")
            self.sender_edits[key] = e
            form.addRow(_(caption), e)
        self.sender_business = QCheckBox(_("A business: shown in full on the label"))
        self.sender_business.setChecked(True)
        form.addRow(self.sender_business)
        lay.addLayout(form)
        return page

    def _done_page(self) -> QWidget:
        page, lay = self._page("")
        self.done_text = QLabel("")
        self.done_text.setObjectName("setupDone")
        self.done_text.setWordWrap(True)
        lay.addWidget(self.done_text)
        lay.addStretch(1)
        return page

    # ------------------------------------------------------------------ navigation
    def go(self, page: int) -> None:
        self.stack.setCurrentIndex(page)
        self.title.setText(_(TITLES[page]))
        self.error.setText("")
        self.back_button.setEnabled(page not in (KEYS, SUPERVISOR, DONE) and bool(self.history))
        self.next_button.setText(_("Open Sigilo") if page == DONE else _("Next"))
        if page == PRINTER and not self.found:
            self.find_printers()
        if page == SUPERVISOR:
            demo = self.mode == "demo"
            self.sup_note.setText(_("With demo keys the supervisor may be left empty (press Next).") if demo else "")
        first = {ENROL: self.enrol_path, CREATE: self.create_name, SUPERVISOR: self.sup_user,
                 PRINTER: self.found_list, SENDER: self.sender_edits["name"]}.get(page)
        if first is not None:
            first.setFocus()

    def current(self) -> int:
        return self.stack.currentIndex()

    def back(self) -> None:
        if self.history:
            self.go(self.history.pop())

    def next(self) -> None:
        page = self.current()
        try:
            target = self._leave(page)
        except SigiloError as exc:
            message, hint = describe_error(exc)
            self.error.setText(message + (f" — {hint}" if hint else ""))
            return
        if target is None:
            return
        if page in (ENROL, CREATE, KEYS) and target == SUPERVISOR:
            self.history = []  # the keys are installed: going back would not undo it
        else:
            self.history.append(page)
        self.go(target)

    def _leave(self, page: int) -> int | None:
        if page == KEYS:
            self.mode = self._choice_keys[self.choice.checkedId()]
            if self.mode == "demo":
                self.use_demo_keys()
                return SUPERVISOR
            return ENROL if self.mode == "enrol" else CREATE
        if page == ENROL:
            self.import_enrolment(self.enrol_path.text().strip(), self.enrol_passphrase.text(),
                                  self.remember_enrol.isChecked())
            return SUPERVISOR
        if page == CREATE:
            self.create_station_key()
            return SUPERVISOR
        if page == SUPERVISOR:
            self.add_supervisor()
            return PRINTER
        if page == PRINTER:
            self.save_printer()
            return SENDER
        if page == SENDER:
            self.save_sender()
            self._describe_done()
            return DONE
        if page == DONE:
            self.finished_setup.emit("demo" if self.mode == "demo" else "real")
            self.accept()
        return None

    def reject(self) -> None:
        """Closing the setup before keys exist leaves the station as it was: the next start asks
        again. Once keys are in, the rest may be finished in Settings."""
        super().reject()

    # ------------------------------------------------------------------ keys
    def _choose_enrolment(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Enrolment file"), "", _("Sigilo enrolment (*.enrol *.json);;All files (*)"))
        if path:
            self.enrol_path.setText(path)
            self._show_enrolment()

    def _choose_pub_target(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, _("Save the station's public key"), self.create_out.text(),
                                              _("Station public key (*.pub)"))
        if path:
            self.create_out.setText(path)

    def _show_enrolment(self) -> None:
        from desktop.keys.enrol import describe_enrolment, read_enrolment

        path = self.enrol_path.text().strip()
        if not path:
            self.enrol_facts.setText("")
            return
        try:
            facts = describe_enrolment(read_enrolment(Path(path)))
        except SigiloError as exc:
            self.enrol_facts.setText(exc.message)
            return
        self.enrol_facts.setText(_("Station {id} — {name}; seals to {fleet}; key {key}").format(
            id=facts["station_id"], name=facts["name"], fleet=", ".join(facts["fleet"]), key=facts["key_id"]))

    def _remember(self, keys_dir: Path, passphrase: str, wanted: bool) -> str:
        if not wanted:
            return ""
        from desktop.keys.passphrase import remember

        remember(keys_dir, passphrase)
        return _(" The passphrase is kept in this computer's keyring.")

    def import_enrolment(self, path: str, passphrase: str, remember: bool = False) -> dict:
        from desktop.keys import enrol
        from desktop.keys.errors import PassphraseRequired
        from desktop.keys.layout import KeysDir
        from desktop.keys.readiness import try_unlock

        if not path:
            raise SigiloError(_("choose the enrolment file first"), _("the key officer made it with "
                                                                 "`sigilo keys enrol-station`"))
        if not passphrase:
            raise PassphraseRequired("the station key")
        keys_dir = config.station_keys_dir()
        enrol.read_enrolment(Path(path))  # a wrong file is refused before anything moves
        moved = move_aside(keys_dir)
        try:
            facts = enrol.import_enrolment(Path(path), KeysDir.at(keys_dir), passphrase)
        except SigiloError:
            if moved is not None and not keys_dir.exists():
                shutil.move(str(moved), str(keys_dir))
            raise
        try_unlock(keys_dir, passphrase)
        services.forget_keys()
        self.station.jobs.audit.append(self.station.actor, "keys.import", facts["station_id"],
                                       {"via": "setup", "enrolment": True, "key_id": facts["key_id"],
                                        "fleet": facts["fleet"]})
        self.key_summary = (_("Station {id} ({name}) seals to {fleet}.").format(
            id=facts["station_id"], name=facts["name"], fleet=", ".join(facts["fleet"]))
            + self._remember(keys_dir, passphrase, remember))
        return facts

    def create_station_key(self) -> None:
        from desktop.keys import manage
        from desktop.keys.errors import PassphraseUnusable
        from desktop.keys.layout import KeysDir
        from desktop.keys.passphrase import MIN_NEW_LENGTH
        from desktop.keys.readiness import try_unlock

        name, sid = self.create_name.text().strip(), self.create_id.text().strip()
        if not name or not sid:
            raise SigiloError(_("the station needs a name and an id"), _("the key officer gives the id, e.g. HZ-0001"))
        pw = self.create_pass.text()
        if len(pw) < MIN_NEW_LENGTH:
            raise PassphraseUnusable(_("The passphrase needs at least {n} characters.").format(n=MIN_NEW_LENGTH),
                                     _("A few unrelated words are easy to remember."))
        if pw != self.create_pass2.text():
            raise PassphraseUnusable(_("the two passphrases differ"), _("type the same passphrase twice"))
        keys_dir = config.station_keys_dir()
        move_aside(keys_dir)
        kd = KeysDir.at(keys_dir)
        bundle = manage.create_station(kd, sid, name, self.create_region.text().strip() or "cn", pw)
        out = Path(self.create_out.text().strip() or (Path.home() / "station.pub"))
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(kd.station_pub, out)
        try_unlock(keys_dir, pw)
        services.forget_keys()
        self.station.jobs.audit.append(self.station.actor, "keys.create", sid,
                                       {"via": "setup", "key_id": bundle["key_id"]})
        self.key_summary = (_("Station key {key} created; its public half is in {path}: send it to the key officer, "
                              "then import the fleet key and trust list they send back in Settings > Keys.").format(
            key=bundle["key_id"], path=out) + self._remember(keys_dir, pw, self.remember_create.isChecked()))

    def use_demo_keys(self) -> None:
        from desktop.seal import ensure_demo_keys

        ensure_demo_keys(config.station_keys_dir())
        services.forget_keys()
        self.key_summary = _("Demo keys: every label and preview says DEMO. Set up real keys in Settings > Keys.")

    # ------------------------------------------------------------------ supervisor
    def add_supervisor(self) -> None:
        user, pw = self.sup_user.text().strip(), self.sup_pass.text()
        if self.station.has_operators():
            return  # set up before (a second run after a cancelled one)
        if not user and not pw and self.mode == "demo":
            return
        if pw != self.sup_pass2.text():
            raise SigiloError(_("the two passwords differ"), _("type the same password twice"))
        self.station.operators().add(user, pw, "supervisor", actor="setup")
        self.station.login(user, pw)

    # ------------------------------------------------------------------ printer
    def find_printers(self) -> None:
        self.found_list.clear()
        self.found = offers.discovered(include_plain_serial=self.find_all.isChecked())
        pdf = offers.FoundDevice(_("PDF files at true size (office printer)"), config.default_pdf_printer().uri, "pdf",
                                   _("a folder of PDF files"), False)
        self.found = list(self.found) + [pdf]
        for dev in self.found:
            item = QListWidgetItem(f"{dev.name}\n    {dev.where}")
            item.setData(Qt.UserRole, dev.uri)
            self.found_list.addItem(item)
        self.found_list.setCurrentRow(0)

    def _found_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.found):
            return
        dev = self.found[row]
        self.printer_name.setText(_("Counter printer") if dev.profile != "pdf" else _("PDF (labels folder)"))
        self.printer_uri.setText(dev.uri)
        i = self.printer_model.findData(dev.profile)
        self.printer_model.setCurrentIndex(max(0, i))
        self.test_result.setText("")

    def chosen_printer(self) -> config.PrinterConfig:
        uri = self.printer_uri.text().strip()
        if "://" not in uri:
            raise SigiloError(_("the printer's connection is not set"), _("choose a printer from the list or type e.g. serial:///dev/ttyUSB0?baud=115200"))
        profile = self.printer_model.currentData() or "pdf"
        return config.PrinterConfig(self.printer_name.text().strip() or self.printer_model.currentText(), uri, profile)

    def test_print(self) -> None:
        try:
            p = self.chosen_printer()
            state, error = self.station.test_print_and_wait(services.Printer(p.name, p.uri, p.profile))
        except SigiloError as exc:
            message, hint = describe_error(exc)
            self.test_result.setText(_("Test print failed: {problem}").format(
                problem=message + (f" — {hint}" if hint else "")))
            return
        except OSError as exc:
            self.test_result.setText(_("Test print failed: {problem}").format(problem=exc.strerror or exc))
            return
        if state != "confirmed":
            self.test_result.setText(_("Test print failed: {problem}").format(
                problem=error or _("the printer did not confirm the label")))
            return
        self.test_result.setText(_("Test label printed: a frame 2 mm inside the edge and a cross at the centre. "
                                   "If it is off, calibrate on the label page."))

    def save_printer(self) -> None:
        p = self.chosen_printer()
        items = [x for x in config.printers() if x.name != p.name and x.uri != p.uri]
        config.set_printers([p] + [x for x in items if x.profile == "pdf"])
        config.put("print/printer", p.name)

    # ------------------------------------------------------------------ sender
    def save_sender(self) -> None:
        party = {k: e.text().strip() for k, e in self.sender_edits.items()}
        party["country"] = self.sender_country.currentText().strip() or "CN"
        if self.sender_business.isChecked():
            party["business"] = True
        if not party["name"]:
            raise SigiloError(_("the sender needs a name"), _("the shop's or outlet's name, as it should print"))
        label = self.preset_label.text().strip() or party["name"]
        presets = [p for p in config.sender_presets() if p.label != label]
        config.set_sender_presets([config.SenderPreset(label, party)] + presets)

    def _describe_done(self) -> None:
        lines = [getattr(self, "key_summary", "")]
        if self.station.operator is not None:
            lines.append(_("Signed in as {user} (supervisor).").format(user=self.station.operator.username))
        lines.append(_("Printer: {name} ({model}).").format(name=self.printer_name.text(),
                                                            model=self.printer_model.currentText()))
        lines.append(_("Open Sigilo to print the first label."))
        self.done_text.setText("\n\n".join(x for x in lines if x))
