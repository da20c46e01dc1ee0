"""Neural-network building blocks (PyTorch's ``torch.nn``)."""

from ember.nn import functional
from ember.nn.parameter import Parameter

__all__ = ["Parameter", "functional"]
