"""Masking policies (data in resources/masking/) and the masked view of a shipment."""
