"""MNIST recipes: the Keras book's MLP, a PyTorch-style MLP, and PyTorch's example CNN."""

from __future__ import annotations

from typing import Any

import ember.nn.functional as F
from ember.cli.data import Source, Split, mnist_split
from ember.cli.preprocess import image_spec
from ember.cli.recipes.base import Recipe, keras_trainer
from ember.cli.recipes.torch_common import torch_trainer
from ember.cli.recipes.toy import build_mlp

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # the constants PyTorch's examples normalise with


def _load(source: Source, seed: int) -> Split:
    return mnist_split(source)


def _scaled_flat(split: Split) -> dict[str, Any]:
    """The book's preprocessing: pixels / 255, flattened to 784 values."""
    return image_spec(28, 1, [0.0], [1.0], layout="flat")


def _normalised(layout: str) -> Any:
    def spec(split: Split) -> dict[str, Any]:
        return image_spec(28, 1, [MNIST_MEAN], [MNIST_STD], layout=layout)

    return spec


MNIST_MLP = Recipe(
    name="mnist-mlp",
    family="keras",
    dataset="mnist",
    description="Keras book network: Dense 512 relu, Dense 10 softmax, RMSprop, categorical "
                "cross-entropy, batch 128",
    load=_load,
    preprocessing=_scaled_flat,
    architecture={"inputs": 784, "hidden": [512], "classes": 10, "name": "mnist_mlp"},
    build=build_mlp,
    train=keras_trainer("categorical_crossentropy", one_hot=True),
    output="probs",
    epochs=20,
    batch_size=128,
    lr=0.001,
    optimizer="rmsprop",
)


def build_torch_mlp(arch: dict[str, Any]) -> Any:
    """nn.Module MLP ``inputs -> hidden... -> classes`` with ReLUs, emitting logits."""
    from ember import nn

    sizes = [int(arch["inputs"]), *map(int, arch["hidden"]), int(arch["classes"])]
    layers: list[Any] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


MNIST_TORCH = Recipe(
    name="mnist-torch",
    family="torch",
    dataset="mnist",
    description="PyTorch-style nn.Module 784-128-256-10, optim.SGD (momentum 0.9) through a "
                "DataLoader, validation loss per epoch",
    load=_load,
    preprocessing=_normalised("flat"),
    architecture={"inputs": 784, "hidden": [128, 256], "classes": 10},
    build=build_torch_mlp,
    train=torch_trainer(F.cross_entropy, dataloader=True),
    output="logits",
    epochs=5,
    batch_size=64,
    lr=0.01,
    optimizer="sgd",
    optimizer_extras={"momentum": 0.9},
)


def build_mnist_cnn(arch: dict[str, Any]) -> Any:
    """PyTorch's MNIST example network; ``forward`` returns log-probabilities."""
    import ember
    from ember import nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(float(arch["dropout1"]))
            self.dropout2 = nn.Dropout(float(arch["dropout2"]))
            self.fc1 = nn.Linear(9216, int(arch["hidden"]))
            self.fc2 = nn.Linear(int(arch["hidden"]), int(arch["classes"]))

        def forward(self, x: Any) -> Any:
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = self.dropout1(F.max_pool2d(x, 2))
            x = self.dropout2(F.relu(self.fc1(ember.flatten(x, 1))))
            return F.log_softmax(self.fc2(x), dim=1)

    return Net()


def _step_lr(optimizer: Any, epochs: int) -> Any:
    """PyTorch's example schedule: StepLR(step_size=1, gamma=0.7)."""
    from ember.optim.lr_scheduler import StepLR

    return StepLR(optimizer, step_size=1, gamma=0.7)


MNIST_CNN = Recipe(
    name="mnist-cnn",
    family="torch",
    dataset="mnist",
    description="PyTorch's example CNN: conv 32, conv 64, max-pool, dropout 0.25, linear 128, "
                "dropout 0.5, linear 10, log_softmax + nll_loss, Adam, StepLR gamma 0.7",
    load=_load,
    preprocessing=_normalised("nchw"),
    architecture={"hidden": 128, "classes": 10, "dropout1": 0.25, "dropout2": 0.5},
    build=build_mnist_cnn,
    train=torch_trainer(F.nll_loss, schedule=_step_lr),
    output="log_probs",
    epochs=5,
    batch_size=64,
    lr=0.001,
    optimizer="adam",
)
