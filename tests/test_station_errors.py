"""Errors reach the clerk: a printer error (its own hierarchy) reads as its message and fix,
never "unexpected error (NotFoundError)"; status words are a clerk's ("paper out", the
printer's name, no errno); the rotating log in the data folder is 0600 and scrubbed."""

from __future__ import annotations

import logging
import os
import socket
import stat

from desktop.station import clerk_words, describe, query_printer


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_a_printer_error_keeps_its_message_and_hint():
    from printers.transports import open_transport

    uri = f"tcp://127.0.0.1:{_closed_port()}"
    try:
        with open_transport(uri) as t:
            t.write(b"x")
    except Exception as exc:  # noqa: BLE001 - whatever the transport raises must describe itself
        message, hint = describe(exc)
    else:
        raise AssertionError("a closed port accepted a connection")
    assert "unexpected error" not in message and message and hint
    state, words = query_printer(uri, "zpl-203")
    assert state == "OFFLINE" and "Errno" not in words and words


def test_status_in_a_clerks_words():
    assert clerk_words("paper_out: out of paper") == "paper out"
    assert clerk_words("head_open: print head open") == "print head open"
    assert clerk_words("paper_out: the roll is empty") == "paper out: the roll is empty"
    assert clerk_words("timeout: the printer does not answer (no reply)") == "the printer does not answer (no reply)"
    assert clerk_words("[Errno 5] Input/output error") == "Input/output error"
    assert clerk_words("offline: tcp://10.0.0.5:9100 refused", "tcp://10.0.0.5:9100", "Counter ZPL") == \
        "Counter ZPL refused"


def test_the_log_is_private_rotating_and_scrubbed(tmp_path):
    from desktop.station import logfile

    path = logfile.install(tmp_path)
    try:
        log = logging.getLogger("desktop.jobs.worker")
        log.warning("label SG7700000123 failed: recipient 13812345678, ID 330106199001011234")
        for _ in range(logfile.MAX_BYTES // 60 + 50):
            log.error("printer tcp://127.0.0.1:9100 paper out, call +55 11 98765-4321")
        for handler in logging.getLogger("desktop").handlers:
            handler.flush()
    finally:
        logfile.uninstall()
    files = sorted(tmp_path.glob("sigilo.log*"))
    assert len(files) >= 2  # rotated
    for f in files:
        assert stat.S_IMODE(os.stat(f).st_mode) == 0o600, f
    text = "".join(f.read_text(encoding="utf-8") for f in files)
    assert "SG7700000123" in text  # the tracking number is on the face in clear: kept for diagnosis
    for secret in ("13812345678", "98765-4321", "330106199001011234"):
        assert secret not in text
    assert path.name == "sigilo.log"


def test_a_failed_label_is_in_the_log_without_its_recipient(sigilo_home, sample_shipments):
    """A windowed station that failed overnight: the failure and its reason are in
    sigilo.log, and the recipient values the error quoted are not."""
    from desktop.shipment import Shipment
    from desktop.station import Printer, Station
    from desktop.station import logfile
    from printers.transports.mem import remove_mem_printer

    class Quoting:
        demo = True

        def seal(self, shipment, issued_at=None):
            r = shipment.recipient
            raise ValueError(f"cannot seal for {r.name} {r.phone} {r.street}")

    shipment = Shipment.from_dict(sample_shipments[0])
    try:
        with Station(sigilo_home, sealer=Quoting()) as station:
            station.start_queue(printers=["mem://log-test"])
            sub = station.submit([shipment], Printer("Counter", "mem://log-test", "zpl-203"), "waybill-100x150")
            assert station.wait(sub.job_id, timeout=60).count("failed") == 1
    finally:
        logfile.uninstall()
        remove_mem_printer("log-test")
    text = (sigilo_home / "sigilo.log").read_text(encoding="utf-8")
    assert f"label {shipment.tracking_number}" in text and "failed: ValueError: cannot seal for ***" in text
    r = shipment.recipient
    for secret in (r.name, r.phone, r.street):
        assert secret not in text
