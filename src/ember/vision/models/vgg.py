"""VGG-11 with batch norm (Simonyan and Zisserman, 2015) for 32x32 images: torchvision's
``vgg11_bn`` feature stack (layer indices as torchvision's, so ``features.N`` names match),
then one linear layer, with every width scaled by ``width / 64``."""

from __future__ import annotations

from typing import Any

from ember import nn
from ember.tensor import Tensor

_VGG11 = [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]


class VGG(nn.Module):
    """``features`` (conv-BN-ReLU and max pools) and a linear ``classifier``."""

    def __init__(self, config: list[Any], num_classes: int = 10, in_channels: int = 3,
                 width: int = 64) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = in_channels
        for item in config:
            if item == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                out = max(1, int(item) * width // 64)
                layers += [nn.Conv2d(channels, out, 3, padding=1), nn.BatchNorm2d(out),
                           nn.ReLU()]
                channels = out
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(channels, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


def vgg11_bn(num_classes: int = 10, in_channels: int = 3, width: int = 64) -> VGG:
    """VGG-11-BN for 32x32 inputs; ``width=16`` gives a quarter-width variant for CPUs."""
    return VGG(_VGG11, num_classes, in_channels, width)
