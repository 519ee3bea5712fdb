"""Composition from a shipment to a label scene, with a hand-made masked view and a stand-in
seal (the real masking and seal are exercised end to end in test_compose_outputs.py)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from desktop.compose import (
    QrTooLargeError,
    TextOverflowError,
    UnknownTemplateError,
    compose_label,
    list_templates,
    load_template,
)
from desktop.compose.sortcode import sort_code
from desktop.masking.view import MaskedParty, MaskedView
from desktop.shipment import Shipment
from printers.qr import qr_matrix
from printers.scene import Barcode128, Box, Line, QRCode, Text, dots_to_mm
from printers.textlayout import layout

TEMPLATES = ["waybill-100x150", "waybill-100x180", "waybill-4x6", "waybill-76x130", "waybill-72x130"]
WHEN = datetime(2026, 11, 28, 9, 30)


class StandInSeal:
    """Returns a QR text of a chosen length in the seal's alphabet (Base45 after SG1:)."""

    def __init__(self, length: int = 380) -> None:
        self.length = length
        self.calls = 0

    def seal(self, shipment, issued_at=None) -> str:
        self.calls += 1
        return "SG1:" + ("7ABC9DEF$%*+-./:QRS0XYZ " * 200)[: self.length]


def hand_masked(shipment: Shipment, address: str | None = None) -> MaskedView:
    r, s = shipment.recipient, shipment.sender
    rec = MaskedParty(
        name=r.name[:1] + "**", phone="*******" + re.sub(r"\D", "", r.phone)[-4:],
        region=" ".join(p for p in (r.province, r.city, r.district) if p),
        address=re.sub(r"\d+", "", r.street) if address is None else address,
        postcode=r.postcode, country=r.country,
    )
    snd = MaskedParty(name=s.name, phone=s.phone, region=f"{s.province} {s.city} {s.district}",
                      address=s.street, postcode=s.postcode, country=s.country, full=True)
    return MaskedView(rec, snd, "hand-made")


def compose(shipment, template="waybill-100x150", seal_len=380, **kw):
    masked = kw.pop("masked", None) or hand_masked(shipment)
    return compose_label(shipment, template, sealer=StandInSeal(seal_len), masked=masked, printed_at=WHEN, **kw)


@pytest.fixture(scope="module")
def samples(sample_shipments):
    return [Shipment.from_dict(row) for row in sample_shipments]


def _texts(scene):
    return [el for el in scene.elements if isinstance(el, Text)]


def test_every_template_is_listed_and_loads():
    names = list_templates()
    for name in TEMPLATES:
        assert name in names
        tpl = load_template(name)
        assert tpl.layouts[0].name == "standard"
        assert "qr" in tpl.layouts[0].regions
    assert "sort_codes" not in names and "services" not in names


def test_unknown_template_names_the_choices(samples):
    with pytest.raises(UnknownTemplateError) as err:
        compose(samples[0], "waybill-1x1")
    assert "waybill-100x150" in err.value.hint


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("dpi", [203, 300])
def test_label_has_every_region_on_the_label_and_fitting(samples, template, dpi):
    tpl = load_template(template)
    for index in (0, 25, 33, 38):  # CN, BR, JP, VN
        shipment = samples[index]
        label = compose(shipment, template, dpi=dpi)
        scene = label.scene
        assert (scene.width_mm, scene.height_mm) == (tpl.width_mm, tpl.height_mm)
        scene.validate(dpi)
        bars = [el for el in scene.elements if isinstance(el, Barcode128)]
        assert bars and all(b.value == shipment.tracking_number for b in bars)
        for b in bars:
            assert b.w <= tpl.width_mm
        (qr,) = [el for el in scene.elements if isinstance(el, QRCode)]
        assert qr.payload == label.qr_text and qr.module_dots == {203: 4, 300: 6}[dpi]
        # the QR with its quiet zone lies inside the template's QR region
        region = tpl.layouts[0].regions["qr"]
        x, y, w, h = qr.bounds_at(dpi)
        assert x >= region["x"] - 1e-6 and y >= region["y"] - 1e-6
        assert x + w <= region["x"] + region["w"] + 1e-6 and y + h <= region["y"] + region["h"] + 1e-6
        texts = _texts(scene)
        for el in texts:
            assert layout(el, dpi).fits, el.name
        shown = "\n".join(el.text for el in texts)
        assert label.masked.recipient.name in shown
        assert label.masked.recipient.phone in shown
        assert shipment.recipient.name not in shown  # only the masked name
        assert shipment.recipient.detail not in shown


@pytest.mark.parametrize("template", TEMPLATES)
def test_text_boxes_do_not_overlap(samples, template):
    scene = compose(samples[0], template, reprint="damaged").scene
    boxes = [(el.name, el.x, el.y, el.x + el.w, el.y + el.h) for el in _texts(scene)]
    qr = next(el for el in scene.elements if isinstance(el, QRCode))
    qx, qy, qw, qh = qr.bounds_at(203)
    boxes.append(("qr", qx, qy, qx + qw, qy + qh))
    for b in (el for el in scene.elements if isinstance(el, Barcode128)):
        boxes.append(("barcode", b.x, b.y, b.x + b.w, b.y + b.h))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap = min(a[3], b[3]) - max(a[1], b[1]) > 0.05 and min(a[4], b[4]) - max(a[2], b[2]) > 0.05
            assert not overlap, (template, a[0], b[0])


def _meets(a, b) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.05 and min(a[3], b[3]) - max(a[1], b[1]) > 0.05


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("seal_len", [380, 1300])  # the standard and the large-QR layout
def test_nothing_is_drawn_in_the_qr_quiet_zone(samples, template, dpi, seal_len):
    """A rule, a box edge or text inside the QR's quiet zone makes it unreadable to many
    scanners: every layout keeps the zone clear at every dpi, and no two text boxes overlap."""
    try:
        scene = compose(samples[0], template, seal_len=seal_len, dpi=dpi, reprint="damaged").scene
    except QrTooLargeError:
        assert seal_len > 380 and template in ("waybill-76x130", "waybill-72x130")
        return
    qr = next(el for el in scene.elements if isinstance(el, QRCode))
    x, y, w, h = qr.bounds_at(dpi)
    zone = (x, y, x + w, y + h)
    drawn = []
    for el in scene.elements:
        if isinstance(el, (Text, Barcode128)):
            drawn.append((getattr(el, "name", "") or "barcode", (el.x, el.y, el.x + el.w, el.y + el.h)))
        elif isinstance(el, Line):
            t = el.thickness / 2
            drawn.append(("rule", (min(el.x1, el.x2) - t, min(el.y1, el.y2) - t, max(el.x1, el.x2) + t,
                                   max(el.y1, el.y2) + t)))
        elif isinstance(el, Box):
            t = el.thickness
            edges = ([(el.x, el.y, el.x + el.w, el.y + el.h)] if el.fill else
                     [(el.x, el.y, el.x + el.w, el.y + t), (el.x, el.y + el.h - t, el.x + el.w, el.y + el.h),
                      (el.x, el.y, el.x + t, el.y + el.h), (el.x + el.w - t, el.y, el.x + el.w, el.y + el.h)])
            drawn += [("box", edge) for edge in edges]
    for name, bounds in drawn:
        assert not _meets(bounds, zone), (template, dpi, name)
    texts = [(el.name, (el.x, el.y, el.x + el.w, el.y + el.h)) for el in _texts(scene)]
    for i, (name, a) in enumerate(texts):
        for other, b in texts[i + 1:]:
            assert not _meets(a, b), (template, dpi, name, other)


def test_long_address_wraps_and_shrinks_but_stays_whole(samples):
    shipment = samples[0]
    long_address = "建设路" + "幸福里社区东门南侧" * 9
    label = compose(shipment, masked=hand_masked(shipment, address=long_address))
    (el,) = [t for t in _texts(label.scene) if t.name == "recipient_address"]
    region = load_template("waybill-100x150").layouts[0].regions["recipient_address"]
    assert el.size_mm < region["size_mm"]
    assert el.size_mm >= region["min_size_mm"]
    laid = layout(el, 203)
    assert laid.fits and len(laid.lines) >= 2
    assert "".join(line.text for line in laid.lines).replace(" ", "") == el.text.replace(" ", "")


def test_overflowing_field_is_an_error_naming_it(samples):
    shipment = samples[0]
    huge = "幸福里社区东门南侧" * 60
    with pytest.raises(TextOverflowError) as err:
        compose(shipment, masked=hand_masked(shipment, address=huge))
    assert err.value.field == "recipient.address"
    assert "recipient.address" in str(err.value)
    assert "幸福里" not in str(err.value)  # never the text itself
    assert err.value.hint


def test_qr_too_large_reports_its_version(samples):
    payload_len = 2900
    with pytest.raises(QrTooLargeError) as err:
        compose(samples[0], seal_len=payload_len)
    expected = qr_matrix(StandInSeal(payload_len).seal(None), "M").version
    assert err.value.version == expected
    assert f"version {expected}" in str(err.value)


def test_long_seal_moves_to_the_large_qr_layout_or_refuses(samples):
    label = compose(samples[0], seal_len=1500)
    assert label.layout == "large-qr" and label.qr_version >= 20
    (qr,) = [el for el in label.scene.elements if isinstance(el, QRCode)]
    assert qr.module_dots == 4  # never a smaller module to squeeze it in
    with pytest.raises(QrTooLargeError) as err:
        compose(samples[0], "waybill-76x130", seal_len=1500)
    assert err.value.version == label.qr_version


def test_seal_is_called_once_and_can_be_reused(samples):
    seal = StandInSeal()
    first = compose_label(samples[0], sealer=seal, masked=hand_masked(samples[0]), printed_at=WHEN)
    second = compose_label(samples[0], "waybill-4x6", sealer=seal, masked=first.masked, qr_text=first.qr_text,
                           printed_at=WHEN)
    assert seal.calls == 1 and second.qr_text == first.qr_text


def test_reprint_mark_piece_and_print_time(samples):
    plain = compose(samples[0])
    assert not any("REPRINT" in el.text for el in _texts(plain.scene))
    marked = compose(samples[0], reprint="damaged", piece=(2, 3))
    texts = {el.name: el.text for el in _texts(marked.scene)}
    assert "REPRINT" in texts["reprint"] and "damaged" in texts["reprint"]
    assert texts["piece"] == "2/3"
    assert "2026-11-28 09:30" in texts["printed"]
    (mark,) = [el for el in _texts(marked.scene) if el.name == "reprint"]
    assert mark.inverse


def test_sort_codes_from_table_and_derived(samples):
    wuhan = samples[0]
    assert sort_code(wuhan, hand_masked(wuhan)) == "027-HS 03"
    # a district not in the table falls back to its city's route
    other = wuhan.with_recipient(district="武昌区")
    assert sort_code(other, hand_masked(other)) == "027-WH 00"
    # an unlisted province is derived from the destination
    nanjing = wuhan.with_recipient(province="江苏省", city="南京市", district="鼓楼区")
    assert sort_code(nanjing, hand_masked(nanjing)) == "苏 南京-鼓楼"
    rio = samples[26]
    assert sort_code(rio, hand_masked(rio)) == "RJ 22070"
    london = samples[33]
    assert sort_code(london, hand_masked(london)) == "GB NW1"


def test_banner_and_large_sort_code(samples):
    label = compose(samples[0])
    texts = {el.name: el for el in _texts(label.scene)}
    assert texts["banner_service"].text.startswith("标准快递")
    assert texts["sort_code"].size_mm >= 10  # the largest text on the label
    assert texts["sort_code"].size_mm == max(el.size_mm for el in texts.values())
    assert texts["recipient_name"].size_mm > texts["sender_name"].size_mm


def test_missing_glyph_is_a_warning_naming_the_field(samples):
    shipment = samples[0]
    masked = hand_masked(shipment)
    odd = MaskedView(MaskedParty(**{**masked.recipient.to_dict(), "name": "\U000e01ef\U0010fffd*"}), masked.sender, "x")
    label = compose(shipment, masked=odd)
    assert any(w.startswith("recipient_name") for w in label.warnings)
    assert not compose(shipment).warnings


def test_qr_size_follows_whole_dots(samples):
    label = compose(samples[0], dpi=300)
    (qr,) = [el for el in label.scene.elements if isinstance(el, QRCode)]
    assert qr.size_mm(300) == pytest.approx(dots_to_mm(qr_matrix(label.qr_text).size * 6, 300))


@pytest.mark.parametrize("template, has_large", [("waybill-100x150", True), ("waybill-100x180", True),
                                                  ("waybill-4x6", True), ("waybill-76x130", False),
                                                  ("waybill-72x130", False)])
@pytest.mark.parametrize("dpi", [203, 300])
def test_large_qr_layouts_hold_a_long_seal_or_refuse(samples, template, has_large, dpi):
    if has_large:
        label = compose(samples[0], template, seal_len=1300, dpi=dpi, reprint="damaged")
        assert label.layout == "large-qr"
        label.scene.validate(dpi)
        for el in _texts(label.scene):
            assert layout(el, dpi).fits, el.name
        (qr,) = [el for el in label.scene.elements if isinstance(el, QRCode)]
        assert qr.module_dots == {203: 4, 300: 6}[dpi]
    else:
        with pytest.raises(QrTooLargeError):
            compose(samples[0], template, seal_len=1300, dpi=dpi)


def test_other_dpis_keep_the_physical_module_size():
    tpl = load_template("waybill-100x150")
    assert tpl.qr_module_dots(203) == 4 and tpl.qr_module_dots(300) == 6
    assert tpl.qr_module_dots(600) == 12  # scaled from the nearest listed dpi, in whole dots
    assert tpl.barcode_module_dots(203) == [4, 3, 2]


def test_a_logo_region_draws_its_picture(tmp_path):
    import io

    from PIL import Image as PILImage

    from desktop.compose.compose import _logo
    from printers.scene import Image

    buf = io.BytesIO()
    PILImage.new("1", (40, 10), 0).save(buf, "PNG")
    path = tmp_path / "logo.png"
    path.write_bytes(buf.getvalue())
    logo = _logo({"x": 2, "y": 3, "w": 20, "h": 5, "file": str(path)})
    assert isinstance(logo, Image) and logo.png == buf.getvalue() and (logo.w, logo.h) == (20, 5)
    assert _logo({"x": 2, "y": 3, "w": 20, "h": 5, "file": None}) is None


def test_piece_must_be_n_of_total(samples):
    from desktop.compose import ComposeError

    for bad in ((0, 1), (3, 2), (1,)):
        with pytest.raises(ComposeError):
            compose(samples[0], piece=bad)
    assert compose(samples[0], piece=(3, 3)).scene


def test_a_template_logo_is_printed_and_a_missing_one_is_said(samples, tmp_path, monkeypatch):
    """A merchant's logo set in the template reaches the printed pixels; a logo file that went
    missing is a warning naming it, not a silent blank."""
    import io
    import json as jsonlib
    import shutil

    from PIL import Image as PILImage

    from desktop.compose import templates as tpl_module
    from printers.render.raster import render_raster

    folder = tmp_path / "templates"
    shutil.copytree(tpl_module.templates_dir(), folder)
    data = jsonlib.loads((folder / "waybill-100x150.json").read_text(encoding="utf-8"))
    region = data["regions"]["logo"]
    region["file"] = "logo.png"
    (folder / "waybill-100x150.json").write_text(jsonlib.dumps(data), encoding="utf-8")
    buf = io.BytesIO()
    PILImage.new("1", (80, 20), 0).save(buf, "PNG")  # a solid black logo
    monkeypatch.setattr(tpl_module, "templates_dir", lambda: folder)
    monkeypatch.setattr("desktop.compose.compose.templates_dir", lambda: folder)
    tpl_module.load_template.cache_clear()
    try:
        missing = compose(samples[0])
        assert any(w.startswith("logo:") and "logo.png" in w for w in missing.warnings)
        (folder / "logo.png").write_bytes(buf.getvalue())
        label = compose(samples[0])
        assert not label.warnings
        image = render_raster(label.scene, 203, "L")
        dots = 203 / 25.4
        box = (int((region["x"] + 1) * dots), int((region["y"] + 1) * dots),
               int((region["x"] + region["w"] - 1) * dots), int((region["y"] + region["h"] - 1) * dots))
        assert image.crop(box).getextrema()[1] < 128  # the logo's area is inked
        blank = render_raster(missing.scene, 203, "L").crop(box)
        assert blank.getextrema()[0] > 128  # and was blank without it
    finally:
        tpl_module.load_template.cache_clear()


@pytest.mark.parametrize("template", TEMPLATES)
def test_recipient_block_is_the_largest_text_after_the_sort_code(samples, template):
    """The courier reads the sort code from afar, then the recipient: on every template the
    recipient's name and address are larger than the sender's, the parcel's and the service's text (the
    carrier banner is the brand, drawn as large as the name)."""
    for index in (0, 25, 36):
        sizes: dict[str, float] = {}
        for el in _texts(compose(samples[index], template).scene):
            sizes[el.name] = max(sizes.get(el.name, 0.0), el.size_mm)  # the 100x180 stub repeats some, smaller
        others = [sizes[n] for n in ("sender_name", "sender_address", "parcel", "printed", "qr_caption", "banner_service")]
        assert sizes["sort_code"] == max(sizes.values()), template
        assert min(sizes["recipient_name"], sizes["recipient_address"]) > max(others), (template, index, sizes)
