"""ResNets for ImageNet (He et al., 2016) with torchvision's architecture and parameter names,
so state dicts move between ``ember.vision.models.resnet18()`` and torchvision's both ways.

A 7x7 stride-2 stem and 3x3 max pool, four stages (``layer1``..``layer4``) of basic blocks
(ResNet-18/34) or bottlenecks (ResNet-50), global average pooling and ``fc``. A stage's first
block may change the size or width; its shortcut is then ``downsample`` (1x1 conv + norm).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ember import nn
from ember.tensor import Tensor
from ember.vision.models._api import (
    IMAGENET_CLASSES,
    Weights,
    WeightsEnum,
    check_keywords,
    imagenet_transforms,
    overwrite_named_param,
    resolve_weights,
)

__all__ = ["BasicBlock", "Bottleneck", "ResNet", "ResNet18_Weights", "ResNet34_Weights",
           "ResNet50_Weights", "resnet18", "resnet34", "resnet50"]

_RESNET_KEYWORDS = ("num_classes", "zero_init_residual", "groups", "width_per_group",
                    "replace_stride_with_dilation", "norm_layer")


def conv3x3(in_planes: int, out_planes: int, stride: int = 1, groups: int = 1,
            dilation: int = 1) -> nn.Conv2d:
    """A 3x3 convolution without bias, padded to keep the size at stride 1."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation,
                     groups=groups, bias=False, dilation=dilation)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 conv-norm layers plus the shortcut (``downsample`` or the input itself)."""

    expansion: int = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None, groups: int = 1, base_width: int = 64,
                 dilation: int = 1, norm_layer: Callable[..., nn.Module] | None = None) -> None:
        super().__init__()
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """1x1 (reduce), 3x3 (with the stride), 1x1 (expand by 4) conv-norm layers plus the shortcut
    (the ResNet v1.5 placement of the stride, as torchvision's)."""

    expansion: int = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None, groups: int = 1, base_width: int = 64,
                 dilation: int = 1, norm_layer: Callable[..., nn.Module] | None = None) -> None:
        super().__init__()
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class ResNet(nn.Module):
    """``layers[i]`` blocks of type ``block`` in stage ``i + 1``; input ``(N, 3, H, W)``,
    output ``(N, num_classes)`` logits."""

    def __init__(self, block: type[BasicBlock | Bottleneck], layers: list[int],
                 num_classes: int = 1000, zero_init_residual: bool = False, groups: int = 1,
                 width_per_group: int = 64, replace_stride_with_dilation: list[bool] | None = None,
                 norm_layer: Callable[..., nn.Module] | None = None) -> None:
        super().__init__()
        self._norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        self.inplanes = 64
        self.dilation = 1
        if replace_stride_with_dilation is None:
            replace_stride_with_dilation = [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError("replace_stride_with_dilation should be None or a 3-element "
                             f"tuple, got {replace_stride_with_dilation}")
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = self._norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], 2, replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], 2, replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], 2, replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        self._init_weights(zero_init_residual)

    def _init_weights(self, zero_init_residual: bool) -> None:
        """He-normal convolutions (fan out), unit-scale norms; optionally each block's last
        norm scaled to zero, so every block starts as the identity."""
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(module.weight, 1)
                nn.init.constant_(module.bias, 0)
        if zero_init_residual:
            for module in self.modules():
                if isinstance(module, Bottleneck) and module.bn3.weight is not None:
                    nn.init.constant_(module.bn3.weight, 0)
                elif isinstance(module, BasicBlock) and module.bn2.weight is not None:
                    nn.init.constant_(module.bn2.weight, 0)

    def _make_layer(self, block: type[BasicBlock | Bottleneck], planes: int, blocks: int,
                    stride: int = 1, dilate: bool = False) -> nn.Sequential:
        norm_layer = self._norm_layer
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       norm_layer(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width,
                        previous_dilation, norm_layer)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups,
                                base_width=self.base_width, dilation=self.dilation,
                                norm_layer=norm_layer))
        return nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


def _resnet_weights(file_name: str, num_params: int, recipe: str) -> Weights:
    return Weights(url=f"https://download.pytorch.org/models/{file_name}",
                   transforms=imagenet_transforms(crop_size=224),
                   meta={"min_size": (1, 1), "num_params": num_params, "recipe": recipe})


_RECIPE = "https://github.com/pytorch/vision/tree/main/references/classification#resnet"


class ResNet18_Weights(WeightsEnum):  # noqa: N801 - torchvision's name
    IMAGENET1K_V1 = _resnet_weights("resnet18-f37072fd.pth", 11689512, _RECIPE)
    DEFAULT = IMAGENET1K_V1


class ResNet34_Weights(WeightsEnum):  # noqa: N801
    IMAGENET1K_V1 = _resnet_weights("resnet34-b627a593.pth", 21797672, _RECIPE)
    DEFAULT = IMAGENET1K_V1


class ResNet50_Weights(WeightsEnum):  # noqa: N801
    IMAGENET1K_V1 = _resnet_weights("resnet50-0676ba61.pth", 25557032, _RECIPE)
    IMAGENET1K_V2 = Weights(
        url="https://download.pytorch.org/models/resnet50-11ad3fa6.pth",
        transforms=imagenet_transforms(crop_size=224, resize_size=232),
        meta={"min_size": (1, 1), "num_params": 25557032,
              "recipe": "https://github.com/pytorch/vision/issues/3995#issuecomment-1013906621"})
    DEFAULT = IMAGENET1K_V2


def _resnet(name: str, block: type[BasicBlock | Bottleneck], layers: list[int],
            weights_enum: type[WeightsEnum], weights: Any, progress: bool,
            kwargs: dict[str, Any]) -> ResNet:
    weights = resolve_weights(weights_enum, weights, kwargs)
    check_keywords(name, kwargs, _RESNET_KEYWORDS)
    if weights is not None:
        overwrite_named_param(kwargs, "num_classes", IMAGENET_CLASSES)
    model = ResNet(block, layers, **kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


def resnet18(*, weights: ResNet18_Weights | str | None = None, progress: bool = True,
             **kwargs: Any) -> ResNet:
    """ResNet-18 (11.7 M parameters). ``weights=ResNet18_Weights.DEFAULT`` loads
    ``resnet18-f37072fd.pth`` from the local checkpoint cache (see ``ember.hub``)."""
    return _resnet("resnet18", BasicBlock, [2, 2, 2, 2], ResNet18_Weights, weights, progress,
                   kwargs)


def resnet34(*, weights: ResNet34_Weights | str | None = None, progress: bool = True,
             **kwargs: Any) -> ResNet:
    """ResNet-34 (21.8 M parameters)."""
    return _resnet("resnet34", BasicBlock, [3, 4, 6, 3], ResNet34_Weights, weights, progress,
                   kwargs)


def resnet50(*, weights: ResNet50_Weights | str | None = None, progress: bool = True,
             **kwargs: Any) -> ResNet:
    """ResNet-50 (25.6 M parameters), bottleneck blocks."""
    return _resnet("resnet50", Bottleneck, [3, 4, 6, 3], ResNet50_Weights, weights, progress,
                   kwargs)
