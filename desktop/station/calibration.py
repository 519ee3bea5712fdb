"""Media calibration through a printer's worker: the printer measures its labels (gap or black
mark, label length) and the clerk reads what it found, in words.

The work runs as a task on the printer's queue worker (desktop.jobs.worker.PrinterWorker.run_task),
the one thread that holds the printer's connection, so a calibration never opens a second
connection beside a print job and never interleaves with a label's bytes. printers.calibration
builds the bytes and parses the answers; this module waits for the printer, reads the result
back and words it.

Waiting for the printer (why it is done this way):
  TSPL  the detect command feeds labels; ``ESC !?`` (answered at once, even mid-feed) tells a
        printer still feeding from one that stopped - no gap found, paper out, head open. Once it
        is idle the OUT read-back is sent (a TSPL printer works through its input in order, so
        even sent early it is answered after the detect); a printer that stopped with a fault
        is never asked, so no late answer can be taken for a status byte. A printer whose
        firmware has no GETSETTING$ never answers: idle for 3 s after the question, the
        calibration counts as done with the length unknown.
  ZPL   ``~JC`` is a control command: a Zebra answers ``~HQES``/``~HS`` while it feeds, so the
        result is read once the printer has been idle (no fault, no format waiting) on two polls
        in a row after ``min_seconds`` - the time a calibration feed takes - and ``~HS`` then
        gives the label length it measured.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from desktop.i18n import _
from printers.calibration import (
    TSPL_READBACK,
    Media,
    calibration_bytes,
    parse_tspl_readback,
    zpl_label_length_dots,
)
from printers.status import PrinterState, query_status

TSPL_STATUS = b"\x1b!?"
MISMATCH_MM = 2.0  # a measured length this far from the template's is a different label size


@dataclass(frozen=True)
class CalibrationResult:
    """What the printer found. ``ok``: it calibrated; ``length_mm``/``gap_mm``: what it measured
    (None where it does not say); ``fault``: why it stopped (the printer's own words, "" when
    ok); ``words``: the result as the clerk reads it; ``warning``: what the clerk should check
    (a label length other than the one chosen)."""

    ok: bool
    sensor: str
    length_mm: float | None = None
    gap_mm: float | None = None
    fault: str = ""
    words: str = ""
    warning: str = ""
    expected_length_mm: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def run_calibration(transport, language: str, media: Media, dpi: int, *, timeout: float = 30.0,
                    min_seconds: float = 3.0, clock=time.monotonic) -> dict:
    """On the worker's thread: send the calibration, wait for the printer, read back.
    Returns {"ok", "length_mm", "gap_mm", "fault"} (no words: the station words it)."""
    language = language.lower()
    data = calibration_bytes(language, media, dpi)
    transport.discard_input()
    if language == "tspl":
        transport.write(data)
        transport.drain()
        return _wait_tspl(transport, media, dpi, timeout, clock)
    transport.write(data)
    transport.drain()
    return _wait_zpl(transport, media, dpi, timeout, 0.0 if media.sensor == "continuous" else min_seconds, clock)


def _fault(status) -> str:
    return status.detail or str(status.state)


def _wait_tspl(transport, media: Media, dpi: int, timeout: float, clock) -> dict:
    """Poll ``ESC !?`` until the detect has stopped feeding; then ask for the sizes once (the
    printer answers it after the detect in any case, as it works through its input in order)
    and read the answer. A printer that stopped with a fault is never asked, so no answer of
    ours arrives later to be taken for a status byte."""
    from printers.status import parse_tspl_status

    deadline = clock() + timeout
    buf = b""
    asked_at = None
    next_poll = clock() + 0.5
    while clock() < deadline:
        buf += transport.read(4096, 0.2)
        answer = parse_tspl_readback(buf, dpi)
        if answer is not None:
            sensor = media.sensor
            if sensor == "auto":  # which sensor found the labels: the size it reports
                sensor = "bline" if answer["bline_mm"] and not answer["gap_mm"] else "gap"
            gap = answer["bline_mm"] if sensor == "bline" else answer["gap_mm"]
            return {"ok": True, "length_mm": answer["length_mm"], "gap_mm": gap, "fault": "", "sensor": sensor}
        if clock() < next_poll or b"SGCAL" in buf:
            continue
        next_poll = clock() + 0.5
        transport.write(TSPL_STATUS)
        reply = transport.read(1, 1.0)
        if reply == b"S":  # the read-back began first: keep it, its status byte follows
            buf += reply
            continue
        if not reply:
            continue
        status = parse_tspl_status(reply)
        if status.fault:
            return {"ok": False, "length_mm": None, "gap_mm": None, "fault": _fault(status)}
        if status.state is PrinterState.PRINTING:
            continue
        if asked_at is None:
            transport.write(TSPL_READBACK)
            transport.drain()
            asked_at = clock()
        elif clock() - asked_at >= 3.0:  # idle, and no read-back: firmware without GETSETTING$
            return {"ok": True, "length_mm": None, "gap_mm": None, "fault": ""}
    return {"ok": False, "length_mm": None, "gap_mm": None, "fault": "timeout"}


def _wait_zpl(transport, media: Media, dpi: int, timeout: float, min_seconds: float, clock) -> dict:
    start = clock()
    deadline = start + timeout
    idle_polls = 0
    while clock() < deadline:
        time.sleep(0.25)
        status = query_status(transport, "zpl", timeout=1.5)
        if status.fault:
            return {"ok": False, "length_mm": None, "gap_mm": None, "fault": _fault(status)}
        if status.state is PrinterState.READY:
            idle_polls += 1
        else:
            idle_polls = 0
        if idle_polls >= 2 and clock() - start >= min_seconds:
            transport.discard_input()
            transport.write(b"~HS")
            from printers.status import _read_frames

            dots = zpl_label_length_dots(_read_frames(transport, 3, 1.5))
            length = round(dots * 25.4 / dpi, 1) if dots else None
            return {"ok": True, "length_mm": length, "gap_mm": None, "fault": ""}
    return {"ok": False, "length_mm": None, "gap_mm": None, "fault": "timeout"}


def _n(value: float | None) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value is not None else "?"


def words_for(found: dict, media: Media, printer_name: str, timeout: float) -> CalibrationResult:
    """The result in a clerk's words (what the printer found, what to do when it found nothing)."""
    from desktop.station.status import clerk_words

    length, gap, fault = found.get("length_mm"), found.get("gap_mm"), found.get("fault", "")
    warning = ""
    if not found.get("ok"):
        if fault == "timeout":
            words = _("{printer} did not finish calibrating within {seconds} seconds. Check that it is on "
                      "and loaded with labels, then calibrate again.").format(printer=printer_name,
                                                                               seconds=int(timeout))
        elif "paper" in fault.lower() and media.sensor in ("gap", "auto"):
            words = _("{printer} fed labels but found no gap between them, and stopped ({fault}). Check that "
                      "the labels run under the sensor guide, or choose black mark or continuous paper; then "
                      "press the printer's feed button and calibrate again.").format(
                printer=printer_name, fault=clerk_words(fault))
        elif "paper" in fault.lower() and media.sensor == "bline":
            words = _("{printer} fed labels but found no black mark on their back, and stopped ({fault}). "
                      "Choose gap labels or continuous paper if the back is plain; then press the printer's "
                      "feed button and calibrate again.").format(printer=printer_name, fault=clerk_words(fault))
        else:
            words = _("Calibration stopped: {fault}. Fix the printer, then calibrate again.").format(
                fault=clerk_words(fault))
        return CalibrationResult(False, media.sensor, None, None, fault, words, "", media.length_mm)
    if media.sensor == "continuous":
        words = _("{printer} is set for continuous paper: each label is {length} mm long and "
                  "{width} mm wide.").format(printer=printer_name, length=_n(media.length_mm),
                                             width=_n(media.width_mm))
        return CalibrationResult(True, media.sensor, media.length_mm, 0.0, "", words, "", media.length_mm)
    if length is None:
        words = _("{printer} calibrated its sensor but does not report the label length it measured. Print a "
                  "test label to check that it starts at the top of a label.").format(printer=printer_name)
    elif gap:
        words = _("Calibrated: {printer} measured labels {length} mm long with {gap} mm between "
                  "them.").format(printer=printer_name, length=_n(length), gap=_n(gap))
    else:
        words = _("Calibrated: {printer} measured labels {length} mm long.").format(
            printer=printer_name, length=_n(length))
    if length is not None and abs(length - media.length_mm) > MISMATCH_MM:
        warning = _("The labels in the printer are {found} mm long, not {expected} mm. Load {expected} mm "
                    "labels, or choose the template made for {found} mm labels.").format(
            found=_n(length), expected=_n(media.length_mm))
    return CalibrationResult(True, media.sensor, length, gap, "", words, warning, media.length_mm)


__all__ = ["CalibrationResult", "Media", "run_calibration", "words_for"]
