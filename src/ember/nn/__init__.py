"""Neural-network building blocks (PyTorch's ``torch.nn``)."""

from ember.nn import functional, init, utils
from ember.nn.modules import *  # noqa: F403 - the layers are the public API
from ember.nn.modules import __all__ as _module_names
from ember.nn.parameter import Parameter

__all__ = ["Parameter", "functional", "init", "utils", *_module_names]


def __getattr__(name: str) -> object:
    # ``nn.parallel`` loads on first use: it brings in ember.distributed (not mpi4py itself).
    if name == "parallel":
        import importlib

        return importlib.import_module("ember.nn.parallel")
    raise AttributeError(f"module 'ember.nn' has no attribute {name!r}")
