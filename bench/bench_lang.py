"""Printer-language output for a 100x150 mm CJK waybill: bytes per label per language and
text mode (resident font vs bitmaps), stored graphics (first label vs later labels), encode
time, and wire time at 9600 / 115200 baud beside the print time at 4 and 6 ips.

The scene is built here to look like a real waybill (banner, large sort code, four
recipient lines at 4.5 mm, sender and parcel blocks, Code128, a ~380-character Base45 QR,
boxes and rules). Each label has its own recipient and QR payload, so encode time includes
the recipient's text bitmaps; the QR matrix is computed beforehand, as label composition
already does once per label.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import median_seconds, table

from printers.lang import LabelEncoder, encode
from printers.profiles import load_profile
from printers.scene import Barcode128, Box, Line, QRCode, Scene, Text

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
DISTRICTS = ["南山区科技园路", "福田区深南大道", "朝阳区建国路", "天河区体育西路", "西湖区文三路"]


def waybill(k: int, width_mm: float = 100.0) -> Scene:
    rng = random.Random(k)
    w = width_mm
    payload = "SG1:" + "".join(rng.choice(BASE45) for _ in range(376))
    name = SURNAMES[k % len(SURNAMES)] + "**"
    phone = "*******" + f"{rng.randrange(10000):04d}"
    district = DISTRICTS[k % len(DISTRICTS)]
    qr_x = 6
    return Scene(w, 150, (
        Box(1, 1, w - 2, 148, 0.4),
        Text(4, 3, w - 8, 8, "标准快递  STANDARD EXPRESS", size_mm=5, bold=True),
        Line(1, 12, w - 1, 12, 0.4),
        Text(4, 14, w - 8, 14, "755W-B07", size_mm=11, bold=True, align="center"),
        Line(1, 29, w - 1, 29, 0.4),
        Text(4, 31, w - 8, 6, f"收  {name}  {phone}", size_mm=4.5, name="recipient"),
        Text(4, 37, w - 8, 6, "广东省 深圳市", size_mm=4.5),
        Text(4, 43, w - 8, 6, f"{district}**号", size_mm=4.5),
        Text(4, 49, w - 8, 6, "**栋 ****室", size_mm=4.5),
        Line(1, 56, w - 1, 56, 0.4),
        Text(4, 58, w - 8, 5, "寄  李*  *******1234", size_mm=3.5),
        Text(4, 63, w - 8, 5, "浙江省杭州市西湖区文三路", size_mm=3.5),
        Line(1, 69, w - 1, 69, 0.4),
        Barcode128(6, 71, w - 12, 20, f"SG{20261128000000 + k:014d}CN", module_dots=2),
        Line(1, 94, w - 1, 94, 0.4),
        QRCode(qr_x, 98, payload, module_dots=4),
        Text(qr_x + 44, 98, w - qr_x - 48, 5, "件数 1/1  重量 1.2 kg", size_mm=3.5),
        Text(qr_x + 44, 104, w - qr_x - 48, 5, "内件 文件", size_mm=3.5),
        Text(qr_x + 44, 110, w - qr_x - 48, 5, "2026-11-28 14:05", size_mm=3.5),
        Text(4, 140, w - 8, 5, "扫码需授权 Sealed QR: authorised scanners only", size_mm=3),
    ))


CASES = [  # (profile, text mode, label width)
    ("zpl-203", "bitmaps", 100.0),
    ("zpl-203-cjkfont", "resident TTF (^CI28 ^A@)", 100.0),
    ("tspl-203", "bitmaps", 100.0),
    ("tspl-203-cn", "resident TSS24.BF2", 100.0),
    ("escpos-80", "bitmaps", 72.0),
    ("escpos-80-cn", "resident GB18030", 72.0),
]


PRINT_4 = f"{150 / 25.4 / 4:.2f} s"  # feeding 150 mm at 4 inches per second
PRINT_6 = f"{150 / 25.4 / 6:.2f} s"


def _cold() -> None:
    """Forget cached text bitmaps and layouts, so each profile pays for its own."""
    from printers.lang.textplan import line_bitmap
    from printers.textlayout import reset_caches

    line_bitmap.cache_clear()
    reset_caches()
    try:
        from printers.render.textbitmap import text_line_bitmap

        text_line_bitmap.cache_clear()
    except ImportError:
        pass


def _wire(n: int, baud: int) -> str:
    return f"{n * 10 / baud:.2f} s"  # 8N1: ten bits on the wire per byte


REAL_CASES = [  # (profile, text mode, template)
    ("tspl-203", "bitmaps", "waybill-100x150"),
    ("tspl-203-cn", "resident TSS24.BF2", "waybill-100x150"),
    ("zpl-203", "bitmaps", "waybill-100x150"),
    ("zpl-203-cjkfont", "resident TTF", "waybill-100x150"),
    ("escpos-80", "bitmaps", "waybill-72x130"),
]


def real_labels(template: str) -> list:
    """The default template filled with every sample shipment, sealed with demo keys (the
    seal is random, but only its length shows in the QR command)."""
    import json
    import os
    import tempfile

    from desktop.compose import compose_label
    from desktop.paths import sample_shipments_path
    from desktop.seal import Sealer, ensure_demo_keys
    from desktop.validation import validate

    with tempfile.TemporaryDirectory() as home:
        os.environ.setdefault("SIGILO_HOME", home)
        keys = Path(home) / "keys"
        ensure_demo_keys(keys)
        sealer = Sealer.from_keys_dir(keys)
        rows = [json.loads(line) for line in sample_shipments_path().read_text(encoding="utf-8").splitlines()
                if line.strip()]
        scenes = []
        for row in rows:
            result = validate(row)
            if result.ok:
                scenes.append(compose_label(result.shipment, template, sealer=sealer, dpi=203).scene)
        return scenes


def real_template() -> str:
    rows = []
    scenes_by_template: dict = {}
    for name, mode, template in REAL_CASES:
        scenes = scenes_by_template.get(template) or scenes_by_template.setdefault(template, real_labels(template))
        profile = load_profile(name)
        sizes = [len(encode(s, profile)) for s in scenes]
        stored = ["-"] * 4
        if profile.supports_storage:
            session = LabelEncoder(profile, store_graphics=True)
            run = [len(session.encode(s)) for s in scenes]
            stored = [f"{run[0]:,}", f"{run[1]:,}", f"{statistics.median(run[2:]):,.0f}", f"{max(run[2:]):,}"]
        rows.append([name, mode, template, str(len(scenes)), f"{statistics.median(sizes):,.0f}", f"{max(sizes):,}",
                     *stored])
    return "\n".join([
        ("The real default template (`waybill-100x150`; `waybill-72x130` on the 80 mm ESC/POS "
         "printer) filled with each of the sample shipments and sealed with demo keys: bytes per "
         "label, median and largest, sent stateless; and with stored graphics over one "
         "connection that prints them in a row (a bitmap seen twice is downloaded with the second "
         "label, so later labels recall captions and the sender's words from printer RAM). Goals: without resident fonts "
         "under 8 KB in ZPL and 12 KB in TSPL; with them under 1.5 KB."),
        "",
        table(["profile", "text", "template", "labels", "median bytes", "max bytes",
               "stored: label 1", "label 2 (stores)", "labels 3+ median", "labels 3+ max"], rows),
        "",
    ])


def bench() -> str:
    labels = 30
    rows = []
    for name, mode, width in CASES:
        profile = load_profile(name)
        scenes = [waybill(k, width) for k in range(labels)]
        for scene in scenes:
            scene.validate(profile.dpi)  # computes the QR matrix, as composition does
        _cold()
        start = time.perf_counter()
        sizes = [len(encode(s, profile)) for s in scenes]
        per_label = (time.perf_counter() - start) / labels
        warm = median_seconds(lambda s=scenes[0], p=profile: encode(s, p), runs=5, inner=5)
        size = max(sizes)
        rows.append([name, mode, f"{width:g}x150", f"{size:,}", f"{per_label * 1000:.1f} ms",
                     f"{warm * 1000:.2f} ms", _wire(size, 9600), _wire(size, 115200), PRINT_4, PRINT_6])
    out = [
        real_template(),
        ("Made-up waybill scene. Text mode *bitmaps*: lines the printer has no glyphs for go as tight 1-bit bitmaps, but "
        "runs of three or more characters its resident Latin font has (masked phone digits, "
        "dates, weights) stay text at their place in the line. "
        "Bytes of one 100x150 mm CJK waybill (72x150 mm on the 80 mm ESC/POS printers), the "
        "largest of 30 labels with different recipients and QR payloads. *Encode* is per label "
        "with the recipient's bitmaps new (each label different); *again* re-encodes one label "
        "whose bitmaps are cached. Wire time is 10 bits a byte."),
        "",
        table(["profile", "text", "label mm", "bytes", "encode", "again", "wire 9600 baud", "wire 115200 baud",
               "print at 4 ips", "print at 6 ips"], rows),
        "",
        "Sending keeps up with printing at 4 ips for: "
        + ", ".join(r[0] + " @ " + b for r in rows for b, col in (("9600", 6), ("115200", 7))
                    if float(r[col][:-2]) <= 150 / 25.4 / 4) + ".",
        "",
    ]
    store_rows = []
    for name in ("zpl-203", "tspl-203"):
        profile = load_profile(name)
        session = LabelEncoder(profile, store_graphics=True)
        sizes = [len(session.encode(waybill(k))) for k in range(4)]
        store_rows.append([name, f"{sizes[0]:,}", f"{sizes[1]:,}", f"{sizes[2]:,}", f"{sizes[3]:,}",
                           f"{session.memory.used_bytes:,}"])
    out += [
        ("Stored graphics (bitmap text, profiles that allow storage): a bitmap seen a second time "
        "is downloaded into the printer's RAM (ZPL `~DG`/`^XG`, TSPL `DOWNLOAD`/`PUTBMP`) and "
        "recalled afterwards (TSPL stores the pieces of a line, so captions and repeated words "
        "are reused); what is seen once, such as a recipient's own line, never is."),
        "",
        table(["profile", "label 1 bytes", "label 2 (stores)", "label 3", "label 4", "printer RAM used"], store_rows),
    ]
    try:
        from printers.lang.bitmap import from_image, z64
        from printers.render.raster import render_raster

        scene = waybill(0)
        image = render_raster(scene, 203, "1")
        full = from_image(image)
        raw = full.bytes_per_row * full.height
        zpl_full = len(z64(full)) + 40
        out += [
            "",
            (f"Baseline, the same label sent as a full-label 1-bit raster: {raw:,} bytes raw "
            f"(TSPL BITMAP; {_wire(raw, 9600)} at 9600, {_wire(raw, 115200)} at 115200 baud), "
            f"{zpl_full:,} bytes as one ZPL ^GF Z64 ({_wire(zpl_full, 9600)} / {_wire(zpl_full, 115200)})."),
        ]
    except ImportError:
        pass
    return "\n".join(out)


if __name__ == "__main__":
    print(bench())
