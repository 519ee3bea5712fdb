"""Virtual numbers: the label shows a hotline and an extension ("95013-1234") instead of even a
masked phone. The real number stays encrypted at rest and resolves only for authorized roles,
audited; extensions expire some days after delivery."""

from desktop.virtualnum.provider import (
                                         Binding,
                                         BuiltinProvider,
                                         CarrierProvider,
                                         ProviderError,
                                         VirtualNumberProvider,
)
from desktop.virtualnum.registry import (
                                         VirtualNumber,
                                         VirtualNumberError,
                                         VirtualNumbers,
                                         with_virtual_phone,
)

__all__ = ["Binding", "BuiltinProvider", "CarrierProvider", "VirtualNumberProvider", "ProviderError",
           "VirtualNumbers", "VirtualNumber", "VirtualNumberError", "with_virtual_phone"]
