"""Fuzz targets for what reaches Sigilo from outside, shared by the seeded, bounded tests
(tests/test_fuzz.py, hypothesis) and the longer run (bench/bench_fuzz.py, which writes its
counts to BENCHMARKS.md).

Each target takes one input and returns "opened" (accepted and fully processed) or "refused"
(a typed Sigilo error with a message and a hint — what a user sees). Anything else that escapes
is a crash; an input that takes longer than ``HANG_SECONDS`` is a hang. Both fail the run.
"""

from __future__ import annotations

import io
import json
import random
import signal
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from desktop.errors import SigiloError

HANG_SECONDS = 20.0
T0 = 1_795_000_000
NOW = T0 + 3600


class Hang(Exception):
    pass


@contextmanager
def watchdog(seconds: float = HANG_SECONDS):
    """Raise Hang in the (main) thread if the block runs longer than ``seconds``."""
    def fire(signum, frame):
        raise Hang(f"one input ran over {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass
class Counts:
    target: str
    inputs: int = 0
    refused: int = 0
    opened: int = 0
    crashes: int = 0
    hangs: int = 0
    first_crash: str = ""
    refusal_kinds: dict = field(default_factory=dict)

    def run(self, fn, data, *, raise_crash: bool = True) -> str:
        """One input through ``fn``; counts the outcome. A crash or hang is re-raised (so
        hypothesis shrinks it) unless ``raise_crash`` is False (the bench counts them all)."""
        self.inputs += 1
        try:
            with watchdog():
                outcome = fn(data)
        except SigiloError as exc:
            self.refused += 1
            kind = getattr(exc, "reason", type(exc).__name__)
            self.refusal_kinds[kind] = self.refusal_kinds.get(kind, 0) + 1
            return "refused"
        except Hang:
            self.hangs += 1
            self.first_crash = self.first_crash or f"hang on {data!r:.200}"
            if raise_crash:
                raise
            return "hang"
        except Exception as exc:
            self.crashes += 1
            self.first_crash = self.first_crash or f"{type(exc).__name__}: {exc} on {data!r:.200}"
            if raise_crash:
                raise
            return "crash"
        assert outcome == "opened", outcome
        self.opened += 1
        return "opened"

    def row(self) -> list:
        return [self.target, self.inputs, self.refused, self.opened, self.crashes, self.hangs]

    def line(self) -> str:
        return (f"fuzz {self.target}: inputs {self.inputs}, refused {self.refused}, opened {self.opened}, "
                f"crashes {self.crashes}, hangs {self.hangs}")


# -- the world the targets run in ------------------------------------------------------------

class World:
    """Demo keys, a sealer and a scanner, sample texts, label images and exports, made once."""

    def __init__(self, root: Path, shared_data: Path) -> None:
        from desktop.seal import Scanner, Sealer, ensure_demo_keys
        from desktop.shipment import Shipment, load_jsonl

        self.root = root
        keys = root / "keys"
        ensure_demo_keys(keys)
        self.sealer = Sealer.from_keys_dir(keys)
        self.scanner = Scanner.from_keys_dir(keys)
        rows = load_jsonl(shared_data / "shipments.jsonl")
        self.shipments = [Shipment.from_dict(r) for r in rows[:6]] + [Shipment.from_dict(rows[30])]
        self.seals = [self.sealer.seal(s, issued_at=T0) for s in self.shipments]
        self.csv_files = [(shared_data / "shop_export_shopify.csv").read_bytes(),
                          (shared_data / "shop_export_cn.csv").read_bytes()]
        self.xlsx = _xlsx_bytes(self.csv_files[0])
        self.png = _label_png(self.seals[0], self.shipments[0].tracking_number)
        self.scratch = Path(tempfile.mkdtemp(prefix="fuzz-", dir=root))

    # targets ---------------------------------------------------------------------------

    def scan_text(self, text: str) -> str:
        self.scanner.open(text, now=NOW)
        return "opened"

    def scan_text_with_barcode(self, pair: tuple[str, str]) -> str:
        self.scanner.open(pair[0], barcode=pair[1], now=NOW)
        return "opened"

    def seal_payload(self, plaintext: bytes) -> str:
        """A validly encrypted and signed seal around any plaintext: only §3 stands in the way."""
        from tests.sealkit import seal_raw

        opened = self.scanner.open(seal_raw(self.sealer, plaintext), now=NOW)
        _roundtrip(opened.shipment)
        return "opened"

    def payload(self, plaintext: bytes) -> str:
        from desktop.seal.errors import MalformedSeal
        from desktop.seal.payload import PayloadError, decode_shipment

        try:
            shipment = decode_shipment(plaintext, "SG7700000000")
        except PayloadError as exc:
            raise MalformedSeal(str(exc)) from None
        _roundtrip(shipment)
        return "opened"

    def image(self, data: bytes) -> str:
        from desktop.seal.image import read_label_image

        path = self.scratch / "label.png"
        path.write_bytes(data)
        read_label_image(path)
        return "opened"

    def csv(self, data: bytes) -> str:
        return self._import(data, ".csv")

    def xlsx_file(self, data: bytes) -> str:
        return self._import(data, ".xlsx")

    def _import(self, data: bytes, suffix: str) -> str:
        from desktop.importer import import_table, read_table, recognise

        path = self.scratch / f"orders{suffix}"
        path.write_bytes(data)
        table = read_table(path)
        report = import_table(table, recognise(table.headers), source=path.name)
        report.write_csv(self.scratch / "report.csv")
        json.dumps([r.row for r in report.rows])
        return "opened"

    def status_reply(self, data: bytes) -> str:
        from printers import status as st

        for parse in (st.parse_tspl_status, st.parse_tspl_extended, st.parse_zpl_hqes, st.parse_zpl_hs,
                      st.parse_escpos_status):
            result = parse(data)
            assert isinstance(result, st.PrinterStatus), result
            str(result)
        count = st.parse_zpl_label_count(data)
        assert count is None or isinstance(count, int)
        if st.parse_tspl_status(data).state == st.PrinterState.UNKNOWN:
            from desktop.seal.errors import MalformedSeal

            raise MalformedSeal("status reply not understood")  # counted as refused: shown as "unknown"
        return "opened"

    def printer_input(self, chunks: tuple[str, list[bytes]]) -> str:
        """The simulated printer's input parser, fed in arbitrary chunks."""
        from printers.labelstream import LabelStream

        language, parts = chunks
        stream = LabelStream(language)
        events = []
        for part in parts:
            events += stream.feed(part)
        whole = LabelStream(language).feed(b"".join(parts))
        assert [(e.kind, e.data) for e in events] == [(e.kind, e.data) for e in whole], "chunking changed the events"
        return "opened"


def _roundtrip(shipment) -> None:
    """An opened shipment re-seals to itself, and shows (JSON, text) without error."""
    from desktop.seal.payload import decode_shipment, encode_shipment, pad

    again = decode_shipment(pad(encode_shipment(shipment)), shipment.tracking_number)
    assert again == shipment or json.dumps(again.to_dict(), sort_keys=True) == json.dumps(shipment.to_dict(), sort_keys=True)
    json.dumps(shipment.to_dict(), ensure_ascii=False)
    for party in (shipment.recipient, shipment.sender):
        " ".join(str(x) for x in (party.name, party.phone, party.country, party.city, party.postcode))
    str(shipment.parcel.weight_kg), str(shipment.parcel.declared_value), str(shipment.parcel.pieces)


def _xlsx_bytes(csv_bytes: bytes) -> bytes:
    import csv as csvmod

    import openpyxl

    book = openpyxl.Workbook()
    for row in csvmod.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _label_png(seal: str, tracking: str) -> bytes:
    from tests.test_scan_cli import _label_image

    out = io.BytesIO()
    _label_image(seal, tracking).save(out, "PNG")
    return out.getvalue()


# -- mutation, for both hypothesis and the seeded bench loop ---------------------------------

B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def mutate_text(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.choice((0, 1, 1, 2, 3, 8))):
        op = rng.randrange(5)
        i = rng.randrange(len(chars) + 1)
        if op == 0 and chars:
            chars[min(i, len(chars) - 1)] = rng.choice(B45 + "abc\x00\n\u2028é漢")
        elif op == 1:
            chars.insert(i, rng.choice(B45))
        elif op == 2 and chars:
            del chars[min(i, len(chars) - 1)]
        elif op == 3:
            chars = chars[: max(4, i)]
        else:
            chars[i:i] = list(rng.choice(B45) * rng.randrange(1, 40))
    return "".join(chars)


def mutate_bytes(rng: random.Random, data: bytes, max_edits: int = 8) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randrange(1, max_edits + 1)):
        op = rng.randrange(6)
        i = rng.randrange(len(out) + 1)
        if op == 0 and out:
            out[min(i, len(out) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1 and out:
            out[min(i, len(out) - 1)] = rng.choice((0, 0xFF, 0x7F, 0x80, rng.randrange(256)))
        elif op == 2:
            out[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
        elif op == 3 and out:
            del out[i:i + rng.randrange(1, 64)]
        elif op == 4 and len(out) > 8:
            j = rng.randrange(len(out))
            out[i:i] = out[j:j + rng.randrange(1, 32)]  # splice a piece of itself
        else:
            out = out[: max(1, i)]
    return bytes(out)


def mutate_xlsx(rng: random.Random, data: bytes) -> bytes:
    """Either raw bytes damage, or a member's XML changed and the archive rebuilt (so the
    damage reaches the parser instead of stopping at the zip's CRC)."""
    if rng.random() < 0.4:
        return mutate_bytes(rng, data)
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    name = rng.choice(sorted(parts))
    parts[name] = mutate_bytes(rng, parts[name], 4)
    if rng.random() < 0.2:
        parts.pop(rng.choice(sorted(parts)), None)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for n, b in parts.items():
            dst.writestr(n, b)
    return out.getvalue()


def random_cbor(rng: random.Random, depth: int = 0):
    """Values of the shapes the payload uses, and of shapes it does not (huge ints, floats,
    nulls, nested lists), for cbor2 to encode (tags and all)."""
    pick = rng.randrange(12 if depth < 3 else 8)
    if pick == 0:
        return rng.choice((0, 1, 5, 23, 24, 255, 2**32, 2**64 - 1, -1, 10**15, 10**20, -(10**30), 10**5000))
    if pick == 1:
        return "".join(rng.choice("abc 刘建国+0123\u2028\x00") for _ in range(rng.randrange(0, 12)))
    if pick == 2:
        return "".join(rng.choice("测试").encode("utf-16-be").decode("latin-1") for _ in range(2)).encode("latin-1")
    if pick == 3:
        return rng.choice((0.0, 1.24, -0.0, 1e308, float("inf"), float("nan"), 59.0))
    if pick == 4:
        return rng.choice((True, False, None))
    if pick == 5:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 9)))
    if pick == 6:
        return [rng.randrange(10**12), rng.randrange(1, 19)]
    if pick == 7:
        return rng.randrange(-5, 10**14)
    keys = list(range(0, 12)) + [True, 1.0, "1", -1, 2**64 - 1]
    return {rng.choice(keys): random_cbor(rng, depth + 1) for _ in range(rng.randrange(0, 8))}


def payload_input(rng: random.Random, seed_payloads: list[bytes]) -> bytes:
    import cbor2

    from desktop.seal.payload import pad

    roll = rng.random()
    if roll < 0.35:
        return mutate_bytes(rng, rng.choice(seed_payloads))
    if roll < 0.7:
        value = {rng.choice((1, 2, 3, 4, 5)): random_cbor(rng, 1) for _ in range(rng.randrange(1, 5))}
        try:
            return pad(cbor2.dumps(value))
        except Exception:  # cbor2 cannot encode some (e.g. a dict key it refuses): raw bytes then
            return bytes(rng.randrange(256) for _ in range(32))
    if roll < 0.85:
        return rng.choice(seed_payloads)  # untouched: these must open
    return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300)))


PRINTER_SEEDS = {
    "tspl": b'SIZE 100 mm,150 mm\r\nGAP 3 mm,0\r\nCLS\r\nTEXT 10,10,"3",0,1,1,"SG7700000000"\r\n'
            b"BITMAP 0,0,2,2,0,\x00\xff\x0f\xf0\r\nBARCODE 10,200,\"128\",80,1,0,2,2,\"SG7700000000\"\r\n"
            b"PRINT 1,1\r\n\x1b!?\x1b!S",
    "zpl": b"^XA^CI28^FO10,10^A0N,30,30^FDSG7700000000^FS^FO10,60^GFA,4,4,2,FFFF^FS"
           b"^FO10,100^BQN,2,4^FDMA,SG1:ABC^FS^PQ2^XZ~HQES~HS",
    "escpos": b"\x1b@\x1ba\x01SG7700000000\n\x1dv0\x00\x01\x00\x02\x00\xff\xff\x1dV\x00\x10\x04\x01\x10\x04\x04",
}


def printer_input(rng: random.Random) -> tuple[str, list[bytes]]:
    language = rng.choice(sorted(PRINTER_SEEDS))
    data = PRINTER_SEEDS[language] * rng.randrange(1, 4)
    if rng.random() < 0.8:
        data = mutate_bytes(rng, data, 12)
    cuts = sorted(rng.randrange(len(data) + 1) for _ in range(rng.randrange(0, 6)))
    parts, last = [], 0
    for c in cuts + [len(data)]:
        parts.append(data[last:c])
        last = c
    return language, parts


def image_input(rng: random.Random, png: bytes) -> bytes:
    from tests.sealkit import png_header_only

    roll = rng.random()
    if roll < 0.15:
        return png  # must open
    if roll < 0.3:
        return png_header_only(rng.choice((1, 7000, 20000, 65535)), rng.choice((1, 8000, 30000, 65535)))
    if roll < 0.4:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 2000)))
    return mutate_bytes(rng, png, 6)


def text_input(rng: random.Random, seals: list[str]) -> str:
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(seals)  # must open
    if roll < 0.25:
        return rng.choice(seals).lower() + rng.choice(("", "\r\n", " \t"))
    if roll < 0.35:
        return "".join(rng.choice(B45 + "\x00\u2028é") for _ in range(rng.randrange(0, 700)))
    if roll < 0.45:
        from desktop.seal.base45 import b45decode, b45encode

        raw = b45decode(rng.choice(seals)[4:])
        return "SG1:" + b45encode(mutate_bytes(rng, raw, 4))  # valid Base45, damaged envelope
    return mutate_text(rng, rng.choice(seals))


def csv_input(rng: random.Random, files: list[bytes]) -> bytes:
    data = rng.choice(files)
    roll = rng.random()
    if roll < 0.15:
        return data  # must open (a report, valid rows or not)
    if roll < 0.25:
        text = data.decode("gb18030" if b"\xef\xbb\xbf" not in data[:3] and not _utf8(data) else "utf-8-sig")
        return text.encode(rng.choice(("utf-8", "utf-8-sig", "gb18030", "utf-16", "cp1252")), errors="replace")
    if roll < 0.3:
        return data[: rng.randrange(len(data))] + b'"' + b"x" * rng.choice((10, 140_000))
    return mutate_bytes(rng, data, 10)


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False
