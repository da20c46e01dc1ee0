"""Damaged and hostile Keras 3 files: ``keras.models.load_model`` and ``model.load_weights``
return a model (or load the weights) or raise ``ember.ModelFileError``, quickly, nothing else."""

from __future__ import annotations

import io
import json
import resource
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember
from ember import keras
from ember.keras import layers
from ember.keras.models.keras3_format import save_weights_h5

DEFAULT_EXAMPLES = 150
SLOW_EXAMPLES = 1000
SECONDS_PER_FILE = 1.0
MAX_RSS_GROWTH_MB = 300
JSON_VALUES = st.none() | st.booleans() | st.sampled_from(
    [0, -1, 3, 2**31, 10**12, 1e308, "relu", "LSTM", "same", [], {}, [None, 10**9]])


def small_models() -> dict[str, keras.Model]:
    keras.utils.set_random_seed(0)
    mlp = keras.Sequential([keras.Input((6,)), layers.Dense(5, activation="relu"),
                            layers.Dropout(0.1), layers.Dense(3, activation="softmax")])
    inputs = keras.Input((6,))
    hidden = layers.Dense(4)(inputs)
    fn = keras.Model(inputs, layers.Dense(3)(layers.Concatenate()([hidden, inputs])))
    cnn = keras.Sequential([keras.Input((6, 6, 1)), layers.Conv2D(2, 3),
                            layers.BatchNormalization(), layers.Flatten(), layers.Dense(3)])
    return {"mlp": mlp, "fn": fn, "cnn": cnn}


def valid_files() -> dict[str, bytes]:
    files = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, model in small_models().items():
            model.save(str(Path(folder) / f"{name}.keras"), save_format="keras3")
            files[name] = (Path(folder) / f"{name}.keras").read_bytes()
        save_weights_h5(small_models()["mlp"], Path(folder) / "w.weights.h5")
        files["weights"] = (Path(folder) / "w.weights.h5").read_bytes()
    return files


def _json_paths(node: Any, path: tuple = ()) -> list[tuple]:
    paths = [path]
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else []
    for key, value in items:
        paths += _json_paths(value, path + (key,))
    return paths


def _mutate_config(text: bytes, data: st.DataObject) -> bytes:
    document = json.loads(text)
    path = data.draw(st.sampled_from(_json_paths(document)[1:]))
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = data.draw(JSON_VALUES)
    return json.dumps(document).encode()


def _rezip(blob: bytes, target: str, change: Any) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == target:
                content = change(content)
                if content is None:
                    continue
            dst.writestr(info.filename, content)
    return out.getvalue()


def _flip(blob: bytes, data: st.DataObject) -> bytes:
    out = bytearray(blob)
    for position, bit in data.draw(st.lists(st.tuples(st.integers(0, len(blob) - 1),
                                                      st.integers(0, 7)), min_size=1,
                                            max_size=8)):
        out[position] ^= 1 << bit
    return bytes(out)


def mutated(blob: bytes, data: st.DataObject) -> bytes:
    is_zip = blob.startswith(b"PK")
    kinds = ["bitflips", "truncate", "random"] + (["config", "config", "weights", "member"]
                                                  if is_zip else ["bitflips"])
    kind = data.draw(st.sampled_from(kinds))
    if kind == "bitflips":
        return _flip(blob, data)
    if kind == "truncate":
        return blob[:data.draw(st.integers(0, len(blob) - 1))]
    if kind == "random":
        return data.draw(st.binary(max_size=512))
    if kind == "config":
        return _rezip(blob, "config.json", lambda c: _mutate_config(c, data))
    if kind == "weights":
        return _rezip(blob, "model.weights.h5", lambda c: _flip(c, data))
    target = data.draw(st.sampled_from(["config.json", "metadata.json", "model.weights.h5"]))
    return _rezip(blob, target, lambda c: None if data.draw(st.booleans())
                  else data.draw(st.binary(max_size=64)))


def load(path: Path, kind: str) -> None:
    if kind == "weights":
        small_models()["mlp"].load_weights(str(path))
        return
    model = keras.models.load_model(str(path))
    shape = (4, 6, 6, 1) if kind == "cnn" else (4, 6)
    if tuple(getattr(model.inputs[0], "shape", (None,) + shape[1:]))[1:] == shape[1:] \
            if getattr(model, "inputs", None) else False:
        model.predict(np.zeros(shape, np.float32), verbose=0)


def run_fuzz(examples: int) -> tuple[int, int]:
    pytest.importorskip("h5py")
    files = valid_files()
    counts = {"loaded": 0, "refused": 0}
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.keras"

        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def fuzz(data: st.DataObject) -> None:
            kind = data.draw(st.sampled_from(sorted(files)))
            path.write_bytes(mutated(files[kind], data))
            started = time.perf_counter()
            try:
                load(path, kind)
            except ember.ModelFileError:
                counts["refused"] += 1
            else:
                counts["loaded"] += 1
            assert time.perf_counter() - started < SECONDS_PER_FILE

        fuzz()
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert growth_mb < MAX_RSS_GROWTH_MB, f"peak memory grew by {growth_mb:.0f} MB"
    assert counts["refused"] > examples // 4
    return counts["loaded"], counts["refused"]


def test_fuzzed_keras3_files_load_or_raise_model_file_error() -> None:
    run_fuzz(DEFAULT_EXAMPLES)


@pytest.mark.slow
def test_fuzzed_keras3_files_load_or_raise_model_file_error_full() -> None:
    loaded, refused = run_fuzz(SLOW_EXAMPLES)
    print(f"\nKeras 3 fuzz: {loaded} loaded, {refused} refused")
