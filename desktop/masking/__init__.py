"""Masking policies (data in resources/masking/) and the masked view of a shipment.

``mask(shipment, policy=None)`` gives the MaskedView a label face shows;
``hidden_fragments(shipment, view)`` the strings that view hides, which nothing but the sealed
QR may contain. Policies are JSON files chosen by id, per customer or by the recipient's
country (see ``desktop.masking.policy``).
"""

from desktop.masking.fragments import hidden_fragments
from desktop.masking.masker import mask, mask_party
from desktop.masking.policy import Policy, PolicyError, choose_policy, list_policies, load_policy
from desktop.masking.view import MaskedParty, MaskedView

__all__ = [
    "mask", "mask_party", "hidden_fragments", "MaskedView", "MaskedParty",
    "Policy", "PolicyError", "choose_policy", "list_policies", "load_policy",
]
