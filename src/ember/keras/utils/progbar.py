"""Keras's progress bar: a live bar on a terminal, one line per epoch elsewhere."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


def _format_value(value: float) -> str:
    return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.4e}"


def _format_duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{seconds:.0f}s"


class Progbar:
    """``update(step, values)`` redraws; ``verbose=1`` draws a live bar, 2 prints at the end."""

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1,
                 stream: TextIO | None = None, unit_name: str = "step") -> None:
        self.target, self.width, self.verbose = target, width, verbose
        self.stream = stream or sys.stdout
        self.unit_name = unit_name
        self.start = time.perf_counter()
        self.last_draw = 0.0
        self.last_width = 0

    def _bar(self, current: int) -> str:
        if not self.target:
            return ""
        filled = int(self.width * min(current, self.target) / self.target)
        return "\u2501" * filled + "\u2500" * (self.width - filled)  # ━ and ─ as Keras draws

    def _encodable(self, text: str) -> str:
        encoding = getattr(self.stream, "encoding", None) or "ascii"
        try:
            text.encode(encoding)
            return text
        except (UnicodeEncodeError, LookupError):
            return text.replace("\u2501", "=").replace("\u2500", ".")

    def update(self, current: int, values: dict[str, float] | None = None,
               finalize: bool = False) -> None:
        now = time.perf_counter()
        elapsed = now - self.start
        metrics = "".join(f" - {k}: {_format_value(v)}" for k, v in (values or {}).items())
        per_step = elapsed / max(current, 1)
        speed = (f"{per_step * 1000:.0f}ms/{self.unit_name}" if per_step >= 1e-3
                 else f"{per_step * 1e6:.0f}us/{self.unit_name}")
        counter = f"{current}/{self.target}" if self.target else f"{current}"
        if self.verbose == 1:
            if not finalize and now - self.last_draw < 0.05:
                return
            self.last_draw = now
            if finalize or not self.target:
                timing = _format_duration(elapsed)
            else:
                timing = _format_duration(per_step * (self.target - current))
            line = f"{counter.rjust(2 * len(str(self.target)) + 1)} {self._bar(current)} " \
                   f"{timing} {speed}{metrics}"
            padding = " " * max(self.last_width - len(line), 0)
            self.stream.write("\r" + self._encodable(line) + padding + ("\n" if finalize else ""))
            self.last_width = len(line)
            self.stream.flush()
        elif self.verbose == 2 and finalize:
            self.stream.write(f"{counter} - {_format_duration(elapsed)} - {speed}{metrics}\n")
            self.stream.flush()

    def add(self, steps: int, values: dict[str, Any] | None = None) -> None:
        self.update(steps, values)
