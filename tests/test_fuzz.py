"""Fuzzing kept in the suite (hardening issue, item 7): seeded (derandomized) hypothesis runs over
what comes from outside — scan text, validly signed plaintexts, label images, CSV and XLSX
exports, printer status replies and the simulated printer's input. A crash (any exception but a
Sigilo error with its hint) or a hang (one input over fuzzkit.HANG_SECONDS) fails the test,
and hypothesis shrinks it to a small example. Each test also checks that its inputs reached
both outcomes (some refused, some opened), so a fuzzer stuck at the front door fails too.
The counts are printed per target; bench/bench_fuzz.py runs the same targets longer and writes
its counts to BENCHMARKS.md."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests import fuzzkit

pytestmark = pytest.mark.slow

def fast(examples: int) -> settings:
    """Seeded (derandomize: the same inputs every run), no example database, no per-example
    deadline (a hang is fuzzkit's watchdog's to find), health checks off (slow inputs are the
    point)."""
    return settings(derandomize=True, database=None, deadline=None, print_blob=True,
                    suppress_health_check=list(HealthCheck), max_examples=examples)


@pytest.fixture(scope="module")
def world(tmp_path_factory, shared_data):
    return fuzzkit.World(tmp_path_factory.mktemp("fuzz"), shared_data)


@pytest.fixture(scope="module")
def counts():
    made: dict[str, fuzzkit.Counts] = {}
    yield lambda name: made.setdefault(name, fuzzkit.Counts(name))
    for c in made.values():
        print(c.line())


def seeds():
    return st.integers(min_value=0, max_value=2**32 - 1)


def test_scan_text(world, counts):
    c = counts("scan text")

    @fast(300)
    @given(st.one_of(seeds().map(lambda s: fuzzkit.text_input(random.Random(s), world.seals)),
                     st.text(max_size=300)))
    def run(text):
        c.run(world.scan_text, text)

    run()
    assert c.crashes == c.hangs == 0 and c.opened > 0 and c.refused > 0, c.line()


def test_scan_text_against_a_barcode(world, counts):
    c = counts("scan text + barcode")

    @fast(100)
    @given(st.sampled_from(world.seals), st.text(max_size=40))
    def run(text, barcode):
        c.run(world.scan_text_with_barcode, (text, barcode))

    run()
    assert c.crashes == c.hangs == 0 and c.refused > 0, c.line()


def test_signed_payloads(world, counts):
    """Encrypted and signed properly, so every input reaches the plaintext decoder."""
    from desktop.seal.payload import encode_shipment, pad

    seed_payloads = [pad(encode_shipment(s)) for s in world.shipments]
    c = counts("signed seal payload")

    @fast(200)
    @given(st.one_of(seeds().map(lambda s: fuzzkit.payload_input(random.Random(s), seed_payloads)),
                     st.binary(max_size=300)))
    def run(plaintext):
        c.run(world.seal_payload, plaintext)

    run()
    assert c.crashes == c.hangs == 0 and c.opened > 0 and c.refused > 0, c.line()


CBOR_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.binary(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.integers(min_value=-2, max_value=12) | st.booleans() | st.text(max_size=2), inner, max_size=6),
    max_leaves=20)


def test_payload_decoder(world, counts):
    """Straight at the decoder, many more shapes (cbor2 writes tags for big integers, floats
    of every kind, nulls, nested lists)."""
    import cbor2

    from desktop.seal.payload import encode_shipment, pad

    seed_payloads = [pad(encode_shipment(s)) for s in world.shipments]
    c = counts("payload decoder")

    def encoded(value):
        try:
            return cbor2.dumps(value)
        except Exception:
            return b"\xa0"

    @fast(500)
    @given(st.one_of(
        seeds().map(lambda s: fuzzkit.payload_input(random.Random(s), seed_payloads)),
        st.dictionaries(st.sampled_from([1, 2, 3, 4, 5]), CBOR_VALUES, max_size=5).map(encoded),
        st.binary(max_size=200)))
    def run(plaintext):
        c.run(world.payload, plaintext)

    run()
    assert c.crashes == c.hangs == 0 and c.opened > 0 and c.refused > 0, c.line()


def test_label_images(world, counts):
    c = counts("scan image")

    @fast(40)
    @given(seeds().map(lambda s: fuzzkit.image_input(random.Random(s), world.png)))
    def run(data):
        c.run(world.image, data)

    run()
    assert c.crashes == c.hangs == 0 and c.opened > 0 and c.refused > 0, c.line()


def test_csv_exports(world, counts):
    c = counts("import csv")

    @fast(120)
    @given(seeds().map(lambda s: fuzzkit.csv_input(random.Random(s), world.csv_files)))
    def run(data):
        c.run(world.csv, data)

    run()
    assert c.crashes == c.hangs == 0 and c.opened > 0 and c.refused > 0, c.line()


def test_xlsx_exports(world, counts):
    c = counts("import xlsx")

    @fast(40)
    @given(seeds().map(lambda s: (world.xlsx if s % 7 == 0 else fuzzkit.mutate_xlsx(random.Random(s), world.xlsx))))
    def run(data):
        c.run(world.xlsx_file, data)

    run()
    assert c.crashes == c.hangs == 0 and c.opened > 0 and c.refused > 0, c.line()


def test_printer_status_replies(world, counts):
    from printers import status

    replies = [status.tspl_status_byte({"paper_out"}), status.tspl_extended_reply({"head_open"}),
               status.zpl_hqes_reply({"ribbon_out"}), status.zpl_hs_reply(set()), b'"1234"',
               status.escpos_status_reply(1, set()), status.escpos_status_reply(4, {"paper_out"})]
    c = counts("printer status reply")

    @fast(400)
    @example(b"\x02030,0,0,1200,000\xac\x88,0,0,0,000,0,0,0\x03\r\n\x02001,0,0,0,0,2,4,0,00000000,1,000\x03\r\n"
             b"\x021234,0\x03\r\x0b")  # found by bench_fuzz: int() of a garbled ~HS count
    @example(b'"' + b"9" * 5000 + b'"')  # an odometer reply of 5,000 digits
    @given(st.one_of(st.binary(max_size=120),
                     seeds().map(lambda s: fuzzkit.mutate_bytes(random.Random(s), random.Random(s).choice(replies)))))
    def run(data):
        c.run(world.status_reply, data)

    run()
    assert c.crashes == c.hangs == 0 and c.opened > 0 and c.refused > 0, c.line()


def test_simulated_printer_input(world, counts):
    c = counts("simulator input")

    @fast(200)
    @given(seeds().map(lambda s: fuzzkit.printer_input(random.Random(s))))
    def run(chunks):
        c.run(world.printer_input, chunks)

    run()
    assert c.crashes == c.hangs == 0 and c.opened > 0, c.line()
