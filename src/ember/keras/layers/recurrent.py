"""Keras's recurrent layers ``SimpleRNN``, ``LSTM``, ``GRU`` and the wrappers ``Bidirectional``
and ``TimeDistributed``, over ``ember.nn``'s recurrent layers.

Keras keeps one (in, gates * units) kernel, one (units, gates * units) recurrent kernel and
one bias; the wrapped ``nn`` layer keeps their transposes (and, for SimpleRNN and LSTM, a second
bias held at zero and never trained). GRU's gates are ordered z, r, h in Keras and r, z, n in
PyTorch; the weight views swap the first two blocks. Inputs are batch-first (N, T, F); a Keras
mask (from ``Embedding(mask_zero=True)``) marks the steps that exist, and at a masked step the
state is carried over unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import nn, ops
from ember.keras import activations, initializers, regularizers
from ember.keras.layers.base import KerasWeight, Layer, initialize
from ember.nn import functional as F
from ember.tensor import Tensor

_GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def _gru_blocks(array: np.ndarray) -> np.ndarray:
    """Swap the first two gate blocks along dim 0 (Keras z, r, h <-> PyTorch r, z, n)."""
    blocks = np.split(array, 3, axis=0)
    return np.concatenate([blocks[1], blocks[0], blocks[2]], axis=0)


class _RNN(Layer):
    """The shared machinery of SimpleRNN, LSTM and GRU."""

    supports_masking = True

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 reset_after: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        kind = type(self).__name__
        if int(units) <= 0:
            raise ValueError(f"{kind}: units must be a positive integer, got {units}")
        if activations.serialize(activations.get(activation)) not in ("tanh", "relu") or (
                kind != "SimpleRNN" and activations.serialize(activations.get(activation))
                != "tanh"):
            raise NotImplementedError(f"{kind}: activation={activation!r} is not supported "
                                      f"(tanh{', relu' if kind == 'SimpleRNN' else ''})")
        if kind != "SimpleRNN" and activations.serialize(
                activations.get(recurrent_activation)) != "sigmoid":
            raise NotImplementedError(f"{kind}: recurrent_activation={recurrent_activation!r} "
                                      f"is not supported (sigmoid only)")
        if recurrent_dropout:
            raise NotImplementedError(f"{kind}: recurrent_dropout is not supported")
        if stateful:
            raise NotImplementedError(f"{kind}: stateful=True is not supported")
        if not reset_after:
            raise NotImplementedError("GRU: reset_after=False is not supported (PyTorch's GRU "
                                      "applies the reset gate after the recurrent multiply)")
        if not 0 <= dropout < 1:
            raise ValueError(f"{kind}: dropout must be in [0, 1), got {dropout}")
        self.units = int(units)
        self.activation = activations.serialize(activations.get(activation))
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = unit_forget_bias
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.dropout = float(dropout)
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards = go_backwards
        self.unroll = unroll  # a speed hint in Keras; the results are the same either way
        self.zero_output_for_mask = False  # Bidirectional sets it when returning sequences
        self.rnn: nn.RNNBase | None = None

    # ------------------------------------------------------------------ weights
    def build(self, input_shape: tuple[int | None, ...]) -> None:
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} expects input (batch, timesteps, features) "
                             f"with known features, got {input_shape}")
        features, units = int(input_shape[-1]), self.units
        kind = type(self).__name__
        if kind == "LSTM":
            self.rnn = nn.LSTM(features, units, bias=self.use_bias, batch_first=True)
        elif kind == "GRU":
            self.rnn = nn.GRU(features, units, bias=self.use_bias, batch_first=True)
        else:
            self.rnn = nn.RNN(features, units, nonlinearity=self.activation, bias=self.use_bias,
                              batch_first=True)
        gates = _GATES[kind] * units
        initialize(self.rnn.weight_ih_l0, self.kernel_initializer, (features, gates),
                   self._from_keras)
        initialize(self.rnn.weight_hh_l0, self.recurrent_initializer, (units, gates),
                   self._from_keras)
        if self.use_bias:
            bias = self.bias_initializer((gates,))
            if kind == "LSTM" and self.unit_forget_bias:
                bias = np.array(bias, dtype=np.float32)
                bias[units:2 * units] = 1.0
            if kind == "GRU":
                bias = np.stack([bias, self.bias_initializer((gates,))])
            self.bias.assign(bias)
            if kind != "GRU":
                self.rnn.bias_hh_l0.requires_grad_(False)
                self.rnn.bias_hh_l0._data[...] = 0

    def _to_keras(self, array: np.ndarray) -> np.ndarray:
        return (_gru_blocks(array) if type(self).__name__ == "GRU" else array).T

    def _from_keras(self, array: np.ndarray) -> np.ndarray:
        return _gru_blocks(array.T) if type(self).__name__ == "GRU" else array.T

    def keras_weights(self) -> list[KerasWeight]:
        if self.rnn is None:
            return []
        found = [KerasWeight("kernel", self.rnn.weight_ih_l0, self._to_keras, self._from_keras),
                 KerasWeight("recurrent_kernel", self.rnn.weight_hh_l0, self._to_keras,
                             self._from_keras)]
        return found + ([self.bias] if self.use_bias else [])

    @property
    def bias(self) -> KerasWeight:
        if type(self).__name__ != "GRU":
            return KerasWeight("bias", self.rnn.bias_ih_l0)
        pair = _GruBias(self.rnn.bias_ih_l0, self.rnn.bias_hh_l0)
        return KerasWeight("bias", pair, pair.to_keras, pair.from_keras)  # type: ignore[arg-type]

    def fixed_parameters(self) -> list[Tensor]:
        fixed = super().fixed_parameters()
        if self.rnn is not None and self.use_bias and type(self).__name__ != "GRU":
            fixed.append(self.rnn.bias_hh_l0)  # Keras has one bias; the second stays zero
        return fixed

    def regularization_losses(self) -> list[Tensor]:
        if self.rnn is None:
            return []
        terms = []
        if self.kernel_regularizer is not None:
            terms.append(self.kernel_regularizer(self.rnn.weight_ih_l0))
        if self.recurrent_regularizer is not None:
            terms.append(self.recurrent_regularizer(self.rnn.weight_hh_l0))
        if self.bias_regularizer is not None and self.use_bias:
            terms.append(self.bias_regularizer(self.rnn.bias_ih_l0))
        return terms

    # ------------------------------------------------------------------ calling
    def call(self, x: Tensor, mask: Any = None, training: bool | None = None,
             initial_state: Any = None) -> Any:
        if self.dropout and training:
            # Keras drops the same input features at every step of a sequence.
            keep = F.dropout(Tensor._wrap(np.ones((x.shape[0], 1, x.shape[2]), x._data.dtype)),
                             self.dropout, True)
            x = x * keep
        time_major = ops.transpose(x, 0, 1)
        valid = None if mask is None else np.asarray(
            mask._data if isinstance(mask, Tensor) else mask, dtype=bool).T
        count = 2 if isinstance(self.rnn, nn.LSTM) else 1
        if initial_state is None:
            zeros = np.zeros((x.shape[0], self.units), dtype=x._data.dtype)
            states = [Tensor._wrap(zeros) for _ in range(count)]
        else:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
        sequence, finals = self.rnn._direction(time_major, "_l0", states, valid,
                                               self.go_backwards)
        if self.return_sequences:
            if self.zero_output_for_mask and valid is not None:
                sequence = sequence * Tensor._wrap(valid[:, :, None].astype(x._data.dtype))
            output = ops.transpose(sequence, 0, 1)
            if self.go_backwards:  # Keras returns the steps in the order it processed them
                output = output[:, ::-1]
        else:
            output = finals[0]
        return (output, *finals) if self.return_state else output

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return mask if self.return_sequences and not self.return_state else None

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "units": self.units, "activation": self.activation,
                  "use_bias": self.use_bias,
                  "kernel_initializer": initializers.serialize(self.kernel_initializer),
                  "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                  "bias_initializer": initializers.serialize(self.bias_initializer),
                  "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                  "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                  "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                  "dropout": self.dropout, "return_sequences": self.return_sequences,
                  "return_state": self.return_state, "go_backwards": self.go_backwards,
                  "unroll": self.unroll}
        if type(self).__name__ == "LSTM":
            config["unit_forget_bias"] = self.unit_forget_bias
        return config


class _GruBias:
    """Keras's (2, 3 * units) GRU bias seen over the two ``nn.GRU`` biases: reads and writes
    what ``KerasWeight`` reads and writes of a tensor (``_data``, ``copy_``)."""

    def __init__(self, bias_ih: Tensor, bias_hh: Tensor) -> None:
        self._pair = (bias_ih, bias_hh)

    @property
    def _data(self) -> np.ndarray:
        return np.stack([b._data for b in self._pair])

    def to_keras(self, array: np.ndarray) -> np.ndarray:
        return np.stack([_gru_blocks(row) for row in array])

    def from_keras(self, array: np.ndarray) -> np.ndarray:
        return self.to_keras(array)

    def copy_(self, value: Tensor) -> Tensor:
        for row, bias in zip(value._data, self._pair):
            bias._data[...] = row
            bias._version += 1
        return self


class SimpleRNN(_RNN):
    """Fully connected recurrence ``h_t = activation(x_t W + h_{t-1} U + b)``."""

    def __init__(self, units: int, activation: Any = "tanh", **kwargs: Any) -> None:
        super().__init__(units, activation=activation, **kwargs)


class LSTM(_RNN):
    """Long short-term memory (gates i, f, c, o); ``unit_forget_bias`` starts f's bias at 1."""


class GRU(_RNN):
    """Gated recurrent unit (Keras 3's default ``reset_after=True``, PyTorch's formulation)."""
