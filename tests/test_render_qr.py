"""The QR matrix every output draws: decodes to exactly its payload, whichever encoder made it."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image

from printers import qr

PAYLOADS = [
    "SG1:" + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:" * 8,
    "SG1:X",
    "lower case and UTF-8: 张三 São Paulo",
]


def _decode(side: int, data: bytes, scale: int = 4) -> str:
    img = Image.frombytes("L", (side, side), data).resize((side * scale, side * scale), Image.Resampling.NEAREST)
    framed = Image.new("L", (img.width + 8 * scale, img.height + 8 * scale), 255)
    framed.paste(img, (4 * scale, 4 * scale))
    (result,) = zxingcpp.read_barcodes(framed)
    return result.text


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("ec", ["L", "M", "Q", "H"])
def test_matrix_decodes_to_its_payload(payload, ec):
    m = qr.qr_matrix(payload, ec)
    assert m.size == 17 + 4 * m.version and m.ec == ec
    data = bytes(0 if dark else 255 for row in m.rows for dark in row)
    assert _decode(m.size, data) == payload
    assert qr.module_image(payload, ec).size == (m.size, m.size)


def test_fallback_encoder_agrees_on_content_and_version_budget():
    payload = PAYLOADS[0]
    side, data = qr._qrcode_modules(payload, "M")
    assert _decode(side, data) == payload
    # both encoders use alphanumeric mode for Base45 text: same symbol size
    assert side == qr.qr_matrix(payload, "M").size


def test_dark_runs_cover_exactly_the_dark_modules():
    payload = PAYLOADS[0]
    m = qr.qr_matrix(payload)
    painted = [[False] * m.size for _ in range(m.size)]
    for r, c, n in qr.dark_runs(payload):
        for k in range(c, c + n):
            assert not painted[r][k]
            painted[r][k] = True
    assert tuple(tuple(row) for row in painted) == m.rows
    assert len(qr.dark_runs(payload)) < sum(map(sum, m.rows))  # fewer rectangles than modules


def test_matrix_is_computed_once_per_payload():
    payload = "SG1:CACHE-PROBE"
    assert qr.qr_matrix(payload) is qr.qr_matrix(payload)


def test_payload_too_long_for_any_qr_is_a_scene_error():
    from printers.errors import SceneError
    from printers.scene import QRCode, Scene

    with pytest.raises(qr.QrTooLong) as info:
        qr.qr_matrix("A" * 8000, "M")
    assert isinstance(info.value, SceneError) and info.value.hint
    with pytest.raises(SceneError):
        Scene(300, 300, (QRCode(20, 20, "A" * 8000, module_dots=1),)).validate(203)
