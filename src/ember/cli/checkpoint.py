"""``ember train``'s per-epoch checkpoint, and ``--resume`` from it.

After every finished epoch ``ember train`` writes one file into the run folder, atomically:

* Keras-style recipes: ``checkpoint.keras``, the model's own archive (``model.save`` format:
  weights, optimizer state, ember's RNG state, ``epochs_finished``) with one more member,
  ``ember-cli-resume.json``.
* PyTorch-style recipes: ``checkpoint.safetensors``: the model's ``state_dict`` and the
  ``ember.optim`` optimizer's ``state_dict`` flattened as ``ember.save`` does, the same JSON
  record in the metadata. (A learning-rate schedule is a function of the epoch: resuming
  rebuilds it, see ``ember.cli.training.fit_torch``.)

The record holds the recipe, the settings, the history rows so far, and every random state that
training draws from: ember's default generator (shuffling, dropout, DataLoader order), NumPy's
global one, and the generator of ``array_batches`` (shuffling and augmentation). Restoring all
of it makes a resumed run end with the same weights, bit for bit, as the run left alone.
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
    flatten_structure,
    load_safetensors,
    parse_structure,
    safetensors_bytes,
    unflatten_structure,
)

FORMAT = "ember.cli.checkpoint"
FORMAT_VERSION = 1
RESUME_MEMBER = "ember-cli-resume.json"  # in checkpoint.keras
METADATA_KEY = "ember.cli.checkpoint"  # in checkpoint.safetensors
STRUCTURE_KEY = "ember.structure"
RESUMABLE_SETTINGS = ("batch_size", "lr", "optimizer", "seed", "extras")


def checkpoint_path(folder: str | os.PathLike[str], family: str) -> Path:
    """``checkpoint.keras`` for Keras-style recipes, ``checkpoint.safetensors`` otherwise."""
    return Path(folder) / ("checkpoint.keras" if family == "keras" else "checkpoint.safetensors")


def _numpy_global_state() -> dict[str, Any]:
    state = np.random.get_state(legacy=False)
    return {**state, "state": {"key": [int(k) for k in state["state"]["key"]],
                               "pos": int(state["state"]["pos"])}}


def _set_numpy_global_state(state: dict[str, Any]) -> None:
    inner = state["state"]
    np.random.set_state({**state, "state": {"key": np.asarray(inner["key"], np.uint32),
                                            "pos": int(inner["pos"])}})


@dataclass
class Checkpointer:
    """Writes the run's checkpoint after each finished epoch."""

    folder: Path
    family: str
    recipe: str
    settings: dict[str, Any]  # epochs, batch_size, lr, optimizer, seed, extras

    @property
    def path(self) -> Path:
        return checkpoint_path(self.folder, self.family)

    def _record(self, history: list[dict[str, float]],
                batch_rng: np.random.Generator | None) -> dict[str, Any]:
        from ember import random as ember_random

        return {"format": FORMAT, "format_version": FORMAT_VERSION, "recipe": self.recipe,
                "family": self.family, "settings": self.settings,
                "epochs_finished": len(history), "history": history,
                "rng": {"ember": ember_random.get_rng_state(), "numpy": _numpy_global_state(),
                        "batches": None if batch_rng is None
                        else batch_rng.bit_generator.state}}

    def save(self, model: Any, optimizer: Any, history: list[dict[str, float]],
             batch_rng: np.random.Generator | None = None) -> None:
        """Write weights, optimizer state, history and random states, atomically (under
        mpiexec, on rank 0 only)."""
        from ember.distributed._cli import is_writer

        if not is_writer():
            return
        text = json.dumps(self._record(history, batch_rng))
        if self.family == "keras":
            from ember.keras.models.saving import model_archive

            blob = model_archive(model, {RESUME_MEMBER: text})
        else:
            tensors: dict[str, np.ndarray] = {}
            state = {"model": {k: v.detach().numpy() for k, v in model.state_dict().items()},
                     "optimizer": optimizer.state_dict()}
            structure = flatten_structure(state, "", tensors)
            blob = safetensors_bytes(tensors, {METADATA_KEY: text,
                                               STRUCTURE_KEY: json.dumps(structure)})
        atomic_write(self.path, lambda f: f.write(blob))


@dataclass
class ResumeState:
    """What a checkpoint holds: the record and, once loaded, weights and optimizer state."""

    path: Path
    record: dict[str, Any]
    weights: dict[str, np.ndarray]
    optimizer_state: Any

    @property
    def epochs_finished(self) -> int:
        return int(self.record["epochs_finished"])

    @property
    def history(self) -> list[dict[str, float]]:
        return [dict(row) for row in self.record["history"]]

    def _restore_rng(self, batch_rng: np.random.Generator | None) -> None:
        from ember import random as ember_random

        rng = self.record["rng"]
        ember_random.set_rng_state(rng["ember"])
        _set_numpy_global_state(rng["numpy"])
        if batch_rng is not None:
            if rng.get("batches") is None:
                raise ModelFileError(f"{self.path}: the checkpoint has no state for the "
                                     "batch generator")
            batch_rng.bit_generator.state = rng["batches"]

    def _check_weights(self, expected: dict[str, Any]) -> None:
        if set(expected) != set(self.weights):
            missing = sorted(set(expected) - set(self.weights))[:5]
            unexpected = sorted(set(self.weights) - set(expected))[:5]
            raise ModelFileError(f"{self.path}: weights don't match the recipe's network "
                                 f"(missing: {missing}, unexpected: {unexpected})")
        for name, tensor in expected.items():
            if tuple(self.weights[name].shape) != tuple(tensor.shape):
                raise ModelFileError(f"{self.path}: weight {name!r} has shape "
                                     f"{list(self.weights[name].shape)}, the network needs "
                                     f"{list(tensor.shape)}")

    def restore_keras(self, model: Any) -> int:
        """Load weights, optimizer state and random states into a compiled Keras model;
        returns the epoch to go on from (``fit(initial_epoch=...)``)."""
        from ember import from_numpy, no_grad
        from ember.keras.models.saving import keras_state

        expected = keras_state(model)
        self._check_weights(expected)
        with no_grad():
            for name, tensor in expected.items():
                tensor.copy_(from_numpy(self.weights[name]))
        if self.optimizer_state is not None:
            model.optimizer.build(model.parameters())
            model.optimizer.load_state_dict(self.optimizer_state)
        self._restore_rng(None)
        model.epochs_finished = self.epochs_finished
        return self.epochs_finished

    def restore_torch(self, model: Any, optimizer: Any,
                      batch_rng: np.random.Generator | None) -> int:
        """Load weights, optimizer state (already built) and random states; returns the epoch
        to go on from."""
        from ember import from_numpy

        self._check_weights(model.state_dict())
        model.load_state_dict({k: from_numpy(np.asarray(v)) for k, v in self.weights.items()})
        optimizer.load_state_dict(self.optimizer_state)
        self._restore_rng(batch_rng)
        return self.epochs_finished


def _check_record(record: Any, path: Path, recipe: str) -> dict[str, Any]:
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an ember train checkpoint")
    if record.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(f"{path}: checkpoint version {record.get('format_version')!r} is "
                             f"not supported (this ember reads version {FORMAT_VERSION})")
    if record.get("recipe") != recipe:
        raise ModelFileError(f"{path}: the checkpoint is of recipe {record.get('recipe')!r}, "
                             f"not {recipe!r}")
    settings, history, rng = record.get("settings"), record.get("history"), record.get("rng")
    if not (isinstance(settings, dict) and isinstance(history, list)
            and isinstance(rng, dict) and isinstance(rng.get("ember"), dict)
            and isinstance(rng.get("numpy"), dict)
            and record.get("epochs_finished") == len(history)
            and all(isinstance(row, dict) for row in history)):
        raise ModelFileError(f"{path}: the checkpoint record is incomplete")
    return record


def _parse(text: bytes | str, path: Path, recipe: str) -> dict[str, Any]:
    try:
        return _check_record(json.loads(text), path, recipe)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ModelFileError(f"{path}: the checkpoint record is not valid JSON") from None


def load_checkpoint(folder: str | os.PathLike[str], family: str, recipe: str) -> ResumeState:
    """The checkpoint ``ember train`` left in ``folder``; a ``ModelFileError`` naming the folder
    when there is none, naming the file when it is corrupt or of another recipe."""
    path = checkpoint_path(folder, family)
    if not path.is_file():
        raise ModelFileError(f"{folder}: no checkpoint to resume from (expected {path.name})")
    if family == "keras":
        from ember.keras.models import load_model
        from ember.keras.models.saving import keras_state, read_members

        members = read_members(path, wanted=(RESUME_MEMBER,))
        if RESUME_MEMBER not in members:
            raise ModelFileError(f"{path}: a Keras model without an {RESUME_MEMBER} record "
                                 "(not an ember train checkpoint)")
        record = _parse(members[RESUME_MEMBER], path, recipe)
        loaded = load_model(str(path))
        weights = {k: v.detach().numpy() for k, v in keras_state(loaded).items()}
        optimizer = loaded.optimizer
        optimizer_state = (optimizer.state_dict() if optimizer is not None
                           and optimizer.inner is not None else None)
        return ResumeState(path, record, weights, optimizer_state)
    tensors, metadata = load_safetensors(path)
    if METADATA_KEY not in metadata or STRUCTURE_KEY not in metadata:
        raise ModelFileError(f"{path}: a safetensors file without an ember train checkpoint "
                             "record")
    record = _parse(metadata[METADATA_KEY], path, recipe)
    try:
        state = unflatten_structure(parse_structure(metadata[STRUCTURE_KEY], str(path)), tensors,
                           str(path))
    except RecursionError:
        raise ModelFileError(f"{path}: its structure record is nested too deeply") from None
    if not (isinstance(state, dict) and isinstance(state.get("model"), dict)
            and isinstance(state.get("optimizer"), dict)):
        raise ModelFileError(f"{path}: the checkpoint lacks the model or optimizer state")
    weights = {k: v.numpy() for k, v in state["model"].items()}
    optimizer_state = state["optimizer"]
    if "inner" in optimizer_state:  # written when these recipes trained with Keras optimizers
        optimizer_state = optimizer_state["inner"]
    if not isinstance(optimizer_state, dict) or "param_groups" not in optimizer_state:
        raise ModelFileError(f"{path}: the checkpoint's optimizer state is incomplete")
    return ResumeState(path, record, weights, optimizer_state)
