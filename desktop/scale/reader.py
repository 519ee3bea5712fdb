"""Reading a counter scale on a serial port. One thread owns the port (as one thread owns each
printer): it reads frames (or asks for them, for poll-style scales), parses them by the scale's
profile, and reports each reading; a weight is *settled* when the profile's number of stable
frames in a row agree, and is reported once until the weight changes or the pan is emptied.
A scale that goes silent or away is reported as such and reopened by itself."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from desktop.scale.profiles import ScaleProfile

MAX_FRAME = 64  # a frame longer than this is noise (wrong baud rate): dropped
MAX_KG = 1000.0  # no counter scale weighs more: a larger number is a misread frame


@dataclass(frozen=True)
class Reading:
    kg: float
    stable: bool
    raw: str


def parse_frame(profile: ScaleProfile, frame: bytes) -> Reading | None:
    """One frame as a Reading, or None when it is not a weight (noise, a banner, a wrong baud)."""
    if len(frame) > MAX_FRAME:
        return None
    try:
        text = frame.decode("ascii").strip("\r\n\0 \x02\x03")
    except UnicodeDecodeError:
        return None
    m = profile.pattern.match(text)
    if m is None:
        return None
    unit = m.group("unit")
    if unit not in profile.units:
        return None
    try:
        value = float(m.group("value")) * profile.units[unit]
    except ValueError:
        return None
    if not abs(value) <= MAX_KG:
        return None
    if "sign" in profile.pattern.groupindex and m.group("sign") == "-":
        value = -value
    return Reading(round(value, 4), m.group("status") in profile.stable, text)


def port_settings(uri: str, profile: ScaleProfile) -> tuple[str, int]:
    """(device, baud) from ``serial:///dev/ttyUSB1?baud=9600`` or a bare device path."""
    if "://" not in uri:
        return uri, profile.baud
    parts = urlsplit(uri)
    baud = parse_qs(parts.query).get("baud", [str(profile.baud)])[0]
    return unquote(parts.path) or parts.netloc, int(baud)


class ScaleReader:
    def __init__(self, uri: str, profile: ScaleProfile, on_settled: Callable[[Reading], None],
                 on_state: Callable[[str, str], None] | None = None,
                 on_reading: Callable[[Reading], None] | None = None) -> None:
        self.uri = uri
        self.profile = profile
        self.on_settled = on_settled
        self.on_state = on_state or (lambda state, detail: None)
        self.on_reading = on_reading or (lambda r: None)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._run: list[float] = []  # the current run of stable values
        self._reported: float | None = None
        self.state = "starting"
        self.last: Reading | None = None

    def start(self) -> "ScaleReader":
        self._thread = threading.Thread(target=self._loop, name="scale-reader", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # ------------------------------------------------------------------ settling
    def feed(self, reading: Reading) -> Reading | None:
        """Take one reading; returns it when it settles a new weight."""
        self.last = reading
        self.on_reading(reading)
        if not reading.stable:
            self._run.clear()
            return None
        if self._run and abs(self._run[-1] - reading.kg) > 1e-6:
            self._run.clear()
        self._run.append(reading.kg)
        if reading.kg <= 0:
            self._reported = None  # the pan is empty: the next parcel is reported even at the same weight
            return None
        if len(self._run) >= self.profile.stable_frames and self._reported != reading.kg:
            self._reported = reading.kg
            return reading
        return None

    def _set_state(self, state: str, detail: str = "") -> None:
        if state != self.state:
            self.state = state
            self.on_state(state, detail)

    # ------------------------------------------------------------------ the port's thread
    def _loop(self) -> None:
        import serial

        device, baud = port_settings(self.uri, self.profile)
        while not self._stop.is_set():
            try:
                port = serial.Serial(device, baudrate=baud, bytesize=self.profile.bytesize,
                                     parity=self.profile.parity, stopbits=self.profile.stopbits, timeout=0.1)
            except (OSError, ValueError, serial.SerialException) as exc:
                self._set_state("offline", f"{device}: {getattr(exc, 'strerror', None) or exc}")
                self._stop.wait(1.0)
                continue
            try:
                self._serve(port)
            except (OSError, serial.SerialException) as exc:
                self._set_state("offline", f"{device}: {getattr(exc, 'strerror', None) or exc}")
            finally:
                try:
                    port.close()
                except Exception:  # noqa: BLE001 - closing a port that vanished
                    pass
            self._stop.wait(0.5)

    def _serve(self, port) -> None:
        buf = b""
        last_frame = time.monotonic()
        next_poll = 0.0
        end = self.profile.frame_end
        while not self._stop.is_set():
            now = time.monotonic()
            if self.profile.mode == "poll" and now >= next_poll:
                port.write(self.profile.request)
                next_poll = now + self.profile.poll_interval_s
            chunk = port.read(64)
            if chunk:
                buf += chunk
            while end in buf:
                frame, buf = buf.split(end, 1)
                reading = parse_frame(self.profile, frame)
                if reading is None:
                    continue
                last_frame = time.monotonic()
                self._set_state("online")
                settled = self.feed(reading)
                if settled is not None:
                    self.on_settled(settled)
            if len(buf) > MAX_FRAME:
                buf = buf[-MAX_FRAME:]
            if time.monotonic() - last_frame > self.profile.timeout_s:
                self._set_state("silent", "the scale sends no weight: check its cable, baud rate and profile")
