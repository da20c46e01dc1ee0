"""Name lookup shared by every Keras family (activations, losses, metrics, optimizers, ...)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any


class Registry:
    """Maps Keras's string names to objects; unknown names get an error listing the known ones."""

    def __init__(self, family: str) -> None:
        self.family = family
        self.entries: dict[str, Any] = {}

    def register(self, *names: str) -> Callable[[Any], Any]:
        def add(obj: Any) -> Any:
            for name in names:
                self.entries[name.lower()] = obj
            return obj

        return add

    def lookup(self, name: str) -> Any:
        try:
            return self.entries[name.lower()]
        except KeyError:
            known = ", ".join(sorted(self.entries))
            plural = self.family + ("es" if self.family.endswith("s") else "s")
            raise ValueError(f"unknown {self.family} {name!r}; known {plural}: {known}") \
                from None

    def names(self) -> list[str]:
        return sorted(self.entries)


def snake_case(name: str) -> str:
    """``MaxPooling2D`` -> ``max_pooling2d``, ``Conv2D`` -> ``conv2d`` (Keras's default names)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
