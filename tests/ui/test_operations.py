"""The background-operation helper: work runs off the main thread, results and errors come
back on the main thread, and a stale result of a keyed op never overwrites a newer one."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from desktop.errors import SigiloError
from desktop.ui.operations import Operations, describe_error


def test_work_runs_on_a_worker_and_the_result_returns_to_the_main_thread(qtbot):
    ops = Operations()
    seen = {}

    def work():
        seen["worker"] = QThread.currentThread() is not QApplication.instance().thread()
        return 42

    def done(value):
        seen["main"] = QThread.currentThread() is QApplication.instance().thread()
        seen["value"] = value

    ops.run(work, done)
    qtbot.waitUntil(lambda: "value" in seen, timeout=5000)
    assert seen == {"worker": True, "main": True, "value": 42}
    assert not ops.is_busy()


def test_latest_wins_for_a_key(qtbot):
    ops = Operations(max_threads=2)
    release = threading.Event()
    got = []

    def slow():
        release.wait(5)
        return "old"

    ops.run(slow, got.append, key="preview")
    ops.run(lambda: "new", got.append, key="preview")
    qtbot.waitUntil(lambda: got == ["new"], timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: not ops.is_busy(), timeout=5000)
    assert got == ["new"]  # the older render finished later and was dropped


def test_errors_come_back_as_readable_messages(qtbot):
    ops = Operations()
    failures = []

    def boom():
        raise SigiloError("the printer is out of labels", "load a new roll")

    ops.run(boom, on_failure=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert describe_error(failures[0]) == ("the printer is out of labels", "load a new roll")


def test_unexpected_errors_do_not_echo_their_text():
    # an unexpected exception's text may quote what the clerk typed (a phone, a name)
    message, hint = describe_error(ValueError("13800138001 is not valid"))
    assert "13800138001" not in message + hint
    assert "ValueError" in message
