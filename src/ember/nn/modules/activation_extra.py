"""More activation layers (``PReLU``, ``ReLU6``, ``Hardtanh``, ``Hardswish``, ``Mish``, ...)
and channel dropouts (``Dropout1d/2d/3d``, ``AlphaDropout``), each a call into its function."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import random as _random
from ember.devices import check_device
from ember.nn import functional as F
from ember.nn import init
from ember.nn.modules.linear import empty_parameter
from ember.nn.modules.module import Module
from ember.tensor import Tensor


def _layer(name: str, fn: Any, doc: str, **defaults: Any) -> type:
    """A parameter-free activation layer storing ``defaults`` (keyword options of ``fn``)."""

    def __init__(self: Module, *args: Any, **kwargs: Any) -> None:
        Module.__init__(self)
        options = dict(defaults)
        for key, value in zip(defaults, args):
            options[key] = value
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{name}.__init__() got unexpected keyword arguments "
                            f"{sorted(unknown)}")
        options.update(kwargs)
        for key, value in options.items():
            setattr(self, key, value)

    def forward(self: Module, input: Tensor) -> Tensor:  # noqa: A002
        return fn(input, **{key: getattr(self, key) for key in defaults})

    def extra_repr(self: Module) -> str:
        return ", ".join(f"{key}={getattr(self, key)}" for key in defaults
                         if key != "inplace" or getattr(self, key))

    return type(name, (Module,), {"__init__": __init__, "forward": forward, "__doc__": doc,
                                  "extra_repr": extra_repr, "__module__": __name__})


ReLU6 = _layer("ReLU6", F.relu6, "min(max(0, x), 6).", inplace=False)
Hardtanh = _layer("Hardtanh", F.hardtanh, "x clamped to [min_val, max_val].", min_val=-1.0,
                  max_val=1.0, inplace=False)
Hardswish = _layer("Hardswish", F.hardswish, "x * relu6(x + 3) / 6.", inplace=False)
Hardsigmoid = _layer("Hardsigmoid", F.hardsigmoid, "relu6(x + 3) / 6.", inplace=False)
Mish = _layer("Mish", F.mish, "x * tanh(softplus(x)).", inplace=False)
SELU = _layer("SELU", F.selu, "Scaled exponential linear unit.", inplace=False)
CELU = _layer("CELU", F.celu, "max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).", alpha=1.0,
              inplace=False)
Softsign = _layer("Softsign", F.softsign, "x / (1 + |x|).")
LogSigmoid = _layer("LogSigmoid", F.logsigmoid, "log(sigmoid(x)), computed stably.")
Softmin = _layer("Softmin", F.softmin, "softmax(-x) along ``dim``.", dim=None)
GLU = _layer("GLU", F.glu, "Gated linear unit: first half * sigmoid(second half) along dim.",
             dim=-1)
Threshold = _layer("Threshold", F.threshold, "x where x > threshold, else value.",
                   threshold=0.0, value=0.0, inplace=False)
RReLU = _layer("RReLU", F.rrelu, "Randomised leaky ReLU (the slope is the mean when not "
               "training).", lower=1 / 8, upper=1 / 3, inplace=False)


def _rrelu_forward(self: Module, input: Tensor) -> Tensor:  # noqa: A002
    return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)


RReLU.forward = _rrelu_forward  # type: ignore[attr-defined]


class PReLU(Module):
    """max(0, x) + weight * min(0, x), with a learnt slope per channel (or one shared)."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        check_device(device, "PReLU")
        self.num_parameters, self.init = num_parameters, init
        self.weight = empty_parameter((num_parameters,), dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


def _scaled_mask(shape: tuple[int, ...], p: float, dtype: np.dtype) -> np.ndarray:
    keep = _random.rng().random(shape, dtype=np.float32) >= p
    return keep * np.asarray(1.0 / (1.0 - p), dtype=dtype)


def feature_dropout(input: Tensor, p: float, training: bool, spatial: int,  # noqa: A002
                    name: str) -> Tensor:
    """Zero whole channels of (N, C, *spatial) or (C, *spatial) with probability ``p``, scaling
    the rest by 1 / (1 - p) (PyTorch's dropout1d/2d/3d)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"{name}: Expected {spatial + 1}D or {spatial + 2}D input, but "
                           f"received a {input.ndim}D input")
    if not training or p == 0.0:
        return input
    channels_at = input.ndim - spatial
    shape = tuple(input.shape[:channels_at]) + (1,) * spatial
    if p == 1.0:
        return input * 0.0
    return input * Tensor._wrap(_scaled_mask(shape, p, input._data.dtype))


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False) -> Tensor:  # noqa: A002
    """Dropout that keeps SELU's zero mean and unit variance (dropped values become SELU's
    negative saturation, then an affine correction), as PyTorch's."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    alpha = 1.7580993408473766
    keep = (_random.rng().random(tuple(input.shape), dtype=np.float32) >= p).astype(
        input._data.dtype)
    a = 1.0 / np.sqrt((alpha * alpha * p + 1) * (1 - p))
    shift = (keep - 1) * (alpha * a) + alpha * a * p
    return input * Tensor._wrap((keep * a).astype(input._data.dtype)) + Tensor._wrap(
        shift.astype(input._data.dtype))


class _FeatureDropout(Module):
    _spatial = 1

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return feature_dropout(input, self.p, self.training, self._spatial,
                               type(self).__name__)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(_FeatureDropout):
    """Zero whole channels of (N, C, L)."""

    _spatial = 1


class Dropout2d(_FeatureDropout):
    """Zero whole channels of (N, C, H, W)."""

    _spatial = 2


class Dropout3d(_FeatureDropout):
    """Zero whole channels of (N, C, D, H, W)."""

    _spatial = 3


class AlphaDropout(_FeatureDropout):
    """Dropout for self-normalising (SELU) networks."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return alpha_dropout(input, self.p, self.training)
