"""``ember.backends``: PyTorch's backend switches; ember's single NumPy backend has none to turn.

``backends.cudnn.deterministic`` and ``backends.cudnn.benchmark`` are accepted (tutorials set them
for reproducibility) and change nothing: ember's CPU results are already deterministic for a
given seed. ``backends.mps.is_available()`` and ``backends.cuda.is_built()`` are False.
"""

from ember.backends import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
