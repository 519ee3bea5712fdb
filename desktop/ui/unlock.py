"""Unlocking the station key in the window: at start when nothing else (SIGILO_PASSPHRASE, the
OS keyring) opens it, and after the station locked when the passphrase was typed here. The
passphrase stays in this process's memory only, unless the clerk asks the keyring to keep it;
where no keyring runs the dialog says so."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from desktop.errors import SigiloError
from desktop.i18n import _


class UnlockDialog(QDialog):
    def __init__(self, keys_dir: Path, station_name: str = "", parent=None) -> None:
        super().__init__(parent)
        from desktop.keys.passphrase import keyring_available

        self.keys_dir = Path(keys_dir)
        self.setObjectName("unlockDialog")
        self.setWindowTitle(_("Sigilo — unlock the station key"))
        lay = QVBoxLayout(self)
        title = QLabel(_("Unlock the station key"))
        title.setObjectName("pageTitle")
        lay.addWidget(title)
        why = QLabel(_("The signing key of {station} is protected by a passphrase. Type it to seal labels; Sigilo "
                       "keeps it in memory until the station locks.").format(station=station_name or _("this station")))
        why.setWordWrap(True)
        lay.addWidget(why)
        form = QFormLayout()
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("unlockPassphrase")
        self.passphrase.setEchoMode(QLineEdit.Password)
        form.addRow(_("Passphrase"), self.passphrase)
        lay.addLayout(form)
        ok, reason = keyring_available()
        self.remember = QCheckBox(_("Remember it in this computer's keyring"))
        self.remember.setObjectName("unlockRemember")
        self.remember.setEnabled(ok)
        lay.addWidget(self.remember)
        if not ok:
            note = QLabel(_("No keyring on this computer ({why}): the passphrase is asked at each start.").format(
                why=reason))
            note.setObjectName("keyringNote")
            note.setWordWrap(True)
            lay.addWidget(note)
        self.error = QLabel("")
        self.error.setObjectName("unlockError")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.try_unlock)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.passphrase.returnPressed.connect(self.try_unlock)
        self.resize(440, 220)

    def try_unlock(self) -> None:
        from desktop.keys.passphrase import remember
        from desktop.keys.readiness import try_unlock

        try:
            try_unlock(self.keys_dir, self.passphrase.text())
            if self.remember.isChecked():
                remember(self.keys_dir, self.passphrase.text())
        except SigiloError as exc:
            self.error.setText(exc.message + (f" — {exc.hint}" if exc.hint else ""))
            self.passphrase.clear()
            self.passphrase.setFocus()
            return
        from desktop import station as services

        services.forget_keys()
        self.accept()
