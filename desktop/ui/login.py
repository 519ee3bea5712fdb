"""Sign-in: shown when the station has operators; skipped on first run, when there are none."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from desktop.errors import SigiloError


class LoginDialog(QDialog):
    def __init__(self, station, parent=None) -> None:
        super().__init__(parent)
        self.station = station
        self.setWindowTitle("Sigilo — sign in")
        self.setObjectName("loginDialog")
        lay = QVBoxLayout(self)
        title = QLabel("Sign in 登录")
        title.setObjectName("pageTitle")
        lay.addWidget(title)
        form = QFormLayout()
        self.user = QLineEdit()
        self.user.setObjectName("loginUser")
        self.password = QLineEdit()
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.Password)
        form.addRow("Operator", self.user)
        form.addRow("Password", self.password)
        lay.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("loginError")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.user.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.try_login)
        self.resize(360, 180)

    def try_login(self) -> None:
        try:
            self.station.login(self.user.text().strip(), self.password.text())
        except SigiloError as exc:
            self.error.setText(exc.message + (f" — {exc.hint}" if exc.hint else ""))
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()
