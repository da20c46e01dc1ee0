"""Image transforms with torchvision's names: on PIL images and ember Tensors ``(C, H, W)``.

>>> transform = transforms.Compose([transforms.ToTensor(),
...                                 transforms.Normalize((0.1307,), (0.3081,))])
"""

from ember.vision.transforms import functional
from ember.vision.transforms._batch import batch_transform
from ember.vision.transforms._random import (
    ColorJitter,
    RandomAffine,
    RandomCrop,
    RandomErasing,
    RandomGrayscale,
    RandomHorizontalFlip,
    RandomResizedCrop,
    RandomRotation,
    RandomVerticalFlip,
)
from ember.vision.transforms.functional import InterpolationMode
from ember.vision.transforms.transforms import (
    CenterCrop,
    Compose,
    ConvertImageDtype,
    Grayscale,
    Lambda,
    Normalize,
    Pad,
    PILToTensor,
    Resize,
    ToPILImage,
    ToTensor,
)

__all__ = [
    "CenterCrop", "ColorJitter", "Compose", "ConvertImageDtype", "Grayscale",
    "InterpolationMode", "Lambda", "Normalize", "PILToTensor", "Pad", "RandomAffine",
    "RandomCrop", "RandomErasing", "RandomGrayscale", "RandomHorizontalFlip",
    "RandomResizedCrop", "RandomRotation", "RandomVerticalFlip", "Resize", "ToPILImage",
    "ToTensor", "batch_transform", "functional",
]
