"""Whole ember models in PyTorch's file format: what ``ember.load(path, weights_only=False)``
may rebuild beyond tensors and plain data.

``torch.save(model, path)`` pickles the model: each module is its class (a global), created
empty (NEWOBJ) and given its attribute dict (BUILD). Python's pickle would import whatever class
a file names and could be made to call anything; ember instead hands the unpickler stand-ins:

* a class is accepted only if it is one of ember's own ``nn.Module`` subclasses, defined in a
  module of the ``ember`` package (checked on the class itself, so a class from ``__main__`` or
  another package is refused even if it names an ember module);
* a function only if it is one of ``ember.nn.functional``'s (a layer may keep its activation);
* anything else is refused, as with ``weights_only=True``.

The module is then made with ``object.__new__`` (its ``__init__`` never runs) and its attribute
dict, once every value in it is checked to be data, tensors, or such modules, classes and
functions, is set directly. Nothing from the file is ever called.
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Callable
from typing import Any

from ember.serialization import ModelFileError, UnsafeFileError

_REGISTRIES = ("_parameters", "_buffers", "_modules")


class ModuleClass:
    """A global naming one of ember's ``nn.Module`` classes."""

    __slots__ = ("cls",)

    def __init__(self, cls: type) -> None:
        self.cls = cls


class FunctionRef:
    """A global naming a function of ``ember.nn.functional``."""

    __slots__ = ("function",)

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function


class PendingModule:
    """A module the pickle created (NEWOBJ) and gave a state (BUILD); built after unpickling."""

    __slots__ = ("cls", "state")

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.state: Any = None


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def ember_module_class(module: str, name: str) -> type | None:
    """The class ``module.name`` if it is an ember ``nn.Module`` subclass defined there."""
    from ember.nn.modules.module import Module

    parts = module.split(".")
    if parts[0] != "ember" or not all(p.isidentifier() and p != "__main__" for p in parts):
        return None
    try:
        found: Any = importlib.import_module(module)
    except ImportError:
        return None
    for part in name.split("."):
        if not part.isidentifier() or part.startswith("__"):
            return None
        found = getattr(found, part, None)
    if (isinstance(found, type) and issubclass(found, Module) and found.__module__ == module
            and found.__qualname__ == name):
        return found
    return None


def functional_name(function: Any) -> str | None:
    """The name under which ``ember.nn.functional`` holds ``function``, if it does."""
    from ember.nn import functional

    if not isinstance(function, (types.FunctionType, types.BuiltinFunctionType)):
        return None
    name = getattr(function, "__name__", "")
    if getattr(functional, name, None) is function:
        return name
    return next((key for key, value in vars(functional).items()
                 if value is function and not key.startswith("_")), None)


def class_location(cls: type, what: str) -> tuple[str, str]:
    """Where a saved model's class lives, or a ``TypeError`` if ``ember.load`` can't rebuild it."""
    if ember_module_class(cls.__module__, cls.__qualname__) is not cls:
        raise TypeError(
            f"save: {what} is a {cls.__qualname__} from {cls.__module__}, not one of ember's own "
            "nn.Module classes; a whole model is only saved when ember.load can rebuild it "
            "without running code, i.e. when it is made of ember's classes. Save "
            "model.state_dict() instead and load it into a new model with load_state_dict()")
    return cls.__module__, cls.__qualname__


def weights_only_refusal(module: str, name: str) -> UnsafeFileError:
    """The error for a global off the ``weights_only=True`` allow-list (PyTorch's kind:
    ``pickle.UnpicklingError``), saying whether ``weights_only=False`` would help."""
    if ember_module_class(module, name) is not None:
        advice = ("it is one of ember's nn.Module classes (a whole model saved with "
                  "ember.save(model, path)): ember.load(path, weights_only=False) rebuilds it, "
                  "still without running code from the file")
    else:
        advice = ("ember never runs code from a file, and weights_only=False rebuilds only "
                  "ember's own nn.Module classes; save model.state_dict() instead")
    return UnsafeFileError(
        f"refuses the global {module}.{name}: Weights only load failed. A file loaded with "
        "weights_only=True may hold only tensors, storages, OrderedDict, numbers, strings, "
        f"lists, dicts and tuples; {advice}")


def refusal(module: str, name: str) -> UnsafeFileError:
    """The error for a global that ``weights_only=False`` still refuses."""
    return UnsafeFileError(
        f"refuses the global {module}.{name}: even with weights_only=False ember rebuilds only "
        "its own nn.Module classes (defined inside the ember package), functions of "
        "ember.nn.functional, tensors and plain data, so that loading a file never imports or "
        "runs other code. For a model class of your own, save model.state_dict() and load it "
        "into a new instance with load_state_dict()")


def find_global_with_modules(weights_find_global: Callable[[str, str], Any]
                             ) -> Callable[[str, str], Any]:
    """``find_global`` for ``weights_only=False``: the weights allow-list, then ember's
    module classes and functional functions."""
    def find_global(module: str, name: str) -> Any:
        try:
            return weights_find_global(module, name)
        except UnsafeFileError:
            pass
        cls = ember_module_class(module, name)
        if cls is not None:
            return ModuleClass(cls)
        if module == "ember.nn.functional":
            from ember.nn import functional

            function = getattr(functional, name, None) if name.isidentifier() else None
            if functional_name(function) is not None:
                return FunctionRef(function)
        raise refusal(module, name)

    return find_global


def new_object(cls: Any, args: Any) -> PendingModule | None:
    """NEWOBJ of one of ember's module classes: an empty record, filled by BUILD."""
    if not isinstance(cls, ModuleClass):
        return None
    if args != ():
        raise ModelFileError(f"{_qualified(cls.cls)} is created without arguments, the file "
                             "passes some")
    return PendingModule(cls.cls)


def build(obj: Any, state: Any) -> bool:
    """BUILD on a pending module records its attribute dict (once)."""
    if not isinstance(obj, PendingModule):
        return False
    if obj.state is not None:
        raise ModelFileError(f"{_qualified(obj.cls)} is given its state twice")
    obj.state = state
    return True


def rebuild(obj: Any, convert: Callable[[Any], Any], memo: dict[int, Any]) -> Any:
    """The class, function or module a stand-in stands for; ``convert`` turns the pending
    module's attribute values into ember objects (checked by the caller's walk)."""
    if isinstance(obj, ModuleClass):
        return obj.cls
    if isinstance(obj, FunctionRef):
        return obj.function
    if id(obj) in memo:  # the same module in two places (or holding itself) stays one
        return memo[id(obj)]
    name = _qualified(obj.cls)
    state = obj.state
    if not isinstance(state, dict):
        raise ModelFileError(f"{name} has no attribute dict in the file")
    for key in state:
        if not isinstance(key, str) or not key.isidentifier() or key.startswith("__"):
            raise ModelFileError(f"{name} has an invalid attribute name {key!r:.60}")
    module = object.__new__(obj.cls)
    memo[id(obj)] = module
    values = {key: convert(value) for key, value in state.items()}
    _check_registries(values, name)
    module.__dict__.update(values)
    return module


def _check_registries(values: dict[str, Any], name: str) -> None:
    """The attributes ``nn.Module`` relies on hold what ``nn.Module`` would put there."""
    from ember.nn.modules.module import Module
    from ember.nn.parameter import Parameter
    from ember.tensor import Tensor

    kinds = {"_parameters": Parameter, "_buffers": Tensor, "_modules": Module}
    for registry in _REGISTRIES:
        entries = values.get(registry)
        if not isinstance(entries, dict):
            raise ModelFileError(f"{name}.{registry} must be a dict, the file has "
                                 f"{type(entries).__name__}")
        for key, value in entries.items():
            if not isinstance(key, str) or not (value is None or isinstance(value,
                                                                            kinds[registry])):
                raise ModelFileError(f"{name}.{registry}[{key!r:.40}] must be a "
                                     f"{kinds[registry].__name__} or None, the file has "
                                     f"{type(value).__name__}")
    names = values.setdefault("_non_persistent_buffers", set())
    if not (isinstance(names, set) and all(isinstance(n, str) for n in names)):
        raise ModelFileError(f"{name}._non_persistent_buffers must be a set of names")
    if not isinstance(values.setdefault("training", True), bool):
        raise ModelFileError(f"{name}.training must be True or False")
