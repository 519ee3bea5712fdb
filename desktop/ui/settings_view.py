"""Settings: printers, template and masking policy, the tracking number range, sender presets,
keys (station key folder; import a fleet public key and trust list) and operators.
Everything is remembered with QSettings (desktop.ui.config)."""

from __future__ import annotations


from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout,
    QHeaderView, QLabel, QLineEdit, QListWidget, QPushButton, QScrollArea, QSpinBox, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from desktop.errors import SigiloError
from desktop.paths import resources_dir
from desktop import station as services
from desktop.ui import config
from desktop.ui.operations import Operations, describe_error
from desktop.i18n import _
from printers import offers


def masking_policies() -> list[str]:
    return sorted(p.stem for p in (resources_dir() / "masking").glob("*.json"))


def printer_profiles() -> list[str]:
    try:
        from printers.profiles import list_profiles

        return ["pdf"] + list(list_profiles())
    except Exception:  # noqa: BLE001 - profiles not installed: PDF still works
        return ["pdf"]


class SettingsView(QScrollArea):
    status_message = Signal(str, int)
    changed = Signal()

    def __init__(self, ops: Operations, station, sender_source, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.station = station
        self.sender_source = sender_source  # callable -> (label, party dict) of the form's sender
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.NoFrame)
        body = QWidget()
        self.setWidget(body)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(12, 10, 12, 10)
        title = QLabel(_("Settings"))
        title.setObjectName("pageTitle")
        lay.addWidget(title)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        lay.addLayout(grid)
        self.grid = grid
        from desktop.ui.bridge_box import BridgeBox

        self.bridge_box = BridgeBox(station)
        self.bridge_box.status_message.connect(self.status_message)
        # (box, spans both columns): paired boxes side by side where they fit, else one column
        self.boxes = [(self._printers_box(), True), (self._labels_box(), False), (self._keys_box(), False),
                      (self._presets_box(), False), (self._operators_box(), False), (self._scale_box(), False),
                      (self._language_box(), False), (self.bridge_box, True)]
        self.columns = 0
        self._reflow(2)
        lay.addStretch(1)

    def _reflow(self, columns: int) -> None:
        """Lay the boxes out in ``columns`` columns (2, or 1 where two would not fit the page:
        1366x768, or larger text scaling, must never push a box's right edge off-screen)."""
        if columns == self.columns:
            return
        self.columns = columns
        for box, _wide in self.boxes:
            self.grid.removeWidget(box)
        row = col = 0
        for box, wide in self.boxes:
            if columns == 1 or wide:
                if col:
                    row, col = row + 1, 0
                self.grid.addWidget(box, row, 0, 1, columns)
                row += 1
            else:
                self.grid.addWidget(box, row, col)
                row, col = (row, 1) if col == 0 else (row + 1, 0)
        for c in range(2):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)

    def _two_columns_width(self) -> int:
        pairs = [box.minimumSizeHint().width() for box, wide in self.boxes if not wide]
        widest = max(pairs[i] + (pairs[i + 1] if i + 1 < len(pairs) else 0) for i in range(0, len(pairs), 2))
        margins = self.widget().layout().contentsMargins()
        return widest + self.grid.horizontalSpacing() + margins.left() + margins.right()

    def resizeEvent(self, event):  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._reflow(2 if self.viewport().width() >= self._two_columns_width() else 1)

    def showEvent(self, event):  # noqa: N802 - keys may have appeared since (first print)
        super().showEvent(event)
        self._describe_keys()
        self._load_operators()

    # ------------------------------------------------------------------ language
    def _language_box(self) -> QGroupBox:
        """The window's language (applies from the next window) and the label faces' language
        (applies to the next label). Both are kept in SIGILO_HOME, so the CLI follows them too."""
        from desktop.compose.captions import caption_set, label_languages
        from desktop.i18n.language import read_setting, saved_language

        box = QGroupBox(_("Language"))
        form = QFormLayout(box)
        self.ui_language = QComboBox()
        self.ui_language.setObjectName("uiLanguage")
        # each language named in itself, so a clerk finds theirs whatever the window speaks now
        for code, shown in ((None, _("Follow the system")), ("en", "English"), ("zh_CN", "中文（简体）"),
                            ("pt_BR", "Português (Brasil)")):
            self.ui_language.addItem(shown, code)
        self.ui_language.setCurrentIndex(max(0, self.ui_language.findData(saved_language())))
        self.ui_language.currentIndexChanged.connect(self._save_ui_language)
        form.addRow(_("Window language"), self.ui_language)
        self.label_language = QComboBox()
        self.label_language.setObjectName("labelLanguage")
        self.label_language.addItem(_("By the recipient's country"), "auto")
        for code in label_languages():
            self.label_language.addItem(caption_set(code).get("name", code), code)
        current = read_setting("label_language") or "auto"
        self.label_language.setCurrentIndex(max(0, self.label_language.findData(current)))
        self.label_language.currentIndexChanged.connect(self._save_label_language)
        form.addRow(_("Label language"), self.label_language)
        note = QLabel(_("The window language applies from the next window; labels for Brazil print in "
                        "Portuguese, for China in Chinese and English, others in English, unless a "
                        "language is chosen here."))
        note.setWordWrap(True)
        note.setObjectName("hint")
        form.addRow(note)
        return box

    def _save_ui_language(self, *_args) -> None:
        from desktop.i18n.language import save_language

        save_language(self.ui_language.currentData())
        self.status_message.emit(_("Language saved: it applies from the next window"), 4000)

    def _save_label_language(self, *_args) -> None:
        from desktop.i18n.language import write_setting

        value = self.label_language.currentData()
        write_setting("label_language", None if value == "auto" else value)
        self.status_message.emit(_("Label language saved: it applies to the next label"), 4000)

    # ------------------------------------------------------------------ printers
    def _printers_box(self) -> QGroupBox:
        box = QGroupBox(_("Printers"))
        lay = QVBoxLayout(box)
        self.printer_table = QTableWidget(0, 3)
        self.printer_table.setObjectName("printerTable")
        self.printer_table.setHorizontalHeaderLabels((_("Name"), _("URI"), _("Profile")))
        self.printer_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.printer_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.printer_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.printer_table.verticalHeader().setVisible(False)
        self.printer_table.setMinimumHeight(130)
        lay.addWidget(self.printer_table)
        row = QHBoxLayout()
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText(_("Name"))
        self.new_uri = QLineEdit()
        self.new_uri.setObjectName("newPrinterUri")
        self.new_uri.setPlaceholderText(_("tcp://192.168.1.50:9100 · serial:///dev/ttyUSB0?baud=115200 · file:///…"))
        self.new_profile = QComboBox()
        self.new_profile.addItems(printer_profiles())
        add = QPushButton(_("Add"))
        remove = QPushButton(_("Remove selected"))
        discover = QPushButton(_("Find printers"))
        row.addWidget(self.new_name, 1)
        row.addWidget(self.new_uri, 3)
        row.addWidget(self.new_profile, 1)
        row.addWidget(add)
        lay.addLayout(row)
        row2 = QHBoxLayout()
        self.discovered = QLabel("")
        self.discovered.setWordWrap(True)
        row2.addWidget(discover)
        row2.addWidget(remove)
        row2.addWidget(self.discovered, 1)
        lay.addLayout(row2)
        add.clicked.connect(self.add_printer)
        remove.clicked.connect(self.remove_printer)
        discover.clicked.connect(self.find_printers)
        self._load_printers()
        return box

    def _load_printers(self) -> None:
        items = config.printers()
        self.printer_table.setRowCount(len(items))
        for i, p in enumerate(items):
            for c, v in enumerate((p.name, p.uri, p.profile)):
                self.printer_table.setItem(i, c, QTableWidgetItem(v))

    def add_printer(self) -> None:
        uri = self.new_uri.text().strip()
        name = self.new_name.text().strip() or uri
        if not uri:
            return
        if "://" not in uri:
            self.status_message.emit(_("a printer URI starts with serial://, usb://, tcp://, cups://, win32://, file:// or "
                                       "mem://"), 0)
            return
        items = [p for p in config.printers() if p.name != name]
        items.append(config.PrinterConfig(name, uri, self.new_profile.currentText()))
        config.set_printers(items)
        self.new_name.clear()
        self.new_uri.clear()
        self._load_printers()
        self.changed.emit()

    def remove_printer(self) -> None:
        i = self.printer_table.currentRow()
        items = config.printers()
        if 0 <= i < len(items):
            del items[i]
            config.set_printers(items or [config.default_pdf_printer()])
            self._load_printers()
            self.changed.emit()

    def find_printers(self) -> None:
        self.discovered.setText(_("searching…"))

        def shown(found):
            if not found:
                self.discovered.setText(_("no serial or USB printers found"))
                return
            self.discovered.setText(_("Found: {printers}").format(printers=", ".join(f"{_(d.name)} ({d.where})" for d in found)))
            self.new_name.setText(found[0].name)
            self.new_uri.setText(found[0].uri)
            self.new_profile.setCurrentText(found[0].profile)

        self.ops.run(offers.discovered, shown,
                     lambda exc: self.discovered.setText(" — ".join(describe_error(exc))), key="discover")

    # ------------------------------------------------------------------ counter scale
    def _scale_box(self) -> QGroupBox:
        from desktop.scale.profiles import list_scale_profiles, load_scale_profile

        box = QGroupBox(_("Counter scale"))
        form = QFormLayout(box)
        self.scale_uri = QLineEdit(config.get("scale/uri", ""))
        self.scale_uri.setObjectName("scaleUri")
        self.scale_uri.setPlaceholderText(_("serial:///dev/ttyUSB1?baud=9600 (empty: weight typed by hand)"))
        self.scale_profile = QComboBox()
        self.scale_profile.setObjectName("scaleProfile")
        for name in list_scale_profiles():
            try:
                self.scale_profile.addItem(_(load_scale_profile(name).display_name), name)  # data, in resources/scales
            except SigiloError:
                continue
        i = self.scale_profile.findData(config.get("scale/profile", "") or "ascii-st-gs")
        self.scale_profile.setCurrentIndex(max(0, i))
        save = QPushButton(_("Use this scale"))
        save.setObjectName("scaleSave")
        save.clicked.connect(self._save_scale)
        form.addRow(_("Port"), self.scale_uri)
        form.addRow(_("Output style"), self.scale_profile)
        form.addRow(save)
        return box

    def _save_scale(self) -> None:
        config.put("scale/uri", self.scale_uri.text().strip())
        config.put("scale/profile", self.scale_profile.currentData() or "ascii-st-gs")
        self.status_message.emit(_("counter scale saved: the weight fills in when the scale is steady")
                                 if self.scale_uri.text().strip() else _("no counter scale: weight is typed by hand"), 4000)
        self.changed.emit()

    # ------------------------------------------------------------------ labels
    def _labels_box(self) -> QGroupBox:
        box = QGroupBox(_("Labels"))
        form = QFormLayout(box)
        self.policy = QComboBox()
        self.policy.setObjectName("maskingPolicy")
        self.policy.addItem(_("by the recipient's country"), "")
        for p in masking_policies():
            self.policy.addItem(p, p)
        idx = self.policy.findData(config.get("masking/policy", ""))
        self.policy.setCurrentIndex(max(0, idx))
        self.policy.currentIndexChanged.connect(self._policy_changed)
        form.addRow(_("Masking policy"), self.policy)
        self.template = QComboBox()
        self.template.setObjectName("defaultTemplate")
        try:
            from desktop.compose import list_templates

            self.template.addItems(list_templates())
        except Exception:  # noqa: BLE001 - no templates installed: the printer panel says so
            pass
        t = self.template.findText(config.get("print/template", ""))
        if t >= 0:
            self.template.setCurrentIndex(t)
        self.template.currentIndexChanged.connect(self._template_changed)
        form.addRow(_("Label template"), self.template)
        self.range_prefix = QLineEdit()
        self.range_next = QSpinBox()
        self.range_next.setRange(0, 2_000_000_000)
        self.range_end = QSpinBox()
        self.range_end.setRange(0, 2_000_000_000)
        self.range_width = QSpinBox()
        self.range_width.setRange(4, 30)
        self.load_range()
        rr = QHBoxLayout()
        for w in (self.range_prefix, self.range_next, self.range_end, self.range_width):
            rr.addWidget(w)
        save = QPushButton(_("Save range"))
        rr.addWidget(save)
        save.clicked.connect(self._save_range)
        form.addRow(_("Tracking range\n(prefix, next, last, length)"), rr)
        return box

    def _template_changed(self, _i: int) -> None:
        config.put("print/template", self.template.currentText())
        self.changed.emit()

    def _policy_changed(self, _i: int) -> None:
        config.put("masking/policy", self.policy.currentData() or "")
        self.changed.emit()

    def load_range(self) -> None:
        """Show the range as the station holds it now (clerks may have drawn numbers since)."""
        r = self.station.tracking_range()
        self.range_prefix.setText(r["prefix"])
        self.range_next.setValue(r["next"])
        self.range_end.setValue(r["end"])
        self.range_width.setValue(r["width"])
        self._range_seen_next = r["next"]

    def _save_range(self) -> None:
        """Prefix, last number and length as typed; the next number only if it was changed here
        (the station's store advances it as numbers are drawn: never written back stale)."""
        try:
            saved = self.station.set_tracking_range(self.range_prefix.text().strip(), self.range_end.value(),
                                                    self.range_width.value(), self.range_next.value(),
                                                    self._range_seen_next)
        except Exception as exc:  # noqa: BLE001 - shown with its hint
            self.status_message.emit(_("Range not saved: {error}").format(error=" — ".join(describe_error(exc))), 0)
            return
        self.range_next.setValue(saved["next"])
        self._range_seen_next = saved["next"]
        self.status_message.emit(_("tracking number range saved"), 3000)

    # ------------------------------------------------------------------ keys
    def _keys_box(self) -> QGroupBox:
        box = QGroupBox(_("Keys"))
        form = QFormLayout(box)
        self.station_dir = QLineEdit(str(config.station_keys_dir()))
        self.scanner_dir = QLineEdit(str(config.scanner_keys_dir()))
        form.addRow(_("Station key folder"), self.station_dir)
        form.addRow(_("Scanner key folder"), self.scanner_dir)
        row = QHBoxLayout()
        save = QPushButton(_("Use these folders"))
        imp = QPushButton(_("Import fleet key / trust list…"))
        demo = QPushButton(_("Use demo keys"))
        demo.setObjectName("useDemoKeysButton")
        demo.setToolTip(_("Try Sigilo before the key officer has enrolled this station: labels sealed with demo "
                          "keys prove nothing"))
        row.addWidget(save)
        row.addWidget(imp)
        row.addStretch(1)
        form.addRow(row)
        # on a row of its own: three buttons side by side ran wider than half of a 1366-pixel
        # window in Portuguese and Chinese
        demo_row = QHBoxLayout()
        demo_row.addWidget(demo)
        demo_row.addStretch(1)
        form.addRow(demo_row)
        self.keys_note = QLabel("")
        self.keys_note.setWordWrap(True)
        form.addRow(self.keys_note)
        save.clicked.connect(self._save_key_dirs)
        imp.clicked.connect(self._import_keys)
        demo.clicked.connect(self.use_demo_keys)
        self._describe_keys()
        return box

    def _describe_keys(self) -> None:
        from desktop.station import has_station_keys, is_demo

        d = config.station_keys_dir()
        files = sorted(p.name for p in d.glob("*")) if d.is_dir() else []
        if not has_station_keys(d):
            self.keys_note.setText(_("No station keys yet: labels cannot be sealed. Import the keys the key officer "
                                     "gave you, or press Use demo keys to try Sigilo."))
            return
        self.keys_note.setText(_("DEMO keys: for trying Sigilo only. {n} file(s) in the station key folder").format(
            n=len(files)) if is_demo(d) else _("{n} file(s) in the station key folder").format(n=len(files)))

    def use_demo_keys(self) -> None:
        """The explicit choice of demo keys: made once in their own folder, shown in the window."""
        try:
            path = self.station.use_demo_keys()
        except Exception as exc:  # noqa: BLE001 - shown to the clerk with its hint
            self.status_message.emit(" — ".join(describe_error(exc)), 0)
            return
        config.put("keys/station_dir", str(path))
        self.station_dir.setText(str(path))
        services.forget_keys()
        self._describe_keys()
        self.status_message.emit(_("Demo keys in use: labels sealed with them prove nothing"), 0)
        self.changed.emit()

    def _save_key_dirs(self) -> None:
        config.put("keys/station_dir", self.station_dir.text().strip())
        config.put("keys/scanner_dir", self.scanner_dir.text().strip())
        services.forget_keys()
        self._describe_keys()
        self.changed.emit()

    def import_key_files(self, paths: list[str]) -> list[str]:
        """Install a fleet public key (sealing), fleet private key or trust list (scanning) the
        key officer gave this station, checked as `sigilo keys import-*` checks them; audited."""
        self.station.require("keys.manage")
        done = services.import_key_files(paths, config.station_keys_dir(), config.scanner_keys_dir())
        self.station.jobs.audit.append(self.station.actor, "keys.import", "gui", {"installed": done})
        self._describe_keys()
        self.changed.emit()
        return done

    def _import_keys(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, _("Fleet key and trust list"), "",
                                                      _("Sigilo keys (*.pub *.key *.json);;All files (*)"))
        if paths:
            try:
                done = self.import_key_files(paths)
            except (SigiloError, OSError) as exc:
                self.status_message.emit(_("Not imported: {error}").format(error=" — ".join(describe_error(exc))), 0)
                return
            self.status_message.emit("Installed " + ", ".join(done), 0)

    # ------------------------------------------------------------------ sender presets
    def _presets_box(self) -> QGroupBox:
        box = QGroupBox(_("Sender presets"))
        lay = QVBoxLayout(box)
        self.preset_list = QListWidget()
        self.preset_list.setMaximumHeight(110)
        lay.addWidget(self.preset_list)
        row = QHBoxLayout()
        self.preset_name = QLineEdit()
        self.preset_name.setPlaceholderText(_("Preset name"))
        save = QPushButton(_("Save form's sender as preset"))
        remove = QPushButton(_("Remove"))
        row.addWidget(self.preset_name, 1)
        row.addWidget(save)
        row.addWidget(remove)
        lay.addLayout(row)
        save.clicked.connect(self.save_preset)
        remove.clicked.connect(self._remove_preset)
        self._load_presets()
        return box

    def _load_presets(self) -> None:
        self.preset_list.clear()
        for p in config.sender_presets():
            self.preset_list.addItem(f"{p.label} — {p.party.get('name', '')} {p.party.get('city', '')}")

    def save_preset(self) -> None:
        party = self.sender_source()
        label = self.preset_name.text().strip() or party.get("name", "") or "sender"
        items = [p for p in config.sender_presets() if p.label != label] + [config.SenderPreset(label, party)]
        config.set_sender_presets(items)
        self._load_presets()
        self.changed.emit()

    def _remove_preset(self) -> None:
        i = self.preset_list.currentRow()
        items = config.sender_presets()
        if 0 <= i < len(items):
            del items[i]
            config.set_sender_presets(items)
            self._load_presets()
            self.changed.emit()

    # ------------------------------------------------------------------ operators
    def _operators_box(self) -> QGroupBox:
        box = QGroupBox(_("Operators"))
        lay = QVBoxLayout(box)
        self.operator_list = QListWidget()
        self.operator_list.setMaximumHeight(110)
        lay.addWidget(self.operator_list)
        row = QHBoxLayout()
        self.op_user = QLineEdit()
        self.op_user.setPlaceholderText(_("user"))
        self.op_password = QLineEdit()
        self.op_password.setPlaceholderText(_("password"))
        self.op_password.setEchoMode(QLineEdit.Password)
        self.op_role = QComboBox()
        for role, shown in (("clerk", _("clerk")), ("supervisor", _("supervisor")), ("auditor", _("auditor")),
                            ("key officer", _("key officer"))):
            self.op_role.addItem(shown, role)  # the role itself is data: the account stores it untranslated
        add = QPushButton(_("Add"))
        for w in (self.op_user, self.op_password, self.op_role, add):
            row.addWidget(w)
        lay.addLayout(row)
        idle = QHBoxLayout()
        idle.addWidget(QLabel(_("Lock after")))
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setObjectName("idleMinutes")
        self.idle_minutes.setRange(1, 240)
        self.idle_minutes.setSuffix(_(" min idle"))
        self.idle_minutes.setValue(int(self.station.idle_minutes()))
        save_idle = QPushButton(_("Save"))
        idle.addWidget(self.idle_minutes)
        idle.addWidget(save_idle)
        idle.addStretch(1)
        lay.addLayout(idle)
        save_idle.clicked.connect(self._save_idle)
        add.clicked.connect(self._add_operator)
        self._load_operators()
        return box

    def _save_idle(self) -> None:
        try:
            self.station.set_idle_minutes(self.idle_minutes.value())
        except SigiloError as exc:
            self.status_message.emit(" — ".join(describe_error(exc)), 0)
            return
        self.status_message.emit(_("the station locks after {value} idle minutes").format(value=self.idle_minutes.value()), 4000)

    def _load_operators(self) -> None:
        self.operator_list.clear()
        try:
            for op in self.station.operators().list():
                self.operator_list.addItem(f"{op.username} — {op.role}" + (" (disabled)" if getattr(op, "disabled", False)
                                                                          else ""))
        except SigiloError as exc:
            self.operator_list.addItem(exc.message)

    def _add_operator(self) -> None:
        try:
            first = not self.station.has_operators()
            if not first:
                self.station.require("users.manage")
            elif self.op_role.currentData() != "supervisor":
                raise SigiloError(_("the first account must be a supervisor's"),
                                  _("choose the role supervisor: it then adds the clerks' accounts"))
            self.station.operators().add(self.op_user.text().strip(), self.op_password.text(),
                                         self.op_role.currentData(), actor=self.station.actor)
            if first:  # nobody else may add accounts from now on: the supervisor is signed in
                self.station.login(self.op_user.text().strip(), self.op_password.text())
        except SigiloError as exc:
            self.status_message.emit(" — ".join(describe_error(exc)), 0)
            return
        self.op_password.clear()
        self._load_operators()
        self.status_message.emit(_("operator added: sign-in is required from the next start"), 4000)
