"""Networks with torchvision's names and parameter names: ``resnet18``/``34``/``50`` and
``vgg11``..``vgg19_bn`` for ImageNet, whose state dicts load into torchvision's models and back,
with their weight enums (``ResNet18_Weights.DEFAULT``, ...: read from torch.hub's local cache,
see ``ember.hub``); and small networks for CPU experiments: LeNet-5 and CIFAR-sized ResNets and
VGG (``resnet8``, ``resnet20``, ``cifar_vgg11_bn``).

``model.load_state_dict(ember.load(path))`` takes weights saved by PyTorch (``ember.load``
reads PyTorch files without running code).
"""

from ember.vision.models._api import ImageClassification, Weights, WeightsEnum, get_weight
from ember.vision.models.cifar import (
    CifarBasicBlock,
    CifarResNet,
    CifarVGG,
    cifar_vgg11_bn,
    resnet8,
    resnet20,
)
from ember.vision.models.lenet import LeNet5
from ember.vision.models.resnet import (
    BasicBlock,
    Bottleneck,
    ResNet,
    ResNet18_Weights,
    ResNet34_Weights,
    ResNet50_Weights,
    resnet18,
    resnet34,
    resnet50,
)
from ember.vision.models.vgg import (
    VGG,
    VGG11_BN_Weights,
    VGG11_Weights,
    VGG13_BN_Weights,
    VGG13_Weights,
    VGG16_BN_Weights,
    VGG16_Weights,
    VGG19_BN_Weights,
    VGG19_Weights,
    vgg11,
    vgg11_bn,
    vgg13,
    vgg13_bn,
    vgg16,
    vgg16_bn,
    vgg19,
    vgg19_bn,
)

__all__ = [
    "VGG", "BasicBlock", "Bottleneck", "CifarBasicBlock", "CifarResNet", "CifarVGG",
    "ImageClassification", "LeNet5", "ResNet", "ResNet18_Weights", "ResNet34_Weights",
    "ResNet50_Weights", "VGG11_BN_Weights", "VGG11_Weights", "VGG13_BN_Weights",
    "VGG13_Weights", "VGG16_BN_Weights", "VGG16_Weights", "VGG19_BN_Weights", "VGG19_Weights",
    "Weights", "WeightsEnum", "cifar_vgg11_bn", "get_weight", "resnet8", "resnet18", "resnet20",
    "resnet34", "resnet50", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn",
    "vgg19", "vgg19_bn",
]
