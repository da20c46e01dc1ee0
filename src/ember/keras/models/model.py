"""``keras.Model``: a module plus a trainer (``compile``, ``fit``, ``evaluate``, ``predict``).

``train_step(data)`` is the whole of training: forward (``self(x, training=True)``, so every
layer's ``call`` runs), loss, ``zero_grad``, ``backward()``, ``optimizer.apply``, metrics.
Override it, ``test_step`` or ``predict_step`` as in Keras's guide "customizing what happens in
fit". ``fit``/``evaluate``/``predict`` (``loops.py``) only orchestrate batches, callbacks and logs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.autograd.grad_mode import no_grad
from ember.distributed import _keras as data_parallel
from ember.keras import callbacks as callbacks_module
from ember.keras import losses, optimizers
from ember.keras import metrics as metrics_module
from ember.keras.layers.base import Layer
from ember.keras.models.compile_utils import CompiledMetrics, CompileLoss
from ember.keras.models.loops import TrainingLoops
from ember.tensor import Tensor


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from what a step receives: ``x``, ``(x,)``, ``(x, y)`` or
    ``(x, y, sample_weight)`` (``keras.utils.unpack_x_y_sample_weight``)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(f"data must be x, (x,), (x, y) or (x, y, sample_weight); got a tuple of "
                     f"{len(data)}")


def _batch_size(x: Any) -> int:
    first = x[0] if isinstance(x, (list, tuple)) else x
    return int(first.shape[0])


class Model(TrainingLoops, Layer):
    """Group layers into an object with training and inference features.

    Build one with ``keras.Sequential([...])``, with ``keras.Model(inputs, outputs)``, or by
    subclassing ``Model``: create layers in ``__init__`` and write ``call``.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs):
            from ember.keras.models.functional import Functional

            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, trainable = kwargs.pop("name", None), kwargs.pop("trainable", True)
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected arguments "
                            f"{sorted(kwargs) if kwargs else list(args)}")
        super().__init__(name=name, trainable=trainable)
        self.optimizer: optimizers.Optimizer | None = None
        self.loss: Any = None
        self.compiled_loss_fn: CompileLoss | None = None
        self.compiled_metrics: CompiledMetrics = CompiledMetrics(None, None, ["output"])
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.stop_training = False
        self.history: callbacks_module.History | None = None
        self._compile_config: dict[str, Any] | None = None
        self.build_input_shape: Any = None
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
        own = [self] if self.__dict__.get("_variables") else []
        return own + [sub for layer in self.layers for sub in layer._keras_sublayers()]

    def _accepts_integer_input(self) -> bool:
        from ember.keras.layers.embedding import Embedding

        layers = self._keras_sublayers()
        real = [la for la in layers if type(la).__name__ != "InputLayer"]
        return bool(real) and isinstance(real[0], Embedding)

    def output_names(self) -> list[str]:
        return ["output"]

    # -------------------------------------------------------------- compile
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None,
                metrics: Any = None, weighted_metrics: Any = None, run_eagerly: bool = False,
                steps_per_execution: int = 1, jit_compile: Any = "auto",
                auto_scale_loss: bool = True, **kwargs: Any) -> None:
        """Choose the optimizer, the loss and the metrics, by name or as objects.

        ``loss``/``loss_weights``/``metrics``/``weighted_metrics`` may be lists or dicts by
        output name for a model with several outputs; ``metrics`` are unweighted and
        ``weighted_metrics`` receive the sample (and class) weights, as in Keras.
        ``run_eagerly``, ``jit_compile`` and ``auto_scale_loss``: ember always runs eagerly in
        float32, so they change nothing. ``steps_per_execution``: ember runs one step at a time;
        results are the same, and callbacks still see every batch.
        """
        if kwargs:
            raise TypeError(f"compile() got unexpected argument(s) {sorted(kwargs)}")
        if isinstance(steps_per_execution, bool) or not isinstance(
                steps_per_execution, (int, np.integer)) or steps_per_execution < 1:
            raise ValueError(f"steps_per_execution must be a positive integer, got "
                             f"{steps_per_execution!r}")
        if jit_compile not in ("auto", True, False, None):
            raise ValueError(f"jit_compile must be 'auto', True or False, got {jit_compile!r}")
        self.optimizer = optimizers.get(optimizer)
        names = self.output_names()
        keyed = getattr(self, "output_keys", None) is not None  # a dict of outputs
        self.compiled_loss_fn = None if loss is None else CompileLoss(loss, loss_weights, names,
                                                                      keyed)
        self.loss = None if self.compiled_loss_fn is None else (
            self.compiled_loss_fn.single or loss)
        self.compiled_metrics = CompiledMetrics(metrics, weighted_metrics, names, keyed)
        single = self.compiled_loss_fn.single if self.compiled_loss_fn else None
        self._compile_config = {
            "optimizer": _try(optimizers.serialize, self.optimizer),
            "loss": None if single is None else _try(losses.serialize, single),
            "metrics": [_try(metrics_module.serialize, m) for m in self.compiled_metrics
                        if id(m) not in self.compiled_metrics.weighted],
            "weighted_metrics": [_try(metrics_module.serialize, m) for m in self.compiled_metrics
                                 if id(m) in self.compiled_metrics.weighted],
            "loss_weights": loss_weights}
        if self.built:
            self.optimizer.build(self.parameters())

    def _require_compiled(self, what: str) -> None:
        if self.optimizer is None:
            raise RuntimeError(f"you must compile() the model before {what}()")

    # -------------------------------------------------------------- the steps
    @property
    def metrics(self) -> list[Any]:
        """The loss tracker, the compiled metrics and, for several outputs, each output's loss
        (reset at the start of each epoch)."""
        per_output = self.compiled_loss_fn.metrics if self.compiled_loss_fn is not None else []
        return [self._loss_tracker, *self.compiled_metrics, *per_output]

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None,
                     sample_weight: Any = None, training: bool = True) -> Tensor:
        """The compiled loss of ``y_pred`` against ``y`` plus ``self.losses`` (weight and
        activity regularizers, ``add_loss`` terms)."""
        terms = []
        if self.compiled_loss_fn is not None:
            terms.append(self.compiled_loss_fn(y, y_pred, sample_weight))
        terms += self.losses
        if not terms:
            raise ValueError("no loss to compute: give compile() a loss")
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total

    def compiled_loss(self, y: Any, y_pred: Any, sample_weight: Any = None,
                      regularization_losses: list[Tensor] | None = None) -> Tensor:
        """Keras 2's spelling: the compiled loss plus ``regularization_losses`` if given."""
        if self.compiled_loss_fn is None:
            raise RuntimeError("compiled_loss: the model was compiled without a loss")
        total = self.compiled_loss_fn(y, y_pred, sample_weight)
        for term in regularization_losses or []:
            total = total + term
        return total

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None
                        ) -> dict[str, Any]:
        """Update the compiled metrics and return every metric's result."""
        if self.compiled_metrics:
            self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict[str, Any]:
        results: dict[str, Any] = {}
        for metric in self.metrics:
            value = metric.result()
            if isinstance(value, dict):
                results.update(value)
            else:
                results[metric.name] = value
        return results

    def train_step(self, data: Any) -> dict[str, Any]:
        """One update on one batch: ``self(x, training=True)``, the loss, ``backward()``,
        ``optimizer.apply``; returns the metrics' results."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        self.optimizer.zero_grad()  # the weights it updates are the only ones with gradients
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=True)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        if loss.requires_grad:  # False when every weight is frozen: nothing to learn
            loss.backward()
        self.optimizer.step()
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data: Any) -> dict[str, Any]:
        """Loss and metrics on one batch, in inference mode, without gradients."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with no_grad():
            y_pred = self(x, training=False)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        """The model's output for one batch, in inference mode."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _ensure_ready(self, first_x: Any) -> None:
        """Build the model for the first batch (a subclassed model by calling it once), then
        the optimizer on its weights."""
        if not self.built:
            shape = ([(None,) + tuple(v.shape[1:]) for v in first_x]
                     if isinstance(first_x, (list, tuple))
                     else (None,) + tuple(first_x.shape[1:]))
            if type(self).build is Model.build:
                self._build_by_calling(first_x)
            else:
                self.build(shape)
                self.built = True
            self.build_input_shape = shape
        if self.optimizer is not None and not self.optimizer.built:
            self.optimizer.build(self.parameters())

    def build(self, input_shape: Any = None) -> None:
        """Create the weights of a subclassed model by calling it on a zero batch."""
        from ember.keras.layers.base import as_shape, dummy_sample

        if input_shape is None:
            raise ValueError(f"{type(self).__name__}.build needs an input shape")
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        shapes = [(None,) + as_shape(s)[1:] if as_shape(s)[:1] != (None,) else as_shape(s)
                  for s in shapes]
        dtype = np.int64 if self._accepts_integer_input() else np.float32
        samples = [dummy_sample(s, dtype) for s in shapes]
        self._build_by_calling(samples if isinstance(input_shape, list) else samples[0])
        self.build_input_shape = input_shape

    def ensure_built(self, input_shape: Any) -> None:
        if self.built:
            return
        if type(self).build is not Model.build:
            self.build(input_shape)
        # A subclassed model without its own build() is built by this call: each of its layers
        # builds itself when first called.
        self.built = True

    def _build_by_calling(self, x: Any) -> None:
        was_training = self.training
        self.eval()
        with no_grad():
            self(x, training=False)
        self.train(was_training)
        self.built = True
        self.input_spec = None
        if self.optimizer is not None:
            self.optimizer.build(self.parameters())

    # -------------------------------------------------------------- inspection and saving
    def summary(self, line_length: int | None = None, print_fn: Any = None,
                expand_nested: bool = False, show_trainable: bool = False,
                layer_range: Any = None, positions: Any = None) -> None:
        """Print Keras's table of layers, output shapes and parameter counts."""
        from ember.keras.models.summary import format_summary

        for name, value in (("expand_nested", expand_nested), ("show_trainable", show_trainable),
                            ("layer_range", layer_range), ("positions", positions)):
            if value:
                raise NotImplementedError(f"summary: {name}= is not supported")
        (print_fn or print)(format_summary(self, line_length))

    def save(self, filepath: str, overwrite: bool = True, zipped: bool | None = None,
             save_format: str = "ember") -> None:
        """One file with the architecture (JSON), the weights and the optimizer state;
        ``save_format="keras3"`` writes Keras 3's own layout (architecture and weights)."""
        from ember.keras.models.saving import save_model

        if zipped is False:
            raise NotImplementedError("save: zipped=False is not supported (one zip file)")
        if not data_parallel.is_writer():  # under mpiexec, rank 0 alone writes files
            return
        save_model(self, filepath, overwrite=overwrite, save_format=save_format)

    def export(self, filepath: str, format: str = "onnx", verbose: bool | None = None,  # noqa: A002
               input_signature: Any = None, **kwargs: Any) -> None:
        """Keras 3's ``model.export``; ember writes ``format="onnx"`` (``ember.onnx``)."""
        from ember.keras.models.export import export_model

        export_model(self, filepath, format, verbose, input_signature, **kwargs)

    def save_weights(self, filepath: str, overwrite: bool = True) -> None:
        from ember.keras.models.saving import save_weights

        if not data_parallel.is_writer():  # under mpiexec, rank 0 alone writes files
            return
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: str, skip_mismatch: bool = False) -> None:
        from ember.keras.models.saving import load_weights

        if skip_mismatch:
            raise NotImplementedError("load_weights: skip_mismatch=True is not supported")
        load_weights(self, filepath)

    def get_config(self) -> dict[str, Any]:
        """A subclassed model's config: override it (and ``from_config`` if ``__init__`` takes
        other arguments) to save and load the model, as in Keras."""
        return {"name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Model:
        """Rebuild a model from ``get_config()``'s output (architecture only, fresh weights)."""
        if cls not in (Model,) and not _is_builtin_model(cls):
            return cls(**config)
        from ember.keras.models.saving import model_from_config

        kind = "Sequential" if "tensors" not in config else "Functional"
        return model_from_config({"class_name": kind, "config": config},
                                 custom_objects=custom_objects)

    def to_json(self) -> str:
        import json

        from ember.keras.models.saving import model_config

        return json.dumps(model_config(self))


def _is_builtin_model(cls: type) -> bool:
    from ember.keras.models.functional import Functional
    from ember.keras.models.sequential import Sequential

    return cls in (Sequential, Functional)


def _try(serialize: Any, obj: Any) -> Any:
    """Serialise a built-in object; custom ones are recorded as None (not restorable by name)."""
    try:
        return serialize(obj)
    except ValueError:
        return None
