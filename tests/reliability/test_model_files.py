"""Targeted checks of the model-file loaders: each gap the fuzzing looks for, on purpose."""

from __future__ import annotations

import json
import re
import struct
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from tests.reliability.conftest import tiny_keras_model, tiny_torch_model

import ember
from ember import keras
from ember.serialization import safetensors_bytes

SRC = Path(__file__).resolve().parents[2] / "src"


def _rewrite_member(path: Path, member: str, change) -> None:
    with zipfile.ZipFile(path) as archive:
        contents = {info.filename: archive.read(info) for info in archive.infolist()}
    contents[member] = change(contents[member])
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in contents.items():
            archive.writestr(name, content)


def _edit_config(path: Path, edit) -> None:
    def change(blob: bytes) -> bytes:
        config = json.loads(blob)
        edit(config["model"]["config"])
        return json.dumps(config).encode()

    _rewrite_member(path, "config.json", change)


def _input_shape(config: dict, shape: list) -> None:
    """Make the model declare ``shape`` through build_input_shape alone."""
    config["layers"][0]["config"].pop("input_shape")
    config["build_input_shape"] = shape


@pytest.fixture
def keras_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.keras"
    tiny_keras_model().save(str(path))
    return path


def test_no_unsafe_deserialisation_anywhere_in_src() -> None:
    pattern = re.compile(r"import pickle|from pickle|pickle\.loads?\(|allow_pickle\s*=\s*True"
                         r"|(?<![.\w`])(?<!def )(?:eval|exec)\(|\bmarshal\b|\bshelve\b|torch\.load")
    offenders = [f"{path.relative_to(SRC)}:{number}: {line.strip()}"
                 for path in sorted(SRC.rglob("*.py"))
                 for number, line in enumerate(path.read_text().splitlines(), start=1)
                 if pattern.search(line)]
    assert offenders == []


def test_a_header_claiming_a_huge_tensor_is_refused_before_allocating(tmp_path: Path) -> None:
    header = json.dumps({"w": {"dtype": "F32", "shape": [2**40, 2**7],
                               "data_offsets": [0, 2**49]}}).encode()
    path = tmp_path / "huge.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 16)
    with pytest.raises(ember.ModelFileError, match=r"huge.safetensors: tensor 'w' claims bytes"):
        ember.load(path)


@pytest.mark.parametrize("change", ["truncate", "append"])
def test_tensor_bytes_must_cover_the_data_section_exactly(tmp_path: Path, change: str) -> None:
    blob = safetensors_bytes({"w": np.ones(4, np.float32)})
    blob = blob[:-4] if change == "truncate" else blob + b"junk"
    path = tmp_path / "w.safetensors"
    path.write_bytes(blob)
    with pytest.raises(ember.ModelFileError, match="w.safetensors"):
        ember.load(path)


def test_an_ember_save_file_of_another_format_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.safetensors"
    ember.save({"w": ember.ones(2)}, path)
    tensors, metadata = ember.serialization.load_safetensors(path)
    metadata["ember.format_version"] = "99"
    path.write_bytes(safetensors_bytes(tensors, metadata))
    with pytest.raises(ember.ModelFileError, match="format version '99' is not supported"):
        ember.load(path)


def test_a_deeply_nested_structure_record_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.safetensors"
    path.write_bytes(safetensors_bytes({}, {"ember.structure": "[" * 100_000 + "]" * 100_000}))
    with pytest.raises(ember.ModelFileError, match="structure record"):
        ember.load(path)


def test_load_state_dict_mismatches_are_model_file_errors_and_runtime_errors() -> None:
    model = tiny_torch_model()
    state = model.state_dict()
    state["0.weight"] = ember.zeros(7, 7)
    state["extra"] = ember.zeros(1)
    with pytest.raises(ember.ModelFileError, match=r"size mismatch for 0.weight.*\[7, 7\]") as info:
        model.load_state_dict(state)
    assert isinstance(info.value, RuntimeError)
    state = model.state_dict()
    state["0.bias"] = "not numbers"
    with pytest.raises(ember.ModelFileError, match="value for 0.bias is an array of <U11"):
        model.load_state_dict(state)


@pytest.mark.parametrize("edit, message", [
    (lambda c: c["layers"][0]["config"].update(units="five"), "config"),
    (lambda c: c["layers"][0]["config"].update(activation=[1, 2]), "config"),
    (lambda c: c["layers"][1]["config"].update(rate="high"), "config"),
    (lambda c: c.update(layers=None), "no list of layers"),
    (lambda c: _input_shape(c, [None, "x"]), "config"),
])
def test_layer_options_of_the_wrong_type_are_model_file_errors(keras_file: Path, edit,
                                                               message: str) -> None:
    _edit_config(keras_file, edit)
    with pytest.raises(ember.ModelFileError, match=message):
        keras.models.load_model(str(keras_file))


@pytest.mark.parametrize("edit", [
    lambda c: c["layers"][0]["config"].update(units=10**9),
    lambda c: _input_shape(c, [None, 10**9]),
    lambda c: _input_shape(c, [None, 10**5, 10**5]),
])
def test_huge_shapes_in_a_config_are_refused_quickly(keras_file: Path, edit) -> None:
    _edit_config(keras_file, edit)
    started = time.perf_counter()
    with pytest.raises(ember.ModelFileError, match="model.keras"):
        keras.models.load_model(str(keras_file))
    assert time.perf_counter() - started < 1.0


def test_a_zip_member_lying_about_its_size_is_refused(keras_file: Path) -> None:
    blob = bytearray(keras_file.read_bytes())
    central = blob.find(b"PK\x01\x02")  # first central directory entry: metadata.json
    struct.pack_into("<I", blob, central + 24, 2**32 - 1)  # its uncompressed size
    keras_file.write_bytes(bytes(blob))
    with pytest.raises(ember.ModelFileError, match="metadata.json claims 4294967295 bytes"):
        keras.models.load_model(str(keras_file))


def test_a_corrupt_deflate_stream_is_a_model_file_error(keras_file: Path) -> None:
    with zipfile.ZipFile(keras_file) as archive:
        info = archive.getinfo("config.json")
    blob = bytearray(keras_file.read_bytes())
    data_start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    blob[data_start] ^= 0xFF
    keras_file.write_bytes(bytes(blob))
    with pytest.raises(ember.ModelFileError, match="config.json is corrupt"):
        keras.models.load_model(str(keras_file))


def test_a_checkpoint_keeps_a_learning_rate_changed_after_compile(tmp_path: Path) -> None:
    model = tiny_keras_model()
    model.optimizer.learning_rate = 0.0123
    model.save(str(tmp_path / "m.keras"))
    loaded = keras.models.load_model(str(tmp_path / "m.keras"))
    assert loaded.optimizer.learning_rate == pytest.approx(0.0123)


def test_a_cli_record_asking_for_a_huge_architecture_is_refused_quickly(tmp_path: Path) -> None:
    from ember.cli.modelfile import load_model_file, save_model_file
    from ember.cli.recipes import get_recipe

    arch = {"inputs": 4, "hidden": [5], "classes": 3}
    record = {"recipe": "mnist-torch", "family": "torch", "architecture": arch,
              "output": "log_probs", "preprocessing": {}, "class_names": ["a", "b", "c"]}
    path = tmp_path / "model.safetensors"
    save_model_file(path, get_recipe("mnist-torch").build(arch), record)
    tensors, metadata = ember.serialization.load_safetensors(path)
    text = json.loads(metadata["ember.cli"])
    text["architecture"]["hidden"] = [10**6, 10**6]
    metadata["ember.cli"] = json.dumps(text)
    path.write_bytes(safetensors_bytes(tensors, metadata))
    started = time.perf_counter()
    with pytest.raises(ember.ModelFileError, match="cannot rebuild recipe 'mnist-torch'"):
        load_model_file(path)
    assert time.perf_counter() - started < 1.0
