"""Raster renderer and scene validation: what is printed decodes to exactly what was meant."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image as PILImage

from printers import qr
from printers.errors import SceneError
from printers.render.raster import render_raster
from printers.render.textbitmap import text_line_bitmap
from printers.scene import Barcode128, Box, Image, Line, QRCode, Scene, Text, mm_to_dots
from printers.textlayout import layout

# What a sealed QR looks like: "SG1:" + Base45, ~300 bytes of envelope.
PAYLOAD = "SG1:" + "".join("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"[(i * 7) % 45] for i in range(420))
TRACKING = "SF1234567890123"


def waybill(payload: str = PAYLOAD, value: str = TRACKING, module_dots: int = 4) -> Scene:
    return Scene(100, 150, (
        Box(1, 1, 98, 148, 0.4),
        Text(4, 4, 60, 8, "顺丰速运 标准快递", size_mm=5, bold=True, name="service"),
        Text(70, 4, 26, 8, "REPRINT", size_mm=4, inverse=True, align="center"),
        Line(1, 14, 99, 14, 0.4),
        Barcode128(8, 16, 84, 20, value, module_dots=2),
        Line(1, 38, 99, 38, 0.4),
        Text(4, 40, 92, 6, "收 张** *******5678", size_mm=4, bold=True),
        Text(4, 47, 92, 14, "广东省 深圳市 南山区 科技园南区深南大道", size_mm=3.5),
        QRCode(50, 75, payload, module_dots=module_dots),
        Text(4, 75, 40, 30, "寄 李** ****1234 浙江省 杭州市 西湖区", size_mm=3),
    ))


def decoded(img) -> dict[str, str]:
    return {str(r.format): r.text for r in zxingcpp.read_barcodes(img)}


@pytest.mark.parametrize("dpi,module_dots", [(203, 4), (300, 6)])
@pytest.mark.parametrize("mode", ["1", "L"])
def test_qr_and_code128_decode_exactly(dpi, module_dots, mode):
    img = render_raster(waybill(module_dots=module_dots), dpi=dpi, mode=mode)
    assert img.mode == mode
    assert img.size == (mm_to_dots(100, dpi), mm_to_dots(150, dpi))
    codes = decoded(img)
    assert codes.get("QR Code") == PAYLOAD
    assert codes.get("Code 128") == TRACKING


def test_one_bit_raster_has_only_black_and_white_and_cjk_ink():
    img = render_raster(waybill(), 203, "1")
    hist = img.convert("L").histogram()
    assert sum(hist[1:255]) == 0 and hist[0] > 0
    # the CJK service line is drawn: its box has ink
    x0, y0 = mm_to_dots(4, 203), mm_to_dots(4, 203)
    assert img.crop((x0, y0, x0 + 200, y0 + 40)).convert("L").histogram()[0] > 200


def test_qr_modules_are_whole_dots_never_scaled():
    for m in (3, 4, 5):
        scene = Scene(80, 80, (QRCode(10, 10, PAYLOAD, module_dots=m),))
        img = render_raster(scene, 203, "1").convert("L")
        x, y = mm_to_dots(10, 203), mm_to_dots(10, 203)
        n = qr.qr_matrix(PAYLOAD).size
        # the symbol is exactly n*m dots: last module dark column of the top-left finder at 7m
        row = [img.getpixel((x + i, y)) for i in range(8 * m)]
        assert row[: 7 * m] == [0] * (7 * m) and row[7 * m] == 255
        # compare every module centre with the matrix
        for r in range(n):
            for c in range(n):
                expect = 0 if qr.qr_matrix(PAYLOAD).rows[r][c] else 255
                assert img.getpixel((x + c * m + m // 2, y + r * m + m // 2)) == expect


def test_quiet_zone_stays_white_over_other_elements():
    scene = Scene(80, 80, (Box(0, 0, 80, 80, fill=True), QRCode(20, 20, "SG1:QUIET", module_dots=4)))
    img = render_raster(scene, 203, "1")
    assert decoded(img).get("QR Code") == "SG1:QUIET"
    x, y = mm_to_dots(20, 203), mm_to_dots(20, 203)
    assert img.getpixel((x - 1, y - 1)) == 255 and img.getpixel((x - 16, y - 16)) == 255
    assert img.getpixel((x - 17, y - 17)) == 0


def test_text_line_bitmap_matches_the_raster_pixels():
    el = Text(5, 5, 80, 20, "收 张** 广东省深圳市 Tiago São", size_mm=4, bold=True)
    img = render_raster(Scene(90, 30, (el,)), 203, "1")
    line = layout(el, 203).lines[0]
    bitmap = text_line_bitmap(line.text, line.size, True)
    x, y = line.x + bitmap.dx, line.y + bitmap.dy
    crop = img.crop((x, y, x + bitmap.width, y + bitmap.height))
    assert crop.tobytes() == bitmap.image.tobytes()
    # and nothing else was inked on that line
    assert img.convert("L").histogram()[0] == bitmap.image.convert("L").histogram()[0] + sum(
        text_line_bitmap(l.text, l.size, True).image.convert("L").histogram()[0] for l in layout(el, 203).lines[1:])


def test_inverse_text_is_white_on_a_black_box():
    el = Text(10, 10, 30, 8, "REPRINT", size_mm=4, inverse=True)
    img = render_raster(Scene(50, 30, (el,)), 203, "L")
    x0, y0, x1, y1 = (mm_to_dots(v, 203) for v in (10, 10, 40, 18))
    box = img.crop((x0, y0, x1, y1))
    hist = box.histogram()
    assert hist[0] > box.width * box.height // 2  # mostly black
    assert hist[255] > 50  # with white letters
    assert img.getpixel((x0 - 2, y0 - 2)) == 255


def test_image_is_scaled_into_its_box_and_thresholded():
    logo = PILImage.new("L", (40, 20), 255)
    logo.paste(90, (0, 0, 20, 20))  # left half dark grey, right half white
    buf = io.BytesIO()
    logo.save(buf, "PNG")
    scene = Scene(60, 40, (Image(10, 10, 40, 20, buf.getvalue()),))
    img = render_raster(scene, 203, "1").convert("L")
    x0, y0 = mm_to_dots(10, 203), mm_to_dots(10, 203)
    x1, y1 = mm_to_dots(50, 203), mm_to_dots(30, 203)
    assert img.getpixel((x0 + 5, y0 + 5)) == 0 and img.getpixel((x1 - 5, y1 - 5)) == 255
    assert img.getpixel((x0 - 3, y0 + 5)) == 255
    left_half = img.crop((x0, y0, (x0 + x1) // 2 - 3, y1))
    assert left_half.histogram()[0] == left_half.width * left_half.height


def test_bad_image_is_a_scene_error():
    with pytest.raises(SceneError):
        render_raster(Scene(60, 40, (Image(1, 1, 10, 10, b"not a png"),)), 203)


@pytest.mark.parametrize("element", [
    Text(90, 5, 20, 5, "张三", name="recipient.name"),
    Box(-1, 5, 10, 10),
    Box(5, 5, 10, 150),
    Line(5, 60, 120, 60),
    Barcode128(50, 5, 60, 15, TRACKING),
    QRCode(80, 5, PAYLOAD, module_dots=4),
    QRCode(1, 20, "SG1:X", module_dots=4),  # the quiet zone falls off the left edge
    Image(95, 95, 10, 10, b""),
])
def test_element_outside_the_label_is_an_error_not_a_clipped_print(element):
    scene = Scene(100, 100, (Box(0, 0, 10, 10), element))
    with pytest.raises(SceneError) as info:
        scene.validate(203)
    assert "element 1" in str(info.value) and info.value.hint
    with pytest.raises(SceneError):
        render_raster(scene, 203)


def test_error_names_the_field():
    scene = Scene(100, 100, (Text(90, 5, 20, 5, "张三", name="recipient.name"),))
    with pytest.raises(SceneError, match="recipient.name"):
        scene.validate()


def test_barcode_wider_than_its_box_is_an_error():
    scene = Scene(100, 60, (Barcode128(2, 2, 30, 15, TRACKING, module_dots=2),))
    with pytest.raises(SceneError, match="wider than its"):
        scene.validate(203)
    Scene(100, 60, (Barcode128(2, 2, 30, 15, "12", module_dots=2),)).validate(203)


@pytest.mark.parametrize("element", [
    QRCode(20, 20, "SG1:X", module_dots=2.5),
    QRCode(20, 20, "SG1:X", ec="Z"),
    QRCode(20, 20, ""),
    Barcode128(2, 2, 80, 15, TRACKING, module_dots=0),
    Barcode128(2, 2, 80, 15, "名字"),
    Text(2, 2, 20, 5, "x", align="justify"),
    Text(2, 2, 20, 5, "x", size_mm=0),
    Line(2, 2, 20, 20),
    Line(2, 2, 20, 2, thickness=0),
    "a string",
])
def test_values_no_renderer_can_honour_are_errors(element):
    with pytest.raises(SceneError):
        Scene(100, 60, (element,)).validate(203)


def test_scene_is_immutable_and_mode_is_checked():
    scene = waybill()
    with pytest.raises(AttributeError):
        scene.width_mm = 50  # type: ignore[misc]
    with pytest.raises(SceneError):
        render_raster(scene, 203, "RGB")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


@settings(max_examples=20, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=24),
       st.text(alphabet=BASE45, min_size=1, max_size=300), st.sampled_from([203, 300]))
def test_any_value_and_payload_decode_exactly(value, body, dpi):
    payload = "SG1:" + body
    m = 2 if dpi == 203 else 3
    scene = Scene(110, 110, (Barcode128(3, 3, 104, 20, value, module_dots=m),
                              QRCode(20, 35, payload, module_dots=m + 1)))
    try:
        scene.validate(dpi)
    except SceneError as exc:
        assert "wider than its" in str(exc)  # a long value at this module size: said, not clipped
        return
    codes = decoded(render_raster(scene, dpi, "1"))
    assert codes.get("Code 128") == value
    assert codes.get("QR Code") == payload
