"""PDF renderer: true-size pages and N-up sheets that decode after a real rasterizer
(poppler's pdftoppm), a searchable text layer, embedded fonts, and streaming output."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image as PILImage

from printers.errors import SceneError
from printers.render.pdf import render_pdf, sheet_grid
from printers.scene import Barcode128, Box, Image, Line, QRCode, Scene, Text

PAYLOAD = "SG1:" + "".join("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"[(i * 11) % 45] for i in range(380))


def waybill(value: str = "SF1234567890123", payload: str = PAYLOAD, module_dots: int = 4) -> Scene:
    return Scene(100, 150, (
        Box(1, 1, 98, 148, 0.4),
        Text(4, 4, 60, 8, "顺丰速运 标准快递", size_mm=5, bold=True),
        Text(70, 4, 26, 8, "REPRINT", size_mm=4, inverse=True, align="center"),
        Line(1, 14, 99, 14, 0.4),
        Barcode128(8, 16, 84, 20, value, module_dots=2),
        Text(4, 40, 92, 6, "收 张** *******5678", size_mm=4, bold=True),
        Text(4, 47, 92, 14, "广东省 深圳市 南山区 科技园南区深南大道", size_mm=3.5),
        QRCode(50, 75, payload, module_dots=module_dots),
        Text(4, 75, 40, 30, "寄 李** ****1234 Tiago S. São Paulo", size_mm=3),
    ), name=value)


def small_label(i: int) -> Scene:
    return Scene(60, 40, (
        Box(0.5, 0.5, 59, 39, 0.3),
        Barcode128(3, 3, 54, 14, f"SG{i:08d}", module_dots=2),
        QRCode(4, 21, f"SG1:LABEL{i:04d}", module_dots=3),
        Text(22, 21, 36, 10, f"第{i}件 张**", size_mm=3),
    ), name=f"small-{i}")


def rasterize(pdf: Path, dpi: int = 300, antialias: bool = True) -> list[PILImage.Image]:
    prefix = pdf.with_suffix("")
    aa = [] if antialias else ["-aa", "no", "-aaVector", "no"]
    subprocess.run(["pdftoppm", "-r", str(dpi), *aa, "-png", str(pdf), str(prefix)], check=True, timeout=120)
    pages = sorted(pdf.parent.glob(prefix.name + "-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [PILImage.open(p) for p in pages]


def codes(img) -> list[tuple[str, str]]:
    return sorted((str(r.format), r.text) for r in zxingcpp.read_barcodes(img))


def pdfinfo(pdf: Path) -> str:
    return subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout


@pytest.mark.parametrize("dpi,module_dots", [(203, 4), (300, 6)])
def test_label_page_is_true_size_and_decodes_after_pdftoppm(tmp_path, dpi, module_dots):
    pdf = tmp_path / "one.pdf"
    assert render_pdf([waybill(module_dots=module_dots)], pdf, dpi=dpi) == 1
    info = pdfinfo(pdf)
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert abs(w - 100 * 72 / 25.4) < 0.01 and abs(h - 150 * 72 / 25.4) < 0.01
    (page,) = rasterize(pdf)
    assert codes(page) == [("Code 128", "SF1234567890123"), ("QR Code", PAYLOAD)]


def test_text_layer_holds_the_label_text_and_fonts_are_embedded(tmp_path):
    pdf = tmp_path / "text.pdf"
    render_pdf([waybill()], pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    for fragment in ("顺丰速运", "标准快递", "收", "张**", "*******5678", "广东省", "深南大道", "SF1234567890123",
                     "REPRINT", "Tiago S.", "São Paulo"):
        assert fragment in text, fragment
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(" yes " in row for row in rows)  # every font embedded (no blank CJK elsewhere)


def test_codes_are_vectors_not_images(tmp_path):
    pdf = tmp_path / "vec.pdf"
    render_pdf([waybill()], pdf)
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    assert len([l for l in out.splitlines()[2:] if l.strip()]) == 0


@pytest.mark.parametrize("sheet", ["A4", "Letter"])
def test_n_up_sheet_places_labels_with_cut_marks(tmp_path, sheet):
    grid = sheet_grid(sheet, 60, 40)
    assert grid.per_page >= 12  # 60x40 mm labels: at least 3 x 4 on either sheet
    total = grid.per_page + 3
    pdf = tmp_path / "sheet.pdf"
    assert render_pdf((small_label(i) for i in range(total)), pdf, sheet=sheet) == 2
    info = pdfinfo(pdf)
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert sorted((round(w * 25.4 / 72), round(h * 25.4 / 72))) == sorted(
        (round(grid.page_w_mm), round(grid.page_h_mm)))
    page1, page2 = rasterize(pdf, 300)
    first = codes(page1)
    expect1 = sorted([("Code 128", f"SG{i:08d}") for i in range(grid.per_page)]
                     + [("QR Code", f"SG1:LABEL{i:04d}") for i in range(grid.per_page)])
    assert first == expect1
    second = codes(page2)
    assert second == sorted([("Code 128", f"SG{i:08d}") for i in range(grid.per_page, total)]
                            + [("QR Code", f"SG1:LABEL{i:04d}") for i in range(grid.per_page, total)])
    # cut marks: ink beside each corner of the first label, in the gutter outside the label
    px_per_mm = 300 / 25.4
    grey = page1.convert("L")
    x_mm, y_mm = grid.origin(0)
    for cx, cy, dx, dy in ((x_mm, y_mm, -1, -1), (x_mm + 60, y_mm, 1, -1), (x_mm, y_mm + 40, -1, 1),
                           (x_mm + 60, y_mm + 40, 1, 1)):
        horizontal = [grey.getpixel((int((cx + dx * t) * px_per_mm), int(cy * px_per_mm))) for t in (1.5, 2.5, 3.5)]
        vertical = [grey.getpixel((int(cx * px_per_mm), int((cy + dy * t) * px_per_mm))) for t in (1.5, 2.5, 3.5)]
        assert min(horizontal) < 128 and min(vertical) < 128
        # and nothing beyond the mark
        assert grey.getpixel((int((cx + dx * 6) * px_per_mm), int((cy + dy * 6) * px_per_mm))) > 200


def test_label_too_big_for_the_sheet_is_an_error(tmp_path):
    with pytest.raises(SceneError) as info:
        render_pdf([Scene(250, 250, ())], tmp_path / "big.pdf", sheet="A4")
    assert info.value.hint
    assert not (tmp_path / "big.pdf").exists()  # no half-written file left behind
    with pytest.raises(SceneError):
        render_pdf([small_label(1)], tmp_path / "x.pdf", sheet="A3")


def test_pdf_streams_pages_while_the_generator_runs():
    out = io.BytesIO()
    seen_pages = []

    def scenes():
        for i in range(6):
            seen_pages.append(out.getvalue().count(b"/Type /Page "))
            yield small_label(i)

    assert render_pdf(scenes(), out) == 6
    # when scene i is requested, the i pages before it are already written out
    assert seen_pages == [0, 1, 2, 3, 4, 5]


def test_output_is_reproducible(tmp_path):
    a, b = io.BytesIO(), io.BytesIO()
    render_pdf([waybill(), small_label(3)], a)
    render_pdf([waybill(), small_label(3)], b)
    assert a.getvalue() == b.getvalue()
    assert b"CreationDate" not in a.getvalue()


def test_out_of_label_element_fails_before_any_file_is_left(tmp_path):
    bad = Scene(60, 40, (Text(50, 5, 20, 5, "张三", name="recipient.name"),))
    target = tmp_path / "bad.pdf"
    with pytest.raises(SceneError, match="recipient.name"):
        render_pdf([small_label(0), bad], target)
    assert not target.exists()


def test_no_scenes_is_an_error():
    with pytest.raises(SceneError):
        render_pdf(iter(()), io.BytesIO())


def test_logo_is_embedded_once_for_all_pages(tmp_path):
    logo = PILImage.new("L", (30, 30), 255)
    logo.paste(0, (5, 5, 25, 25))
    buf = io.BytesIO()
    logo.save(buf, "PNG")
    scene = Scene(60, 40, (Image(2, 2, 20, 20, buf.getvalue()), Barcode128(24, 2, 34, 14, "SG1", module_dots=2)))
    pdf = tmp_path / "logo.pdf"
    render_pdf([scene] * 3, pdf)
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    rows = [l.split() for l in out.splitlines()[2:] if l.strip()]
    assert len(rows) == 3  # drawn on each of the three pages...
    assert pdf.read_bytes().count(b"/Subtype /Image") == 1  # ...from one stored image
    pages = rasterize(pdf, 203)
    grey = pages[0].convert("L")
    mm = 203 / 25.4
    assert grey.getpixel((int(12 * mm), int(12 * mm))) < 128  # the dark square
    assert grey.getpixel((int(3 * mm), int(3 * mm))) > 128  # its white border


def test_pdf_and_raster_draw_the_same_label(tmp_path):
    """The PDF is the label the printer prints: rasterized at the printer's dpi, its ink lies
    where the 1-bit raster renderer puts ink - within 2 dots for text (glyph edges differ by
    rasterizer), within 1 dot for QR modules and bars."""
    from PIL import ImageChops, ImageFilter

    from printers.render.raster import render_raster
    from printers.scene import mm_to_dots

    scene = waybill()
    pdf = tmp_path / "same.pdf"
    render_pdf([scene], pdf, dpi=203)
    (page,) = rasterize(pdf, 203)
    ours = render_raster(scene, 203, "1").convert("L")
    grey = page.convert("L")
    assert abs(grey.width - ours.width) <= 1 and abs(grey.height - ours.height) <= 1  # poppler rounds up
    grey = grey.crop((0, 0, ours.width, ours.height))
    theirs = grey.point(lambda v: 0 if v < 128 else 255)
    faint = grey.point(lambda v: 0 if v < 224 else 255)

    def stray(a, b_any, reach: int, region=None):
        """Ink of ``a`` farther than ``reach`` dots from any ink of ``b_any``."""
        if region:
            a, b_any = a.crop(region), b_any.crop(region)
        near = b_any.filter(ImageFilter.MinFilter(2 * reach + 1))
        return ImageChops.darker(ImageChops.invert(a), near).getbbox()

    assert stray(theirs, ours, 2) is None and stray(ours, faint, 2) is None
    assert 0.8 < theirs.histogram()[0] / ours.histogram()[0] < 1.25
    side = 4 * __import__("printers.qr", fromlist=["qr_matrix"]).qr_matrix(PAYLOAD).size
    qr_box = (mm_to_dots(50, 203), mm_to_dots(75, 203), mm_to_dots(50, 203) + side, mm_to_dots(75, 203) + side)
    bars_box = (mm_to_dots(8, 203), mm_to_dots(16, 203), mm_to_dots(92, 203), mm_to_dots(16 + 14, 203))
    for region in (qr_box, bars_box):
        assert stray(theirs, ours, 1, region) is None and stray(ours, faint, 1, region) is None, region


def test_fallback_font_is_embedded_and_extractable(tmp_path):
    from printers import fonts

    main = fonts.cjk_font_path()
    ch = next(chr(c) for c in range(0x2600, 0x2700)
              if c not in fonts.font_charset(main) and fonts.font_for_char(chr(c)) is not None)
    astral = next(c for c in ("😀", "𝐀", "🙂", "𝔸") if fonts.font_for_char(c) is not None)  # beyond the BMP
    scene = Scene(60, 20, (Text(2, 2, 56, 10, f"张三 {ch} 𠮷 ok {astral}", size_mm=4),))
    pdf = tmp_path / "fallback.pdf"
    render_pdf([scene], pdf)
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    rows = [line for line in listing.splitlines()[2:] if line.strip()]
    assert len(rows) >= 2 and all(" yes " in row for row in rows)  # label font + the fallback(s)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60).stdout
    assert "张三" in text and ch in text and "ok" in text
    assert astral in text  # a surrogate pair in the ToUnicode map, not a truncated code
    assert "𠮷" not in text  # no font has it: a drawn box, not a garbage glyph


def test_sheets_are_data_a_new_one_is_an_entry(tmp_path, monkeypatch):
    """The office sheets come from resources/templates/sheets.json: A4 and Letter at their ISO
    and US sizes, and a sheet added there (A5 here) lays labels out with no code change."""
    import json

    from printers.render import pdf as pdf_module

    assert pdf_module.sheet_layouts().size("a4") == (210.0, 297.0)
    assert pdf_module.sheet_layouts().size("LETTER") == (215.9, 279.4)
    data = json.loads(pdf_module.sheets_file().read_text(encoding="utf-8"))
    data["sheets"]["A5"] = {"title": "ISO A5", "width_mm": 148, "height_mm": 210}
    data["gutter_mm"] = 4
    custom = tmp_path / "sheets.json"
    custom.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(pdf_module, "sheets_file", lambda: custom)
    pdf_module.sheet_layouts.cache_clear()
    try:
        grid = sheet_grid("A5", 60, 40)
        # portrait holds 2 x 4, landscape 3 x 3: the sheet turns
        assert (grid.page_w_mm, grid.page_h_mm) == (210.0, 148.0) and (grid.cols, grid.rows) == (3, 3)
        assert grid.origin(1)[0] - grid.origin(0)[0] == 60 + 4  # the gutter from the data
        out = tmp_path / "a5.pdf"
        assert render_pdf((small_label(i) for i in range(10)), out, sheet="a5") == 2
        with pytest.raises(SceneError) as err:
            sheet_grid("B5", 60, 40)
        assert "A5" in err.value.hint
    finally:
        pdf_module.sheet_layouts.cache_clear()
