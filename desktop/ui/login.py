"""Sign-in: shown when the station has operators; skipped on first run, when there are none.
It comes back, and cannot be dismissed, when the session locks after inactivity; then the same
operator or another one may sign in."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from desktop.errors import SigiloError
from desktop.i18n import _


class LoginDialog(QDialog):
    def __init__(self, station, parent=None, locked_user: str | None = None, keys_dir=None) -> None:
        super().__init__(parent)
        self.station = station
        self.keys_dir = keys_dir  # set when the station key's passphrase must be typed again too
        self.locked = locked_user is not None
        self.setWindowTitle(_("Sigilo — locked") if self.locked else _("Sigilo — sign in"))
        self.setObjectName("loginDialog")
        lay = QVBoxLayout(self)
        title = QLabel(_("Locked") if self.locked else _("Sign in"))
        title.setObjectName("pageTitle")
        lay.addWidget(title)
        if self.locked:
            why = QLabel(_("The station locked after inactivity. Sign in to go on."))
            why.setWordWrap(True)
            lay.addWidget(why)
        form = QFormLayout()
        self.user = QLineEdit()
        self.user.setObjectName("loginUser")
        self.password = QLineEdit()
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.Password)
        form.addRow(_("Operator"), self.user)
        form.addRow(_("Password"), self.password)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("lockPassphrase")
        self.passphrase.setEchoMode(QLineEdit.Password)
        if keys_dir is not None:
            form.addRow(_("Station key passphrase"), self.passphrase)
        lay.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("loginError")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok if self.locked else QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.user.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.passphrase.setFocus if keys_dir is not None else self.try_login)
        self.passphrase.returnPressed.connect(self.try_login)
        if locked_user:
            self.user.setText(locked_user)
            self.password.setFocus()
        self.resize(380, 220 if self.locked else 180)

    def reject(self) -> None:
        if not self.locked:  # a locked station stays locked: Esc or closing does not open it
            super().reject()

    def try_login(self) -> None:
        try:
            self.station.login(self.user.text().strip(), self.password.text())
            if self.keys_dir is not None:
                from desktop.keys.readiness import try_unlock
                from desktop import station as services

                try_unlock(self.keys_dir, self.passphrase.text())
                services.forget_keys()
        except SigiloError as exc:
            self.error.setText(exc.message + (f" — {exc.hint}" if exc.hint else ""))
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()
