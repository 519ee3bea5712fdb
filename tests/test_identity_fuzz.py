"""What comes from outside into real-name sending, fuzzed: reader replies (frames and text
blocks), export files for the compliance office, watch lists. Each either parses or raises
the module's typed error; nothing else escapes, and no message quotes what it was given."""

from __future__ import annotations

import base64
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.identity.errors import IdentityError
from desktop.identity.reader import protocol as p
from desktop.identity.reader.textblock import TextBlockError, parse_text
from desktop.identity.record import validate_identity


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80), st.integers(0, 200))
def test_reply_frames(tail, cut):
    frame = p.reply(p.OK, tail)
    for candidate in (frame, frame[:cut], bytes([frame[0] ^ 1]) + frame[1:], p.PREAMBLE + tail):
        try:
            status, data = p.parse(candidate)
        except p.FrameError as exc:
            assert exc.kind in ("short", "checksum", "length")
        else:
            assert len(status) == 3


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=256, max_size=256))
def test_text_blocks(text):
    try:
        card = parse_text(text)
    except TextBlockError:
        return
    validate_identity(card.record_data())  # never raises: errors come back by field


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["id_type", "number", "name", "method", "representative"]),
                       st.one_of(st.text(max_size=30), st.integers(), st.none(),
                                 st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3))))
def test_typed_identity_of_any_shape(data):
    record, errors = validate_identity(data)
    record2, errors2 = validate_identity(dict(data, id_type="credit_code"))
    assert (record2 is None) != (errors2 == [])
    assert (record is None) != (errors == [])


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.binary(max_size=200),
                 st.builds(lambda recs: json.dumps({"format": "sigilo-identity-export-1", "records": recs}).encode(),
                           st.lists(st.dictionaries(st.sampled_from(["id", "sealed", "labels"]),
                                                    st.one_of(st.text(max_size=20),
                                                              st.binary(max_size=60).map(
                                                                  lambda b: base64.b64encode(b"SGID\x01" + b).decode()))),
                                    max_size=3))))
def test_export_files(tmp_path_factory, blob):
    from cryptography.hazmat.primitives.asymmetric import x25519

    from desktop.identity.export import open_export

    path = tmp_path_factory.mktemp("fuzz") / "export.json"
    path.write_bytes(blob)
    try:
        open_export(path, x25519.X25519PrivateKey.generate())
    except IdentityError:
        pass


_STORE = {}


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=300),
                 st.builds(lambda entries, sig: json.dumps({"format": "sigilo-identity-watchlist-1", "serial": 1,
                                                            "entries": entries, "signature": sig}).encode(),
                           st.lists(st.dictionaries(st.text(max_size=4), st.text(max_size=8)), max_size=3),
                           st.text(alphabet="0123456789abcdef", max_size=128))))
def test_watch_lists(tmp_path_factory, blob):
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from desktop.identity.watchlist import WatchListError, install
    from desktop.store import open_store

    if "store" not in _STORE:
        _STORE["home"] = tmp_path_factory.mktemp("watch")
        _STORE["store"] = open_store(_STORE["home"])
        _STORE["key"] = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    path = _STORE["home"] / "watch.json"
    path.write_bytes(blob)
    try:
        install(_STORE["store"], path, _STORE["key"])
    except WatchListError:
        pass
    assert _STORE["store"].query("SELECT COUNT(*) FROM identity_watch")[0][0] == 0  # nothing unsigned installed
