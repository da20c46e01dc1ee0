"""``BatchNorm1d`` and ``BatchNorm2d``: per-channel normalisation with running statistics."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.devices import check_device
from ember.dtypes import to_numpy_dtype
from ember.nn import functional as F
from ember.nn import init
from ember.nn.modules.linear import empty_parameter
from ember.nn.modules.module import Module
from ember.tensor import Tensor


class _BatchNorm(Module):
    """Shared by the 1-D and 2-D layers; they differ only in the input dims they accept."""

    _ndims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        check_device(device, type(self).__name__)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        # affine=True learns a scale and (unless bias=False) a shift per channel.
        if affine:
            self.weight = empty_parameter((num_features,), dtype)
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = empty_parameter((num_features,), dtype)
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            float_type = to_numpy_dtype(dtype or "float32")
            self.register_buffer("running_mean", Tensor._wrap(np.zeros(num_features, float_type)))
            self.register_buffer("running_var", Tensor._wrap(np.ones(num_features, float_type)))
            self.register_buffer("num_batches_tracked",
                                 Tensor._wrap(np.zeros((), dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self._check_input(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked._data)
        use_batch_stats = self.training or (self.running_mean is None
                                            and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None,
                            self.running_var if track else None, self.weight, self.bias,
                            use_batch_stats, factor, self.eps)

    def _check_input(self, input: Tensor) -> None:  # noqa: A002
        # PyTorch: a wrong number of dims is a ValueError, a wrong channel count a RuntimeError.
        if input.ndim not in self._ndims or input.shape[1] != self.num_features:
            error = ValueError if input.ndim not in self._ndims else RuntimeError
            raise error(f"{self!r} expected input of shape {self._expected_shape()}, got "
                        f"{tuple(input.shape)}")

    def _expected_shape(self) -> str:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Normalise features of input (N, C) or (N, C, L) over the batch (and length)."""

    _ndims = (2, 3)

    def _expected_shape(self) -> str:
        return f"(N, {self.num_features}) or (N, {self.num_features}, L)"


class BatchNorm2d(_BatchNorm):
    """Normalise channels of input (N, C, H, W) over the batch and spatial dims."""

    _ndims = (4,)

    def _expected_shape(self) -> str:
        return f"(N, {self.num_features}, H, W)"
