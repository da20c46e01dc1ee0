"""Keras 3's own file layout, in and out: ``.keras`` zips and ``.weights.h5`` files.

A Keras 3 ``.keras`` file is a zip of ``config.json`` (the model's class and its layers' configs,
for a functional model also each layer's inbound nodes), ``metadata.json`` and
``model.weights.h5``. In the HDF5 file each layer's weights are the datasets
``layers/<name>/vars/0``, ``1``, ... in Keras's order (a Dense layer: kernel, bias), where
``<name>`` is the snake-cased class name, numbered ``_1``, ``_2``... when a class repeats in
the model's list of layers. ember's Keras layers take Keras's arguments and hand out their
weights in Keras's order and layouts (``get_weights``/``set_weights``), so mapping a file is
mostly names. HDF5 is read with ``h5py`` (``pip install 'ember[keras-files]'``); JSON is only
parsed, nothing in a file runs code.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ember.keras.models.keras3_config import keras3_config
from ember.serialization import ModelFileError, atomic_write

WEIGHTS_MEMBER = "model.weights.h5"
KERAS_VERSION = "3.5.0"  # the oldest Keras 3 layout this writer follows
_MAX_MEMBER_BYTES = 4 * 1024**3
_MAX_DEFLATE_RATIO = 1100
# Keras config entries ember's layers don't take, dropped only when they hold the value that
# changes nothing (anything else is an error naming it, never silently ignored).
_NEUTRAL = {"quantization_config": None, "lora_rank": None, "lora_alpha": None,
            "synchronized": False, "renorm": False, "renorm_clipping": None,
            "sparse": False, "ragged": False, "optional": False, "build_config": None,
            "input_axes": None, "output_axes": None}


def _h5py() -> Any:
    try:
        import h5py
    except ImportError:
        raise ImportError("Keras 3 weight files (HDF5) need h5py: pip install "
                          "'ember[keras-files]'") from None
    return h5py


def snake_case(name: str) -> str:
    """Keras's name for a class in weight paths: ``MaxPooling2D`` -> ``max_pooling2d``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def weight_paths(class_names: list[str]) -> list[str]:
    """The HDF5 group of each layer, in the model's order of layers."""
    used: dict[str, int] = {}
    paths = []
    for class_name in class_names:
        name = snake_case(class_name)
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        paths.append(f"layers/{name}")
    return paths


def layer_slots(model: Any) -> list[tuple[str, Any]]:
    """(weight path, layer) in the order Keras lists a model's layers: a Sequential's layers;
    a functional model's in call order, its InputLayers included (they hold no weights but
    count in the numbering of their own class only)."""
    from ember.keras.models.sequential import Sequential

    if isinstance(model, Sequential) or not hasattr(model, "order"):
        layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    else:
        layers, seen = [], set()
        for tensor in model.order:
            if id(tensor.layer) not in seen:
                seen.add(id(tensor.layer))
                layers.append(tensor.layer)
    return list(zip(weight_paths([type(layer).__name__ for layer in layers]), layers))


# ---------------------------------------------------------------------- reading
def is_keras3_archive(path: str | Path) -> bool:
    """Whether ``path`` is a zip holding Keras 3's ``model.weights.h5``."""
    try:
        with zipfile.ZipFile(path) as archive:
            return WEIGHTS_MEMBER in archive.namelist()
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return False


def is_hdf5(path: str | Path) -> bool:
    """Whether ``path`` starts with HDF5's signature (Keras 3's ``.weights.h5`` files)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(8) == b"\x89HDF\r\n\x1a\n"
    except OSError:
        return False


def _read_members(path: Path) -> dict[str, bytes]:
    wanted = ("config.json", "metadata.json", WEIGHTS_MEMBER)
    size = path.stat().st_size
    members: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename not in wanted:
                    continue
                limit = (info.compress_size if info.compress_type == zipfile.ZIP_STORED
                         else info.compress_size * _MAX_DEFLATE_RATIO + 1024)
                if info.file_size > min(limit, _MAX_MEMBER_BYTES) or info.compress_size > size:
                    raise ModelFileError(f"{path}: member {info.filename} claims "
                                         f"{info.file_size} bytes: its sizes are corrupt")
                members[info.filename] = archive.read(info)
    except ModelFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile raises many types for damaged archives
        raise ModelFileError(f"{path}: not a readable Keras archive ({type(exc).__name__})") \
            from None
    missing = [name for name in ("config.json", WEIGHTS_MEMBER) if name not in members]
    if missing:
        raise ModelFileError(f"{path}: a Keras 3 archive without {', '.join(missing)}")
    return members


def _plain(value: Any) -> Any:
    """A Keras 3 serialized object (``module``, ``class_name``, ``config``, ...) as the
    ``{"class_name", "config"}`` dict ember's registries take; a float32 dtype policy as
    ``"float32"``."""
    if isinstance(value, dict) and "class_name" in value:
        if value["class_name"] == "DTypePolicy":
            return (value.get("config") or {}).get("name")
        if value["class_name"] == "__tuple__":
            return tuple(value.get("config", {}).get("value", ()))
        config = {k: v for k, v in (value.get("config") or {}).items()
                  if not (k in _NEUTRAL and v == _NEUTRAL[k])}
        # Keras registers initializers, regularizers and constraints by class name
        # (GlorotUniform); ember's registries by Keras's string names (glorot_uniform).
        name = value["class_name"]
        if str(value.get("module", "")).startswith(("keras.initializers", "keras.regularizers",
                                                    "keras.constraints")):
            name = snake_case(name)
        return {"class_name": name, "config": config}
    return value


def _make_layer(entry: Any, source: str) -> Any:
    from ember.keras.layers import LAYER_CLASSES

    if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
        raise ModelFileError(f"{source}: a layer entry without a config")
    class_name = entry.get("class_name")
    cls = LAYER_CLASSES.get(class_name) if isinstance(class_name, str) else None
    if cls is None:
        raise ModelFileError(f"{source}: layer type {class_name!r} is not one ember has")
    config = {}
    for key, value in entry["config"].items():
        if key in _NEUTRAL and value == _NEUTRAL[key]:
            continue
        if key == "renorm_momentum" and not entry["config"].get("renorm"):
            continue
        config[key] = _plain(value)
    try:
        return cls.from_config(config)
    except (TypeError, ValueError, NotImplementedError, KeyError, RuntimeError,
            OverflowError) as exc:
        raise ModelFileError(f"{source}: layer {entry['config'].get('name')!r} "
                             f"({class_name}): {str(exc)[:200]}") from None


def _input_of(entry: dict[str, Any], source: str) -> Any:
    from ember.keras.models.functional import Input

    config = entry.get("config") or {}
    shape = config.get("batch_shape") or config.get("batch_input_shape")
    if not isinstance(shape, list) or not shape:
        raise ModelFileError(f"{source}: an InputLayer without batch_shape")
    dtype = _plain(config.get("dtype")) or "float32"
    try:
        return Input(tuple(shape[1:]), name=config.get("name"), dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{source}: bad InputLayer ({exc})") from None


def model_from_keras3_config(config: Any, source: str) -> tuple[Any, list[tuple[str, Any]]]:
    """The ember model a Keras 3 ``config.json`` describes, and (weight path, layer) pairs in
    the file's order."""
    from ember.keras.models.functional import Functional
    from ember.keras.models.sequential import Sequential

    body = config.get("config") if isinstance(config, dict) else None
    if not isinstance(body, dict) or not isinstance(body.get("layers"), list):
        raise ModelFileError(f"{source}: config.json describes no layers")
    entries = body["layers"]
    if config.get("class_name") == "Sequential":
        inputs = [e for e in entries if isinstance(e, dict) and e.get("class_name") == "InputLayer"]
        layers = [_make_layer(e, source) for e in entries if e not in inputs]
        head = [_input_of(inputs[0], source)] if inputs else []
        model = Sequential(head + layers, name=body.get("name"))
        if not inputs and body.get("build_input_shape"):
            model.build(tuple(body["build_input_shape"]))
        return model, list(zip(weight_paths([type(x).__name__ for x in layers]), layers))
    if config.get("class_name") not in ("Functional", "Model"):
        raise ModelFileError(f"{source}: model class {config.get('class_name')!r} is neither "
                             "Sequential nor Functional")
    outputs: dict[str, list[Any]] = {}  # layer name -> its output per call (node)
    layers_by_name: dict[str, Any] = {}
    try:
        for entry in entries:
            name = entry["config"]["name"]
            if entry.get("class_name") == "InputLayer":
                outputs[name] = [_input_of(entry, source)]
                continue
            layer = layers_by_name[name] = _make_layer(entry, source)
            for node in entry.get("inbound_nodes") or []:
                args = [_resolve(a, outputs) for a in node.get("args", [])]
                outputs.setdefault(name, []).append(layer(args[0]))
        model = Functional(_resolve_ports(body["input_layers"], outputs),
                           _resolve_ports(body["output_layers"], outputs), name=body.get("name"))
    except ModelFileError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise ModelFileError(f"{source}: the functional graph is malformed or uses what ember "
                             f"lacks ({type(exc).__name__}: {str(exc)[:150]})") from None
    paths = weight_paths([e.get("class_name") for e in entries])
    return model, [(path, layers_by_name.get(e["config"]["name"]))
                   for path, e in zip(paths, entries)]


def _resolve(arg: Any, outputs: dict[str, list[Any]]) -> Any:
    if isinstance(arg, list):
        return [_resolve(a, outputs) for a in arg]
    if isinstance(arg, dict) and arg.get("class_name") == "__keras_tensor__":
        layer_name, node, _ = arg["config"]["keras_history"]
        return outputs[layer_name][node]
    raise TypeError(f"unsupported layer argument {str(arg)[:80]}")


def _resolve_ports(ports: Any, outputs: dict[str, list[Any]]) -> Any:
    """``["x", 0, 0]`` (one), ``[["x", 0, 0], ...]`` (several) or ``{"key": ["x", 0, 0]}``
    (a dict of outputs) to symbolic tensors."""
    if isinstance(ports, dict):
        return {key: _resolve_ports(port, outputs) for key, port in ports.items()}
    if ports and isinstance(ports[0], str):
        return outputs[ports[0]][ports[1]]
    return [outputs[name][node] for name, node, _ in ports]


def _set_weights(h5: Any, slots: list[tuple[str, Any]], source: str) -> None:
    for path, layer in slots:
        if layer is None or type(layer).__name__ == "InputLayer":
            continue
        expected = layer.get_weights()
        group = h5.get(f"{path}/vars")
        stored = [] if group is None else [group[str(i)] for i in range(len(group))]
        if len(stored) != len(expected):
            raise ModelFileError(f"{source}: layer {layer.name!r} ({path}) has "
                                 f"{len(expected)} weights, the file {len(stored)}")
        values = []
        for index, (dataset, mine) in enumerate(zip(stored, expected)):
            if tuple(dataset.shape) != tuple(mine.shape):
                raise ModelFileError(f"{source}: weight {index} of layer {layer.name!r} is "
                                     f"{list(dataset.shape)}, the model needs "
                                     f"{list(mine.shape)}")
            values.append(np.asarray(dataset[()], dtype=mine.dtype))
        layer.set_weights(values)


def _open_h5(blob: bytes, source: str) -> Any:
    h5py = _h5py()
    try:
        return h5py.File(io.BytesIO(blob), "r")
    except Exception as exc:  # noqa: BLE001 - HDF5 reports damage as many types
        raise ModelFileError(f"{source}: not a readable HDF5 weights file "
                             f"({type(exc).__name__})") from None


def load_keras3_model(filepath: str | Path, compile: bool = True) -> Any:  # noqa: A002
    """An ember model from a ``.keras`` file Keras 3 wrote, with its weights; compiled as
    saved when ``compile`` and ember has the optimizer, loss and metrics (else a warning)."""
    path = Path(filepath)
    members = _read_members(path)
    try:
        config = json.loads(members["config.json"].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ModelFileError(f"{path}: config.json is not valid JSON") from None
    with _open_h5(members[WEIGHTS_MEMBER], str(path)) as h5:
        model, slots = _rebuild(config, _stored_elements(h5, str(path)), str(path))
        _guarded_weights(h5, slots, str(path))
    if compile and isinstance(config.get("compile_config"), dict):
        _compile_as_saved(model, config["compile_config"], path)
    return model


# What a config that doesn't fit the code it names can raise while the model is built.
_CONFIG_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError,
                  ZeroDivisionError, MemoryError, RecursionError, NotImplementedError,
                  RuntimeError)


def _stored_elements(h5: Any, source: str) -> int:
    """How many numbers the weights file holds: the most a sound config can ask to create."""
    sizes: list[int] = []
    try:
        h5.visititems(lambda name, item: sizes.append(int(getattr(item, "size", 0) or 0)))
    except Exception as exc:  # noqa: BLE001 - damaged HDF5 metadata raises many types
        raise ModelFileError(f"{source}: unreadable weights file ({type(exc).__name__})") \
            from None
    return sum(sizes)


def _rebuild(config: Any, budget: int, source: str) -> tuple[Any, list[tuple[str, Any]]]:
    """``model_from_keras3_config`` that refuses to create more weights than the file holds
    (a corrupt config could ask for billions) and reports every failure as ModelFileError."""
    from ember.nn.parameter import parameter_budget

    try:
        with parameter_budget(budget):
            return model_from_keras3_config(config, source)
    except ModelFileError:
        raise
    except _CONFIG_ERRORS as exc:
        raise ModelFileError(f"{source}: config.json doesn't describe a model ember can build "
                             f"({type(exc).__name__}: {str(exc)[:200]})") from None


def _compile_as_saved(model: Any, settings: dict[str, Any], path: Path) -> None:
    """Keras compiles a loaded model with its saved settings; where ember lacks one of them,
    Keras's own behaviour for a failed compile applies: a warning, the model uncompiled."""
    import warnings

    from ember.keras import losses, metrics, optimizers

    def plain(value: Any, name: Any = snake_case) -> Any:
        value = _plain(value)
        if isinstance(value, dict):  # ember registers them by Keras's string names
            return {"class_name": name(value["class_name"]),
                    "config": {k: v for k, v in value["config"].items()
                               if v is not None and k != "name"}}
        return value

    if settings.get("optimizer") is None:
        return
    try:
        model.compile(optimizer=optimizers.get(plain(settings["optimizer"], str.lower)),
                      loss=losses.get(plain(settings.get("loss"))),
                      metrics=[metrics.get(plain(m)) for m in settings.get("metrics") or []])
    except (TypeError, ValueError, KeyError, NotImplementedError) as exc:
        warnings.warn(f"{path}: compile() was not called as part of loading: ember could not "
                      f"rebuild the saved compile settings ({str(exc)[:150]})", stacklevel=3)


def _guarded_weights(h5: Any, slots: list[tuple[str, Any]], source: str) -> None:
    try:
        _set_weights(h5, slots, source)
    except ModelFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - damaged HDF5 datasets raise many types
        raise ModelFileError(f"{source}: unreadable weights ({type(exc).__name__}: "
                             f"{str(exc)[:150]})") from None


def load_weights_h5(model: Any, filepath: str | Path) -> None:
    """``model.load_weights("x.weights.h5")``: Keras 3's weights file into a built model."""
    path = Path(filepath)
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read ({exc.strerror})") from None
    with _open_h5(blob, str(path)) as h5:
        _guarded_weights(h5, layer_slots(model), str(path))


# ---------------------------------------------------------------------- writing
def _write_h5(model: Any) -> bytes:
    h5py = _h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        h5.create_group("vars").attrs["name"] = model.name
        for path, layer in layer_slots(model):
            group = h5.create_group(f"{path}/vars")
            group.attrs["name"] = layer.name
            for index, value in enumerate(layer.get_weights()):
                group.create_dataset(str(index), data=value)
    return buffer.getvalue()


def save_weights_h5(model: Any, filepath: str | Path) -> None:
    """The model's weights in Keras 3's ``.weights.h5`` layout (``model.save_weights`` keeps
    writing ember's safetensors, which need no h5py)."""
    blob = _write_h5(model)
    atomic_write(filepath, lambda handle: handle.write(blob))


def keras3_archive(model: Any) -> bytes:
    """The bytes of a ``.keras`` zip that Keras 3 opens (architecture and weights)."""
    config = keras3_config(model)
    metadata = {"keras_version": KERAS_VERSION,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("metadata.json", json.dumps(metadata))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr(WEIGHTS_MEMBER, _write_h5(model))
    return buffer.getvalue()


def save_keras3_model(model: Any, filepath: str | Path) -> None:
    blob = keras3_archive(model)
    atomic_write(filepath, lambda handle: handle.write(blob))
