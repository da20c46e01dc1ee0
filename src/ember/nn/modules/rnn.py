"""Recurrent layers ``RNN``, ``LSTM``, ``GRU`` and their single-step cells.

Parameters carry PyTorch's names and layouts (``weight_ih_l0``, ``weight_hh_l0_reverse``,
``bias_ih_l1``, ``weight_hr_l0`` ...), so state dicts load either way. Each layer and direction is
one input projection for all steps (one matrix multiply) and one recurrence op
(``nn.functional.recurrent``) that runs the time loop.
"""

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
from ember.nn.utils.rnn import PackedSequence, packed_to_padded, packed_valid, padded_to_packed
from ember.tensor import Tensor

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """The shared machinery of ``RNN``, ``LSTM`` and ``GRU`` (``mode`` says which)."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        check_device(device, type(self).__name__)
        if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or \
                not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        for arg, value in (("hidden_size", hidden_size), ("num_layers", num_layers)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{arg} should be of type int, got: {type(value).__name__}")
            if value <= 0:
                raise ValueError(f"{arg} must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        real_hidden = proj_size or hidden_size
        gate_size = _GATES[mode] * hidden_size
        self._flat_weights_names: list[str] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else real_hidden * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = [("weight_ih", (gate_size, layer_input)),
                          ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                for kind, shape in shapes:
                    setattr(self, kind + suffix, empty_parameter(shape, dtype))
                    self._flat_weights_names.append(kind + suffix)
        if dropout and num_layers == 1:
            import warnings

            warnings.warn(f"dropout option adds dropout after all but last recurrent layer, so "
                          f"non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    @property
    def all_weights(self) -> list[list[Tensor]]:
        per = len(self._flat_weights_names) // (self.num_layers * (2 if self.bidirectional else 1))
        weights = [getattr(self, n) for n in self._flat_weights_names]
        return [weights[i:i + per] for i in range(0, len(weights), per)]

    def flatten_parameters(self) -> None:
        """A no-op kept for PyTorch code (cuDNN's weight layout does not exist here)."""

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity!r}"
        return text

    # ------------------------------------------------------------------ forward
    def _state_shape(self, batch: int, cell: bool) -> tuple[int, int, int]:
        directions = 2 if self.bidirectional else 1
        size = self.hidden_size if cell or not self.proj_size else self.proj_size
        return self.num_layers * directions, batch, size

    def _check_state(self, state: Tensor, expected: tuple[int, ...], what: str) -> None:
        if tuple(state.shape) != expected:
            raise RuntimeError(f"Expected {what} size {expected}, got {list(state.shape)}")

    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:  # noqa: A002
        name = type(self).__name__
        packed = isinstance(input, PackedSequence)
        if packed:
            x, valid, batched = packed_to_padded(input), packed_valid(input), True
        else:
            if input.ndim not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D "
                                 f"tensor instead")
            batched, valid = input.ndim == 3, None
            x = input if not batched or not self.batch_first else ops.transpose(input, 0, 1)
            if not batched:
                x = ops.unsqueeze(x, 1)
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {x.shape[-1]}")
        batch = x.shape[1]
        states = self._initial_states(hx, batch, batched, x._data.dtype)
        if packed and input.sorted_indices is not None:
            states = [ops.getitem(s, (slice(None), input.sorted_indices._data)) for s in states]
        output, finals = self._layers(x, states, valid)
        if packed:
            if input.unsorted_indices is not None:
                finals = [ops.getitem(s, (slice(None), input.unsorted_indices._data))
                          for s in finals]
            out: Any = padded_to_packed(output, input)
        elif not batched:
            out = ops.squeeze(output, 1)
            finals = [ops.squeeze(s, 1) for s in finals]
        else:
            out = ops.transpose(output, 0, 1) if self.batch_first else output
        return out, (tuple(finals) if self.mode == "LSTM" else finals[0])

    def _initial_states(self, hx: Any, batch: int, batched: bool, dtype: np.dtype
                        ) -> list[Tensor]:
        lstm = self.mode == "LSTM"
        shapes = [self._state_shape(batch, False)] + ([self._state_shape(batch, True)]
                                                      if lstm else [])
        if hx is None:
            return [Tensor._wrap(np.zeros(shape, dtype=dtype)) for shape in shapes]
        given = list(hx) if lstm else [hx]
        if lstm and (not isinstance(hx, (tuple, list)) or len(given) != 2):
            raise RuntimeError("LSTM: hx must be a tuple (h_0, c_0)")
        states = []
        for state, shape, what in zip(given, shapes, ("hidden", "cell")[:len(shapes)], strict=True):
            if state.ndim != (3 if batched else 2):
                kind = "3-D" if batched else "2-D"
                raise RuntimeError(f"For {'batched 3-D' if batched else 'unbatched 2-D'} input, "
                                   f"hx and cx should also be {kind} but got {state.ndim}-D "
                                   f"tensor" if lstm else
                                   f"For {'batched 3-D' if batched else 'unbatched 2-D'} input, "
                                   f"hx should also be {kind} but got {state.ndim}-D tensor")
            if not batched:
                state = ops.unsqueeze(state, 1)
            self._check_state(state, shape, what)
            states.append(state)
        return states

    def _layers(self, x: Tensor, states: list[Tensor], valid: np.ndarray | None
                ) -> tuple[Tensor, list[Tensor]]:
        directions = 2 if self.bidirectional else 1
        finals: list[list[Tensor]] = [[] for _ in states]
        layer_input = x
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                sequence, last = self._direction(
                    layer_input, suffix, [ops.getitem(s, index) for s in states], valid,
                    reverse=bool(direction))
                outputs.append(sequence)
                for kept, state in zip(finals, last, strict=True):
                    kept.append(state)
            layer_input = outputs[0] if directions == 1 else ops.cat(outputs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return layer_input, [ops.stack(kept) for kept in finals]

    def _direction(self, x: Tensor, suffix: str, states: list[Tensor],
                   valid: np.ndarray | None, reverse: bool) -> tuple[Tensor, list[Tensor]]:
        """One layer, one direction: (output sequence (T, N, H), final states)."""
        w_ih, w_hh = getattr(self, "weight_ih" + suffix), getattr(self, "weight_hh" + suffix)
        b_ih = getattr(self, "bias_ih" + suffix) if self.bias else None
        b_hh = getattr(self, "bias_hh" + suffix) if self.bias else None
        last = 0 if reverse else x.shape[0] - 1
        if self.mode == "GRU":
            sequence = recurrent.gru_layer(F.linear(x, w_ih, b_ih), w_hh, b_hh, states[0],
                                           valid, reverse)
            return sequence, [ops.getitem(sequence, last)]
        bias = None if b_ih is None else b_ih + b_hh
        projected = F.linear(x, w_ih, bias)
        if self.mode == "LSTM":
            w_hr = getattr(self, "weight_hr" + suffix) if self.proj_size else None
            both = recurrent.lstm_layer(projected, w_hh, states[0], states[1], w_hr, valid,
                                        reverse)
            size = states[0].shape[-1]
            return both[:, :, :size], [both[last, :, :size], both[last, :, size:]]
        sequence = recurrent.simple_rnn_layer(projected, w_hh, states[0], self.nonlinearity,
                                              valid, reverse)
        return sequence, [ops.getitem(sequence, last)]


class RNN(RNNBase):
    """Elman RNN, ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or relu).

    input: (L, N, H_in), (N, L, H_in) with ``batch_first``, (L, H_in) or a ``PackedSequence``;
    returns (output (L, N, D*H), h_n (D*num_layers, N, H)).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             f"'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory; ``hx`` is ``(h_0, c_0)`` and the result ``(output, (h_n, c_n))``.

    With ``proj_size`` > 0 the hidden state is projected to that size by ``weight_hr_l*``.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit (gates r, z, n); returns ``(output, h_n)`` like ``RNN``."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)
