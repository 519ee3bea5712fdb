"""Where virtual numbers come from.

The built-in provider works offline: one configured hotline, extensions drawn at random among
the free ones. A carrier's AXB service (a virtual middle number X that bridges courier A and
recipient B) plugs in as a CarrierProvider subclass that calls the carrier's API; the station
then stores only what the carrier returned.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Callable

from desktop.errors import SigiloError
from desktop.i18n import _


class ProviderError(SigiloError):
    pass


@dataclass(frozen=True)
class Binding:
    hotline: str
    extension: str
    provider: str  # "builtin" or the carrier provider's name
    reference: str = ""  # the carrier's binding id, to release it

    @property
    def display(self) -> str:
        return f"{self.hotline}-{self.extension}" if self.extension else self.hotline


class VirtualNumberProvider(ABC):
    name = "abstract"

    @abstractmethod
    def allocate(self, tracking_number: str, real_phone: str, expires_at: float | None,
                 is_taken: Callable[[str, str], bool]) -> Binding:
        """Bind a number that reaches ``real_phone`` for this shipment."""

    def release(self, binding: Binding) -> None:
        """Unbind (after expiry). The built-in provider has nothing to release."""


class BuiltinProvider(VirtualNumberProvider):
    name = "builtin"

    def __init__(self, hotline: str = "95013", digits: int = 4) -> None:
        self.hotline = hotline
        self.digits = digits

    def allocate(self, tracking_number, real_phone, expires_at, is_taken) -> Binding:
        space = 10 ** self.digits
        for _attempt in range(64):  # random first: extensions do not reveal order or volume
            ext = f"{secrets.randbelow(space):0{self.digits}d}"
            if not is_taken(self.hotline, ext):
                return Binding(self.hotline, ext, self.name)
        for n in range(space):
            ext = f"{n:0{self.digits}d}"
            if not is_taken(self.hotline, ext):
                return Binding(self.hotline, ext, self.name)
        raise ProviderError(_("all {space} extensions of {hotline} are in use").format(space=space, hotline=self.hotline),
                            _("purge expired numbers (`sigilo purge`) or configure more extension digits"))


class CarrierProvider(VirtualNumberProvider):
    """Base for a carrier's AXB service. Subclasses implement ``bind``/``unbind`` against the
    carrier's API; errors become ProviderError with a hint, and the caller may fall back to the
    masked phone."""

    name = "carrier"

    @abstractmethod
    def bind(self, tracking_number: str, real_phone: str, expires_at: float | None) -> dict:
        """Return the carrier's answer: {"number": "...", "extension": "..." (optional), "id": "..."}."""

    @abstractmethod
    def unbind(self, reference: str) -> None:
        ...

    def allocate(self, tracking_number, real_phone, expires_at, is_taken) -> Binding:
        try:
            answer = self.bind(tracking_number, real_phone, expires_at)
        except ProviderError:
            raise
        except Exception as exc:
            raise ProviderError(_("the carrier's virtual-number service failed ({kind})").format(kind=type(exc).__name__),
                                _("check the network, or print with the masked phone")) from None
        number, ext = str(answer.get("number", "")), str(answer.get("extension", "") or "")
        if not number:
            raise ProviderError(_("the carrier returned no virtual number"), _("print with the masked phone"))
        return Binding(number, ext, self.name, str(answer.get("id", "")))

    def release(self, binding: Binding) -> None:
        if binding.reference:
            self.unbind(binding.reference)
