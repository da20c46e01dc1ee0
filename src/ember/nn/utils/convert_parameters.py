"""All parameters as one flat vector and back (PyTorch's ``parameters_to_vector``)."""

from __future__ import annotations

from collections.abc import Iterable

from ember import ops
from ember.tensor import Tensor


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters' values flattened and joined in order (differentiable, like PyTorch's)."""
    return ops.cat([ops.reshape(p, -1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters, in place."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected Tensor, but got: {type(vec).__name__}")
    offset = 0
    data = vec._data
    for p in parameters:
        count = p._data.size
        if offset + count > data.size:
            raise RuntimeError(f"vector_to_parameters: vector of {data.size} elements is too "
                               f"short for the parameters")
        p._data[...] = data[offset:offset + count].reshape(p._data.shape)
        p._version += 1
        offset += count
