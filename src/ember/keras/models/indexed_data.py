"""``fit``/``evaluate``/``predict`` on a ``keras.utils.PyDataset``: batches read by index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ember.keras.models.data_adapter import Batch, IterableData


class IndexedData(IterableData):
    """Batches of an indexed dataset. With ``steps`` (``steps_per_epoch``/``validation_steps``)
    an epoch takes that many batches and the next epoch continues where it stopped, starting the
    dataset over (after its ``on_epoch_end``) when it runs out, as Keras's epoch iterator."""

    def __init__(self, source: Any, steps: int | None = None,
                 keep_integer_inputs: bool = False) -> None:
        self.source = source
        self.keep_integers = keep_integer_inputs
        self.reiterable = True
        self.iterator = None
        length = len(source)
        if length <= 0:
            raise ValueError(f"{type(source).__name__} has {length} batches; it needs at least 1")
        self.length = length
        self.steps = steps if steps is not None else length
        self.position = 0

    def batches(self) -> Iterator[Batch]:
        begin = getattr(self.source, "on_epoch_begin", None)
        if begin is not None:
            begin()
        for _ in range(self.steps):
            if self.position >= self.length:
                self._end_pass()
            item = self.source[self.position]
            self.position += 1
            yield self._unpack(item)
        if self.position >= self.length:
            self._end_pass()

    def _end_pass(self) -> None:
        self.position = 0
        end = getattr(self.source, "on_epoch_end", None)
        if end is not None:
            end()
