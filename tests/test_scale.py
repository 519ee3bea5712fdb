"""The counter scale: frames parsed by the profile (data), a weight settles only when stable
frames agree and is reported once per parcel, and both output styles work over a real socat pty
from `sigilo simulate-scale`."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from desktop.scale import ScaleReader, load_scale_profile, parse_frame
from desktop.scale.profiles import ScaleProfileError, parse_scale_profile
from desktop.scale.reader import Reading


@pytest.mark.parametrize("frame, kg, stable", [
    (b"ST,GS,+  1.240kg", 1.24, True), (b"US,GS,+  1.180kg", 1.18, False), (b"ST,NT,-  0.050kg", -0.05, True),
    (b"ST,GS,+  850g", 0.85, True), (b"ST,GS,+  2.000lb", 0.9072, True),
])
def test_continuous_frames(frame, kg, stable):
    r = parse_frame(load_scale_profile("ascii-st-gs"), frame)
    assert r is not None and r.kg == pytest.approx(kg, abs=1e-4) and r.stable is stable


@pytest.mark.parametrize("noise", [b"", b"\xff\xfe\x00garbage", b"ST,GS,+  1.2.4kg", b"OL,GS,+ 99.999oz",
                                   b"ST,GS,+" + b"9" * 300 + b"kg", b"hello scale v1.2"])
def test_noise_is_not_a_weight(noise):
    assert parse_frame(load_scale_profile("ascii-st-gs"), noise) is None


def test_poll_style_answers():
    p = load_scale_profile("poll-w")
    assert parse_frame(p, b"   1.240kg S") == Reading(1.24, True, "1.240kg S")
    assert parse_frame(p, b"   1.240kg M").stable is False


def test_a_weight_settles_once_per_parcel():
    p = load_scale_profile("ascii-st-gs")  # two stable frames in a row must agree
    settled = []
    r = ScaleReader("unused", p, settled.append)
    frames = [b"US,GS,+  0.800kg", b"ST,GS,+  1.240kg", b"ST,GS,+  1.250kg", b"ST,GS,+  1.250kg",
              b"ST,GS,+  1.250kg", b"ST,GS,+  0.000kg", b"ST,GS,+  0.000kg", b"ST,GS,+  1.250kg",
              b"ST,GS,+  1.250kg"]
    for f in frames:
        got = r.feed(parse_frame(p, f))
        if got:
            settled.append(got)
    assert [s.kg for s in settled] == [1.25, 1.25]  # the same weight again after the pan emptied


def test_a_broken_profile_is_refused_by_field():
    raw = json.loads(load_scale_profile.__globals__["scales_dir"]().joinpath("ascii-st-gs.json").read_text())
    with pytest.raises(ScaleProfileError, match="pattern lacks the named group"):
        parse_scale_profile({**raw, "pattern": "^(?P<value>[0-9.]+)$"}, "x.json")
    with pytest.raises(ScaleProfileError, match="mode"):
        parse_scale_profile({**raw, "mode": "sometimes"}, "x.json")
    with pytest.raises(ScaleProfileError, match="request"):
        parse_scale_profile({**raw, "mode": "poll"}, "x.json")


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["ascii-st-gs", "poll-w"])
def test_simulate_scale_over_a_socat_pty(tmp_path, profile):
    link = tmp_path / "ttyScale"
    proc = subprocess.Popen([sys.executable, "-m", "desktop.cli", "simulate-scale", "--pty", str(link),
                             "--profile", profile, "--weight", "1.24"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "scale at serial://" in proc.stdout.readline()
        settled, states = [], []
        reader = ScaleReader(f"serial://{link}?baud=9600", load_scale_profile(profile), settled.append,
                             lambda s, d: states.append(s)).start()
        deadline = time.monotonic() + 10
        while not settled and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.stdin.write("3.5\n")
        proc.stdin.flush()
        while len(settled) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        reader.stop()
        assert [s.kg for s in settled[:2]] == [1.24, 3.5] and "online" in states
    finally:
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        proc.wait(timeout=10)
    assert proc.returncode == 0


def test_a_missing_scale_port_is_reported_offline_not_raised(tmp_path):
    states = []
    r = ScaleReader(f"serial://{tmp_path}/nothing", load_scale_profile("ascii-st-gs"), lambda _r: None,
                    lambda s, d: states.append((s, d))).start()
    deadline = time.monotonic() + 5
    while not states and time.monotonic() < deadline:
        time.sleep(0.05)
    r.stop()
    assert states and states[0][0] == "offline" and "nothing" in states[0][1]
