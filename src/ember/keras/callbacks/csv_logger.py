"""``CSVLogger``: each epoch's logs as a row of a CSV file."""

from __future__ import annotations

import csv
import io
import os
from typing import Any

from ember.keras.callbacks.base import Callback


class CSVLogger(Callback):
    """Append each epoch's logs as a row of a CSV file (``epoch`` first, then sorted keys).

    Each epoch's row is written with one call, flushed and fsynced, so a crash leaves only
    whole rows.
    """

    def __init__(self, filename: str, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.filename, self.separator, self.append = str(filename), separator, append
        self.keys: list[str] | None = None
        self._file: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=self.separator)
        if self.keys is None:
            self.keys = sorted(logs)
            if not self.append or self._file.tell() == 0:
                writer.writerow(["epoch", *self.keys])
        writer.writerow([epoch, *(logs.get(k, "NA") for k in self.keys)])
        # One write of whole rows, then flush and fsync: a crash leaves no half row behind.
        self._file.write(buffer.getvalue())
        self._file.flush()
        os.fsync(self._file.fileno())

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
