"""VGG networks for ImageNet (Simonyan and Zisserman, 2015) with torchvision's architecture and
parameter names (``features.N``, ``classifier.N``), so state dicts move between
``ember.vision.models.vgg16()`` and torchvision's both ways.

``features``: 3x3 convolutions (each followed by batch norm in the ``_bn`` variants) and ReLU,
with 2x2 max pools between stages; then adaptive average pooling to 7x7 and a classifier of
two 4096-wide hidden layers with dropout. Any input of at least 32x32 works.
"""

from __future__ import annotations

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

__all__ = ["VGG", "VGG11_BN_Weights", "VGG11_Weights", "VGG13_BN_Weights", "VGG13_Weights",
           "VGG16_BN_Weights", "VGG16_Weights", "VGG19_BN_Weights", "VGG19_Weights",
           "make_layers", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn",
           "vgg19", "vgg19_bn"]

# Output channels of each 3x3 convolution, "M" for a max pool: the paper's configurations.
CONFIGS: dict[str, list[Any]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512,
          "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512,
          512, 512, 512, "M"],
}


class VGG(nn.Module):
    """``features`` (any module giving ``(N, 512, H, W)``), 7x7 average pooling and the
    classifier; output ``(N, num_classes)`` logits."""

    def __init__(self, features: nn.Module, num_classes: int = 1000, init_weights: bool = True,
                 dropout: float = 0.5) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes))
        if init_weights:
            self._init_weights()

    def _init_weights(self) -> None:
        """He-normal convolutions (fan out), unit-scale batch norms, N(0, 0.01) linear
        weights, zero biases."""
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
                if module.bias is not None:
                    nn.init.constant_(module.bias, 0)
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.constant_(module.weight, 1)
                nn.init.constant_(module.bias, 0)
            elif isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, 0, 0.01)
                nn.init.constant_(module.bias, 0)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def make_layers(cfg: list[Any], batch_norm: bool = False) -> nn.Sequential:
    """The feature stack for a configuration (channel counts and "M" for max pools)."""
    layers: list[nn.Module] = []
    in_channels = 3
    for item in cfg:
        if item == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        conv = nn.Conv2d(in_channels, int(item), kernel_size=3, padding=1)
        layers += ([conv, nn.BatchNorm2d(int(item)), nn.ReLU(inplace=True)] if batch_norm
                   else [conv, nn.ReLU(inplace=True)])
        in_channels = int(item)
    return nn.Sequential(*layers)


_RECIPE = ("https://github.com/pytorch/vision/tree/main/references/classification"
           "#alexnet-and-vgg")


def _vgg_weights(file_name: str, num_params: int, recipe: str = _RECIPE) -> Weights:
    return Weights(url=f"https://download.pytorch.org/models/{file_name}",
                   transforms=imagenet_transforms(crop_size=224),
                   meta={"min_size": (32, 32), "num_params": num_params, "recipe": recipe})


class VGG11_Weights(WeightsEnum):  # noqa: N801 - torchvision's names
    IMAGENET1K_V1 = _vgg_weights("vgg11-8a719046.pth", 132863336)
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):  # noqa: N801
    IMAGENET1K_V1 = _vgg_weights("vgg11_bn-6002323d.pth", 132868840)
    DEFAULT = IMAGENET1K_V1


class VGG13_Weights(WeightsEnum):  # noqa: N801
    IMAGENET1K_V1 = _vgg_weights("vgg13-19584684.pth", 133047848)
    DEFAULT = IMAGENET1K_V1


class VGG13_BN_Weights(WeightsEnum):  # noqa: N801
    IMAGENET1K_V1 = _vgg_weights("vgg13_bn-abd245e5.pth", 133053736)
    DEFAULT = IMAGENET1K_V1


class VGG16_Weights(WeightsEnum):  # noqa: N801
    IMAGENET1K_V1 = _vgg_weights("vgg16-397923af.pth", 138357544)
    # Only the feature stack was trained (for SSD); its classifier holds NaNs, and it names no
    # categories, so it does not fix num_classes.
    IMAGENET1K_FEATURES = Weights(
        url="https://download.pytorch.org/models/vgg16_features-amdegroot-88682ab5.pth",
        transforms=imagenet_transforms(crop_size=224),
        meta={"min_size": (32, 32), "num_params": 138357544, "categories": None,
              "recipe": "https://github.com/amdegroot/ssd.pytorch#training-ssd"})
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):  # noqa: N801
    IMAGENET1K_V1 = _vgg_weights("vgg16_bn-6c64b313.pth", 138365992)
    DEFAULT = IMAGENET1K_V1


class VGG19_Weights(WeightsEnum):  # noqa: N801
    IMAGENET1K_V1 = _vgg_weights("vgg19-dcbb9e9d.pth", 143667240)
    DEFAULT = IMAGENET1K_V1


class VGG19_BN_Weights(WeightsEnum):  # noqa: N801
    IMAGENET1K_V1 = _vgg_weights("vgg19_bn-c79401a0.pth", 143678248)
    DEFAULT = IMAGENET1K_V1


def _vgg(name: str, cfg: str, batch_norm: bool, weights_enum: type[WeightsEnum], weights: Any,
         progress: bool, kwargs: dict[str, Any]) -> VGG:
    weights = resolve_weights(weights_enum, weights, kwargs)
    check_keywords(name, kwargs, ("num_classes", "init_weights", "dropout"))
    if weights is not None:
        kwargs["init_weights"] = False  # the loaded weights replace any initialisation
        if weights.meta.get("categories", ()) is not None:
            overwrite_named_param(kwargs, "num_classes", IMAGENET_CLASSES)
    model = VGG(make_layers(CONFIGS[cfg], batch_norm=batch_norm), **kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


def vgg11(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-11 (configuration A)."""
    return _vgg("vgg11", "A", False, VGG11_Weights, weights, progress, kwargs)


def vgg11_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-11 with batch normalisation."""
    return _vgg("vgg11_bn", "A", True, VGG11_BN_Weights, weights, progress, kwargs)


def vgg13(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-13 (configuration B)."""
    return _vgg("vgg13", "B", False, VGG13_Weights, weights, progress, kwargs)


def vgg13_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-13 with batch normalisation."""
    return _vgg("vgg13_bn", "B", True, VGG13_BN_Weights, weights, progress, kwargs)


def vgg16(*, weights: VGG16_Weights | str | None = None, progress: bool = True,
          **kwargs: Any) -> VGG:
    """VGG-16 (configuration D, 138 M parameters). ``weights="IMAGENET1K_V1"`` loads
    ``vgg16-397923af.pth`` from the local checkpoint cache (see ``ember.hub``)."""
    return _vgg("vgg16", "D", False, VGG16_Weights, weights, progress, kwargs)


def vgg16_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-16 with batch normalisation."""
    return _vgg("vgg16_bn", "D", True, VGG16_BN_Weights, weights, progress, kwargs)


def vgg19(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-19 (configuration E)."""
    return _vgg("vgg19", "E", False, VGG19_Weights, weights, progress, kwargs)


def vgg19_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-19 with batch normalisation."""
    return _vgg("vgg19_bn", "E", True, VGG19_BN_Weights, weights, progress, kwargs)
