"""A simulated counter scale on a socat pty pair, for tests and demos: it speaks a scale
profile's style (continuous frames several times a second, or answers to requests) and its
weight and stability are changed by method calls or, from ``sigilo simulate-scale``, by lines
on stdin ("1.240", "unstable", "empty")."""

from __future__ import annotations

from desktop.i18n import _

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

from desktop.errors import SigiloError
from desktop.scale.profiles import ScaleProfile


class ScaleSimulatorError(SigiloError):
    exit_code = 2


def format_frame(profile: ScaleProfile, kg: float, stable: bool) -> bytes:
    """A frame as the profile's scales send it."""
    if profile.name == "poll-w" or profile.mode == "poll":
        body = f"{'-' if kg < 0 else ' '}{abs(kg):7.3f}kg {'S' if stable else 'M'}"
    else:
        body = f"{'ST' if stable else 'US'},GS,{'-' if kg < 0 else '+'}{abs(kg):7.3f}kg"
    return body.encode("ascii") + profile.frame_end


class SimulatedScale:
    def __init__(self, profile: ScaleProfile, link: str | os.PathLike, kg: float = 0.0, hz: float = 10.0) -> None:
        self.profile = profile
        self.link = Path(link)
        self.kg = kg
        self.stable = True
        self.hz = hz
        self.frames_sent = 0
        self._socat: subprocess.Popen | None = None
        self._port = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def uri(self) -> str:
        return f"serial://{self.link}?baud={self.profile.baud}"

    def start(self) -> "SimulatedScale":
        import serial

        socat = shutil.which("socat")
        if socat is None:
            raise ScaleSimulatorError(_("socat is not installed"), _("install the Debian package socat (./run does it)"))
        inner = self.link.with_name(self.link.name + ".sim")
        for p in (self.link, inner):
            if p.is_symlink() or p.exists():
                p.unlink()
        self._socat = subprocess.Popen([socat, f"pty,raw,echo=0,link={inner}", f"pty,raw,echo=0,link={self.link}"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while not (inner.exists() and self.link.exists()):
            if time.monotonic() > deadline or self._socat.poll() is not None:
                self.stop()
                raise ScaleSimulatorError(_("socat did not create {link}").format(link=self.link), _("check that the folder is writable"))
            time.sleep(0.02)
        self._port = serial.Serial(str(inner), baudrate=self.profile.baud, timeout=0.05)
        self._thread = threading.Thread(target=self._loop, name="scale-sim", daemon=True)
        self._thread.start()
        return self

    def set_weight(self, kg: float, stable: bool = True) -> None:
        with self._lock:
            self.kg, self.stable = kg, stable

    def command(self, line: str) -> str:
        word = line.strip().lower()
        if word in ("unstable", "moving"):
            self.set_weight(self.kg, False)
        elif word in ("empty", "0"):
            self.set_weight(0.0, True)
        elif word == "stable":
            self.set_weight(self.kg, True)
        else:
            try:
                self.set_weight(float(word.removesuffix("kg")), True)
            except ValueError:
                return "use a weight in kg (1.240), unstable, stable or empty"
        return f"weight {self.kg:.3f} kg {'stable' if self.stable else 'moving'}"

    def _loop(self) -> None:
        buf = b""
        while not self._stop.is_set():
            try:
                if self.profile.mode == "poll":
                    buf += self._port.read(16)
                    while self.profile.request in buf:
                        _, buf = buf.split(self.profile.request, 1)
                        self._send()
                else:
                    self._send()
                    self._stop.wait(1.0 / self.hz)
            except Exception:  # noqa: BLE001 - the pty closed under us at stop()
                return

    def _send(self) -> None:
        with self._lock:
            frame = format_frame(self.profile, self.kg, self.stable)
        self._port.write(frame)
        self.frames_sent += 1

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._port is not None:
            try:
                self._port.close()
            except Exception:  # noqa: BLE001
                pass
        if self._socat is not None and self._socat.poll() is None:
            self._socat.terminate()
            try:
                self._socat.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self._socat.kill()

    def __enter__(self) -> "SimulatedScale":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
