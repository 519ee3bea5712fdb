"""Media calibration: the exact bytes each language gets (annotated), the read-back parsers, and
the whole path end to end over a real pty - the station's calibrate() through the printer's
queue worker to a simulated printer that measures the labels it has loaded, and the result in
a clerk's words."""

from __future__ import annotations

import time

import pytest

from printers.calibration import (
    TSPL_READBACK,
    CalibrationError,
    Media,
    calibration_bytes,
    length_mm,
    parse_tspl_readback,
    tspl_answer,
    zpl_label_length_dots,
)
from printers.labelstream import LabelStream
from printers.simulator import SimulatedPrinter
from printers.status import zpl_hs_reply


# -- golden bytes ---------------------------------------------------------------------------------
def test_tspl_gap_calibration_bytes():
    assert calibration_bytes("tspl", Media("gap", 100, 150, 2), 203).split(b"\r\n") == [
        b"SIZE 100 mm,150 mm",  # the width: no sensor measures it; the length as expected
        b"GAP 2 mm,0 mm",  # gap sensor, the gap expected before it is measured
        b"GAPDETECT",  # feed until the paper length and gap are found; the printer keeps them
        b"",
    ]


def test_tspl_black_mark_auto_and_continuous_bytes():
    assert calibration_bytes("tspl", Media("bline", 76.2, 101.6, 3), 203).split(b"\r\n") == [
        b"SIZE 76.2 mm,101.6 mm",
        b"BLINE 3 mm,0 mm",  # the reflective (black mark) sensor instead of the gap sensor
        b"BLINEDETECT",
        b"",
    ]
    assert calibration_bytes("tspl", Media("auto", 100, 150, 2), 203) == b"SIZE 100 mm,150 mm\r\nAUTODETECT\r\n"
    # continuous paper: GAP 0,0 and nothing to detect (a detect would feed forever)
    assert calibration_bytes("tspl", Media("continuous", 80, 120, 0), 203) == b"SIZE 80 mm,120 mm\r\nGAP 0,0\r\n"


def test_tspl_read_back_asks_for_the_three_sizes_between_our_markers():
    assert TSPL_READBACK == (b'OUT "SGCAL;PAPER="+GETSETTING$("CONFIG","TSPL","PAPER SIZE")'
                             b'+";GAP="+GETSETTING$("CONFIG","TSPL","GAP SIZE")'
                             b'+";BLINE="+GETSETTING$("CONFIG","TSPL","BLINE SIZE")+";END"\r\n')


def test_zpl_calibration_bytes_at_203_and_300_dpi():
    assert calibration_bytes("zpl", Media("gap", 100, 150, 2), 203) == (
        b"^XA"
        b"^MNY"  # media tracking: web (gaps between die-cut labels)
        b"^PW799"  # print width 100 mm in dots (the encoder's rounding)
        b"^LL1199"  # label length 150 mm in dots (measured again by ~JC)
        b"^JUS"  # save, so the setting survives a power cycle
        b"^XZ\n"
        b"~JC\n")  # calibrate the media sensor and measure the label length
    assert calibration_bytes("zpl", Media("bline", 100, 150, 3), 300).startswith(b"^XA^MNM^PW1181^LL1772^JUS^XZ")
    # continuous: ^MNN and the length from ^LL; nothing to measure, so no ~JC
    assert calibration_bytes("zpl", Media("continuous", 100, 150, 0), 203) == b"^XA^MNN^PW799^LL1199^JUS^XZ\n"


def test_escpos_and_nonsense_sizes_are_refused_with_a_hint():
    with pytest.raises(CalibrationError) as err:
        calibration_bytes("escpos", Media(), 203)
    assert err.value.hint
    for bad in (Media("sticker"), Media("gap", 5, 150), Media("gap", 100, 150, 40)):
        with pytest.raises(CalibrationError):
            calibration_bytes("tspl", bad, 203)


def test_tspl_labels_state_the_calibrated_media_so_a_label_never_switches_the_sensor_back():
    from printers.lang import EncodeOptions, encode
    from printers.profiles import load_profile
    from printers.scene import Box, Scene

    scene = Scene(50, 30, (Box(1, 1, 48, 28, 0.5),))
    profile = load_profile("tspl-203")

    def head(**media):
        return encode(scene, profile, EncodeOptions(**media)).split(b"\r\n")[:2]

    assert head() == [b"SIZE 50 mm,30 mm", b"GAP 2 mm,0 mm"]  # no calibration: the profile's gap
    assert head(media="gap", gap_mm=3.0) == [b"SIZE 50 mm,30 mm", b"GAP 3 mm,0 mm"]  # the gap measured
    assert head(media="bline", gap_mm=4.0) == [b"SIZE 50 mm,30 mm", b"BLINE 4 mm,0 mm"]  # black-mark sensor
    assert head(media="continuous", gap_mm=0.0) == [b"SIZE 50 mm,30 mm", b"GAP 0,0"]  # continuous paper


# -- read-back parsers ------------------------------------------------------------------------------
def test_lengths_in_every_unit_the_printer_may_write():
    assert length_mm("148 mm", 203) == 148.0
    assert length_mm("6.00 inch", 203) == 152.4
    assert length_mm("1218 dot", 203) == 152.4
    assert length_mm("4", 203) == 101.6  # a bare number is inches, as TSPL reads one
    assert length_mm("", 203) is None and length_mm("n/a", 203) is None


def test_tspl_answer_is_found_among_status_bytes_and_noise():
    raw = b"\x20\x00" + tspl_answer(148, 3, 0) + b"\x00"
    assert parse_tspl_readback(raw, 203) == {"length_mm": 148.0, "gap_mm": 3.0, "bline_mm": 0.0}
    assert parse_tspl_readback(b"SGCAL;PAPER=148 mm;GAP=", 203) is None  # cut off: not an answer yet


def test_zpl_label_length_is_field_four_of_the_first_hs_string():
    assert zpl_label_length_dots(zpl_hs_reply(set(), label_dots=812)) == 812
    assert zpl_label_length_dots(b"\x02030,0,0\x03") is None
    assert zpl_label_length_dots(b"") is None


def test_the_label_stream_runs_a_detect_at_once_with_its_settings():
    stream = LabelStream("tspl")
    events = stream.feed(calibration_bytes("tspl", Media(), 203) + TSPL_READBACK)
    assert [e.kind for e in events] == ["calibrate", "query"]
    assert events[0].data.startswith(b"SIZE 100 mm,150 mm\r\nGAP 2 mm,0 mm\r\n")
    assert stream.pending == b""  # nothing left over to be printed with the next label


# -- end to end over a real pty ---------------------------------------------------------------------
@pytest.fixture
def station(tmp_path):
    from desktop.station import Station

    st = Station(tmp_path / "home")
    yield st
    st.close()


def _sim(tmp_path, language, media, length, gap=3.0):
    return SimulatedPrinter(language, baud=921600, seconds_per_label=0.05, pty=tmp_path / "printer",
                            media=media, media_length_mm=length, media_gap_mm=gap, detect_seconds=0.3).start()


def test_tspl_gap_labels_measured_and_worded_through_the_running_queue(tmp_path, station):
    from desktop.station import Printer

    sim = _sim(tmp_path, "tspl", "gap", 100.0, 3.0)  # 100 x 100 labels loaded, not 100 x 150
    try:
        printer = Printer("Counter TSC", sim.uri, "tspl-203")
        station.start_queue(printers=[printer.uri])
        result = station.calibrate(printer, Media("gap", 100, 150, 2), timeout=10)
        assert result.ok, result
        assert (result.length_mm, result.gap_mm) == (100.0, 3.0)
        assert "100 mm long with 3 mm between them" in result.words and "Counter TSC" in result.words
        assert "not 150 mm" in result.warning  # the template's labels are another size
        assert sim.setting["length_mm"] == 100.0 and sim.setting["gap_mm"] == 3.0
        assert b"GAPDETECT\r\n" in bytes(sim.received)
        assert station.printer_media(printer.uri)["length_mm"] == 100.0
        # the worker goes on printing over the same connection
        state, _error = station.test_print_and_wait(printer, timeout=10)
        assert state == "confirmed"
        assert sim.printed_count == 1
    finally:
        station.stop_queue()
        sim.stop()
    audit = station.jobs.audit.entries(action="printer.calibrate")
    assert audit and audit[-1].subject == printer.uri and audit[-1].details["length_mm"] == 100.0


def test_a_calibration_asked_mid_job_waits_for_the_labels_in_the_printer_then_the_job_goes_on(tmp_path, station):
    from desktop.station import Printer

    sim = _sim(tmp_path, "tspl", "gap", 150.0, 2.0)
    try:
        printer = Printer("Counter TSC", sim.uri, "tspl-203")
        station.start_queue(printers=[printer.uri])
        jobs = [station.test_print(printer).job_id for _ in range(4)]
        deadline = time.monotonic() + 10
        while b"PRINT 1" not in bytes(sim.received) and time.monotonic() < deadline:
            time.sleep(0.01)  # the job is printing when the calibration is asked for
        result = station.calibrate(printer, Media("gap", 100, 150, 2), timeout=10)
        assert result.ok and not result.warning, result
        for job in jobs:
            assert station.print_queue.settle(job, 15)
        assert sim.wait_printed(4, 15)
    finally:
        station.stop_queue()
        sim.stop()
    received = bytes(sim.received)
    at = received.index(b"GAPDETECT")
    # between two labels, never inside one: what came before ends with a label's PRINT
    before = received[:at].replace(b"\x1b!?", b"")  # the status polls in between are immediate commands
    assert before.endswith(b"PRINT 1\r\nSIZE 100 mm,150 mm\r\nGAP 2 mm,0 mm\r\n")
    assert sim.calibrations == ["gap: found 150 mm, 2 mm"]


def test_tspl_gap_detect_on_continuous_paper_stops_and_says_what_to_do(tmp_path, station):
    from desktop.station import Printer

    sim = _sim(tmp_path, "tspl", "continuous", 150.0)
    try:
        result = station.calibrate(Printer("Counter TSC", sim.uri, "tspl-203"), Media("gap"), timeout=10)
    finally:
        sim.stop()
    assert not result.ok
    assert "paper" in result.fault
    assert "found no gap" in result.words and "black mark or continuous" in result.words
    assert sim.calibrations == ["gapdetect: nothing found on continuous media"]


def test_tspl_black_mark_and_continuous_settings(tmp_path, station):
    from desktop.station import Printer

    sim = _sim(tmp_path, "tspl", "bline", 101.6, 4.0)
    try:
        printer = Printer("Counter TSC", sim.uri, "tspl-203")
        result = station.calibrate(printer, Media("bline", 76.2, 101.6, 3), timeout=10)
        assert result.ok and (result.length_mm, result.gap_mm) == (101.6, 4.0) and not result.warning
        # the labels printed next keep the black-mark sensor and the mark measured
        assert station.test_print_and_wait(printer, timeout=10)[0] == "confirmed"
        assert b"\r\nBLINE 4 mm,0 mm\r\n" in sim.labels[-1] and sim.setting["sensor"] == "bline"
        result = station.calibrate(printer, Media("continuous", 76.2, 120, 0), timeout=10)
        assert result.ok and "continuous paper" in result.words
        assert sim.setting["sensor"] == "continuous" and sim.setting["length_mm"] == 120.0
    finally:
        sim.stop()


def test_zpl_calibration_reads_the_measured_length_back_with_hs(tmp_path, station):
    from desktop.station import Printer

    sim = _sim(tmp_path, "zpl", "gap", 100.0)
    try:
        printer = Printer("Zebra", sim.uri, "zpl-203")
        result = station.calibrate(printer, Media("gap", 100, 150, 2), timeout=10, min_seconds=0.5)
        assert result.ok, result
        assert result.length_mm == 100.0  # 799 dots at 203 dpi, from ~HS
        assert "not 150 mm" in result.warning
        assert sim.setting["tracking"] == "Y" and sim.printed_count == 0  # the settings format printed nothing
        # black-mark tracking on die-cut labels: the printer runs out looking for a mark
        result = station.calibrate(printer, Media("bline", 100, 150, 3), timeout=10, min_seconds=0.5)
        assert not result.ok and "black mark" in result.words
    finally:
        sim.stop()


def test_nothing_to_calibrate_on_pdf_or_escpos(station):
    from desktop.errors import SigiloError
    from desktop.station import Printer

    for printer in (Printer("Office", "file:///tmp/out", "pdf"), Printer("Receipt", "mem://r", "escpos-80")):
        with pytest.raises(SigiloError) as err:
            station.calibrate(printer)
        assert err.value.hint
