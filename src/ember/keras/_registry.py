"""Name lookup shared by every Keras family (activations, losses, metrics, optimizers,
initializers, regularizers, constraints): one ``Registry`` each, with the same ``get`` and
``serialize``."""

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

    def get(self, identifier: Any, base: type) -> Any:
        """An object of class ``base`` from an instance, a registered name (Keras's defaults), a
        ``{"class_name", "config"}`` dict, or a subclass of ``base``."""
        if isinstance(identifier, base):
            return identifier
        if isinstance(identifier, str):
            return self.lookup(identifier)()
        if isinstance(identifier, dict) and "class_name" in identifier:
            cls = self.lookup(identifier["class_name"])
            return cls.from_config(dict(identifier.get("config") or {}))
        if isinstance(identifier, type) and issubclass(identifier, base):
            return identifier()
        raise TypeError(f"{self.family} must be a name, a config dict or a {base.__name__}, got "
                        f"{identifier!r}")

    def name_of(self, obj: Any) -> str:
        """The registered name of ``obj``'s class (its first name), for saving."""
        for name, cls in self.entries.items():
            if type(obj) is cls:
                return name
        raise ValueError(f"{self.family} {obj!r} is not a built-in one and can't be saved by name")

    def serialize(self, obj: Any) -> dict[str, Any]:
        return {"class_name": self.name_of(obj), "config": obj.get_config()}


def snake_case(name: str) -> str:
    """``MaxPooling2D`` -> ``max_pooling2d``, ``Conv2D`` -> ``conv2d`` (Keras's default names)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
