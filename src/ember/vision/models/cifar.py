"""Small networks for 32x32 images (CIFAR-10 sized), for CPU experiments. Not torchvision's
ImageNet models (those are ``resnet18``, ``vgg16``, ... in this package).

``CifarResNet`` (He et al., 2016, section 4.2): a 3x3 stem, three stages of basic blocks at 16,
32 and 64 channels (each later stage halves the size), global average pooling and one linear
layer; ``resnet20`` has 3 blocks per stage (0.27 M parameters), ``resnet8`` one. Parameter names
follow the common PyTorch CIFAR definition (``shortcut`` for the projection).

``CifarVGG``: torchvision's ``vgg11_bn`` feature stack (layer indices as torchvision's, so
``features.N`` names match), then one linear layer, every width scaled by ``width / 64``.
"""

from __future__ import annotations

from typing import Any

from ember import nn
from ember.tensor import Tensor


class CifarBasicBlock(nn.Module):
    """Two 3x3 conv-BN layers and a shortcut (a 1x1 conv-BN where the shape changes)."""

    expansion = 1

    def __init__(self, in_planes: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride=stride,
                                                    bias=False), nn.BatchNorm2d(planes))

    def forward(self, x: Tensor) -> Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.shortcut(x))


class CifarResNet(nn.Module):
    """``blocks`` basic blocks in each of the three stages; input ``(N, in_channels, H, W)``."""

    def __init__(self, blocks: list[int], num_classes: int = 10, in_channels: int = 3,
                 width: int = 16) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU()
        planes = width
        stages = []
        for stage, count in enumerate(blocks):
            out_planes = width * 2 ** stage
            layers = []
            for index in range(count):
                layers.append(CifarBasicBlock(planes, out_planes,
                                              stride=2 if stage > 0 and index == 0 else 1))
                planes = out_planes
            stages.append(nn.Sequential(*layers))
        self.layer1, self.layer2, self.layer3 = stages
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(planes, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.avgpool(x).flatten(1))


def resnet20(num_classes: int = 10, in_channels: int = 3) -> CifarResNet:
    """ResNet-20 for 32x32 images: 3 basic blocks per stage."""
    return CifarResNet([3, 3, 3], num_classes, in_channels)


def resnet8(num_classes: int = 10, in_channels: int = 3) -> CifarResNet:
    """A smaller ResNet for CPU experiments: 1 basic block per stage."""
    return CifarResNet([1, 1, 1], num_classes, in_channels)


_VGG11 = [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]


class CifarVGG(nn.Module):
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


def cifar_vgg11_bn(num_classes: int = 10, in_channels: int = 3, width: int = 64) -> CifarVGG:
    """VGG-11-BN for 32x32 inputs; ``width=16`` gives a quarter-width variant for CPUs."""
    return CifarVGG(_VGG11, num_classes, in_channels, width)
