"""One-file models: architecture and compile settings as JSON, weights and optimizer state as
safetensors, in a zip. Loading parses JSON and copies bytes; it never runs code from the file.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

from ember.serialization import (
    ModelFileError,
    atomic_write,
    flatten_structure,
    load_safetensors,
    parse_structure,
    safetensors_bytes,
    safetensors_from_bytes,
    save_safetensors,
    unflatten_structure,
)

FORMAT = "ember.keras"
FORMAT_VERSION = 1
_MEMBERS = ("metadata.json", "config.json", "model.weights.safetensors")
_MAX_MEMBER_BYTES = 4 * 1024**3


def model_config(model: Any) -> dict[str, Any]:
    config = {"class_name": type(model).__name__, "config": model.get_config()}
    shape = getattr(model, "build_input_shape", None)
    if shape is not None and config["class_name"] not in ("Sequential", "Functional"):
        config["build_input_shape"] = [list(s) for s in shape] if isinstance(shape, list) \
            else list(shape)
    return config


def _class_named(name: Any, custom_objects: dict[str, Any] | None, source: str) -> Any:
    """A layer or model class by its saved name: ``custom_objects`` first (a user's own classes,
    as Keras's ``load_model(custom_objects=...)``), then ember's built-in layers."""
    from ember.keras.layers import LAYER_CLASSES

    if custom_objects and name in custom_objects:
        return custom_objects[name]
    cls = LAYER_CLASSES.get(name)
    if cls is None:
        raise ModelFileError(f"{source}: unknown layer type {name!r}; a custom class must be "
                             f"given as custom_objects={{{name!r}: {name}}}")
    return cls


def model_from_config(config: dict[str, Any], source: str = "<config>",
                      custom_objects: dict[str, Any] | None = None) -> Any:
    """Rebuild a Sequential, functional or (from ``custom_objects``) subclassed model from
    ``model_config``'s output."""
    from ember.keras.models.functional import Functional, Input, KerasTensor
    from ember.keras.models.sequential import Sequential

    def make_layer(entry: dict[str, Any]) -> Any:
        cls = _class_named(entry.get("class_name"), custom_objects, source)
        try:
            return cls.from_config(dict(entry.get("config", {})))
        except (TypeError, ValueError) as exc:
            raise ModelFileError(f"{source}: bad config for layer "
                                 f"{entry.get('class_name')}: {exc}") from None

    kind, body = config.get("class_name"), config.get("config")
    if kind not in ("Sequential", "Functional"):
        model = make_layer(config)
        shape = config.get("build_input_shape")
        if shape is not None and not model.built:
            model.build([tuple(s) for s in shape] if shape and isinstance(shape[0], list)
                        else tuple(shape))
        return model
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
            layers[entry.get("name", layer.name)] = layer
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
        keys = body.get("output_keys")
        if isinstance(keys, list) and len(keys) == len(outputs):
            structure: Any = dict(zip(keys, outputs))  # a dict of outputs
        else:
            structure = outputs if body.get("multi_output") else outputs[0]
        return Functional(inputs if body.get("multi_input") else inputs[0], structure,
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
    # A subclassed model's own add_weight variables, then its layers'.
    state: dict[str, Any] = {f"{prefix}self.{name}": tensor for name, tensor
                             in layer._parameters.items() if tensor is not None}
    for index, child in enumerate(layer.layers):
        state.update(keras_state(child, f"{prefix}layers.{index}.{type(child).__name__}."))
    return state


def _state_arrays(model: Any) -> dict[str, Any]:
    return {name: tensor.detach().numpy() for name, tensor in keras_state(model).items()}


def model_archive(model: Any, extra_members: dict[str, str] | None = None) -> bytes:
    """The bytes of a one-file model: metadata, config, weights, optimizer state, and
    ``extra_members`` (name to text) for tools that add their own records (``ember train``).

    The metadata records ember's random-number state, so that ``fit(initial_epoch=...)`` on a
    loaded checkpoint shuffles and drops out exactly as the uninterrupted run would have.
    """
    from ember import random as ember_random

    if not model.built:
        raise ValueError(f"model {model.name!r} must be built (given an input shape or trained) "
                         "before it can be saved")
    compile_config = model._compile_config
    if compile_config is not None and model.optimizer is not None:
        compile_config = {**compile_config, "optimizer": _try_serialize(model.optimizer)}
    config = {"model": model_config(model), "compile": compile_config}
    metadata = {"format": FORMAT, "format_version": FORMAT_VERSION,
                "rng_state": ember_random.get_rng_state(),
                "epochs_finished": int(getattr(model, "epochs_finished", 0))}
    optimizer_state = None
    if model.optimizer is not None and model.optimizer.inner is not None:
        tensors: dict[str, Any] = {}
        structure = flatten_structure(model.optimizer.state_dict(), "", tensors)
        optimizer_state = safetensors_bytes(tensors, {"structure": json.dumps(structure)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", json.dumps(metadata))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.safetensors", safetensors_bytes(_state_arrays(model)))
        if optimizer_state is not None:
            archive.writestr("optimizer.safetensors", optimizer_state)
        for name, text in (extra_members or {}).items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _try_serialize(optimizer: Any) -> Any:
    from ember.keras import optimizers

    try:
        return optimizers.serialize(optimizer)
    except ValueError:
        return None


def save_model(model: Any, filepath: str, overwrite: bool = True,
               save_format: str = "ember") -> None:
    """Write ``model_archive(model)`` to ``filepath`` atomically (``save_format="keras3"``:
    Keras 3's own layout, see ``keras3_format``)."""
    path = Path(filepath)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists and overwrite=False")
    if save_format not in ("ember", "keras3"):
        raise ValueError(f"save_format must be 'ember' or 'keras3', got {save_format!r}")
    if save_format == "keras3":
        from ember.keras.models.keras3_format import keras3_archive

        blob = keras3_archive(model)
        atomic_write(path, lambda f: f.write(blob))
        return
    blob = model_archive(model)
    atomic_write(path, lambda f: f.write(blob))


# Deflate expands at most about 1032 to 1; a member claiming more than this lies about its size.
_MAX_DEFLATE_RATIO = 1100
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError,
               NotImplementedError, RuntimeError, struct.error, UnicodeDecodeError)


def read_members(path: Path, wanted: tuple[str, ...] = ()) -> dict[str, bytes]:
    """The archive's known members (and ``wanted`` ones), each size checked before reading."""
    if not path.exists():
        raise ModelFileError(f"{path}: no such file")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a folder, expected a model file")
    archive_bytes = path.stat().st_size
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as exc:
        raise ModelFileError(f"{path}: not an ember model file (not a zip archive: "
                             f"{exc})") from None
    members = {}
    with archive:
        for info in archive.infolist():
            if info.filename not in _MEMBERS + ("optimizer.safetensors",) + wanted:
                continue
            if info.filename in members:
                raise ModelFileError(f"{path}: member {info.filename} appears twice")
            limit = (info.compress_size if info.compress_type == zipfile.ZIP_STORED
                     else info.compress_size * _MAX_DEFLATE_RATIO + 1024)
            if (info.file_size > _MAX_MEMBER_BYTES or info.compress_size > archive_bytes
                    or info.file_size > limit):
                raise ModelFileError(f"{path}: member {info.filename} claims {info.file_size} "
                                     f"bytes from {info.compress_size} compressed in a "
                                     f"{archive_bytes}-byte file: its sizes are corrupt")
            try:
                members[info.filename] = archive.read(info)
            except _ZIP_ERRORS as exc:
                raise ModelFileError(f"{path}: member {info.filename} is corrupt "
                                     f"({exc.__class__.__name__})") from None
    missing = [m for m in _MEMBERS if m not in members]
    if missing:
        raise ModelFileError(f"{path}: not an ember model file (missing {', '.join(missing)})")
    return members


def _json(blob: bytes, what: str) -> Any:
    try:
        return json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ModelFileError(f"{what} is not valid JSON") from None


# What a config that doesn't fit the code it names can raise while the model is rebuilt.
_CONFIG_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError,
                  ZeroDivisionError, MemoryError, RecursionError)


def rebuild_model(config: dict[str, Any], max_parameters: int, source: str,
                  custom_objects: dict[str, Any] | None = None) -> Any:
    """``model_from_config`` that refuses configs making more than ``max_parameters`` values and
    turns every error a malformed config can cause into ``ModelFileError``."""
    from ember.nn.parameter import parameter_budget

    try:
        with parameter_budget(max_parameters):
            return model_from_config(config, source, custom_objects)
    except ModelFileError:
        raise
    except _CONFIG_ERRORS as exc:
        raise ModelFileError(f"{source}: the model config doesn't describe a valid model "
                             f"({type(exc).__name__}: {str(exc)[:200]})") from None


def load_model(filepath: str, custom_objects: Any = None, compile: bool = True,  # noqa: A002
               safe_mode: bool = True) -> Any:
    """Rebuild a model saved by ``model.save``: architecture, weights, compile settings and
    optimizer state. Raises ``ember.ModelFileError`` naming the file for anything malformed.

    ``custom_objects`` maps the names of your own layer and model classes to the classes (their
    ``get_config``/``from_config`` rebuild them). ``safe_mode``: loading never runs code from the
    file, so it is always safe.
    """
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(f"custom_objects must be a dict of names to classes, got "
                        f"{type(custom_objects).__name__}")
    path = Path(filepath)
    from ember.keras.models import keras3_format

    if keras3_format.is_keras3_archive(path):  # written by Keras 3 (or save_format="keras3")
        return keras3_format.load_keras3_model(path, compile=compile)
    members = read_members(path)
    metadata = _json(members["metadata.json"], f"{path}: metadata.json")
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an ember model file (format {metadata!r:.200})")
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(f"{path}: format version {metadata.get('format_version')!r:.50} is "
                             f"not supported (this ember reads version {FORMAT_VERSION})")
    config = _json(members["config.json"], f"{path}: config.json")
    if not isinstance(config, dict) or not isinstance(config.get("model"), dict):
        raise ModelFileError(f"{path}: config.json has no model description")
    weights, _ = safetensors_from_bytes(members["model.weights.safetensors"],
                                        f"{path}: model.weights.safetensors")
    model = rebuild_model(config["model"], sum(int(a.size) for a in weights.values()), str(path),
                          custom_objects)
    _load_state(model, weights, str(path))
    model._checkpoint_rng_state = _rng_state(metadata.get("rng_state"))
    epochs = metadata.get("epochs_finished", 0)
    model.epochs_finished = epochs if type(epochs) is int and epochs >= 0 else 0
    compile_config = config.get("compile")
    if compile and isinstance(compile_config, dict) and compile_config.get("loss"):
        _restore_compile(model, compile_config, members, path)
    return model


def _rng_state(state: Any) -> dict[str, Any] | None:
    """The generator state a checkpoint recorded, if it is one NumPy can take back."""
    import numpy as np

    if not isinstance(state, dict):
        return None
    try:
        probe = np.random.default_rng()
        probe.bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError):
        return None
    return state


def _restore_compile(model: Any, compile_config: dict[str, Any], members: dict[str, bytes],
                     path: Path) -> None:
    from ember.keras import losses, metrics, optimizers

    try:
        model.compile(optimizer=optimizers.get(compile_config["optimizer"]),
                      loss=losses.get(compile_config["loss"]),
                      loss_weights=compile_config.get("loss_weights"),
                      metrics=[metrics.get(m) for m in compile_config.get("metrics") or []
                               if m is not None],
                      weighted_metrics=[metrics.get(m) for m in
                                        compile_config.get("weighted_metrics") or []
                                        if m is not None])
    except _CONFIG_ERRORS as exc:
        raise ModelFileError(f"{path}: bad compile settings ({str(exc)[:200]})") from None
    if "optimizer.safetensors" not in members or not model.built:
        return
    tensors, meta = safetensors_from_bytes(members["optimizer.safetensors"],
                                           f"{path}: optimizer.safetensors")
    structure = parse_structure(meta.get("structure", "null"), f"{path}: optimizer state")
    try:
        model.optimizer.build(model.parameters())
        model.optimizer.load_state_dict(unflatten_structure(structure, tensors, str(path)))
    except ModelFileError:
        raise
    except _CONFIG_ERRORS as exc:
        raise ModelFileError(f"{path}: optimizer state doesn't fit the model "
                             f"({str(exc)[:200]})") from None


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
    from ember.keras.models import keras3_format

    if keras3_format.is_hdf5(filepath):  # Keras 3's .weights.h5 (ember writes safetensors)
        return keras3_format.load_weights_h5(model, filepath)
    weights, _ = load_safetensors(filepath)
    _load_state(model, weights, str(filepath))
