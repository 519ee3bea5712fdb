"""Byte budgets on the real default template: every sample shipment composed into
``waybill-100x150`` and sealed with demo keys. A seal is random but its length is not, and the
QR goes as a native command, so the byte counts are the same on every run. Without resident
fonts a TSPL label stays under 12 KB; with stored graphics, once the repeated captions are in
the printer's RAM, later labels stay under 12 KB (TSPL) and 8 KB (ZPL). The largest label is
also read back."""

from __future__ import annotations

from datetime import datetime

import pytest
import zxingcpp
from test_lang_tspl import run as run_tspl

from desktop.compose import compose_label
from desktop.seal import Sealer, ensure_demo_keys
from desktop.validation import validate
from printers.lang import LabelEncoder, encode
from printers.profiles import load_profile
from printers.scene import Barcode128, QRCode

WHEN = datetime(2026, 11, 28, 9, 30)


@pytest.fixture(scope="module")
def labels(sample_shipments, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SIGILO_HOME", str(home))
        ensure_demo_keys(home / "keys")
        sealer = Sealer.from_keys_dir(home / "keys")
        out = []
        for row in sample_shipments:
            result = validate(row)
            assert result.ok, result.errors
            out.append(compose_label(result.shipment, "waybill-100x150", sealer=sealer, dpi=203, printed_at=WHEN))
        return out


def test_every_sample_fits_the_tspl_budget_without_resident_fonts_and_the_largest_reads_back(labels):
    profile = load_profile("tspl-203")
    sized = sorted(((len(data), data, label) for label in labels
                    for data in [encode(label.scene, profile)]), key=lambda t: t[0])
    assert len(sized) == 40 and sized[-1][0] < 12_000
    _, data, label = sized[-1]
    qr, = (el for el in label.scene.elements if isinstance(el, QRCode))
    barcode, = (el for el in label.scene.elements if isinstance(el, Barcode128))
    found = {r.format.name: r.text for r in zxingcpp.read_barcodes(run_tspl(data).image)}
    assert found == {"QRCode": qr.payload, "Code128": barcode.value} and qr.payload == label.qr_text


@pytest.mark.parametrize("profile_name, budget", [("tspl-203", 12_000), ("zpl-203", 8_000)])
def test_with_stored_graphics_later_labels_fit_the_budget(labels, profile_name, budget):
    profile = load_profile(profile_name)
    session = LabelEncoder(profile, store_graphics=True)
    sizes = [len(session.encode(label.scene)) for label in labels]
    stateless = [len(encode(label.scene, profile)) for label in labels]
    assert max(sizes[2:]) < budget
    assert sum(sizes[2:]) < sum(stateless[2:]) * 0.7  # the repeated captions are recalled, not resent
