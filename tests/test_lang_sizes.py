"""Byte budgets of a 100x150 mm CJK waybill, the figures that decide whether a serial
printer keeps up: without resident fonts under 8 KB in ZPL and 12 KB in TSPL, with them under
1.5 KB; stored graphics make later labels smaller still. Each label is also read back."""

from __future__ import annotations

import io
import random

import pytest
import zplkit
import zxingcpp
from PIL import Image as PILImage
from test_lang_tspl import run as run_tspl

from printers.lang import LabelEncoder, encode
from printers.profiles import load_profile
from printers.scene import Barcode128, Box, Line, QRCode, Scene, Text

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def waybill(k: int) -> Scene:
    rng = random.Random(k)
    payload = "SG1:" + "".join(rng.choice(BASE45) for _ in range(376))
    name = "王李张刘陈杨黄赵"[k % 8] + "**"
    return Scene(100, 150, (
        Box(1, 1, 98, 148, 0.4),
        Text(4, 3, 92, 8, "标准快递  STANDARD EXPRESS", size_mm=5, bold=True),
        Line(1, 12, 99, 12, 0.4),
        Text(4, 14, 92, 14, "755W-B07", size_mm=11, bold=True, align="center"),
        Line(1, 29, 99, 29, 0.4),
        Text(4, 31, 92, 6, f"收  {name}  *******{rng.randrange(10000):04d}", size_mm=4.5),
        Text(4, 37, 92, 6, "广东省 深圳市", size_mm=4.5),
        Text(4, 43, 92, 6, "南山区科技园路**号", size_mm=4.5),
        Text(4, 49, 92, 6, "**栋 ****室", size_mm=4.5),
        Line(1, 56, 99, 56, 0.4),
        Text(4, 58, 92, 5, "寄  李*  *******1234", size_mm=3.5),
        Text(4, 63, 92, 5, "浙江省杭州市西湖区文三路", size_mm=3.5),
        Line(1, 69, 99, 69, 0.4),
        Barcode128(6, 71, 88, 20, f"SG{20261128000000 + k:014d}CN", module_dots=2),
        Line(1, 94, 99, 94, 0.4),
        QRCode(6, 98, payload, module_dots=4),
        Text(50, 98, 46, 5, "件数 1/1  重量 1.2 kg", size_mm=3.5),
        Text(50, 104, 46, 5, "内件 文件", size_mm=3.5),
        Text(4, 140, 92, 5, "扫码需授权 Sealed QR: authorised scanners only", size_mm=3),
    ))


def _zpl_codes(data: bytes) -> dict:
    limits = zplkit._native.RenderLimits(graphic_bytes=2_000_000, field_bytes=100_000)
    doc = zplkit.render(data, zplkit.Options(profile="zd621"), limits=limits)
    image = PILImage.open(io.BytesIO(doc.labels[-1].png())).convert("L")
    return {r.format.name: r.text for r in zxingcpp.read_barcodes(image)}


@pytest.mark.parametrize("profile_name, budget", [
    ("zpl-203", 8000), ("tspl-203", 12000), ("zpl-203-cjkfont", 1500), ("tspl-203-cn", 1500),
])
def test_a_cjk_waybill_fits_its_byte_budget_and_reads_back(profile_name, budget):
    scene = waybill(1)
    data = encode(scene, load_profile(profile_name))
    assert len(data) < budget
    expected = {"QRCode": scene.elements[15].payload, "Code128": scene.elements[13].value}
    if profile_name == "zpl-203":
        assert _zpl_codes(data) == expected
    elif profile_name.startswith("tspl"):
        assert {r.format.name: r.text for r in zxingcpp.read_barcodes(run_tspl(data).image)} == expected


def test_stored_graphics_shrink_later_labels():
    for name in ("zpl-203", "tspl-203"):
        session = LabelEncoder(load_profile(name), store_graphics=True)
        sizes = [len(session.encode(waybill(k))) for k in range(4)]
        assert sizes[2] < sizes[0] / 2 and sizes[3] < sizes[0] / 2
    session = LabelEncoder(load_profile("zpl-203"), store_graphics=True)
    labels = [session.encode(waybill(k)) for k in range(3)]
    assert _zpl_codes(b"".join(labels)) == {"QRCode": waybill(2).elements[15].payload,
                                             "Code128": waybill(2).elements[13].value}
