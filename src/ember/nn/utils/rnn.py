"""Variable-length sequences: padding and PyTorch's packed layout.

A ``PackedSequence`` holds the valid steps of a batch of sequences sorted by length (longest
first), time-major: ``data`` is (sum of lengths, *), ``batch_sizes[t]`` how many sequences have a
step t. Every conversion here is one differentiable indexing op (a gather), so gradients flow
through packing and unpacking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ember import ops
from ember.tensor import Tensor


class PackedSequence(NamedTuple):
    """``data`` (sum of lengths, *), ``batch_sizes`` (T,) int64, and the permutation that sorted
    the batch by decreasing length (``sorted_indices``) with its inverse, or None if it was."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None


def _lengths_array(lengths: Any) -> np.ndarray:
    values = lengths._data if isinstance(lengths, Tensor) else np.asarray(lengths)
    return np.asarray(values, dtype=np.int64).reshape(-1)


def _with_padding_row(data: Tensor, value: float) -> Tensor:
    """``data`` with one more row of ``value`` at the end, for indices that point at padding."""
    row = Tensor._wrap(np.full((1,) + tuple(data.shape[1:]), value, dtype=data._data.dtype))
    return ops.cat([data, row])


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,  # noqa: A002
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *) with ``batch_first``) of sequences of the
    given ``lengths``."""
    lengths_np = _lengths_array(lengths)
    if batch_first:
        input = ops.transpose(input, 0, 1)  # noqa: A001
    steps, batch = input.shape[0], input.shape[1]
    if lengths_np.shape[0] != batch:
        raise ValueError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                         f"{lengths_np.shape[0]} (batch_size={batch})")
    if lengths_np.size and lengths_np.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if lengths_np.size and lengths_np.max() > steps:
        raise RuntimeError(f"pack_padded_sequence: a length of {lengths_np.max()} is longer than "
                           f"the {steps} steps of the input")
    if enforce_sorted:
        if np.any(np.diff(lengths_np) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                               "pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        order = np.arange(batch)
        sorted_indices = unsorted_indices = None
    else:
        order = np.argsort(-lengths_np, kind="stable")
        sorted_indices = Tensor._wrap(order.astype(np.int64))
        unsorted_indices = Tensor._wrap(np.argsort(order).astype(np.int64))
    sorted_lengths = lengths_np[order]
    valid = sorted_lengths[None, :] > np.arange(steps)[:, None]  # (T, B) in sorted order
    batch_sizes = valid.sum(axis=1)
    batch_sizes = batch_sizes[batch_sizes > 0]
    step_index, column = np.nonzero(valid)
    data = ops.getitem(input, (step_index, order[column]))
    return PackedSequence(data, Tensor._wrap(batch_sizes.astype(np.int64)), sorted_indices,
                          unsorted_indices)


def packed_valid(sequence: PackedSequence) -> np.ndarray:
    """(T, B) bool: which (step, sorted sample) slots hold a step of the packed sequence."""
    batch_sizes = sequence.batch_sizes._data
    batch = int(batch_sizes[0]) if batch_sizes.size else 0
    return np.arange(batch)[None, :] < batch_sizes[:, None]


def packed_to_padded(sequence: PackedSequence, padding_value: float = 0.0) -> Tensor:
    """(T, B, *) in the packed (sorted) batch order, ``padding_value`` where a sample has ended."""
    valid = packed_valid(sequence)
    index = np.full(valid.shape, sequence.data.shape[0], dtype=np.int64)
    index[valid] = np.arange(int(valid.sum()))
    return ops.getitem(_with_padding_row(sequence.data, padding_value), index)


def padded_to_packed(padded: Tensor, like: PackedSequence) -> PackedSequence:
    """The valid steps of ``padded`` (T, B, *), sorted order, packed as ``like`` is."""
    step_index, column = np.nonzero(packed_valid(like))
    return PackedSequence(ops.getitem(padded, (step_index, column)), like.batch_sizes,
                          like.sorted_indices, like.unsorted_indices)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Undo ``pack_padded_sequence``: (padded (T, B, *) in the original batch order, lengths)."""
    padded = packed_to_padded(sequence, padding_value)
    valid = packed_valid(sequence)
    lengths = valid.sum(axis=0)
    if sequence.unsorted_indices is not None:
        unsorted = sequence.unsorted_indices._data
        padded = ops.getitem(padded, (slice(None), unsorted))
        lengths = lengths[unsorted]
    steps = valid.shape[0]
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        if total_length > steps:
            filler = np.full((total_length - steps,) + tuple(padded.shape[1:]), padding_value,
                             dtype=padded._data.dtype)
            padded = ops.cat([padded, Tensor._wrap(filler)])
    if batch_first:
        padded = ops.transpose(padded, 0, 1)
    return padded, Tensor._wrap(lengths.astype(np.int64))


def pad_sequence(sequences: Sequence[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack sequences (L_i, *) of different lengths into (T, B, *) (or (B, T, *)), padded."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    if len(sequences) == 0:
        raise RuntimeError("received an empty list of sequences")
    lengths = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    steps = int(lengths.max())
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    position = np.arange(steps)[:, None]
    if padding_side == "right":
        valid = position < lengths[None, :]
        index = starts[None, :] + position
    else:
        valid = position >= steps - lengths[None, :]
        index = starts[None, :] + position - (steps - lengths[None, :])
    total = int(lengths.sum())
    index = np.where(valid, index, total)
    padded = ops.getitem(_with_padding_row(ops.cat(list(sequences)), padding_value), index)
    return ops.transpose(padded, 0, 1) if batch_first else padded


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *) directly."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Any,
                   batch_first: bool = False) -> list[Tensor]:
    """Split a padded batch back into its sequences."""
    if not batch_first:
        padded_sequences = ops.transpose(padded_sequences, 0, 1)
    return [padded_sequences[i, :int(n)] for i, n in enumerate(_lengths_array(lengths))]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """Split a packed batch back into its sequences, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


__all__ = ["PackedSequence", "pack_padded_sequence", "pack_sequence", "pad_packed_sequence",
           "pad_sequence", "unpack_sequence", "unpad_sequence"]
