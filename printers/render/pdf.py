"""Label scenes as PDF: one label a page at true size, or N-up on A4/Letter with cut marks.

For office printers and archives. Everything is vector - bars, QR modules (one rectangle
per run of dark modules), rules - so codes stay sharp at any zoom; text uses the embedded
TrueType label font (CJK included) with a real text layer. Geometry is that of the printer
at ``dpi``: the same whole-dot QR modules, Code128 bars and line breaks as the raster and
the printer languages, so the PDF is the label the thermal printer would print.

Pages are streamed (printers.render.pdfwriter): a generator of 20,000 scenes is drawn one
scene at a time, and memory does not grow with the number of pages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from printers import code128, qr
from printers.errors import SceneError
from printers.resources import resource_path
from printers.fonts import font_runs, no_ink, replacement_advance
from printers.render.glyphs import replacement_box
from printers.render.pdfwriter import EmbeddedFonts, PdfObjectWriter, pdf_string
from printers.render.raster import fitted_image, line_rect
from printers.scene import (
    MM_PER_INCH,
    Barcode128,
    Box,
    Image,
    Line,
    QRCode,
    Scene,
    Text,
    mm_to_dots,
)
from printers.textlayout import baseline_offset, bold_stroke, char_advance, layout

PT_PER_MM = 72 / MM_PER_INCH



@dataclass(frozen=True)
class SheetLayouts:
    """The office sheets, as data (resources/templates/sheets.json): page sizes by name, the
    margin, the gutter between labels (room for the cut marks) and the cut marks' size."""

    sizes: dict[str, tuple[float, float]]
    margin_mm: float
    gutter_mm: float
    cut_mark_mm: float
    cut_mark_gap_mm: float

    def size(self, name: str) -> tuple[float, float]:
        for known, size in self.sizes.items():
            if known.upper() == name.upper():
                return size
        raise SceneError(f"unknown sheet {name!r}",
                         f"use one of: {', '.join(self.sizes)}, or none for one label a page")


def sheets_file() -> Path:
    return resource_path("templates", "sheets.json")


@lru_cache(maxsize=1)
def sheet_layouts() -> SheetLayouts:
    path = sheets_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SheetLayouts(
            sizes={name: (float(s["width_mm"]), float(s["height_mm"])) for name, s in data["sheets"].items()},
            margin_mm=float(data["margin_mm"]), gutter_mm=float(data["gutter_mm"]),
            cut_mark_mm=float(data["cut_mark_mm"]), cut_mark_gap_mm=float(data["cut_mark_gap_mm"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SceneError(f"the sheet layouts in {path} cannot be read ({exc.__class__.__name__}: {exc})",
                         "restore resources/templates/sheets.json from the Sigilo installation") from None


def sheet_names() -> list[str]:
    return list(sheet_layouts().sizes)


def _n(v: float) -> bytes:
    """A compact PDF number."""
    if v == int(v):
        return b"%d" % int(v)
    return (b"%.3f" % v).rstrip(b"0").rstrip(b".")


class _Page:
    """Content-stream operators in printer dots, origin top-left (a ``cm`` flips the axes)."""

    def __init__(self, fonts: EmbeddedFonts, images: _Images, dpi: int) -> None:
        self.ops: list[bytes] = []
        self.fonts = fonts
        self.images = images
        self.dpi = dpi
        self.gray = 0
        self.stroke = 0  # text render mode 2 with this line width when > 0 (graphics state)

    def reset_state(self) -> None:
        """After Q: the graphics state is back to the page defaults."""
        self.gray = 0
        self.stroke = 0

    def color(self, gray: int) -> None:
        if gray != self.gray:
            self.ops.append(b"%d g %d G\n" % (gray, gray))
            self.gray = gray

    def rect(self, left: int, top: int, right: int, bottom: int, gray: int = 0) -> None:
        if right > left and bottom > top:
            self.color(gray)
            self.ops.append(b"%d %d %d %d re f\n" % (left, top, right - left, bottom - top))

    def outline(self, left: int, top: int, right: int, bottom: int, t: int, gray: int = 0) -> None:
        self.rect(left, top, right, min(bottom, top + t), gray)
        self.rect(left, max(top, bottom - t), right, bottom, gray)
        self.rect(left, top, min(right, left + t), bottom, gray)
        self.rect(max(left, right - t), top, right, bottom, gray)

    def glyph_run(self, x: int, baseline: int, font_path: Path, run: str, size: int, stroke: int, gray: int) -> None:
        """One run of one font, each glyph advancing by the layout's advance (TJ adjustments
        absorb the difference between the font's unhinted widths and the raster's)."""
        self.color(gray)
        parts = [b"BT "]
        if stroke != self.stroke:  # Tr and w outlive ET: set them only on change
            parts.append(b"2 Tr %d w " % (2 * stroke) if stroke else b"0 Tr ")
            self.stroke = stroke
        parts.append(b"1 0 0 -1 %d %d Tm " % (x, baseline))
        pos = 0
        # control and format characters have no glyph: a space keeps their place (and the
        # text layer's word breaks) instead of the font's ".notdef" box
        shown = "".join(" " if ch.isspace() or no_ink(ch) else ch for ch in run)
        for name, codes, widths in self.fonts.encode(font_path, shown):
            parts.append(b"/%s %d Tf [" % (name.encode(), size))
            for code, w_font, ch in zip(codes, widths, run[pos : pos + len(codes)]):
                adjust = w_font - char_advance(ch, size) * 1000.0 / size
                parts.append(b"<%02x>" % code)
                if abs(adjust) > 0.05:
                    parts.append(_n(round(adjust, 2)))
            parts.append(b"] TJ ")
            pos += len(codes)
        parts.append(b"ET\n")
        self.ops.append(b"".join(parts))

    def data(self) -> bytes:
        return b"".join(self.ops)


def _draw_text_line(page: _Page, x: float, baseline: int, text: str, size: int, bold: bool, gray: int = 0) -> None:
    """The line exactly as printers.render.glyphs draws it: same fonts run by run, same
    per-character advances, same replacement boxes."""
    stroke = bold_stroke(size) if bold else 0
    cx = float(x) + stroke
    for font_path, run in font_runs(text):
        if font_path is None:
            left, top, right, bottom, width = replacement_box(cx, baseline, size)
            page.outline(left, top, right, bottom, width, gray)
            cx += replacement_advance(size)
            continue
        if run.strip():
            page.glyph_run(int(round(cx)), int(baseline), font_path, run, size, stroke, gray)
        cx += sum(char_advance(ch, size) for ch in run)


class _Images:
    """Image XObjects, one per distinct picture and box size, written once and shared by
    all pages (a logo on 2,000 labels is stored once)."""

    def __init__(self, writer: PdfObjectWriter) -> None:
        self.writer = writer
        self.placed: dict[tuple[bytes, int, int], tuple[str, int, int, int, int, int]] = {}

    def get(self, png: bytes, w: int, h: int) -> tuple[str, int, int, int, int, int]:
        """(resource name, object number, dx, dy, width, height) of the fitted picture."""
        key = (png, w, h)
        if key not in self.placed:
            mono, dx, dy = fitted_image(png, w, h)
            num = self.writer.reserve()
            self.writer.write_stream(num, mono.tobytes(), (
                b" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                b"/BitsPerComponent 1" % mono.size))
            self.placed[key] = (f"Im{len(self.placed) + 1}", num, dx, dy, mono.width, mono.height)
        return self.placed[key]


def _draw_scene(page: _Page, scene: Scene, dpi: int) -> None:
    for el in scene.elements:
        if isinstance(el, Text):
            gray = 0
            if el.inverse:
                page.rect(*_rect(el.x, el.y, el.w, el.h, dpi), gray=0)
                gray = 1
            for line in layout(el, dpi).lines:
                if line.text:
                    _draw_text_line(page, line.x, line.baseline, line.text, line.size, el.bold, gray)
        elif isinstance(el, Box):
            left, top, right, bottom = _rect(el.x, el.y, el.w, el.h, dpi)
            if el.fill:
                page.rect(left, top, right, bottom)
            else:
                page.outline(left, top, right, bottom, max(1, mm_to_dots(el.thickness, dpi)))
        elif isinstance(el, Line):
            page.rect(*line_rect(el, dpi))
        elif isinstance(el, Barcode128):
            g = code128.geometry(el, dpi)
            page.color(0)
            page.ops.append(b"".join(b"%d %d %d %d re\n" % (x, g.y, w, g.bar_height) for x, w in g.bars) + b"f\n")
            if g.text:
                _draw_text_line(page, g.text_x, g.text_y + baseline_offset(g.text_size), g.text, g.text_size, False)
        elif isinstance(el, QRCode):
            m = int(el.module_dots)
            x, y = mm_to_dots(el.x, dpi), mm_to_dots(el.y, dpi)
            side = qr.qr_matrix(el.payload, el.ec).size * m
            quiet = el.quiet_modules * m
            page.rect(x - quiet, y - quiet, x + side + quiet, y + side + quiet, gray=1)
            page.color(0)
            page.ops.append(b"".join(b"%d %d %d %d re\n" % (x + c * m, y + r * m, n * m, m)
                                     for r, c, n in qr.dark_runs(el.payload, el.ec)) + b"f\n")
        elif isinstance(el, Image) and el.png:
            left, top, right, bottom = _rect(el.x, el.y, el.w, el.h, dpi)
            name, _num, dx, dy, w, h = page.images.get(el.png, right - left, bottom - top)
            # image space is bottom-up; our user space is top-down
            page.ops.append(b"q %d 0 0 %d %d %d cm /%s Do Q\n" % (w, -h, left + dx, top + dy + h, name.encode()))


def _rect(x: float, y: float, w: float, h: float, dpi: int) -> tuple[int, int, int, int]:
    return mm_to_dots(x, dpi), mm_to_dots(y, dpi), mm_to_dots(x + w, dpi), mm_to_dots(y + h, dpi)


@dataclass(frozen=True)
class _Grid:
    page_w_mm: float
    page_h_mm: float
    cell_w_mm: float
    cell_h_mm: float
    cols: int
    rows: int
    left_mm: float
    top_mm: float

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    def origin(self, index: int) -> tuple[float, float]:
        col, row = index % self.cols, index // self.cols
        gutter = sheet_layouts().gutter_mm
        return (self.left_mm + col * (self.cell_w_mm + gutter), self.top_mm + row * (self.cell_h_mm + gutter))


def sheet_grid(sheet: str, label_w_mm: float, label_h_mm: float) -> _Grid:
    """How many labels of this size fit a sheet at true size, centred, with gutters for the
    cut marks; the sheet turns to landscape when that fits more."""
    layouts = sheet_layouts()
    size = layouts.size(sheet)
    margin, gutter = layouts.margin_mm, layouts.gutter_mm
    best = None
    for page_w, page_h in (size, size[::-1]):  # portrait, then landscape if more fit
        usable_w, usable_h = page_w - 2 * margin, page_h - 2 * margin
        cols = max(0, int((usable_w + gutter) // (label_w_mm + gutter)))
        rows = max(0, int((usable_h + gutter) // (label_h_mm + gutter)))
        if best is None or cols * rows > best[2] * best[3]:
            best = (page_w, page_h, cols, rows)
    page_w, page_h, cols, rows = best
    if cols < 1 or rows < 1:
        raise SceneError(f"a {label_w_mm}x{label_h_mm} mm label does not fit on {sheet} at true size",
                         "print it one label a page (no sheet), or on a larger sheet")
    used_w = cols * label_w_mm + (cols - 1) * gutter
    used_h = rows * label_h_mm + (rows - 1) * gutter
    return _Grid(page_w, page_h, label_w_mm, label_h_mm, cols, rows, (page_w - used_w) / 2, (page_h - used_h) / 2)


def _cut_marks(page: _Page, x_mm: float, y_mm: float, w_mm: float, h_mm: float) -> None:
    """Short hairlines outside each corner, on the label's edges extended, in sheet points."""
    ops = [b"0 g 0 G 0.25 w\n"]
    layouts = sheet_layouts()
    gap, length = layouts.cut_mark_gap_mm * PT_PER_MM, layouts.cut_mark_mm * PT_PER_MM
    left, top = x_mm * PT_PER_MM, y_mm * PT_PER_MM
    right, bottom = left + w_mm * PT_PER_MM, top + h_mm * PT_PER_MM
    for cx, sx in ((left, -1), (right, 1)):
        for cy, sy in ((top, -1), (bottom, 1)):
            ops.append(b"%s %s m %s %s l S\n" % (_n(round(cx + sx * gap, 2)), _n(round(cy, 2)),
                                                  _n(round(cx + sx * (gap + length), 2)), _n(round(cy, 2))))
            ops.append(b"%s %s m %s %s l S\n" % (_n(round(cx, 2)), _n(round(cy + sy * gap, 2)),
                                                  _n(round(cx, 2)), _n(round(cy + sy * (gap + length), 2))))
    page.ops.extend(ops)
    page.gray = 0


def render_pdf(scenes: Iterable[Scene], out: str | Path | BinaryIO, sheet: str | None = None, *,
               dpi: int = 203, title: str = "Sigilo labels") -> int:
    """Write ``scenes`` as a PDF to ``out`` (a path or a binary file); returns pages written.

    ``sheet`` None: one label a page, the page the size of the label. "A4"/"Letter": as many
    labels as fit a sheet at true size, with cut marks. ``dpi`` is the printer resolution
    whose geometry (whole-dot QR modules, bars, line breaks) the PDF reproduces. Scenes are
    consumed one at a time: pass a generator for long runs."""
    with ExitStack() as stack:
        if isinstance(out, (str, Path)):
            path = Path(out)
            fh = stack.enter_context(open(path, "wb"))
            try:
                return _render(scenes, fh, sheet, dpi, title)
            except BaseException:
                fh.close()
                path.unlink(missing_ok=True)  # never leave half a PDF behind
                raise
        return _render(scenes, out, sheet, dpi, title)


def _render(scenes: Iterable[Scene], fh: BinaryIO, sheet: str | None, dpi: int, title: str) -> int:
    writer = PdfObjectWriter(fh)
    catalog, pages_num, resources, info = (writer.reserve() for _ in range(4))
    fonts = EmbeddedFonts()
    images = _Images(writer)
    page_nums: list[int] = []
    k = 72 / dpi  # points per dot
    grid: _Grid | None = None
    page: _Page | None = None
    page_size = (0.0, 0.0)
    slot = 0

    def flush() -> None:
        nonlocal page
        if page is None:
            return
        content, num = writer.reserve(), writer.reserve()
        writer.write_stream(content, page.data())
        w_pt, h_pt = page_size
        writer.write(num, (b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources %d 0 R "
                           b"/Contents %d 0 R >>" % (pages_num, _n(round(w_pt, 3)), _n(round(h_pt, 3)),
                                                     resources, content)))
        page_nums.append(num)
        page = None

    for scene in scenes:
        scene.validate(dpi)
        if sheet is None:
            page = _Page(fonts, images, dpi)
            page_size = (scene.width_mm * PT_PER_MM, scene.height_mm * PT_PER_MM)
            page.ops.append(b"%s 0 0 %s 0 %s cm\n" % (_n(round(k, 6)), _n(round(-k, 6)), _n(round(page_size[1], 3))))
            _draw_scene(page, scene, dpi)
            flush()
            continue
        if grid is None:
            grid = sheet_grid(sheet, scene.width_mm, scene.height_mm)
            page_size = (grid.page_w_mm * PT_PER_MM, grid.page_h_mm * PT_PER_MM)
        if scene.width_mm > grid.cell_w_mm + 0.01 or scene.height_mm > grid.cell_h_mm + 0.01:
            raise SceneError(f"label {scene.name or ''} is {scene.width_mm}x{scene.height_mm} mm, larger than the "
                             f"{grid.cell_w_mm}x{grid.cell_h_mm} mm cells of this sheet",
                             "print labels of one size per sheet run")
        if page is None:
            page = _Page(fonts, images, dpi)
            # sheet space: points, origin top-left
            page.ops.append(b"1 0 0 -1 0 %s cm\n" % _n(round(page_size[1], 3)))
            slot = 0
        x_mm, y_mm = grid.origin(slot)
        _cut_marks(page, x_mm, y_mm, scene.width_mm, scene.height_mm)
        page.ops.append(b"q 1 0 0 1 %s %s cm %s 0 0 %s 0 0 cm\n" % (
            _n(round(x_mm * PT_PER_MM, 3)), _n(round(y_mm * PT_PER_MM, 3)), _n(round(k, 6)), _n(round(k, 6))))
        _draw_scene(page, scene, dpi)
        page.ops.append(b"Q\n")
        page.reset_state()
        slot += 1
        if slot == grid.per_page:
            flush()
    flush()
    if not page_nums:
        # a PDF needs a page; an empty run is a caller's mistake worth saying
        raise SceneError("no labels to write", "pass at least one scene")
    font_names = fonts.write_all(writer)
    font_dict = b" ".join(b"/%s %d 0 R" % (name.encode(), num) for name, num in sorted(font_names.items()))
    image_dict = b" ".join(b"/%s %d 0 R" % (p[0].encode(), p[1]) for p in images.placed.values())
    writer.write(resources, b"<< /ProcSet [/PDF /Text /ImageB] /Font << %s >> /XObject << %s >> >>"
                 % (font_dict, image_dict))
    kids = b" ".join(b"%d 0 R" % n for n in page_nums)
    writer.write(pages_num, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(page_nums), kids))
    writer.write(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % pages_num)
    writer.write(info, b"<< /Producer (Sigilo) /Title %s >>" % pdf_string(title))
    writer.finish(catalog, info)
    return len(page_nums)
