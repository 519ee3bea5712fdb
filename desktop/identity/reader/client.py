"""Reading a card: find, select, read, over pyserial, one exchange at a time.

The read reply's photo block (1,024 bytes of the card's compressed photo) is never decoded,
kept or shown: the buffer holding the reply is overwritten with zeros as soon as the text
block is parsed. A damaged reply (bad XOR) is asked for again ``retries`` times; a reply cut
short mid-read means the card was taken away (CardRemoved).

Reader URIs: ``serial:///dev/ttyUSB0?baud=115200&profile=sam-serial`` or a plain device path.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlparse

from desktop.i18n import _
from desktop.identity.errors import CardRemoved, CorruptFrame, NoCard, ReaderError, ReaderNotFound
from desktop.identity.reader import protocol as p
from desktop.identity.reader.textblock import TEXT_LEN, CardText, TextBlockError, parse_text
from desktop.paths import resources_dir


@dataclass(frozen=True)
class ReaderProfile:
    name: str
    baud: int
    reply_timeout_s: float
    read_timeout_s: float
    retries: int


def load_profile(name: str | None = None) -> ReaderProfile:
    data = json.loads((resources_dir() / "identity" / "readers.json").read_text(encoding="utf-8"))
    name = name or data["default"]
    if name not in data["profiles"]:
        raise ReaderError(f"no ID card reader profile {name!r}", _("use one of: {choices}").format(choices=", ".join(sorted(data["profiles"]))))
    v = data["profiles"][name]
    return ReaderProfile(name, int(v["baud"]), float(v["reply_timeout_s"]), float(v["read_timeout_s"]),
                         int(v.get("retries", 1)))


def parse_reader_uri(uri: str) -> tuple[str, ReaderProfile]:
    if "://" not in uri:
        return uri, load_profile()
    parsed = urlparse(uri)
    if parsed.scheme != "serial":
        raise ReaderNotFound(f"the ID card reader address {uri!r} is not a serial port",
                             "give serial:///dev/ttyUSB0 (USB readers appear as serial ports)")
    query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    profile = load_profile(query.get("profile"))
    if "baud" in query:
        try:
            profile = ReaderProfile(profile.name, int(query["baud"]), profile.reply_timeout_s, profile.read_timeout_s,
                                    profile.retries)
        except ValueError:
            raise ReaderNotFound(f"baud {query['baud']!r} is not a number", "e.g. ?baud=115200") from None
    return unquote(parsed.netloc + parsed.path), profile


class IdCardReader:
    def __init__(self, uri: str) -> None:
        self.device, self.profile = parse_reader_uri(uri)
        self._port = None

    def open(self) -> "IdCardReader":
        import serial

        try:
            self._port = serial.Serial(self.device, baudrate=self.profile.baud, timeout=0.05)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise ReaderNotFound(_("The ID card reader at {device} cannot be opened ({why}).").format(
                device=self.device, why=getattr(exc, "strerror", None) or exc.__class__.__name__),
                _("Check that the reader is plugged in and that this account may use the port "
                  "(Linux: the dialout group).")) from None
        return self

    def close(self) -> None:
        if self._port is not None:
            self._port.close()
            self._port = None

    def __enter__(self) -> "IdCardReader":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ frames
    def _read_frame(self, timeout: float) -> bytearray:
        port = self._port
        deadline = time.monotonic() + timeout
        buf = bytearray()
        while True:
            if time.monotonic() > deadline:
                if buf:
                    raise p.FrameError("short", _("reply cut short after {n} bytes").format(n=len(buf)))
                raise ReaderError(_("The ID card reader does not answer."),
                                  _("Check the reader's cable and power, and that the right port is chosen."))
            chunk = port.read(max(1, min(port.in_waiting, 2048)))
            if not chunk:
                continue
            buf += chunk
            start = buf.find(p.PREAMBLE)
            if start < 0:
                del buf[:-4]  # line noise before a frame
                continue
            if start:
                del buf[:start]
            if len(buf) >= 7:
                length = int.from_bytes(buf[5:7], "big")
                if length < 4 or length > p.MAX_LEN:
                    raise p.FrameError("length", _("reply length {length} is impossible").format(length=length))
                if len(buf) >= 7 + length:
                    return buf[:7 + length]

    def exchange(self, cmd: tuple[int, int], timeout: float | None = None) -> tuple[int, bytearray]:
        """(SW3, DATA) of one command; a damaged reply is asked for again."""
        if self._port is None:
            self.open()
        attempts = 1 + max(0, self.profile.retries)
        for attempt in range(attempts):
            self._port.reset_input_buffer()
            self._port.write(p.command(*cmd))
            self._port.flush()
            try:
                frame = self._read_frame(timeout or self.profile.reply_timeout_s)
                status, data = p.parse(bytes(frame))
                frame[:] = bytes(len(frame))
                return status[2], bytearray(data)
            except p.FrameError as exc:
                if exc.kind == "short" and cmd == p.READ:
                    raise CardRemoved() from None
                if attempt + 1 == attempts:
                    raise CorruptFrame(str(exc)) from None
                time.sleep(0.05)
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ the card
    def read_card(self) -> CardText:
        status, _reply = self.exchange(p.FIND)
        if status == p.NO_CARD:
            raise NoCard()
        if status != p.FOUND:
            raise ReaderError(_("Finding the card failed: {why}.").format(why=_status(status)), _AGAIN())
        status, _reply = self.exchange(p.SELECT)
        if status == p.SELECT_FAILED:
            raise CardRemoved()
        if status != p.OK:
            raise ReaderError(_("Selecting the card failed: {why}.").format(why=_status(status)), _AGAIN())
        status, data = self.exchange(p.READ, self.profile.read_timeout_s)
        try:
            if status == p.READ_FAILED:
                raise CardRemoved()
            if status != p.OK:
                raise ReaderError(_("Reading the card failed: {why}.").format(why=_status(status)), _AGAIN())
            if len(data) < 4:
                raise CorruptFrame("the read reply has no lengths")
            text_len = int.from_bytes(data[0:2], "big")
            photo_len = int.from_bytes(data[2:4], "big")
            if text_len != TEXT_LEN or len(data) != 4 + text_len + photo_len:
                raise CorruptFrame("the read reply's lengths do not add up")
            try:
                return parse_text(bytes(data[4:4 + text_len]))
            except TextBlockError as exc:
                raise CorruptFrame(str(exc)) from None
        finally:
            data[:] = bytes(len(data))  # the photo block (and the text) leave no copy here


def _AGAIN() -> str:  # noqa: N802 - one hint, translated when shown
    return _("Take the card off the reader and put it back.")


def _status(code: int) -> str:
    return p.STATUS_TEXT.get(code, f"status {code:02X}")


def read_card(uri: str) -> dict:
    """The record data (``method: card``) of the card on the reader at ``uri``."""
    with IdCardReader(uri) as reader:
        return reader.read_card().record_data()
