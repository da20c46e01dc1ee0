"""``ember.utils``: helpers around training; ``ember.utils.data`` feeds batches to a model."""

from ember._lazy import submodule_getattr

__all__ = ["data"]

# ``utils.data`` loads on first use (``torch.utils.data.DataLoader`` after ``import torch``
# works as in PyTorch): ``nn.Module`` needs ``utils.hooks`` and not the DataLoader.
__getattr__ = submodule_getattr(__name__, ["data"])
