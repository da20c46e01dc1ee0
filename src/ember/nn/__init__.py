"""Neural-network building blocks (PyTorch's ``torch.nn``)."""

from ember.nn import functional

__all__ = ["functional"]
