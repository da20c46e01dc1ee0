"""Pretrained-weight descriptions with torchvision's names: ``Weights``, ``WeightsEnum``,
``get_weight``, and the ``ImageClassification`` preprocessing their ``transforms`` build.

A builder such as ``resnet18(weights=ResNet18_Weights.DEFAULT)`` (or ``weights="DEFAULT"``,
``"IMAGENET1K_V1"``, ``"ResNet18_Weights.IMAGENET1K_V1"``) loads the file named by the
weights' URL from torch.hub's cache or ``$EMBER_DATA`` (see ``ember.hub``): ember never
downloads. The weights' ``meta`` leaves out torchvision's ImageNet category names.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from typing import Any

from ember import dtypes, nn
from ember.tensor import Tensor
from ember.vision.transforms import functional as TF
from ember.vision.transforms.functional import InterpolationMode

IMAGENET_CLASSES = 1000


@dataclass
class Weights:
    """Where a set of pretrained weights lives, how to prepare inputs for it, and facts about
    it (``num_params``, ``min_size``, ...)."""

    url: str
    transforms: Callable[..., Any]
    meta: dict[str, Any] = field(default_factory=dict)


class WeightsEnum(Enum):
    """The base of ``ResNet18_Weights`` and the others: members such as ``IMAGENET1K_V1`` and
    the alias ``DEFAULT``; ``member.url``, ``member.transforms``, ``member.meta``."""

    @classmethod
    def verify(cls, obj: Any) -> Any:
        """``obj`` as a member of this enum: a member, None, or a name (``"DEFAULT"``,
        ``"IMAGENET1K_V1"``, ``"ResNet18_Weights.IMAGENET1K_V1"``)."""
        if obj is None or isinstance(obj, cls):
            return obj
        if isinstance(obj, str):
            name = obj.replace(cls.__name__ + ".", "")
            if name not in cls.__members__:
                raise KeyError(f"{obj!r} is not a member of {cls.__name__}; known: "
                               f"{sorted(cls.__members__)}")
            return cls[name]
        raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but received "
                        f"{type(obj).__name__}.")

    def get_state_dict(self, *args: Any, **kwargs: Any) -> Any:
        """The weights' state dict, read from the local checkpoint cache (``ember.hub``)."""
        from ember.hub import load_state_dict_from_url

        return load_state_dict_from_url(self.url, *args, **kwargs)

    @property
    def url(self) -> str:
        return self.value.url

    @property
    def transforms(self) -> Callable[..., Any]:
        return self.value.transforms

    @property
    def meta(self) -> dict[str, Any]:
        return self.value.meta

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self._name_}"

    __str__ = __repr__


def get_weight(name: str) -> WeightsEnum:
    """The member that ``"ResNet18_Weights.IMAGENET1K_V1"`` names."""
    from ember.vision import models

    enum_name, _, member = name.partition(".")
    enum = getattr(models, enum_name, None)
    if not (isinstance(enum, type) and issubclass(enum, WeightsEnum)) or not member:
        raise ValueError(f"get_weight: {name!r} is not '<WeightsEnum>.<member>' of "
                         "ember.vision.models")
    return enum.verify(member)


def resolve_weights(weights_enum: type[WeightsEnum], weights: Any,
                    kwargs: dict[str, Any]) -> WeightsEnum | None:
    """A builder's ``weights``, also from torchvision's older ``pretrained=True``/``False``
    (a ``UserWarning``, as torchvision's deprecation)."""
    if "pretrained" in kwargs:
        pretrained = kwargs.pop("pretrained")
        warnings.warn("The parameter 'pretrained' is deprecated since torchvision 0.13; use "
                      f"'weights' instead ({weights_enum.__name__}.DEFAULT for "
                      "pretrained=True).", UserWarning, stacklevel=4)
        if weights is not None:
            raise ValueError("pass either weights= or the older pretrained=, not both")
        weights = weights_enum.DEFAULT if pretrained else None
    return weights_enum.verify(weights)


def overwrite_named_param(kwargs: dict[str, Any], name: str, value: Any) -> None:
    """Set ``kwargs[name]`` to what the weights need, refusing a different value."""
    if name in kwargs and kwargs[name] != value:
        raise ValueError(f"The parameter '{name}' expected value {value} but got "
                         f"{kwargs[name]} instead.")
    kwargs[name] = value


def check_keywords(builder: str, kwargs: dict[str, Any], allowed: Sequence[str]) -> None:
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise TypeError(f"{builder}() got unexpected keyword argument(s) {unknown}; it takes "
                        f"weights=, progress= and {', '.join(allowed)}")


class ImageClassification(nn.Module):
    """The preprocessing of ImageNet classifiers: resize the shorter side to ``resize_size``,
    crop the centre ``crop_size`` square, scale to [0, 1] floats and normalise.

    Takes a PIL image or a ``(..., C, H, W)`` tensor; returns a float tensor.
    """

    def __init__(self, *, crop_size: int, resize_size: int = 256,
                 mean: tuple[float, ...] = (0.485, 0.456, 0.406),
                 std: tuple[float, ...] = (0.229, 0.224, 0.225),
                 interpolation: InterpolationMode = InterpolationMode.BILINEAR,
                 antialias: bool | None = True) -> None:
        super().__init__()
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img: Any) -> Tensor:
        img = TF.resize(img, self.resize_size, interpolation=self.interpolation,
                        antialias=self.antialias)
        img = TF.center_crop(img, self.crop_size)
        if not isinstance(img, Tensor):
            img = TF.pil_to_tensor(img)
        img = TF.convert_image_dtype(img, dtypes.float32)
        return TF.normalize(img, mean=self.mean, std=self.std)

    def extra_repr(self) -> str:
        return (f"crop_size={self.crop_size}, resize_size={self.resize_size}, mean={self.mean}, "
                f"std={self.std}, interpolation={self.interpolation}")


def imagenet_transforms(crop_size: int = 224, resize_size: int = 256) -> Callable[..., Any]:
    """What ``weights.transforms`` is for an ImageNet classifier: call it to get the module."""
    return partial(ImageClassification, crop_size=crop_size, resize_size=resize_size)
