"""A simulated SAM ID card reader on a real pty pair (socat), with test cards.

The client opens ``serial://<link>``; the simulator answers on the other end with pyserial.
A card is put on the reader with ``place(name)`` and taken off with ``remove()``; cards come
from resources/identity/reader_cards.json. A card's ``behaviour``: "removed" sends the first
part of the read reply and then nothing (the card left the reader mid-read), "corrupt" sends
read replies whose XOR check fails, "corrupt-once" only the first. A damaged command frame is
answered with SW3 10 (bad checksum), as a reader does.
"""

from __future__ import annotations

from desktop.i18n import _

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path

from desktop.identity.reader import protocol as p
from desktop.identity.reader.textblock import FOREIGN_FIELDS, RESIDENT_FIELDS, build_text
from desktop.paths import resources_dir

PHOTO_LEN = 1024
PHOTO_MARKER = b"WLT-PHOTO-NEVER-KEPT"


class SimulatorError(Exception):
    pass


def load_cards(path: Path | None = None) -> dict[str, dict]:
    path = path or resources_dir() / "identity" / "reader_cards.json"
    return json.loads(Path(path).read_text(encoding="utf-8"))["cards"]


def card_text(card: dict) -> bytes:
    fields = {k: str(v) for k, v in card.items() if k not in ("behaviour",)}
    fields["type"] = card.get("type", "") or " "
    layout = FOREIGN_FIELDS if card.get("type") == "I" else RESIDENT_FIELDS
    return build_text(fields, layout)


def photo_block() -> bytes:
    return (PHOTO_MARKER * (PHOTO_LEN // len(PHOTO_MARKER) + 1))[:PHOTO_LEN]


class SimulatedIdReader:
    def __init__(self, pty: str | Path, cards: dict[str, dict] | None = None) -> None:
        self.link = Path(pty)
        self.cards = cards or load_cards()
        self.card: str | None = None
        self.reads = 0
        self.commands: list[tuple[int, int]] = []
        self._corrupted: set[str] = set()
        self._socat: subprocess.Popen | None = None
        self._port = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def uri(self) -> str:
        return f"serial://{self.link}"

    @property
    def _inner(self) -> Path:
        return self.link.with_name(self.link.name + ".reader")

    def place(self, name: str) -> None:
        if name not in self.cards:
            raise SimulatorError(_("no test card {name!r}; cards: {join}").format(name=name, join=', '.join(sorted(self.cards))))
        with self._lock:
            self.card = name
            self._corrupted.discard(name)

    def remove(self) -> None:
        with self._lock:
            self.card = None

    def start(self) -> "SimulatedIdReader":
        socat = shutil.which("socat")
        if socat is None:
            raise SimulatorError(_("the simulated reader needs socat (Debian: apt install socat)"))
        for link in (self.link, self._inner):
            if link.is_symlink():
                link.unlink()
        self._socat = subprocess.Popen([socat, f"pty,raw,echo=0,link={self.link}", f"pty,raw,echo=0,link={self._inner}"],
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True)
        deadline = time.monotonic() + 10
        while not (self.link.exists() and self._inner.exists()):
            if self._socat.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SimulatorError(_("socat could not create the pty pair at {link}").format(link=self.link))
            time.sleep(0.01)
        import serial

        self._port = serial.Serial(str(self._inner), baudrate=115200, timeout=0.05)
        self._thread = threading.Thread(target=self._serve, name="id-reader-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._port is not None:
            self._port.close()
            self._port = None
        proc, self._socat = self._socat, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for link in (self.link, self._inner):
            if link.is_symlink():
                link.unlink()

    def __enter__(self) -> "SimulatedIdReader":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ serving
    def _serve(self) -> None:
        buf = bytearray()
        while not self._stop.is_set():
            try:
                chunk = self._port.read(1)  # waits up to the port timeout for the first byte
                if chunk and self._port.in_waiting:
                    chunk += self._port.read(self._port.in_waiting)
            except Exception:
                return
            if not chunk:
                continue
            buf += chunk
            while True:
                start = buf.find(p.PREAMBLE)
                if start < 0:
                    del buf[:-4]
                    break
                del buf[:start]
                if len(buf) < 7:
                    break
                length = int.from_bytes(buf[5:7], "big")
                if length < 3 or length > p.MAX_LEN:
                    self._send(p.reply(0x11))
                    del buf[:5]
                    continue
                if len(buf) < 7 + length:
                    break
                frame, buf = bytes(buf[:7 + length]), buf[7 + length:]
                try:
                    cmd, para, _ = p.parse_command(frame)
                except p.FrameError:
                    self._send(p.reply(0x10))
                    continue
                self._answer(cmd, para)

    def _send(self, data: bytes) -> None:
        try:
            self._port.write(data)
            self._port.flush()
        except Exception:
            pass

    def _answer(self, cmd: int, para: int) -> None:
        self.commands.append((cmd, para))
        with self._lock:
            name = self.card
        card = self.cards.get(name) if name else None
        if (cmd, para) == p.FIND:
            self._send(p.reply(p.FOUND, bytes(4)) if card else p.reply(p.NO_CARD))
        elif (cmd, para) == p.SELECT:
            self._send(p.reply(p.OK, bytes(8)) if card else p.reply(p.SELECT_FAILED))
        elif (cmd, para) == p.READ:
            if card is None:
                self._send(p.reply(p.READ_FAILED))
                return
            self.reads += 1
            text = card_text(card)
            data = len(text).to_bytes(2, "big") + PHOTO_LEN.to_bytes(2, "big") + text + photo_block()
            frame = bytearray(p.reply(p.OK, data))
            behaviour = card.get("behaviour", "ok")
            if behaviour == "removed":
                self._send(bytes(frame[:300]))
                with self._lock:
                    self.card = None  # it left the reader
                return
            if behaviour == "corrupt" or (behaviour == "corrupt-once" and name not in self._corrupted):
                self._corrupted.add(name)
                frame[-1] ^= 0x5A
            self._send(bytes(frame))
        else:
            self._send(p.reply(0x21))
