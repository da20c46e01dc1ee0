"""Small classic networks written in ember: LeNet-5, ResNets for 32x32 images, VGG-11-BN.

Parameter names follow the usual PyTorch definitions, so ``model.load_state_dict(...)``
takes weights saved from those (``ember.load`` reads PyTorch files).
"""

from ember.vision.models.lenet import LeNet5
from ember.vision.models.resnet import BasicBlock, ResNet, resnet8, resnet20
from ember.vision.models.vgg import VGG, vgg11_bn

__all__ = ["VGG", "BasicBlock", "LeNet5", "ResNet", "resnet8", "resnet20", "vgg11_bn"]
