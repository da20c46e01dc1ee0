"""LeNet-5 (LeCun et al., 1998) as PyTorch tutorials write it: two 5x5 convolutions with
max pooling, then three linear layers."""

from __future__ import annotations

from ember import nn
from ember.tensor import Tensor


class LeNet5(nn.Module):
    """Input ``(N, in_channels, 28, 28)`` (conv1 pads by 2, as for MNIST) or 32x32 with
    ``padding=0``; output ``(N, num_classes)`` logits."""

    def __init__(self, num_classes: int = 10, in_channels: int = 1, padding: int = 2) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5, padding=padding), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))
