"""The one HPKE suite of SG1: base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
ChaCha20-Poly1305 (RFC 9180 ids 0x0020, 0x0001, 0x0003). Base mode only: auth mode would let
anyone holding a scanner key forge labels (key-compromise impersonation)."""

from __future__ import annotations

from cryptography.hazmat.primitives import hpke

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
