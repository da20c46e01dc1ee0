"""Fuzzing every model-file loader with damaged and hostile files.

Each mutated file must either load into a model that predicts or raise ``ember.ModelFileError``,
within a second, without any other exception and without a memory blow-up. The default run
tries ``DEFAULT_EXAMPLES`` files per loader; ``-m slow`` tries ``SLOW_EXAMPLES`` per loader.
"""

from __future__ import annotations

import io
import json
import resource
import struct
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.reliability.conftest import CLASSES, sample_inputs, tiny_torch_model

import ember
from ember import keras
from ember.cli.modelfile import load_model_file
from ember.cli.training import predict_proba

DEFAULT_EXAMPLES = 200  # per loader: 600 files in the default run
SLOW_EXAMPLES = 2000  # per loader: 6,000 files with -m slow
SECONDS_PER_FILE = 1.0
MAX_RSS_GROWTH_MB = 300

# ------------------------------------------------------------------ mutations
json_values = st.recursive(
    st.none() | st.booleans() | st.sampled_from([0, -1, 1, 3, 2**31, 2**63, 10**30, -(10**9)])
    | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=6)


def _json_paths(node: Any, path: tuple = ()) -> list[tuple]:
    paths = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            paths += _json_paths(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            paths += _json_paths(value, path + (index,))
    return paths


def _replace_json(text: bytes, data: st.DataObject) -> bytes:
    """One field anywhere in a JSON document replaced by a random JSON value."""
    document = json.loads(text)
    path = data.draw(st.sampled_from(_json_paths(document)[1:] or [()]))
    value = data.draw(json_values)
    if not path:
        return json.dumps(value).encode()
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return json.dumps(document).encode()


def _mutate_safetensors_header(blob: bytes, data: st.DataObject) -> bytes:
    """A field of the JSON header changed (the length field kept consistent) or the length
    field itself changed."""
    (length,) = struct.unpack("<Q", blob[:8])
    if data.draw(st.booleans()):
        new_length = data.draw(st.sampled_from([0, 1, length - 1, length + 1, len(blob),
                                                2**32, 2**63, 2**64 - 1]))
        return struct.pack("<Q", max(new_length, 0)) + blob[8:]
    header = _replace_json(blob[8:8 + length], data)
    return struct.pack("<Q", len(header)) + header + blob[8 + length:]


def _rezip(blob: bytes, replace: Callable[[str, bytes], bytes | None]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = replace(info.filename, src.read(info))
            if content is not None:
                dst.writestr(info.filename, content)
    return out.getvalue()


def _mutate_member(blob: bytes, data: st.DataObject) -> bytes:
    """One zip member replaced: random bytes, removed, or a structured change inside it."""
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        names = archive.namelist()
    target = data.draw(st.sampled_from(names))
    how = data.draw(st.sampled_from(["random", "remove", "inner"]))

    def replace(name: str, content: bytes) -> bytes | None:
        if name != target:
            return content
        if how == "remove":
            return None
        if how == "random":
            return data.draw(st.binary(max_size=64))
        if name.endswith(".json"):
            return _replace_json(content, data)
        return _mutate_safetensors_header(content, data)

    return _rezip(blob, replace)


def _lie_about_sizes(blob: bytes, data: st.DataObject) -> bytes:
    """Change a size field of a zip local or central directory header."""
    signatures = [m for sig in (b"PK\x03\x04", b"PK\x01\x02")
                  for m in _find_all(blob, sig)]
    start = data.draw(st.sampled_from(signatures))
    # compressed and uncompressed size: offsets 18, 22 (local header) or 20, 24 (central)
    offset = start + data.draw(st.sampled_from([18, 22] if blob[start + 2] == 3 else [20, 24]))
    value = data.draw(st.sampled_from([0, 1, 2**31, 2**32 - 1, 10**6]))
    return blob[:offset] + struct.pack("<I", value) + blob[offset + 4:]


def _find_all(blob: bytes, needle: bytes) -> list[int]:
    found, at = [], blob.find(needle)
    while at >= 0:
        found.append(at)
        at = blob.find(needle, at + 1)
    return found


def mutated(blob: bytes, data: st.DataObject) -> bytes:
    """One damaged variant of a valid file, of a kind drawn at random."""
    is_zip = blob.startswith(b"PK")
    kinds = ["bitflips", "truncate", "random", "header", "splice"]
    kinds += ["member", "member", "zip_sizes"] if is_zip else ["header"]
    kind = data.draw(st.sampled_from(kinds))
    if kind == "bitflips":
        flips = data.draw(st.lists(st.tuples(st.integers(0, len(blob) - 1), st.integers(0, 7)),
                                   min_size=1, max_size=8))
        out = bytearray(blob)
        for position, bit in flips:
            out[position] ^= 1 << bit
        return bytes(out)
    if kind == "truncate":
        return blob[:data.draw(st.integers(0, len(blob) - 1))]
    if kind == "random":
        return data.draw(st.binary(max_size=512))
    if kind == "splice":
        at = data.draw(st.integers(0, len(blob)))
        return blob[:at] + data.draw(st.binary(min_size=1, max_size=32)) + blob[at:]
    if kind == "member":
        return _mutate_member(blob, data)
    if kind == "zip_sizes":
        return _lie_about_sizes(blob, data)
    if is_zip:  # "header" of the weights member
        return _rezip(blob, lambda name, content: _mutate_safetensors_header(content, data)
                      if name == "model.weights.safetensors" else content)
    return _mutate_safetensors_header(blob, data)


# ------------------------------------------------------------------ loaders under test
def load_keras(path: Path) -> np.ndarray:
    model = keras.models.load_model(str(path))
    return model.predict(sample_inputs(), verbose=0)


def load_cli(path: Path) -> np.ndarray:
    saved = load_model_file(path)
    return predict_proba(saved.model, saved.family, saved.record["output"], sample_inputs())


def load_state(path: Path) -> np.ndarray:
    model = tiny_torch_model()
    model.load_state_dict(ember.load(path))
    model.eval()
    with ember.no_grad():
        return model(ember.from_numpy(sample_inputs())).numpy()


LOADERS = {"keras": (load_keras, ["keras"]), "cli": (load_cli, ["cli_keras", "cli_torch"]),
           "state": (load_state, ["state"])}


class Tally:
    def __init__(self) -> None:
        self.loaded = self.refused = 0
        self.slowest = 0.0


def check_one(loader: Callable[[Path], np.ndarray], blob: bytes, folder: Path,
              tally: Tally) -> None:
    """Load one file: a model that predicts (batch, classes) or ModelFileError, in time."""
    path = folder / "fuzzed.bin"
    path.write_bytes(blob)
    started = time.perf_counter()
    try:
        out = loader(path)
    except ember.ModelFileError:
        tally.refused += 1
    else:
        tally.loaded += 1
        assert np.asarray(out).shape == (len(sample_inputs()), CLASSES)
    elapsed = time.perf_counter() - started
    tally.slowest = max(tally.slowest, elapsed)
    assert elapsed < SECONDS_PER_FILE, f"loading took {elapsed:.2f} s"


def run_fuzz(kind: str, model_files: dict[str, bytes], examples: int) -> Tally:
    loader, sources = LOADERS[kind]
    tally = Tally()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    with tempfile.TemporaryDirectory() as folder:
        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def fuzz(data: st.DataObject) -> None:
            blob = model_files[data.draw(st.sampled_from(sources))]
            check_one(loader, mutated(blob, data), Path(folder), tally)

        fuzz()
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert growth_mb < MAX_RSS_GROWTH_MB, f"peak memory grew by {growth_mb:.0f} MB"
    assert tally.loaded + tally.refused >= examples
    assert tally.refused > 0
    return tally


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_valid_files_load_and_predict(kind: str, model_files: dict[str, bytes],
                                      tmp_path: Path) -> None:
    loader, sources = LOADERS[kind]
    for source in sources:
        tally = Tally()
        check_one(loader, model_files[source], tmp_path, tally)
        assert tally.loaded == 1


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_fuzzed_files_load_or_raise_model_file_error(kind: str,
                                                     model_files: dict[str, bytes]) -> None:
    run_fuzz(kind, model_files, DEFAULT_EXAMPLES)


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_fuzzed_files_load_or_raise_model_file_error_full(
        kind: str, model_files: dict[str, bytes]) -> None:
    tally = run_fuzz(kind, model_files, SLOW_EXAMPLES)
    print(f"\n{kind}: {tally.loaded} loaded, {tally.refused} refused, slowest "
          f"{tally.slowest * 1000:.0f} ms")
