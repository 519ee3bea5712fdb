"""Unlocking the station key in the window: at start when nothing else (SIGILO_PASSPHRASE, the
OS keyring) opens it, and after the station locked when the passphrase was typed here. The
passphrase stays in this process's memory only, unless the clerk asks the keyring to keep it;
where no keyring runs the dialog says so."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from desktop.errors import SigiloError


class UnlockDialog(QDialog):
    def __init__(self, keys_dir: Path, station_name: str = "", parent=None) -> None:
        super().__init__(parent)
        from desktop.keys.passphrase import keyring_available

        self.keys_dir = Path(keys_dir)
        self.setObjectName("unlockDialog")
        self.setWindowTitle("Sigilo — unlock the station key")
        lay = QVBoxLayout(self)
        title = QLabel("Unlock the station key")
        title.setObjectName("pageTitle")
        lay.addWidget(title)
        why = QLabel(f"The signing key of {station_name or 'this station'} is protected by a passphrase. Type it to "
                     "seal labels; Sigilo keeps it in memory until the station locks.")
        why.setWordWrap(True)
        lay.addWidget(why)
        form = QFormLayout()
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("unlockPassphrase")
        self.passphrase.setEchoMode(QLineEdit.Password)
        form.addRow("Passphrase", self.passphrase)
        lay.addLayout(form)
        ok, reason = keyring_available()
        self.remember = QCheckBox("Remember it in this computer's keyring")
        self.remember.setObjectName("unlockRemember")
        self.remember.setEnabled(ok)
        lay.addWidget(self.remember)
        if not ok:
            note = QLabel(f"No keyring on this computer ({reason}): the passphrase is asked at each start.")
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
        from desktop.ui import services

        services.forget_keys()
        self.accept()
