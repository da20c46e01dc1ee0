"""``fit``, ``evaluate``, ``predict`` and the on-batch methods: batches, callbacks and logs around
the model's ``train_step``/``test_step``/``predict_step``. No gradients or maths here."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ember import random as ember_random
from ember.autograd.grad_mode import no_grad
from ember.distributed import _keras as data_parallel
from ember.keras import callbacks as callbacks_module
from ember.keras.models import data_adapter, structure
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


def _as_float(value: Any) -> Any:
    if isinstance(value, Tensor):
        value = value.detach().numpy()
    if isinstance(value, np.ndarray) and value.size == 1:
        return float(value.reshape(()))
    return float(value) if isinstance(value, (np.floating, np.integer, int)) else value


def _logs(step_result: Any) -> dict[str, Any]:
    """A step's dict of results as plain floats, in Keras's order (loss first, val_ last)."""
    if not isinstance(step_result, dict):
        raise TypeError(f"train_step/test_step must return a dict of results, got "
                        f"{type(step_result).__name__}")
    return _ordered_logs({name: _as_float(value) for name, value in step_result.items()})


def _as_numpy(out: Any) -> Any:
    """A batch's predictions as NumPy: an array, a list of them, or a dict of them."""
    if isinstance(out, dict):
        return {key: _as_numpy(value) for key, value in out.items()}
    if isinstance(out, (list, tuple)):
        return [o.numpy() for o in out]
    return np.asarray(out.numpy() if isinstance(out, Tensor) else out)


def _pack(x: Any, y: Any, sample_weight: Any) -> tuple[Any, ...]:
    return (x, y) if sample_weight is None else (x, y, sample_weight)


def _callbacks(callbacks: list[Any] | None, verbose: int, model: Any,
               params: dict[str, Any], history: Any = None) -> callbacks_module.CallbackList:
    objects = list(callbacks or [])
    if verbose:
        objects.append(callbacks_module.ProgbarLogger(verbose))
    if history is not None:
        objects.append(history)
    return callbacks_module.CallbackList(objects, model, params)


class TrainingLoops:
    """The loops of ``keras.Model`` (a mixin: ``Model`` provides the steps)."""

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
        x, y = structure.by_names(self, x, y)
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
                vx, vy = structure.by_names(self, vx, vy)
                val_data = data_adapter.make_data(vx, vy, vsw, validation_batch_size or batch_size,
                                                  False, validation_steps, keep_ints, "validation")
            else:
                val_data = data_adapter.make_data(validation_data, None, None,
                                                  validation_batch_size or batch_size, False,
                                                  validation_steps, keep_ints, "validation")
        if class_weight is not None:
            if not isinstance(data, data_adapter.ArrayData) or data.y is None or \
                    data.multi_target:
                raise ValueError("class_weight needs the array targets of a one-output model")
            weights = data_adapter.class_weights_to_sample_weights(data.y, class_weight)
            data.sample_weight = weights if data.sample_weight is None else \
                data.sample_weight * weights

        verbose = _resolve_verbose(verbose)
        self.history = callbacks_module.History()
        hooks = _callbacks(callbacks, verbose, self,
                           {"epochs": epochs, "steps": data.steps, "verbose": verbose},
                           self.history)
        self.stop_training = False
        if initial_epoch > 0 and self._checkpoint_rng_state is not None:
            ember_random.set_rng_state(self._checkpoint_rng_state)
            self._checkpoint_rng_state = None
        hooks.call("on_train_begin", None)
        epoch_logs: dict[str, Any] = {}
        for epoch in range(initial_epoch, epochs):
            self.train()
            self.reset_metrics()
            hooks.call("on_epoch_begin", epoch, None)
            logs: dict[str, Any] = {}
            for step, (bx, by, bsw) in enumerate(data.batches()):
                if by is None:
                    raise ValueError("fit: the data gives no targets (y)")
                self._ensure_ready(bx)
                hooks.call("on_train_batch_begin", step, None)
                logs = _logs(self.train_step(_pack(bx, by, bsw)))
                hooks.call("on_train_batch_end", step, logs)
                if self.stop_training:
                    break
            epoch_logs = dict(logs)
            if val_data is not None and (epoch + 1) % validation_freq == 0:
                hooks.call("on_test_begin", None)
                val_logs = self._run_evaluation(val_data, hooks=hooks)
                hooks.call("on_test_end", val_logs)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            self.epochs_finished = epoch + 1
            hooks.call("on_epoch_end", epoch, epoch_logs)
            if self.stop_training:
                break
        hooks.call("on_train_end", epoch_logs)
        return self.history

    def _run_evaluation(self, data: Any, hooks: callbacks_module.CallbackList | None = None
                        ) -> dict[str, float]:
        self._require_compiled("evaluate")
        self.eval()
        self.reset_metrics()
        logs: dict[str, Any] = {}
        try:
            for step, (bx, by, bsw) in enumerate(data.batches()):
                if by is None:
                    raise ValueError("evaluate: the data gives no targets (y)")
                self._ensure_ready(bx)
                if hooks:
                    hooks.call("on_test_batch_begin", step, None)
                logs = _logs(self.test_step(_pack(bx, by, bsw)))
                if hooks:
                    hooks.call("on_test_batch_end", step, logs)
        finally:
            self.train()
        return logs

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: Any = "auto", sample_weight: Any = None, steps: int | None = None,
                 callbacks: list[Any] | None = None, return_dict: bool = False) -> Any:
        """Loss and metrics on the given data: a float, a list ``[loss, *metrics]``, or a dict."""
        x, y = structure.by_names(self, x, y)
        data = data_adapter.make_data(x, y, sample_weight, batch_size, False, steps,
                                      self._accepts_integer_input(), "evaluate")
        verbose = _resolve_verbose(verbose)
        hooks = _callbacks(callbacks, verbose, self,
                           {"test_steps": data.steps, "verbose": verbose})
        hooks.call("on_test_begin", None)
        logs = self._run_evaluation(data, hooks=hooks)
        hooks.call("on_test_end", logs)
        return self._as_result(logs, return_dict)

    def _as_result(self, logs: dict[str, Any], return_dict: bool) -> Any:
        if return_dict:
            return logs
        # Keras's order: the metrics' own, then the rest by name. The compiled metrics of
        # several outputs are logged under prefixed names ("out_accuracy"), so they come last.
        prefixed = {id(m) for m in self.compiled_metrics} if len(self.output_names()) > 1 \
            else set()
        names = [m.name for m in self.metrics if id(m) not in prefixed]
        ordered = [logs[n] for n in names if n in logs] + [logs[k] for k in sorted(logs)
                                                           if k not in names]
        return ordered[0] if len(ordered) == 1 else ordered

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto",
                steps: int | None = None, callbacks: list[Any] | None = None) -> Any:
        """The model's outputs for ``x``, computed in batches, as a NumPy array (a list of them
        for several outputs)."""
        x, _ = structure.by_names(self, x)
        data = data_adapter.make_data(x, None, None, batch_size, False, steps,
                                      self._accepts_integer_input(), "predict")
        verbose = _resolve_verbose(verbose)
        hooks = _callbacks(callbacks, verbose, self,
                           {"predict_steps": data.steps, "verbose": verbose})
        outputs: list[Any] = []
        self.eval()
        hooks.call("on_predict_begin", None)
        try:
            with no_grad():
                for step, (bx, _, _) in enumerate(data.batches()):
                    self._ensure_ready(bx)
                    hooks.call("on_predict_batch_begin", step, None)
                    outputs.append(_as_numpy(self.predict_step((bx,))))
                    hooks.call("on_predict_batch_end", step, {"outputs": outputs[-1]})
        finally:
            self.train()
        hooks.call("on_predict_end", None)
        if outputs and isinstance(outputs[0], dict):
            return {key: np.concatenate([part[key] for part in outputs], axis=0)
                    for key in outputs[0]}
        if outputs and isinstance(outputs[0], list):
            return [np.concatenate(parts, axis=0) for parts in zip(*outputs)]
        return np.concatenate(outputs, axis=0)

    def _one_batch(self, what: str, x: Any, y: Any, sample_weight: Any) -> tuple[Any, ...]:
        self._require_compiled(what)
        x, y = structure.by_names(self, x, y)
        count = len(x[0] if isinstance(x, (list, tuple)) else x)
        data = data_adapter.ArrayData(x, y, sample_weight, batch_size=count,
                                      keep_integer_inputs=self._accepts_integer_input())
        bx, by, bsw = next(data.batches())
        self._ensure_ready(bx)
        return _pack(bx, by, bsw)

    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: Any = None, return_dict: bool = False) -> Any:
        """One ``train_step`` on one batch; the metrics cover that batch only."""
        if class_weight is not None:
            weights = data_adapter.class_weights_to_sample_weights(np.asarray(y), class_weight)
            sample_weight = weights if sample_weight is None else \
                np.asarray(sample_weight) * weights
        batch = self._one_batch("train_on_batch", x, y, sample_weight)
        self.train()
        self.reset_metrics()
        return self._as_result(_logs(self.train_step(batch)), return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      return_dict: bool = False) -> Any:
        batch = self._one_batch("test_on_batch", x, y, sample_weight)
        self.eval()
        self.reset_metrics()
        try:
            logs = _logs(self.test_step(batch))
        finally:
            self.train()
        return self._as_result(logs, return_dict)

    def predict_on_batch(self, x: Any) -> Any:
        return self.predict(x, batch_size=len(x[0] if isinstance(x, list) else x), verbose=0)
