"""What the label face shows of a shipment: the masked view.

Composition, the store (which keeps only this and the sealed QR text once a label is printed),
the GUI preview and the privacy tests all speak this one shape.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class MaskedParty:
    name: str  # as shown, e.g. "张**" or "Maria S."
    phone: str  # masked ("*******5678") or a virtual number ("95013-1234")
    region: str  # what sorting needs: province / city / district, or city - UF
    address: str  # street level with house, building, unit and room numbers removed
    postcode: str
    country: str
    full: bool = False  # shown unmasked (a business sender)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class MaskedView:
    recipient: MaskedParty
    sender: MaskedParty
    policy: str  # the policy id that produced it, e.g. "cn-default"

    def to_dict(self) -> dict:
        return {"recipient": self.recipient.to_dict(), "sender": self.sender.to_dict(), "policy": self.policy}
