"""Keras metrics: running values accumulated over batches, reset each epoch.

Metrics see predictions after the output activation (probabilities) as NumPy arrays; they are
bookkeeping, outside the graph, so they never affect gradients.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.keras._registry import Registry

_METRICS = Registry("metric")


class Metric:
    """Base: ``update_state(y_true, y_pred, sample_weight)``, ``result()``, ``reset_state()``."""

    default_name = "metric"

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        if dtype not in (None, "float32"):
            raise NotImplementedError(f"{type(self).__name__}: dtype={dtype!r} is not supported "
                                      "(results are computed in float64 and reported as floats)")
        self.name = name or self.default_name
        self._metric_variables: list[Any] = []
        # A user's subclass creates its state after ``super().__init__()``, so (as Keras) its
        # own ``reset_state`` is not called from here; ember's built-in metrics start that way.
        if type(self).reset_state.__module__ == __name__:
            self.reset_state()
        else:
            Metric.reset_state(self)

    def add_variable(self, shape: Any = (), initializer: Any = "zeros", dtype: Any = None,
                     aggregation: str = "sum", name: str | None = None) -> Any:
        """A state variable of this metric (``assign``/``assign_add``, ``value``), not trained;
        ``reset_state`` sets it back to zeros."""
        from ember.keras import initializers
        from ember.keras.layers.base import as_shape
        from ember.keras.variables import Variable

        if dtype not in (None, "float32"):
            raise NotImplementedError(f"{type(self).__name__}.add_variable: dtype={dtype!r} is "
                                      "not supported (float32)")
        if aggregation not in ("sum", "mean", "none", "only_first_replica"):
            raise ValueError(f"{type(self).__name__}.add_variable: unknown aggregation "
                             f"{aggregation!r}")
        init = initializers.get(initializer)
        variable = Variable(init(as_shape(shape)), trainable=False,
                            name=name or f"variable_{len(self._metric_variables)}")
        self._metric_variables.append(variable)
        return variable

    def add_weight(self, name: str | None = None, shape: Any = (), dtype: Any = None,
                   initializer: Any = "zeros", aggregation: str = "sum") -> Any:
        """Keras's older spelling of ``add_variable``."""
        return self.add_variable(shape, initializer, dtype, aggregation, name)

    @property
    def variables(self) -> list[Any]:
        """The state variables made by ``add_variable``/``add_weight``."""
        return list(self.__dict__.get("_metric_variables", []))

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0
        for variable in self.variables:
            variable.assign(np.zeros(variable.shape, dtype=np.float32))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        raise NotImplementedError

    def result(self) -> float:
        return float(self.total / self.count) if self.count else 0.0

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**config)


def _numpy(value: Any) -> np.ndarray:
    return np.asarray(value.detach().numpy() if hasattr(value, "detach") else value)


class Mean(Metric):
    """The weighted mean of the values it is given (Keras uses it for the loss)."""

    default_name = "mean"

    def update_state(self, values: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        values = _numpy(values).astype(np.float64)
        weight = np.ones_like(values) if sample_weight is None else np.broadcast_to(
            _numpy(sample_weight).astype(np.float64), values.shape)
        self.total += float((values * weight).sum())
        self.count += float(weight.sum())


class MeanMetricWrapper(Metric):
    """Averages a per-sample function ``values(y_true, y_pred) -> (N,)`` over all samples."""

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        values = self.values(_numpy(y_true), _numpy(y_pred)).astype(np.float64)
        if sample_weight is None:
            self.total += float(values.sum())
            self.count += float(values.size)
        else:
            weight = _numpy(sample_weight).astype(np.float64).reshape(values.shape[:1] +
                                                                       (1,) * (values.ndim - 1))
            weight = np.broadcast_to(weight, values.shape)
            self.total += float((values * weight).sum())
            self.count += float(weight.sum())


def _labels(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return y_true.astype(np.int64)


@_METRICS.register("sparse_categorical_accuracy")
class SparseCategoricalAccuracy(MeanMetricWrapper):
    default_name = "sparse_categorical_accuracy"

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return (np.argmax(y_pred, axis=-1) == _labels(y_true, y_pred)).astype(np.float64)


@_METRICS.register("categorical_accuracy")
class CategoricalAccuracy(MeanMetricWrapper):
    default_name = "categorical_accuracy"

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return (np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)).astype(np.float64)


@_METRICS.register("binary_accuracy")
class BinaryAccuracy(MeanMetricWrapper):
    default_name = "binary_accuracy"

    def __init__(self, name: str | None = None, dtype: Any = None, threshold: float = 0.5) -> None:
        self.threshold = threshold
        super().__init__(name, dtype)

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        if y_true.ndim == y_pred.ndim - 1:
            y_true = y_true[..., None]
        hits = (y_pred > self.threshold) == (y_true > 0.5)
        return hits.mean(axis=-1) if hits.ndim > 1 else hits


@_METRICS.register("accuracy", "acc")
class Accuracy(MeanMetricWrapper):
    """``'accuracy'``: binary, categorical or sparse, chosen from the shapes it sees."""

    default_name = "accuracy"

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        if y_pred.ndim == 1 or y_pred.shape[-1] == 1:
            return BinaryAccuracy.values(BinaryAccuracy(), y_true, y_pred)
        if y_true.shape == y_pred.shape:
            return CategoricalAccuracy.values(self, y_true, y_pred)
        return SparseCategoricalAccuracy.values(self, y_true, y_pred)


@_METRICS.register("top_k_categorical_accuracy")
class TopKCategoricalAccuracy(MeanMetricWrapper):
    default_name = "top_k_categorical_accuracy"

    def __init__(self, k: int = 5, name: str | None = None, dtype: Any = None) -> None:
        self.k = k
        super().__init__(name, dtype)

    def _hits(self, labels: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        top = np.argpartition(-y_pred, min(self.k, y_pred.shape[-1]) - 1, axis=-1)[..., :self.k]
        return (top == labels[..., None]).any(axis=-1).astype(np.float64)

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return self._hits(np.argmax(y_true, axis=-1), y_pred)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "k": self.k}


@_METRICS.register("sparse_top_k_categorical_accuracy")
class SparseTopKCategoricalAccuracy(TopKCategoricalAccuracy):
    default_name = "sparse_top_k_categorical_accuracy"

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return self._hits(_labels(y_true, y_pred), y_pred)


class _Regression(MeanMetricWrapper):
    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        if y_true.ndim == y_pred.ndim - 1:
            y_true = y_true[..., None]
        elif y_pred.ndim == y_true.ndim - 1:  # (N, 1) targets, (N,) predictions
            y_pred = y_pred[..., None]
        per_element = self.elementwise(y_true.astype(np.float64), y_pred.astype(np.float64))
        return per_element.mean(axis=-1) if per_element.ndim > 1 else per_element

    def elementwise(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        raise NotImplementedError


@_METRICS.register("mean_absolute_error", "mae")
class MeanAbsoluteError(_Regression):
    default_name = "mean_absolute_error"

    def elementwise(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.abs(y_true - y_pred)


@_METRICS.register("mean_absolute_percentage_error", "mape")
class MeanAbsolutePercentageError(_Regression):
    """``100 * |y_true - y_pred| / max(|y_true|, 1e-7)``, averaged (Keras's epsilon)."""

    default_name = "mean_absolute_percentage_error"

    def elementwise(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return 100.0 * np.abs((y_true - y_pred) / np.maximum(np.abs(y_true), 1e-7))


@_METRICS.register("mean_squared_error", "mse")
class MeanSquaredError(_Regression):
    default_name = "mean_squared_error"

    def elementwise(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return (y_true - y_pred) ** 2


@_METRICS.register("root_mean_squared_error", "rmse")
class RootMeanSquaredError(MeanSquaredError):
    default_name = "root_mean_squared_error"

    def result(self) -> float:
        return float(np.sqrt(super().result()))


@_METRICS.register("r2_score", "r2")
class R2Score(Metric):
    """Coefficient of determination over everything seen since the last reset: computed per
    output column (sample weights honoured) and averaged, as Keras's default
    ``class_aggregation="uniform_average"`` and scikit-learn's ``r2_score``."""

    default_name = "r2_score"

    def reset_state(self) -> None:
        # Per output: sum w, sum w*y, sum w*y^2, sum w*(y - p)^2 (shape (4, outputs) once seen).
        self.sums = np.zeros((4, 1))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true = _numpy(y_true).astype(np.float64)
        y_pred = _numpy(y_pred).astype(np.float64)
        y_true = y_true.reshape(len(y_true), -1)
        y_pred = y_pred.reshape(len(y_pred), -1)
        weight = np.ones((len(y_true), 1)) if sample_weight is None else \
            _numpy(sample_weight).astype(np.float64).reshape(-1, 1)
        self.sums = self.sums + np.stack([np.broadcast_to(weight, y_true.shape).sum(axis=0),
                                          (weight * y_true).sum(axis=0),
                                          (weight * y_true**2).sum(axis=0),
                                          (weight * (y_true - y_pred)**2).sum(axis=0)])

    def result(self) -> float:
        n, total, squares, residual = self.sums
        if not n.any():
            return 0.0
        spread = squares - total * total / np.where(n > 0, n, 1.0)
        scores = np.where(spread > 0, 1 - residual / np.where(spread > 0, spread, 1.0), 0.0)
        return float(scores.mean())


class _Confusion(Metric):
    """True/false positives at one or more thresholds over binary (or one-hot) predictions."""

    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None) -> None:
        self.thresholds = np.atleast_1d(np.asarray(0.5 if thresholds is None else thresholds,
                                                   dtype=np.float64))
        super().__init__(name, dtype)

    def reset_state(self) -> None:
        n = len(getattr(self, "thresholds", [0.5]))
        self.tp, self.fp, self.tn, self.fn = (np.zeros(n) for _ in range(4))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = _numpy(y_pred).astype(np.float64)
        y_true = _numpy(y_true)
        if y_true.ndim == y_pred.ndim - 1:
            y_true = y_true[..., None]
        positive = (y_true > 0.5).reshape(-1)
        above = y_pred.reshape(-1)[None, :] > self.thresholds[:, None]
        weight = np.ones(positive.shape) if sample_weight is None else np.broadcast_to(
            _numpy(sample_weight).astype(np.float64).reshape(
                (len(y_pred),) + (1,) * (y_pred.ndim - 1)), y_pred.shape).reshape(-1)
        self.tp += ((above & positive) * weight).sum(axis=1)
        self.fp += ((above & ~positive) * weight).sum(axis=1)
        self.fn += ((~above & positive) * weight).sum(axis=1)
        self.tn += ((~above & ~positive) * weight).sum(axis=1)


@_METRICS.register("precision")
class Precision(_Confusion):
    default_name = "precision"

    def result(self) -> float:
        denominator = self.tp[0] + self.fp[0]
        return float(self.tp[0] / denominator) if denominator else 0.0


@_METRICS.register("recall")
class Recall(_Confusion):
    default_name = "recall"

    def result(self) -> float:
        denominator = self.tp[0] + self.fn[0]
        return float(self.tp[0] / denominator) if denominator else 0.0


@_METRICS.register("auc")
class AUC(_Confusion):
    """Area under the ROC curve, by the trapezoid rule over ``num_thresholds`` cut points."""

    default_name = "auc"

    def __init__(self, num_thresholds: int = 200, name: str | None = None, dtype: Any = None
                 ) -> None:
        eps = 1e-7
        inner = np.linspace(0, 1, num_thresholds)[1:-1]
        super().__init__(np.concatenate([[-eps], inner, [1 + eps]]), name, dtype)

    def result(self) -> float:
        tpr = self.tp / np.maximum(self.tp + self.fn, 1e-12)
        fpr = self.fp / np.maximum(self.fp + self.tn, 1e-12)
        # Thresholds ascend, so the curve runs from (1, 1) down to (0, 0).
        return float(np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2))


def get(identifier: Any) -> Metric:
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        cls = _METRICS.lookup(identifier)
        # 'mae'/'acc' keep the short name the user asked for, as Keras's history keys do.
        return cls(name="accuracy" if identifier.lower() in ("acc", "accuracy")
                   else identifier.lower())
    return _METRICS.get(identifier, Metric)


def serialize(metric: Metric) -> dict[str, Any]:
    return _METRICS.serialize(metric)


def names() -> list[str]:
    return _METRICS.names()
