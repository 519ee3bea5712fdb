"""Making seals a station never would, for the scanner's refusal and fuzz tests: any plaintext
bytes and any header times, encrypted and signed with real keys, so every check before the one
under test passes."""

from __future__ import annotations

import struct
import zlib

from desktop.seal import envelope as env
from desktop.seal.suite import SUITE

T0 = 1_795_000_000


def seal_raw(sealer, plaintext: bytes, tracking: str = "SG7700000000", issued: int = T0,
             expires: int = T0 + 180 * 86400) -> str:
    header = env.Header(sealer.fleet_kid, sealer.station_kid, issued, expires, tracking)
    header_bytes = header.pack()
    sealed = SUITE.encrypt(plaintext, sealer._fleet_public, info=header.info())
    enc, ciphertext = sealed[: env.ENC_LEN], sealed[env.ENC_LEN:]
    signature = sealer.station_private.sign(env.signature_input(header_bytes, enc, ciphertext))
    return env.Envelope(header, header_bytes, enc, ciphertext, signature).to_text()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that declares width x height pixels (a decompression bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))
