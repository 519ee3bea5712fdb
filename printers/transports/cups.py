"""CUPS queues in raw mode: ``cups://QUEUE`` pipes the printer bytes into ``lp -d QUEUE -o raw``,
so CUPS passes them to the printer untouched (no driver, no rasterising). One job per drain():
a label batch written and drained is one CUPS job the clerk can see in the queue."""

from __future__ import annotations

import shutil
import subprocess

from printers.transports.base import Transport
from printers.transports.errors import (
    NotFoundError,
    TransportError,
    UnsupportedTransportError,
)
from printers.transports.uri import PrinterUri


class CupsTransport(Transport):
    can_read = False
    chunk_size = 65536

    def __init__(self, uri: PrinterUri) -> None:
        super().__init__(uri.raw)
        self.queue = uri.target
        self.title = uri.params.get("title", "Sigilo labels")
        self.lp = shutil.which("lp")
        if self.lp is None:
            raise UnsupportedTransportError("the CUPS `lp` command is not installed",
                                            "install the CUPS client (Debian/Ubuntu: `sudo apt install cups-client`)")
        self._proc: subprocess.Popen | None = None
        self.jobs = 0

    def _start(self) -> subprocess.Popen:
        if self._proc is None:
            self._proc = subprocess.Popen([self.lp, "-d", self.queue, "-o", "raw", "-t", self.title],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return self._proc

    def _write_chunk(self, chunk: bytes) -> None:
        proc = self._start()
        try:
            proc.stdin.write(chunk)
        except BrokenPipeError:
            self._finish()  # raises with lp's own message
            raise TransportError(f"lp stopped reading for queue {self.queue!r}", "check the queue with `lpstat -p`")

    def _finish(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
        proc.stdin = None  # so communicate() does not flush the closed pipe
        out, err = proc.communicate(timeout=60)
        if proc.returncode != 0:
            message = (err or out).decode("utf-8", "replace").strip() or f"lp exited with {proc.returncode}"
            if "not exist" in message or "Unknown destination" in message or "No such" in message:
                raise NotFoundError(f"CUPS queue {self.queue!r} does not exist ({message})",
                                    "`lpstat -p` lists the queues; add one with `lpadmin -p NAME -E -v URI -m raw`")
            raise TransportError(f"CUPS refused the job for {self.queue!r}: {message}",
                                 "check the queue with `lpstat -p` and that it is enabled and accepting jobs")
        self.jobs += 1

    def drain(self) -> None:
        self._check_open()
        self._finish()

    def _close(self) -> None:
        self._finish()
