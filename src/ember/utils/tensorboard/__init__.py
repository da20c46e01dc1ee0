"""``ember.utils.tensorboard.SummaryWriter``: PyTorch's writer of TensorBoard event files.

Needs the ``tensorboard`` package (``pip install ember[tensorboard]``); the files are written with
its own event writer and protocol buffers, and TensorBoard reads them as any PyTorch run's.
"""

from ember.utils.tensorboard.writer import SummaryWriter

__all__ = ["SummaryWriter"]
