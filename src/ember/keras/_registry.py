"""Name lookup shared by every Keras family (activations, losses, metrics, optimizers, ...)."""

from __future__ import annotations

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
            raise ValueError(f"unknown {self.family} {name!r}; known {self.family}s: {known}") \
                from None

    def names(self) -> list[str]:
        return sorted(self.entries)


def snake_case(name: str) -> str:
    """``MaxPooling2D`` -> ``max_pooling2d`` (Keras's default layer names)."""
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or
                                   (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
