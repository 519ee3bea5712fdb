"""Composition benchmark: from a validated shipment to printer bytes (mask, seal, compose,
encode) per language and to a streamed PDF, against the do-it-yourself approach a merchant
writes (a Pillow image of the whole label with the qrcode package's make_image, sent as a raw
1-bit raster). Peak memory of a long PDF is measured in a child process (ru_maxrss), with the
labels produced by a generator so only one is alive at a time."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from common import table  # noqa: E402

BATCH = int(__import__("os").environ.get("SIGILO_BENCH_BATCH", 1000))
BASELINE_LABELS = 60
PDF_SIZES = tuple(int(x) for x in __import__("os").environ.get("SIGILO_BENCH_PDF", "2000,10000").split(","))


def _setup():
    from desktop.seal import Sealer, ensure_demo_keys
    from desktop.shipment import load_jsonl
    from desktop.paths import sample_shipments_path
    from desktop.validation import require_valid

    keys = Path(tempfile.mkdtemp(prefix="sigilo-bench-")) / "keys"
    ensure_demo_keys(keys)
    shipments = [require_valid(r) for r in load_jsonl(sample_shipments_path())]
    return keys, Sealer.from_keys_dir(keys), shipments


def _labels(sealer, shipments, n, template=None):
    """n labels, each masked and freshly sealed (a new QR every time, as in real printing)."""
    from desktop.compose import DEFAULT_TEMPLATE, compose_label

    for shipment in islice(cycle(shipments), n):
        yield compose_label(shipment, template or DEFAULT_TEMPLATE, sealer=sealer)


def _pipeline(sealer, shipments, fmt, profile, template=None):
    from desktop.compose.outputs import render_label

    start = time.perf_counter()
    size = 0
    for label in _labels(sealer, shipments, BATCH, template):
        size += len(render_label(label, fmt, profile))
    elapsed = time.perf_counter() - start
    return elapsed, size / BATCH


def _diy_label(shipment, font_path):
    """What a merchant writes: draw everything with Pillow, QR by the qrcode package, then send
    the 1-bit image as a raw raster (TSPL BITMAP-style rows, 1 bit a dot)."""
    import barcode
    import qrcode
    from barcode.writer import ImageWriter
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (800, 1200), 255)
    draw = ImageDraw.Draw(img)
    big, mid, small = (ImageFont.truetype(str(font_path), s) for s in (96, 40, 24))
    r = shipment.recipient
    draw.text((40, 10), "SIGILO 速递  " + shipment.service, font=mid, fill=0)
    draw.text((120, 90), f"{r.province[:1]} {r.city}", font=big, fill=0)
    code = barcode.get("code128", shipment.tracking_number, writer=ImageWriter())
    bar = code.render({"module_width": 0.375, "module_height": 14, "dpi": 203, "write_text": True, "font_size": 8})
    img.paste(bar.convert("L"), (60, 230))
    draw.text((40, 430), f"{r.name[:1]}**  *******{r.phone[-4:]}", font=mid, fill=0)
    draw.text((40, 490), f"{r.province} {r.city} {r.district} {r.street}", font=small, fill=0)
    s = shipment.sender
    draw.text((40, 600), f"{s.name} {s.phone}", font=small, fill=0)
    draw.text((40, 640), f"{s.province} {s.city} {s.district} {s.street}", font=small, fill=0)
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=4, border=4)
    qr.add_data(json.dumps(shipment.to_dict(), ensure_ascii=False))  # unsealed, as a merchant would
    qr.make(fit=True)
    qimg = qr.make_image().get_image().convert("L")
    img.paste(qimg, (420, 700))
    draw.text((40, 720), f"{shipment.parcel.items}  {shipment.parcel.weight_kg} kg", font=small, fill=0)
    return img.convert("1").tobytes()


def _diy(shipments):
    from printers.fonts import cjk_font_path

    font = cjk_font_path()
    start = time.perf_counter()
    size = 0
    for shipment in islice(cycle(shipments), BASELINE_LABELS):
        size += len(_diy_label(shipment, font))
    return (time.perf_counter() - start) / BASELINE_LABELS, size / BASELINE_LABELS


CHILD = r"""
import resource, sys, time
sys.path.insert(0, {root!r})
from itertools import cycle, islice
from pathlib import Path
from desktop.compose import compose_label
from desktop.compose.outputs import write_pdf
from desktop.seal import Sealer
from desktop.shipment import load_jsonl
from desktop.paths import sample_shipments_path
from desktop.validation import require_valid
sealer = Sealer.from_keys_dir(Path({keys!r}))
shipments = [require_valid(r) for r in load_jsonl(sample_shipments_path())]
def labels(n):
    for s in islice(cycle(shipments), n):
        yield compose_label(s, sealer=sealer)
write_pdf(labels(5), {out!r})  # warm caches, fonts and imports
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
pages = write_pdf(labels({n}), {out!r})
elapsed = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(pages, elapsed, before, after, Path({out!r}).stat().st_size)
"""


def _pdf_memory(keys: Path, n: int):
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "labels.pdf")
        code = CHILD.format(root=str(ROOT), keys=str(keys), out=out, n=n)
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=3600, check=True)
    pages, elapsed, before, after, size = result.stdout.split()
    return int(pages), float(elapsed), int(before) / 1024, int(after) / 1024, int(size)


def bench() -> str:
    from desktop.compose.outputs import load_printer_profile

    keys, sealer, shipments = _setup()
    list(_labels(sealer, shipments, 5))  # warm fonts and caches
    rows = []
    results = {}
    for fmt, profile_name, template in (("zpl", "zpl-203", None), ("tspl", "tspl-203", None),
                                        ("escpos", "escpos-80", "waybill-72x130")):
        profile = load_printer_profile(profile_name)
        elapsed, size = _pipeline(sealer, shipments, fmt, profile, template)
        results[fmt] = (elapsed, size)
    from desktop.compose.outputs import write_pdf

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_pdf(_labels(sealer, shipments, BATCH), Path(tmp) / "batch.pdf")
        pdf_elapsed = time.perf_counter() - start
        pdf_size = (Path(tmp) / "batch.pdf").stat().st_size / BATCH
    diy_seconds, diy_bytes = _diy(shipments)
    for fmt, (elapsed, size) in results.items():
        per = elapsed / BATCH
        rows.append([fmt.upper() + (" (72x130)" if fmt == "escpos" else ""), f"{BATCH / elapsed:.0f}", f"{per * 1000:.1f}",
                     f"{size / 1024:.1f} KB", f"{size * 10 / 115200:.2f} s", f"{diy_seconds / per:.1f}x",
                     f"{diy_bytes / size:.1f}x"])
    rows.append(["PDF (one file, streamed)", f"{BATCH / pdf_elapsed:.0f}", f"{pdf_elapsed / BATCH * 1000:.1f}",
                 f"{pdf_size / 1024:.1f} KB/page", "-", f"{diy_seconds / (pdf_elapsed / BATCH):.1f}x", "-"])
    rows.append(["baseline: Pillow + qrcode make_image, raw raster", f"{1 / diy_seconds:.0f}", f"{diy_seconds * 1000:.1f}",
                 f"{diy_bytes / 1024:.1f} KB", f"{diy_bytes * 10 / 115200:.2f} s", "1.0x", "1.0x"])
    memory_rows = []
    for n in PDF_SIZES:
        pages, elapsed, before, after, size = _pdf_memory(keys, n)
        memory_rows.append([f"{pages:,}", f"{elapsed:.0f} s", f"{before:.0f} MB", f"{after:.0f} MB",
                            f"{after - before:.0f} MB", f"{size / 1e6:.0f} MB"])
    return "\n\n".join([
        f"Shipment to bytes: mask, seal (a fresh QR per label), compose the 100x150 mm template at 203 dpi "
        f"(ESC/POS: the 72x130 template, as 80 mm printers print 72 mm wide) and encode, for a batch of "
        f"{BATCH:,} labels cycling the 40 samples. Baseline in the same run: the do-it-yourself label a "
        f"merchant writes ({BASELINE_LABELS} labels), drawn whole with Pillow, QR by the qrcode package's "
        f"make_image (unsealed JSON), sent as a raw 1-bit raster. Serial time is the bytes at 115200 baud (8N1).",
        table(["output", "labels/s", "ms/label", "bytes/label", "at 115200 baud", "speed vs baseline",
               "smaller than baseline"], rows),
        "Peak memory of one long PDF, labels composed by a generator and streamed into render_pdf "
        "(child process; RSS peak before the run, after warm-up, and after):",
        table(["pages", "time", "RSS before", "RSS peak", "growth", "file"], memory_rows),
    ])


if __name__ == "__main__":
    print(bench())
