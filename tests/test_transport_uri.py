"""Printer URIs: every scheme parses into what its transport needs; bad ones say what is wrong
and show the forms that work."""

from __future__ import annotations

import pytest
import serial

from printers.transports import BadUriError, open_transport, parse_uri
from printers.transports.serial_port import bits_per_char, serial_settings


def test_serial_uri_with_every_parameter():
    uri = parse_uri("serial:///dev/ttyUSB0?baud=115200&flow=rtscts&parity=E&bits=7&stop=2")
    assert (uri.scheme, uri.target) == ("serial", "/dev/ttyUSB0")
    s = serial_settings(uri)["settings"]
    assert s == {"baudrate": 115200, "bytesize": 7, "parity": serial.PARITY_EVEN, "stopbits": serial.STOPBITS_TWO,
                 "xonxoff": False, "rtscts": True, "dsrdtr": False}
    assert bits_per_char(s) == 1 + 7 + 1 + 2


def test_serial_defaults_and_xonxoff():
    s = serial_settings(parse_uri("serial:///dev/rfcomm0?flow=xonxoff"))["settings"]
    assert s["baudrate"] == 9600 and s["xonxoff"] and not s["rtscts"] and s["bytesize"] == 8
    assert bits_per_char(s) == 10


@pytest.mark.parametrize("query, word", [("baud=fast", "baud"), ("flow=magic", "flow"), ("parity=X", "parity"),
                                         ("bits=9", "bits"), ("stop=3", "stop"), ("baud=-5", "baud")])
def test_bad_serial_parameters_name_the_parameter(query, word):
    with pytest.raises(BadUriError) as info:
        serial_settings(parse_uri(f"serial:///dev/ttyS0?{query}"))
    assert word in info.value.message and info.value.hint


def test_usb_forms():
    lp = parse_uri("usb:///dev/usb/lp0")
    assert lp.target == "/dev/usb/lp0" and lp.vid is None
    ids = parse_uri("usb://0x1203:0x0230")
    assert (ids.vid, ids.pid) == (0x1203, 0x0230)
    assert parse_uri("usb://0a5f:00d3").vid == 0x0A5F


def test_tcp_forms():
    assert (parse_uri("tcp://192.168.1.50:9100").target, parse_uri("tcp://192.168.1.50:9100").port) == ("192.168.1.50", 9100)
    assert parse_uri("tcp://printer.local").port == 9100
    v6 = parse_uri("tcp://[fe80::1]:6101")
    assert (v6.target, v6.port) == ("fe80::1", 6101)
    assert parse_uri("tcp://10.0.0.7:9100?timeout=2").params == {"timeout": "2"}


def test_named_printers_keep_spaces_and_question_marks():
    assert parse_uri("cups://Label_Printer").target == "Label_Printer"
    assert parse_uri("win32://ZDesigner GK420d (Copy 1)").target == "ZDesigner GK420d (Copy 1)"
    assert parse_uri("win32://Who?").target == "Who?"
    assert parse_uri("cups://Label%20Printer").target == "Label Printer"
    assert parse_uri("mem://bench").target == "bench"


def test_file_uri_modes():
    uri = parse_uri("file:///tmp/out.prn?mode=append")
    assert uri.target == "/tmp/out.prn" and uri.params["mode"] == "append"


@pytest.mark.parametrize("bad, why", [
    ("", "empty"), ("/dev/ttyUSB0", "serial:///dev/ttyUSB0"), ("COM3", "no scheme"), ("lpt://1", "unknown scheme"),
    ("tcp://:9100", "no host"), ("tcp://host:99999", "port"), ("tcp://host:http", "port"),
    ("usb://printer", "VID:PID"), ("serial://", "no path"), ("cups://", "no printer"), ("tcp://[::1", "IPv6"),
])
def test_bad_uris_explain_themselves(bad, why):
    with pytest.raises(BadUriError) as info:
        parse_uri(bad)
    assert why in info.value.message
    assert "serial:///dev/ttyUSB0" in info.value.hint and "tcp://" in info.value.hint


def test_open_transport_rejects_bad_file_mode(tmp_path):
    with pytest.raises(BadUriError):
        open_transport(f"file://{tmp_path}/x.prn?mode=sideways")
