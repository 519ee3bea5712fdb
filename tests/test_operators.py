"""Operators: argon2id hashes, role permissions as data, supervisor approval, throttled and
audited sign-ins (persisted across restarts), and a session that locks after inactivity."""

from __future__ import annotations

import io
import json

import pytest
from argon2 import PasswordHasher

from desktop.audit import AuditLog, verify_chain
from desktop.cli import main
from desktop.operators import (
    ROLES,
    BadCredentials,
    LoginThrottled,
    Operators,
    PermissionDenied,
    Session,
    SessionLocked,
)
from desktop.store import open_store


class Clock:
    def __init__(self, t: float = 1_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


FAST = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def ops(clock):
    return Operators(open_store(), clock=clock, hasher=FAST)


def test_password_hash_is_argon2id_and_never_the_password():
    ops = Operators(open_store())  # the default hasher
    ops.add("ana", "s3cret-pass", "clerk")
    h = ops.store.query("SELECT password_hash FROM operators WHERE username='ana'")[0][0]
    assert h.startswith("$argon2id$v=19$m=") and "s3cret-pass" not in h
    assert ops.authenticate("ana", "s3cret-pass").role == "clerk"


def test_roles_are_data_and_checked(ops):
    assert set(ROLES) == {"clerk", "supervisor", "auditor", "key officer"}
    clerk = ops.add("c", "password1", "clerk")
    sup = ops.add("s", "password2", "supervisor")
    officer = ops.add("k", "password3", "key officer")
    auditor = ops.add("a", "password4", "auditor")
    assert clerk.can("print") and not clerk.can("reprint") and not clerk.can("void")
    assert sup.can("reprint") and sup.can("void") and not sup.can("keys.manage") and sup.can("users.manage")
    assert not clerk.can("users.manage")
    assert officer.can("keys.manage") and not officer.can("print")
    assert auditor.can("audit.verify") and not auditor.can("print")
    with pytest.raises(PermissionDenied):
        ops.require(clerk, "void")
    with pytest.raises(Exception, match="unknown role"):
        ops.add("x", "password5", "admin")


def test_reprint_needs_a_supervisors_credentials(ops, clock):
    ops.add("c", "password1", "clerk")
    ops.add("s", "password2", "supervisor")
    with pytest.raises(PermissionDenied, match="may not approve reprint"):
        ops.approve("reprint", "c", "password1", "SG7700000000")
    with pytest.raises(BadCredentials):
        ops.approve("reprint", "s", "wrong-pass", "SG7700000000")
    clock.t += 1.5
    assert ops.approve("reprint", "s", "password2", "SG7700000000").username == "s"
    logins = AuditLog(ops.store).entries(action="login")
    assert logins[-1].details["purpose"] == "approve reprint SG7700000000"


def test_failed_logins_are_throttled_exponentially_and_persisted(ops, clock):
    ops.add("c", "password1", "clerk")
    with pytest.raises(BadCredentials):
        ops.authenticate("c", "nope")
    with pytest.raises(LoginThrottled) as exc:  # 1 s after the first failure
        ops.authenticate("c", "password1")
    assert 0 < exc.value.wait <= 1
    clock.t += 1.01
    with pytest.raises(BadCredentials):
        ops.authenticate("c", "nope")
    clock.t += 1.01
    with pytest.raises(LoginThrottled) as exc:  # now 2 s
        ops.authenticate("c", "password1")
    assert 0.9 < exc.value.wait <= 1
    # a restart does not reset the count
    again = Operators(open_store(), clock=clock, hasher=FAST)
    assert again.get("c").failed_logins == 2
    clock.t += 2
    assert again.authenticate("c", "password1").failed_logins == 0


def test_lockout_after_max_failures(ops, clock):
    ops.add("c", "password1", "clerk")
    for _ in range(5):
        with pytest.raises(BadCredentials):
            ops.authenticate("c", "bad")
        clock.t += 60
    with pytest.raises(LoginThrottled) as exc:
        ops.authenticate("c", "password1")
    assert exc.value.wait > 14 * 60 - 60
    ops.set_password("c", "password9", actor="sup")  # a reset clears the lockout
    assert ops.authenticate("c", "password9").username == "c"
    failed = AuditLog(ops.store).entries(action="login_failed")
    assert len(failed) == 6 and failed[-1].details["why"] == "throttled"
    assert verify_chain(ops.store)[1] == []


def test_disabled_and_unknown_users_cannot_sign_in(ops):
    ops.add("c", "password1", "clerk")
    ops.set_disabled("c", True)
    with pytest.raises(BadCredentials):
        ops.authenticate("c", "password1")
    with pytest.raises(BadCredentials):
        ops.authenticate("ghost", "password1")


def test_session_locks_after_inactivity(ops, clock):
    ops.store.set_setting("session.idle_minutes", 5)
    ops.add("c", "password1", "clerk")
    session = Session.login(ops, "c", "password1")
    clock.t += 4 * 60
    assert session.require("print").username == "c"  # activity resets the idle timer
    clock.t += 4 * 60
    session.touch()
    clock.t += 5 * 60
    assert session.locked
    with pytest.raises(SessionLocked):
        session.require("print")
    session.unlock("password1")
    assert not session.locked
    with pytest.raises(PermissionDenied):
        session.require("void")
    session.logout()
    assert session.locked
    assert [e.action for e in AuditLog(ops.store).entries()][-3:] == ["login", "login", "logout"]


def test_users_command(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("first-pass\n"))
    assert main(["users", "add", "maria", "--role", "supervisor", "--password-stdin"]) == 0  # the first account
    monkeypatch.setattr("sys.stdin", io.StringIO("clerk-pass\n"))
    assert main(["users", "add", "joao", "--role", "clerk", "--password-stdin"]) == 1  # now: who is asking?
    assert "--as NAME" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("first-pass\nclerk-pass\n"))
    assert main(["users", "add", "joao", "--role", "clerk", "--password-stdin", "--as", "maria"]) == 0
    # a clerk cannot take over the supervisor's account
    monkeypatch.setattr("sys.stdin", io.StringIO("clerk-pass\nstolen-pass\n"))
    assert main(["users", "passwd", "maria", "--password-stdin", "--as", "joao"]) == 1
    assert "may not manage users" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("first-pass\nsecond-pass\n"))
    assert main(["users", "passwd", "maria", "--password-stdin", "--as", "maria"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("second-pass\n"))
    assert main(["users", "disable", "joao", "--password-stdin", "--as", "maria"]) == 0
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out.strip().splitlines() == ["joao\tclerk\tdisabled", "maria\tsupervisor\tactive"]
    monkeypatch.setattr("sys.stdin", io.StringIO("second-pass\nx\n"))
    assert main(["users", "add", "bob", "--role", "clerk", "--password-stdin", "--as", "maria"]) == 1
    assert "too short" in capsys.readouterr().err
    changes = [(e.actor, e.subject, e.details) for e in AuditLog(open_store()).entries(action="user")]
    assert changes == [("cli", "maria", {"change": "add", "role": "supervisor"}),
                       ("maria", "joao", {"change": "add", "role": "clerk"}),
                       ("maria", "maria", {"change": "password"}),
                       ("maria", "joao", {"change": "disable"})]
    assert "second-pass" not in json.dumps(changes) and "stolen-pass" not in json.dumps(changes)
