"""``LinearModel``: an ``nn.Module`` holding one ``nn.Linear``, built on first use.

Linear regression, logistic regression and the perceptron are all this one layer; they differ
only in the loss they minimise and in how they turn its output into a prediction.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.autograd import no_grad
from ember.creation import from_numpy
from ember.dtypes import to_numpy_dtype
from ember.models.fitting import check_features, check_positive
from ember.nn import init
from ember.nn.modules.linear import Linear
from ember.nn.modules.module import Module
from ember.tensor import Tensor


class LinearModel(Module):
    """One linear layer ``x W^T + b``. ``in_features=None`` waits for the first ``fit`` to see x.

    ``coef_`` is ``W`` (``(in_features,)`` for one output) and ``intercept_`` is ``b`` (a float
    for one output), as in scikit-learn.
    """

    def __init__(self, in_features: int | None, out_features: int, dtype: Any = None) -> None:
        super().__init__()
        who = type(self).__name__
        if in_features is not None:
            check_positive(in_features, "in_features", who, integer=True)
        self.out_features = out_features
        self.dtype = np.dtype(to_numpy_dtype(dtype or "float32"))
        self.linear: Linear | None = None
        if in_features is not None:
            self.build(in_features)

    # ------------------------------------------------------------------ construction
    @property
    def param_dtype(self) -> np.dtype:
        """The weights' NumPy dtype (follows ``.double()``/``.float()`` after building)."""
        return self.dtype if self.linear is None else self.linear.weight.detach().numpy().dtype

    @property
    def in_features(self) -> int | None:
        return None if self.linear is None else self.linear.in_features

    def build(self, in_features: int) -> LinearModel:
        """Create the linear layer for ``in_features`` inputs, its weights and bias at zero."""
        self.linear = Linear(in_features, self.out_features, dtype=self.dtype)
        self.reset_parameters()
        return self

    def reset_parameters(self) -> None:
        """Zero weights and bias: a convex loss needs no random start, and zeros are repeatable."""
        if self.linear is not None:
            init.zeros_(self.linear.weight)
            init.zeros_(self.linear.bias)

    def forward(self, x: Tensor) -> Tensor:
        """x: (N, in_features) -> (N, out_features), the linear layer's raw output."""
        return self._layer()(x)

    def _layer(self) -> Linear:
        if self.linear is None:
            raise RuntimeError(f"{type(self).__name__} has no weights yet: call fit(x, y) first, "
                               "or give in_features when creating it")
        return self.linear

    def _start(self, x: Any, warm_start: bool) -> np.ndarray:
        """Checked features; builds (or, unless ``warm_start``, re-zeroes) the layer for them."""
        who = f"{type(self).__name__}.fit"
        known = self.in_features if warm_start else None
        features = check_features(x, who, known)
        if self.linear is None or self.in_features != features.shape[1]:
            self.build(features.shape[1])
        elif not warm_start:
            self.reset_parameters()
        return features

    def _checked(self, x: Any, method: str) -> np.ndarray:
        return check_features(x, f"{type(self).__name__}.{method}", self._layer().in_features)

    def _outputs(self, x: np.ndarray) -> np.ndarray:
        """The layer's output on checked features, as float64 NumPy, without a graph."""
        self.eval()
        with no_grad():
            out = self(from_numpy(np.ascontiguousarray(x, dtype=self.param_dtype)))
        return out.numpy().astype(np.float64)

    # ------------------------------------------------------------------ fitted values
    @property
    def coef_(self) -> np.ndarray:
        """The weights: ``(in_features,)`` for one output, else ``(out_features, in_features)``."""
        weight = self._layer().weight.detach().numpy().astype(np.float64)
        return weight[0].copy() if self.out_features == 1 else weight.copy()

    @property
    def intercept_(self) -> float | np.ndarray:
        """The bias: a float for one output, else ``(out_features,)``."""
        bias = self._layer().bias.detach().numpy().astype(np.float64)
        return float(bias[0]) if self.out_features == 1 else bias.copy()

    def set_params(self, coef: Any, intercept: Any) -> LinearModel:
        """Write weights and bias (shaped as ``coef_``/``intercept_``) into the layer."""
        layer = self._layer()
        weight = np.asarray(coef, dtype=np.float64).reshape(layer.weight.shape)
        bias = np.asarray(intercept, dtype=np.float64).reshape(layer.bias.shape)
        layer.weight.detach().numpy()[...] = weight
        layer.bias.detach().numpy()[...] = bias
        return self

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}"
