"""The label face in the label's language: captions are per-language data, chosen by the
recipient's country (CN bilingual Chinese + English, BR Portuguese, others English), by the
template or by the station; masked fields and the seal are the same whatever the language.
Each output is read back with a tool of its own: PDF by pdftotext, ZPL by zplkit's parser,
PNG by tesseract's OCR."""

from __future__ import annotations

import subprocess

import pytest

from desktop.compose import compose_label
from desktop.compose.captions import caption_set, language_for, label_languages
from desktop.compose.outputs import render_label
from desktop.validation import require_valid

PT = ("Peso:", "Volumes:", "Valor declarado:", "Pedido:", "Leia com um", "dispositivo autorizado", "REMET.")
ZH = ("重量 Weight:", "件数 Pieces:", "声明价值 Value:", "授权设备扫码")


@pytest.fixture(scope="module")
def sealer(tmp_path_factory):
    from desktop.seal import Sealer, ensure_demo_keys

    path = tmp_path_factory.mktemp("caption-keys")
    ensure_demo_keys(path)
    return Sealer.from_keys_dir(path)


def _first(rows, country):
    return require_valid(next(r for r in rows if r["recipient"]["country"] == country))


def _pdf_text(label, tmp_path) -> str:
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(render_label(label, "pdf"))
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=120).stdout


def _zpl_texts(label, profile: str = "zpl-203") -> list[str]:
    """The text fields (^FD) of the label's ZPL; a profile whose printer has a CJK font sends
    Chinese as text too (zpl-203 draws it as graphics)."""
    import zplkit

    zpl = render_label(label, "zpl", profile)
    texts = []
    for element in zplkit._native.parse(zpl).elements:
        raw = bytes(element)
        if raw.startswith(b"^FD"):
            texts.append(raw[3:].decode("utf-8", "replace"))
    return texts


def test_language_follows_the_recipient_country_unless_chosen(sample_shipments):
    assert language_for("CN") == "zh-en" and language_for("BR") == "pt" and language_for("GB") == "en"
    assert language_for("", requested=None) == "zh-en"  # an old face without its country: as before
    assert language_for("BR", template="en") == "en"
    assert language_for("CN", requested="pt", template="en") == "pt"
    assert set(label_languages()) >= {"zh-en", "pt", "en"}
    # every set carries every caption the English one has (nothing falls back silently)
    english = set(caption_set("en"))
    for code in label_languages():
        assert english <= set(caption_set(code)), code


def test_station_setting_chooses_the_label_language(sample_shipments, sealer, sigilo_home):
    from desktop.i18n.language import write_setting

    write_setting("label_language", "en")
    label = compose_label(_first(sample_shipments, "CN"), sealer=sealer)
    texts = {getattr(e, "name", ""): getattr(e, "text", "") for e in label.scene.elements}
    assert texts["recipient_tag"] == "TO" and "Weight:" in texts["parcel"] and "重量" not in texts["parcel"]
    write_setting("label_language", None)


def test_br_label_is_portuguese_in_pdf_zpl_and_png(sample_shipments, sealer, tmp_path):
    br = _first(sample_shipments, "BR")
    label = compose_label(br, sealer=sealer, reprint="danificada")
    pdf = _pdf_text(label, tmp_path)
    for caption in PT + ("REIMPRESSÃO",):
        assert caption in pdf, caption
    for chinese in ("重量", "件数", "授权设备扫码", "补打", "收件", "标准快递"):
        assert chinese not in pdf
    zpl = "\n".join(_zpl_texts(label))
    for caption in ("Peso: 4.2 kg", "Volumes: 1", "Leia com um", "REMET.", "DEST.", "REIMPRESSÃO · danificada"):
        assert caption in zpl, caption
    assert "重量" not in zpl and "Weight" not in zpl
    png = tmp_path / "label.png"
    png.write_bytes(render_label(label, "png"))
    ocr = subprocess.run(["tesseract", str(png), "-", "-l", "por"], capture_output=True, text=True, check=True,
                         timeout=120).stdout
    for caption in ("Peso:", "Volumes:", "Valor declarado", "dispositivo autorizado", "REMET."):
        assert caption in ocr, (caption, ocr)
    # the masked face and the seal do not change with the language
    pt_face = {e.name: e.text for e in label.scene.elements if getattr(e, "name", "") == "recipient_name"}
    en_label = compose_label(br, sealer=sealer, caption_language="en", qr_text=label.qr_text)
    en_face = {e.name: e.text for e in en_label.scene.elements if getattr(e, "name", "") == "recipient_name"}
    assert pt_face == en_face and en_label.qr_text == label.qr_text


def test_cn_label_stays_bilingual(sample_shipments, sealer, tmp_path):
    label = compose_label(_first(sample_shipments, "CN"), sealer=sealer)
    pdf = _pdf_text(label, tmp_path)
    for caption in ("重量 Weight:", "Scan with an authorized device", "标准快递 STANDARD"):
        assert caption in pdf.replace("\n", " "), caption
    zpl = _zpl_texts(label, "zpl-203-cjkfont")
    assert "收" in zpl and "TO" in zpl and "寄" in zpl and "FROM" in zpl
    assert any(t.startswith("重量 Weight:") for t in "\n".join(zpl).splitlines())
    assert not [t for t in zpl if "Peso" in t or "Leia" in t]
