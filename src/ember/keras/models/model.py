"""``keras.Model``: a module plus a trainer (``compile``, ``fit``, ``evaluate``, ``predict``).

``train_step`` is the whole of training: forward, loss, ``zero_grad``, ``backward()``,
``optimizer.step()``, metrics. ``fit``/``evaluate``/``predict`` only orchestrate batches, callbacks
and logs; they never touch gradients or do maths of their own.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ember import random as ember_random
from ember.autograd.grad_mode import no_grad
from ember.distributed import _keras as data_parallel
from ember.keras import activations, losses, optimizers
from ember.keras import callbacks as callbacks_module
from ember.keras import metrics as metrics_module
from ember.keras.layers.base import Layer
from ember.keras.models import data_adapter
from ember.tensor import Tensor


def _resolve_verbose(verbose: Any) -> int:
    if verbose == "auto":
        verbose = 1
    verbose = int(verbose)
    if verbose == 1 and not sys.stdout.isatty():
        return 2  # no live bar without a terminal: one line per epoch
    return verbose


def _ordered_logs(logs: dict[str, float]) -> dict[str, float]:
    train = sorted(k for k in logs if not k.startswith("val_"))
    val = sorted(k for k in logs if k.startswith("val_"))
    return {k: logs[k] for k in train + val}


class Model(Layer):
    """Group layers into an object with training and inference features.

    Build one with ``keras.Sequential([...])``, with ``keras.Model(inputs, outputs)``, or by
    subclassing ``Model`` and writing ``call``.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs):
            from ember.keras.models.functional import Functional

            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(name=kwargs.pop("name", None), trainable=kwargs.pop("trainable", True))
        self.optimizer: optimizers.Optimizer | None = None
        self.loss: losses.Loss | None = None
        self.compiled_metrics: list[metrics_module.Metric] = []
        self.stop_training = False
        self.history: callbacks_module.History | None = None
        self._fused = self._fused_softmax = False
        self._has_regularizers: bool | None = None
        self._compile_config: dict[str, Any] | None = None
        # Set by load_model from a checkpoint; fit(initial_epoch > 0) resumes the random stream.
        self._checkpoint_rng_state: dict[str, Any] | None = None
        # Epochs finished by fit (or recorded in a loaded checkpoint): fit(initial_epoch=...).
        self.epochs_finished = 0

    # -------------------------------------------------------------- structure
    @property
    def layers(self) -> list[Layer]:
        return [m for _, m in self.named_children() if isinstance(m, Layer)]

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"no layer named {name!r}; layers: {[la.name for la in self.layers]}")

    def _keras_sublayers(self) -> list[Layer]:
        return [sub for layer in self.layers for sub in layer._keras_sublayers()]

    def output_activation(self) -> str | None:
        """Name of the activation the model ends with, if a loss can fuse with it."""
        return None

    def call_logits(self, x: Any, training: bool | None = None) -> Tensor:
        raise NotImplementedError

    def regularization_losses(self) -> list[Tensor]:
        return [loss for layer in self._keras_sublayers() if hasattr(layer, "regularization_losses")
                for loss in layer.regularization_losses()]

    def _accepts_integer_input(self) -> bool:
        from ember.keras.layers.embedding import Embedding

        layers = self._keras_sublayers()
        real = [la for la in layers if type(la).__name__ != "InputLayer"]
        return bool(real) and isinstance(real[0], Embedding)

    # -------------------------------------------------------------- compile
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Any = None,
                loss_weights: Any = None, weighted_metrics: Any = None, run_eagerly: Any = None,
                steps_per_execution: Any = None, jit_compile: Any = None, **kwargs: Any) -> None:
        """Choose the optimizer, loss and metrics, by name or as objects."""
        self.optimizer = optimizers.get(optimizer)
        self.loss = None if loss is None else losses.get(loss)
        names = metrics if isinstance(metrics, (list, tuple)) else ([] if metrics is None
                                                                    else [metrics])
        self.compiled_metrics = [metrics_module.get(m) for m in names]
        self._compile_config = {"optimizer": optimizers.serialize(self.optimizer),
                                "loss": None if self.loss is None else _try(losses.serialize,
                                                                           self.loss),
                                "metrics": [_try(metrics_module.serialize, m)
                                            for m in self.compiled_metrics]}
        self._update_fusion()
        self._has_regularizers = None
        if self.built:
            self.optimizer.build(self.parameters())

    def _update_fusion(self) -> None:
        wanted = getattr(self.loss, "fusable_activation", None)
        self._fused = wanted is not None and self.output_activation() == wanted
        self._fused_softmax = self._fused and wanted == "softmax"

    def _require_compiled(self, what: str) -> None:
        if self.optimizer is None or self.loss is None:
            raise RuntimeError(f"you must compile() the model with a loss before {what}()")

    # -------------------------------------------------------------- one batch
    def _forward_for_loss(self, x: Any, training: bool) -> tuple[Tensor, Tensor]:
        """(what the loss sees, what the metrics see): logits and probabilities when fused."""
        if self._fused:
            logits = self.call_logits(x, training=training)
            if not self.compiled_metrics:  # nothing reads the probabilities
                return logits, logits
            if self._fused_softmax and all(m.reads_only_ranking(logits.shape[-1])
                                           for m in self.compiled_metrics):
                return logits, logits  # softmax keeps each row's order: accuracy is the same
            with no_grad():
                probs = activations.get(self.output_activation())(logits.detach())
            return logits, probs
        out = self(x, training=training)
        return out, out

    def _loss_value(self, y: Any, out: Tensor, sample_weight: Any) -> Tensor:
        y_tensor = y if isinstance(y, Tensor) else Tensor._wrap(np.asarray(y))
        per_sample = (self.loss.per_sample_from_logits(y_tensor, out) if self._fused
                      else self.loss.per_sample(y_tensor, out))
        loss = self.loss.reduce(per_sample, sample_weight)
        if self._has_regularizers is None:  # found once per compile, not per batch
            self._has_regularizers = bool(self.regularization_losses())
        if self._has_regularizers:
            for penalty in self.regularization_losses():
                loss = loss + penalty
        return loss

    def _update_metrics(self, y: Any, preds: Tensor, sample_weight: Any) -> None:
        if not self.compiled_metrics:
            return
        y_np = y.numpy() if isinstance(y, Tensor) else np.asarray(y)
        p_np = preds.detach().numpy()
        for metric in self.compiled_metrics:
            metric.update_state(y_np, p_np, sample_weight)

    def train_step(self, x: Any, y: Any, sample_weight: Any = None) -> float:
        out, preds = self._forward_for_loss(x, training=True)
        loss = self._loss_value(y, out, sample_weight)
        self.optimizer.zero_grad()
        if loss.requires_grad:  # False when every weight is frozen: nothing to learn
            loss.backward()
        self.optimizer.step()
        self._update_metrics(y, preds, sample_weight)
        return float(loss.item())

    def test_step(self, x: Any, y: Any, sample_weight: Any = None) -> float:
        with no_grad():
            out, preds = self._forward_for_loss(x, training=False)
            loss = self._loss_value(y, out, sample_weight)
        self._update_metrics(y, preds, sample_weight)
        return float(loss.item())

    def _metric_logs(self, loss_mean: metrics_module.Mean, prefix: str = "") -> dict[str, float]:
        logs = {prefix + "loss": loss_mean.result()}
        for metric in self.compiled_metrics:
            logs[prefix + metric.name] = metric.result()
        return _ordered_logs(logs)

    def _reset_metrics(self) -> metrics_module.Mean:
        for metric in self.compiled_metrics:
            metric.reset_state()
        return metrics_module.Mean(name="loss")

    def _ensure_ready(self, first_x: Any) -> None:
        if not self.built:
            shape = ([(None,) + tuple(v.shape[1:]) for v in first_x] if isinstance(first_x, list)
                     else (None,) + tuple(first_x.shape[1:]))
            self.build(shape)
        if self.optimizer is not None and not self.optimizer.built:
            self.optimizer.build(self.parameters())

    # -------------------------------------------------------------- loops
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: list[Any] | None = None,
            validation_split: float = 0.0, validation_data: Any = None, shuffle: bool = True,
            class_weight: dict[int, float] | None = None, sample_weight: Any = None,
            initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_batch_size: int | None = None,
            validation_freq: int = 1) -> callbacks_module.History:
        """Train for ``epochs`` epochs; returns a ``History`` of per-epoch logs."""
        self._require_compiled("fit")
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
        if not 0 <= validation_split < 1:
            raise ValueError(f"validation_split must be in [0, 1), got {validation_split}")
        # Under mpiexec with a process group: this rank's shard, batch part and callbacks.
        x, y, sample_weight, batch_size, verbose, callbacks = data_parallel.prepare_fit(
            self, x, y, sample_weight, batch_size, verbose, callbacks)
        keep_ints = self._accepts_integer_input()
        data = data_adapter.make_data(x, y, sample_weight, batch_size, shuffle, steps_per_epoch,
                                      keep_ints, "fit")
        val_data = None
        if validation_split and validation_data is None:
            if not isinstance(data, data_adapter.ArrayData):
                raise ValueError("validation_split needs array inputs; pass validation_data for "
                                 "a DataLoader or generator")
            data, val_data = data.split(validation_split)
            val_data.shuffle = False
        elif validation_data is not None:
            if isinstance(validation_data, tuple) and len(validation_data) in (2, 3):
                vx, vy = validation_data[0], validation_data[1]
                vsw = validation_data[2] if len(validation_data) == 3 else None
                val_data = data_adapter.make_data(vx, vy, vsw, validation_batch_size or batch_size,
                                                  False, validation_steps, keep_ints, "validation")
            else:
                val_data = data_adapter.make_data(validation_data, None, None,
                                                  validation_batch_size or batch_size, False,
                                                  validation_steps, keep_ints, "validation")
        if class_weight is not None:
            if not isinstance(data, data_adapter.ArrayData) or data.y is None:
                raise ValueError("class_weight needs array targets")
            weights = data_adapter.class_weights_to_sample_weights(data.y, class_weight)
            data.sample_weight = weights if data.sample_weight is None else \
                data.sample_weight * weights

        verbose = _resolve_verbose(verbose)
        self.history = callbacks_module.History()
        callback_objects = list(callbacks or [])
        if verbose:
            callback_objects.append(callbacks_module.ProgbarLogger(verbose))
        callback_objects.append(self.history)
        hooks = callbacks_module.CallbackList(
            callback_objects, self, {"epochs": epochs, "steps": data.steps, "verbose": verbose})
        self.stop_training = False
        if initial_epoch > 0 and self._checkpoint_rng_state is not None:
            ember_random.set_rng_state(self._checkpoint_rng_state)
            self._checkpoint_rng_state = None
        hooks.call("on_train_begin", None)
        for epoch in range(initial_epoch, epochs):
            self.train()
            loss_mean = self._reset_metrics()
            hooks.call("on_epoch_begin", epoch, None)
            for step, (bx, by, bsw) in enumerate(data.batches()):
                if by is None:
                    raise ValueError("fit: the data gives no targets (y)")
                self._ensure_ready(bx)
                hooks.call("on_train_batch_begin", step, None)
                batch_loss = self.train_step(bx, by, bsw)
                loss_mean.update_state(batch_loss, len(by))
                logs = self._metric_logs(loss_mean)
                logs["loss"] = logs["loss"] if np.isfinite(batch_loss) else batch_loss
                hooks.call("on_train_batch_end", step, logs)
                if self.stop_training:
                    break
            epoch_logs = self._metric_logs(loss_mean)
            if val_data is not None and (epoch + 1) % validation_freq == 0:
                hooks.call("on_test_begin", None)
                val_logs = self._run_evaluation(val_data, hooks=hooks)
                hooks.call("on_test_end", val_logs)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            self.epochs_finished = epoch + 1
            hooks.call("on_epoch_end", epoch, epoch_logs)
            if self.stop_training:
                break
        hooks.call("on_train_end", None)
        return self.history

    def _run_evaluation(self, data: Any, prefix: str = "",
                        hooks: callbacks_module.CallbackList | None = None) -> dict[str, float]:
        self._require_compiled("evaluate")
        self.eval()
        loss_mean = self._reset_metrics()
        try:
            for step, (bx, by, bsw) in enumerate(data.batches()):
                if by is None:
                    raise ValueError("evaluate: the data gives no targets (y)")
                self._ensure_ready(bx)
                if hooks:
                    hooks.call("on_test_batch_begin", step, None)
                loss_mean.update_state(self.test_step(bx, by, bsw), len(by))
                if hooks:
                    hooks.call("on_test_batch_end", step, self._metric_logs(loss_mean))
        finally:
            self.train()
        return self._metric_logs(loss_mean, prefix)

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: Any = "auto", sample_weight: Any = None, steps: int | None = None,
                 callbacks: list[Any] | None = None, return_dict: bool = False) -> Any:
        """Loss and metrics on the given data: a float, a list ``[loss, *metrics]``, or a dict."""
        data = data_adapter.make_data(x, y, sample_weight, batch_size, False, steps,
                                      self._accepts_integer_input(), "evaluate")
        verbose = _resolve_verbose(verbose)
        callback_objects = list(callbacks or [])
        if verbose:
            callback_objects.append(callbacks_module.ProgbarLogger(verbose))
        hooks = callbacks_module.CallbackList(callback_objects, self,
                                              {"test_steps": data.steps, "verbose": verbose})
        hooks.call("on_test_begin", None)
        logs = self._run_evaluation(data, hooks=hooks)
        hooks.call("on_test_end", logs)
        if return_dict:
            return logs
        ordered = [logs["loss"]] + [logs[m.name] for m in self.compiled_metrics]
        return ordered[0] if len(ordered) == 1 else ordered

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto",
                steps: int | None = None, callbacks: list[Any] | None = None) -> np.ndarray:
        """The model's outputs for ``x``, computed in batches, as a NumPy array."""
        data = data_adapter.make_data(x, None, None, batch_size, False, steps,
                                      self._accepts_integer_input(), "predict")
        verbose = _resolve_verbose(verbose)
        callback_objects = list(callbacks or [])
        if verbose:
            callback_objects.append(callbacks_module.ProgbarLogger(verbose))
        hooks = callbacks_module.CallbackList(callback_objects, self,
                                              {"predict_steps": data.steps, "verbose": verbose})
        outputs = []
        self.eval()
        hooks.call("on_predict_begin", None)
        try:
            with no_grad():
                for step, (bx, _, _) in enumerate(data.batches()):
                    self._ensure_ready(bx)
                    hooks.call("on_predict_batch_begin", step, None)
                    outputs.append(self(bx, training=False).numpy())
                    hooks.call("on_predict_batch_end", step, None)
        finally:
            self.train()
        hooks.call("on_predict_end", None)
        return np.concatenate(outputs, axis=0)

    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: Any = None, return_dict: bool = False) -> Any:
        self._require_compiled("train_on_batch")
        data = data_adapter.ArrayData(x, y, sample_weight, batch_size=len(np.asarray(y)),
                                      keep_integer_inputs=self._accepts_integer_input())
        bx, by, bsw = next(data.batches())
        self._ensure_ready(bx)
        self.train()
        loss_mean = self._reset_metrics()
        loss_mean.update_state(self.train_step(bx, by, bsw), len(by))
        return self._batch_result(loss_mean, return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      return_dict: bool = False) -> Any:
        self._require_compiled("test_on_batch")
        data = data_adapter.ArrayData(x, y, sample_weight, batch_size=len(np.asarray(y)),
                                      keep_integer_inputs=self._accepts_integer_input())
        bx, by, bsw = next(data.batches())
        self._ensure_ready(bx)
        self.eval()
        loss_mean = self._reset_metrics()
        loss_mean.update_state(self.test_step(bx, by, bsw), len(by))
        self.train()
        return self._batch_result(loss_mean, return_dict)

    def _batch_result(self, loss_mean: metrics_module.Mean, return_dict: bool) -> Any:
        logs = self._metric_logs(loss_mean)
        if return_dict:
            return logs
        values = [logs["loss"]] + [logs[m.name] for m in self.compiled_metrics]
        return values[0] if len(values) == 1 else values

    def predict_on_batch(self, x: Any) -> np.ndarray:
        return self.predict(x, batch_size=len(x[0] if isinstance(x, list) else x), verbose=0)

    # -------------------------------------------------------------- inspection and saving
    def summary(self, line_length: int | None = None, print_fn: Any = None, **kwargs: Any) -> None:
        """Print Keras's table of layers, output shapes and parameter counts."""
        from ember.keras.models.summary import format_summary

        (print_fn or print)(format_summary(self, line_length))

    def save(self, filepath: str, overwrite: bool = True, **kwargs: Any) -> None:
        """One file with the architecture (JSON), the weights and the optimizer state."""
        from ember.keras.models.saving import save_model

        if not data_parallel.is_writer():  # under mpiexec, rank 0 alone writes files
            return
        save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath: str, overwrite: bool = True) -> None:
        from ember.keras.models.saving import save_weights

        if not data_parallel.is_writer():  # under mpiexec, rank 0 alone writes files
            return
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: str, **kwargs: Any) -> None:
        from ember.keras.models.saving import load_weights

        load_weights(self, filepath)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Model:
        """Rebuild a model from ``get_config()``'s output (architecture only, fresh weights)."""
        from ember.keras.models.saving import model_from_config

        kind = "Sequential" if "tensors" not in config else "Functional"
        return model_from_config({"class_name": kind, "config": config})

    def to_json(self) -> str:
        import json

        from ember.keras.models.saving import model_config

        return json.dumps(model_config(self))


def _try(serialize: Any, obj: Any) -> Any:
    """Serialise a built-in object; custom ones are recorded as None (not restorable by name)."""
    try:
        return serialize(obj)
    except ValueError:
        return None
