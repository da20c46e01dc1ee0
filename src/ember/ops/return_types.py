"""PyTorch's named results (``torch.return_types``): tuples that also have ``.values`` and
``.indices``, one class per op, so ``values, indices = x.max(1)`` and ``x.max(1).values`` both
work and the repr names the op.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any


def _named_pair(op: str) -> type:
    base = namedtuple(op, ["values", "indices"])  # type: ignore[misc]

    def __repr__(self: Any) -> str:  # noqa: N807 - the method of the class built below
        return f"ember.return_types.{op}(\nvalues={self.values!r},\nindices={self.indices!r})"

    return type(op, (base,), {"__slots__": (), "__repr__": __repr__,
                              "__module__": "ember.return_types", "__qualname__": op})


max = _named_pair("max")  # noqa: A001 - PyTorch's names
min = _named_pair("min")  # noqa: A001
median = _named_pair("median")
mode = _named_pair("mode")
sort = _named_pair("sort")
topk = _named_pair("topk")

__all__ = ["max", "median", "min", "mode", "sort", "topk"]
