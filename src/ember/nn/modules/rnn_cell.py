"""Single-step recurrent cells ``RNNCell``, ``LSTMCell``, ``GRUCell`` (PyTorch's names and
layouts): one step of the same recurrence ops the full layers use."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ember import ops
from ember.devices import check_device
from ember.nn import functional as F
from ember.nn import init
from ember.nn.functional import recurrent
from ember.nn.modules.linear import empty_parameter
from ember.nn.modules.module import Module
from ember.tensor import Tensor


class RNNCellBase(Module):
    """Parameters ``weight_ih`` (G*H, I), ``weight_hh`` (G*H, H), ``bias_ih``, ``bias_hh``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        check_device(device, type(self).__name__)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = empty_parameter((num_chunks * hidden_size, input_size), dtype)
        self.weight_hh = empty_parameter((num_chunks * hidden_size, hidden_size), dtype)
        if bias:
            self.bias_ih = empty_parameter((num_chunks * hidden_size,), dtype)
            self.bias_hh = empty_parameter((num_chunks * hidden_size,), dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text

    def _prepare(self, input: Tensor, states: Any, count: int  # noqa: A002
                 ) -> tuple[Tensor, list[Tensor], bool]:
        """(input as (1, N, I), states as (N, H) each, whether the input had a batch dim)."""
        name = type(self).__name__
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} "
                               f"expected {self.input_size}")
        batched = input.ndim == 2
        x = input if batched else ops.unsqueeze(input, 0)
        if states is None:
            zeros = np.zeros((x.shape[0], self.hidden_size), dtype=x._data.dtype)
            given = [Tensor._wrap(zeros) for _ in range(count)]
        else:
            given = list(states) if count > 1 else [states]
            if not batched:
                given = [ops.unsqueeze(s, 0) for s in given]
            for s in given:
                if tuple(s.shape) != (x.shape[0], self.hidden_size):
                    raise RuntimeError(f"{name}: hidden state has shape {tuple(s.shape)}, "
                                       f"expected {(x.shape[0], self.hidden_size)}")
        return ops.unsqueeze(x, 0), given, batched

    def _bias_sum(self) -> Tensor | None:
        return None if self.bias_ih is None else self.bias_ih + self.bias_hh


class RNNCell(RNNCellBase):
    """One Elman step: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, (h,), batched = self._prepare(input, hx, 1)
        out = recurrent.simple_rnn_layer(F.linear(x, self.weight_ih, self._bias_sum()),
                                         self.weight_hh, h, self.nonlinearity)[0]
        return out if batched else ops.squeeze(out, 0)


class LSTMCell(RNNCellBase):
    """One LSTM step: ``(h', c') = cell(x, (h, c))``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Tensor]:  # noqa: A002
        x, (h, c), batched = self._prepare(input, hx, 2)
        both = recurrent.lstm_layer(F.linear(x, self.weight_ih, self._bias_sum()),
                                    self.weight_hh, h, c)[0]
        h_new, c_new = both[:, :self.hidden_size], both[:, self.hidden_size:]
        if not batched:
            return ops.squeeze(h_new, 0), ops.squeeze(c_new, 0)
        return h_new, c_new


class GRUCell(RNNCellBase):
    """One GRU step: ``h' = cell(x, h)``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, (h,), batched = self._prepare(input, hx, 1)
        out = recurrent.gru_layer(F.linear(x, self.weight_ih, self.bias_ih), self.weight_hh,
                                  self.bias_hh, h)[0]
        return out if batched else ops.squeeze(out, 0)
