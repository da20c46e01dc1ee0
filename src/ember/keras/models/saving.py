"""One-file models: architecture and compile settings as JSON, weights and optimizer state as
safetensors, in a zip. Loading parses JSON and copies bytes; it never runs code from the file.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from ember.serialization import (
    ModelFileError,
    _flatten,
    _unflatten,
    atomic_write,
    load_safetensors,
    safetensors_bytes,
    safetensors_from_bytes,
    save_safetensors,
)

FORMAT = "ember.keras"
FORMAT_VERSION = 1
_MEMBERS = ("metadata.json", "config.json", "model.weights.safetensors")
_MAX_MEMBER_BYTES = 4 * 1024**3


def model_config(model: Any) -> dict[str, Any]:
    return {"class_name": type(model).__name__, "config": model.get_config()}


def model_from_config(config: dict[str, Any], source: str = "<config>") -> Any:
    """Rebuild a Sequential or functional model from ``model_config``'s output."""
    from ember.keras.layers import LAYER_CLASSES
    from ember.keras.models.functional import Functional, Input, KerasTensor
    from ember.keras.models.sequential import Sequential

    def make_layer(entry: dict[str, Any]) -> Any:
        cls = LAYER_CLASSES.get(entry.get("class_name"))
        if cls is None:
            raise ModelFileError(f"{source}: unknown layer type {entry.get('class_name')!r}")
        try:
            return cls.from_config(dict(entry.get("config", {})))
        except (TypeError, ValueError) as exc:
            raise ModelFileError(f"{source}: bad config for layer "
                                 f"{entry.get('class_name')}: {exc}") from None

    kind, body = config.get("class_name"), config.get("config")
    if not isinstance(body, dict) or not isinstance(body.get("layers"), list):
        raise ModelFileError(f"{source}: the model config has no list of layers")
    if kind == "Sequential":
        model = Sequential([make_layer(entry) for entry in body["layers"]], name=body.get("name"))
        if body.get("build_input_shape") and not model.built:
            model.build(tuple(body["build_input_shape"]))
        return model
    if kind == "Functional":
        layers = {}
        for entry in body["layers"]:
            layer = make_layer(entry)
            layers[layer.name] = layer
        tensors: list[KerasTensor] = []
        try:
            for spec in body["tensors"]:
                layer = layers[spec["layer"]]
                if not spec["parents"]:
                    t = Input(tuple(spec["shape"][1:]), name=None, dtype=spec.get("dtype"))
                    t.layer = layer
                else:
                    parents = [tensors[i] for i in spec["parents"]]
                    t = layer(parents if len(parents) > 1 else parents[0])
                tensors.append(t)
            inputs = [tensors[i] for i in body["inputs"]]
            outputs = [tensors[i] for i in body["outputs"]]
        except (KeyError, IndexError, TypeError) as exc:
            raise ModelFileError(f"{source}: the functional graph is malformed ({exc!r})") \
                from None
        return Functional(inputs if body.get("multi_input") else inputs[0],
                          outputs if body.get("multi_output") else outputs[0],
                          name=body.get("name"))
    raise ModelFileError(f"{source}: unknown model type {kind!r}; expected Sequential or "
                         "Functional")


def keras_state(layer: Any, prefix: str = "") -> dict[str, Any]:
    """Every weight of ``layer`` keyed by its place in the model, not by layer names.

    Keys look like ``layers.0.Dense.linear.weight``: the layer's position and class, then the
    wrapped module's own attribute path. Two models of the same architecture therefore share keys
    even when their layers were named ``dense`` in one and ``dense_7`` in the other, as Keras's
    weight files do.
    """
    from ember.keras.models.model import Model

    if not isinstance(layer, Model):
        return {prefix + name: tensor for name, tensor in layer.state_dict(keep_vars=True).items()}
    state: dict[str, Any] = {}
    for index, child in enumerate(layer.layers):
        state.update(keras_state(child, f"{prefix}layers.{index}.{type(child).__name__}."))
    return state


def _state_arrays(model: Any) -> dict[str, Any]:
    return {name: tensor.detach().numpy() for name, tensor in keras_state(model).items()}


def save_model(model: Any, filepath: str, overwrite: bool = True) -> None:
    if not model.built:
        raise ValueError(f"model {model.name!r} must be built (given an input shape or trained) "
                         "before it can be saved")
    path = Path(filepath)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists and overwrite=False")
    config = {"model": model_config(model), "compile": model._compile_config}
    metadata = {"format": FORMAT, "format_version": FORMAT_VERSION}
    optimizer_state = None
    if model.optimizer is not None and model.optimizer.inner is not None:
        tensors: dict[str, Any] = {}
        structure = _flatten(model.optimizer.state_dict(), "", tensors)
        optimizer_state = safetensors_bytes(tensors, {"structure": json.dumps(structure)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", json.dumps(metadata))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.safetensors", safetensors_bytes(_state_arrays(model)))
        if optimizer_state is not None:
            archive.writestr("optimizer.safetensors", optimizer_state)
    blob = buffer.getvalue()
    atomic_write(path, lambda f: f.write(blob))


def _read_members(path: Path) -> dict[str, bytes]:
    if not path.exists():
        raise ModelFileError(f"{path}: no such file")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a folder, expected a model file")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ModelFileError(f"{path}: not an ember model file (not a zip archive: "
                             f"{exc})") from None
    members = {}
    with archive:
        for info in archive.infolist():
            if info.filename not in _MEMBERS + ("optimizer.safetensors",):
                continue
            if info.file_size > _MAX_MEMBER_BYTES:
                raise ModelFileError(f"{path}: member {info.filename} claims {info.file_size} "
                                     "bytes, more than a model file may hold")
            try:
                members[info.filename] = archive.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise ModelFileError(f"{path}: member {info.filename} is corrupt "
                                     f"({exc.__class__.__name__})") from None
    missing = [m for m in _MEMBERS if m not in members]
    if missing:
        raise ModelFileError(f"{path}: not an ember model file (missing {', '.join(missing)})")
    return members


def _json(blob: bytes, what: str) -> Any:
    try:
        return json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelFileError(f"{what} is not valid JSON") from None


def load_model(filepath: str, custom_objects: Any = None, compile: bool = True,  # noqa: A002
               safe_mode: bool = True) -> Any:
    """Rebuild a model saved by ``model.save``: architecture, weights, compile settings and
    optimizer state. Raises ``ember.ModelFileError`` naming the file for anything malformed.
    """
    from ember.keras.models.model import _try  # noqa: F401 - keeps the import graph explicit

    path = Path(filepath)
    members = _read_members(path)
    metadata = _json(members["metadata.json"], f"{path}: metadata.json")
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an ember model file (format {metadata!r})")
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(f"{path}: format version {metadata.get('format_version')!r} is not "
                             f"supported (this ember reads version {FORMAT_VERSION})")
    config = _json(members["config.json"], f"{path}: config.json")
    if not isinstance(config, dict) or not isinstance(config.get("model"), dict):
        raise ModelFileError(f"{path}: config.json has no model description")
    model = model_from_config(config["model"], str(path))
    weights, _ = safetensors_from_bytes(members["model.weights.safetensors"],
                                        f"{path}: model.weights.safetensors")
    _load_state(model, weights, str(path))
    compile_config = config.get("compile")
    if compile and isinstance(compile_config, dict) and compile_config.get("loss"):
        from ember.keras import losses, metrics, optimizers

        try:
            model.compile(optimizer=optimizers.get(compile_config["optimizer"]),
                          loss=losses.get(compile_config["loss"]),
                          metrics=[metrics.get(m) for m in compile_config.get("metrics") or []
                                   if m is not None])
        except (TypeError, ValueError, KeyError) as exc:
            raise ModelFileError(f"{path}: bad compile settings ({exc})") from None
        if "optimizer.safetensors" in members and model.built:
            tensors, meta = safetensors_from_bytes(members["optimizer.safetensors"],
                                                   f"{path}: optimizer.safetensors")
            structure = _json(meta.get("structure", "null").encode(), f"{path}: optimizer state")
            model.optimizer.build(model.parameters())
            try:
                model.optimizer.load_state_dict(_unflatten(structure, tensors, str(path)))
            except (TypeError, ValueError, KeyError, IndexError) as exc:
                raise ModelFileError(f"{path}: optimizer state doesn't fit the model ({exc})") \
                    from None
    return model


def _load_state(model: Any, weights: dict[str, Any], source: str) -> None:
    from ember.autograd.grad_mode import no_grad
    from ember.tensor import Tensor

    expected = keras_state(model)
    missing = [k for k in expected if k not in weights]
    unexpected = [k for k in weights if k not in expected]
    if missing or unexpected:
        raise ModelFileError(f"{source}: weights don't match the architecture (the model has "
                             f"{len(expected)} weight tensors, the file {len(weights)}; missing: "
                             f"{missing[:5]}, unexpected: {unexpected[:5]})")
    for name, tensor in expected.items():
        array = weights[name]
        if tuple(array.shape) != tuple(tensor.shape) or array.dtype != tensor._data.dtype:
            needed = f"{tensor._data.dtype}{list(tensor.shape)}"
            raise ModelFileError(f"{source}: weight {name!r} is {array.dtype}{list(array.shape)}"
                                 f", the architecture needs {needed}")
    with no_grad():
        for name, tensor in expected.items():
            tensor.copy_(Tensor._wrap(weights[name]))


def save_weights(model: Any, filepath: str, overwrite: bool = True) -> None:
    path = Path(filepath)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists and overwrite=False")
    save_safetensors(_state_arrays(model), path)


def load_weights(model: Any, filepath: str) -> None:
    weights, _ = load_safetensors(filepath)
    _load_state(model, weights, str(filepath))
