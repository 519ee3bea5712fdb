"""USB printers addressed by vendor and product id (``usb://0x1203:0x0230``) through pyusb,
for machines where no usblp device file exists (macOS, a printer claimed by nothing, or a
Windows machine with a libusb driver). pyusb is an optional extra (``sigilo[usb]``) and is
imported only when such a URI is opened. The usblp kernel driver is detached from the
interface first, otherwise the kernel keeps the device busy."""

from __future__ import annotations

from printers.transports.base import Transport
from printers.transports.errors import (
    BusyError,
    DisconnectedError,
    NotFoundError,
    PermissionDeniedError,
    TransportError,
    TransportTimeoutError,
    UnsupportedTransportError,
    permission_hint,
)
from printers.transports.uri import PrinterUri

PRINTER_CLASS = 7


def _usb():
    try:
        import usb.core
        import usb.util
    except ImportError as exc:
        raise UnsupportedTransportError("USB by vendor/product id needs pyusb",
                                        "install it with `pip install sigilo[usb]`, or use usb:///dev/usb/lp0") from exc
    return usb


class PyUsbTransport(Transport):
    can_read = True
    chunk_size = 4096

    def __init__(self, uri: PrinterUri) -> None:
        super().__init__(uri.raw)
        usb = _usb()
        self.where = f"USB {uri.vid:04x}:{uri.pid:04x}"
        self.timeout_ms = int(float(uri.params.get("timeout", "10")) * 1000)
        try:
            dev = usb.core.find(idVendor=uri.vid, idProduct=uri.pid)
        except usb.core.NoBackendError as exc:
            raise UnsupportedTransportError("no libusb backend for pyusb",
                                            "install libusb (Debian/Ubuntu: `sudo apt install libusb-1.0-0`)") from exc
        if dev is None:
            from printers.discovery import list_usb_printers

            found = [f"{d.vid:04x}:{d.pid:04x} {d.description}" for d in list_usb_printers()]
            raise NotFoundError(f"no USB device {uri.vid:04x}:{uri.pid:04x} is connected",
                                ("USB printers present now: " + "; ".join(found)) if found
                                else "no USB printers are connected: check the cable and power")
        self._dev = dev
        try:
            cfg = dev.get_active_configuration()
        except usb.core.USBError:
            dev.set_configuration()
            cfg = dev.get_active_configuration()
        intf = next((i for i in cfg if i.bInterfaceClass == PRINTER_CLASS), cfg[(0, 0)])
        self._intf = intf.bInterfaceNumber
        try:
            if dev.is_kernel_driver_active(self._intf):
                dev.detach_kernel_driver(self._intf)
                self._reattach = True
            else:
                self._reattach = False
            usb.util.claim_interface(dev, self._intf)
        except usb.core.USBError as exc:
            raise self._error(exc) from exc
        out = usb.util.ENDPOINT_OUT
        self._ep_out = usb.util.find_descriptor(intf, custom_match=lambda e: usb.util.endpoint_direction(e.bEndpointAddress) == out)
        self._ep_in = usb.util.find_descriptor(intf, custom_match=lambda e: usb.util.endpoint_direction(e.bEndpointAddress) != out)
        self.can_read = self._ep_in is not None

    def _error(self, exc) -> TransportError:
        import errno

        code = getattr(exc, "errno", None)
        if code in (errno.EACCES, errno.EPERM):
            return PermissionDeniedError(f"permission denied on {self.where}", permission_hint(self.where, "usb"))
        if code == errno.EBUSY:
            return BusyError(f"{self.where} is busy", "the usblp driver or another program holds it; close it and retry")
        if code == errno.ETIMEDOUT:
            return TransportTimeoutError(f"{self.where} did not respond in time", "check paper, head and that it is online")
        if code in (errno.ENODEV, errno.EIO, errno.EPIPE):
            return DisconnectedError(f"{self.where} disconnected", "check the USB cable and power")
        return TransportError(f"{self.where}: {exc}", "unplug and replug the printer, then retry")

    def _write_chunk(self, chunk: bytes) -> None:
        import usb.core

        try:
            self._ep_out.write(chunk, timeout=self.timeout_ms)
        except usb.core.USBError as exc:
            raise self._error(exc) from exc

    def _read(self, n: int, timeout: float) -> bytes:
        import usb.core

        try:
            return bytes(self._ep_in.read(max(n, self._ep_in.wMaxPacketSize), timeout=max(1, int(timeout * 1000))))
        except usb.core.USBTimeoutError:
            return b""
        except usb.core.USBError as exc:
            if getattr(exc, "errno", None) == 110:
                return b""
            raise self._error(exc) from exc

    def _close(self) -> None:
        import usb.util

        try:
            usb.util.release_interface(self._dev, self._intf)
            if self._reattach:
                self._dev.attach_kernel_driver(self._intf)
        except Exception:
            pass
        usb.util.dispose_resources(self._dev)
