"""``ember.utils``: helpers around training; ``ember.utils.data`` feeds batches to a model."""

__all__ = ["data"]


def __getattr__(name: str) -> object:
    # ``utils.data`` loads on first use (``torch.utils.data.DataLoader`` after ``import torch``
    # works as in PyTorch): ``nn.Module`` needs ``utils.hooks`` and not the DataLoader.
    if name == "data":
        import importlib

        return importlib.import_module("ember.utils.data")
    raise AttributeError(f"module 'ember.utils' has no attribute {name!r}")
