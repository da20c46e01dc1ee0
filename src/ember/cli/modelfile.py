"""The one model file a run writes; opening it never runs code from it (no pickle).

Keras-style recipes write Keras's own format (``model.save``: a zip of JSON architecture and
safetensors weights) with one more member, ``ember-cli.json``, holding the recipe, the
preprocessing and the class names; ``ember.keras.load_model`` opens such a file as well.
PyTorch-style recipes write one safetensors file: the ``state_dict`` as tensors and the same
JSON record in the header's metadata; the module is rebuilt from the recipe's registered builder
function with the recorded architecture parameters, then ``load_state_dict`` fills it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ember.serialization import (
    ModelFileError,
    atomic_write,
    load_safetensors,
    save_safetensors,
)

FORMAT = "ember.cli.model"
FORMAT_VERSION = 1
CLI_MEMBER = "ember-cli.json"
METADATA_KEY = "ember.cli"
_REQUIRED = ("recipe", "family", "architecture", "preprocessing", "class_names", "output")


@dataclass
class SavedModel:
    """A loaded model with its record (recipe, preprocessing, class names, ...)."""

    model: Any
    record: dict[str, Any]
    path: Path

    @property
    def family(self) -> str:
        return self.record["family"]


def model_filename(family: str) -> str:
    """``model.keras`` for Keras-style recipes, ``model.safetensors`` for PyTorch-style ones."""
    return "model.keras" if family == "keras" else "model.safetensors"


def save_model_file(path: str | os.PathLike[str], model: Any, record: dict[str, Any]) -> None:
    """Write ``model`` and its record to ``path`` atomically (a temp file, then a rename)."""
    path = Path(path)
    record = {"format": FORMAT, "format_version": FORMAT_VERSION, **record}
    text = json.dumps(record)
    if record["family"] == "keras":
        from ember.keras.models.saving import model_archive

        blob = model_archive(model, {CLI_MEMBER: text})
        atomic_write(path, lambda f: f.write(blob))
    else:
        arrays = {name: t.detach().numpy() for name, t in model.state_dict().items()}
        save_safetensors(arrays, path, {METADATA_KEY: text})


def _check_record(record: Any, path: Path) -> dict[str, Any]:
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an ember model file (no {FORMAT} record)")
    if record.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(f"{path}: model file version {record.get('format_version')!r} is "
                             f"not supported (this ember reads version {FORMAT_VERSION})")
    missing = [key for key in _REQUIRED if key not in record]
    if missing:
        raise ModelFileError(f"{path}: the model record lacks {', '.join(missing)}")
    return record


def _parse(text: bytes | str, path: Path) -> dict[str, Any]:
    try:
        return _check_record(json.loads(text), path)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ModelFileError(f"{path}: the model record is not valid JSON") from None


def _load_keras(path: Path) -> SavedModel:
    from ember.keras.models import load_model
    from ember.keras.models.saving import read_members

    members = read_members(path, wanted=(CLI_MEMBER,))  # sizes checked, errors as ModelFileError
    if CLI_MEMBER not in members:
        raise ModelFileError(f"{path}: a Keras model without an {CLI_MEMBER} record "
                             "(not written by `ember train`)")
    record = _parse(members[CLI_MEMBER], path)
    return SavedModel(load_model(str(path)), record, path)


def _load_torch(path: Path) -> SavedModel:
    from ember import from_numpy
    from ember.cli.recipes import get_recipe
    from ember.nn.parameter import parameter_budget

    try:
        weights, metadata = load_safetensors(path)
    except ModelFileError as exc:
        problem = str(exc).removeprefix(f"{path}: ")
        raise ModelFileError(f"{path}: not an ember model file (neither a Keras model archive "
                             f"nor safetensors: {problem})") from None
    if METADATA_KEY not in metadata:
        raise ModelFileError(f"{path}: a safetensors file without an ember model record "
                             "(not written by `ember train`)")
    record = _parse(metadata[METADATA_KEY], path)
    try:
        recipe = get_recipe(record["recipe"])
        # The architecture may ask for no more weights than the file holds (a corrupt one could
        # ask for billions).
        with parameter_budget(sum(int(array.size) for array in weights.values())):
            model = recipe.build(record["architecture"])
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError,
            MemoryError, RecursionError) as exc:
        raise ModelFileError(f"{path}: cannot rebuild recipe {record['recipe']!r} ({exc})") \
            from None
    expected = model.state_dict()
    if set(expected) != set(weights):
        missing = sorted(set(expected) - set(weights))[:5]
        unexpected = sorted(set(weights) - set(expected))[:5]
        raise ModelFileError(f"{path}: weights don't match the architecture (missing: {missing}, "
                             f"unexpected: {unexpected})")
    for name, tensor in expected.items():
        if tuple(weights[name].shape) != tuple(tensor.shape):
            raise ModelFileError(f"{path}: weight {name!r} has shape {list(weights[name].shape)},"
                                 f" the architecture needs {list(tensor.shape)}")
    model.load_state_dict({k: from_numpy(np.asarray(v)) for k, v in weights.items()})
    model.eval()
    return SavedModel(model, record, path)


def load_model_file(path: str | os.PathLike[str]) -> SavedModel:
    """Open a model file written by ``ember train``; ``ModelFileError`` naming it otherwise."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path}: no such file")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a folder, expected a model file")
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read ({exc.strerror})") from None
    if magic == b"PK\x03\x04":
        return _load_keras(path)
    return _load_torch(path)
