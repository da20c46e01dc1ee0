"""ember.vision.models: shapes, sizes, a training step, and weights saved by PyTorch (from the
same definitions written in torch) giving the same outputs."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.vision import models


@pytest.mark.parametrize("build,shape,params", [
    (models.LeNet5, (2, 1, 28, 28), 61_706),
    (models.resnet20, (2, 3, 32, 32), 272_474),
    (models.resnet8, (2, 3, 32, 32), 78_042),
    (lambda: models.cifar_vgg11_bn(width=16), (2, 3, 32, 32), 579_786),
])
def test_models_take_their_inputs_and_learn(build, shape, params) -> None:
    ember.manual_seed(0)
    model = build()
    assert sum(p.numel() for p in model.parameters()) == params
    x, y = ember.randn(*shape), ember.tensor([1, 3])
    optimizer = ember.optim.SGD(model.parameters(), lr=0.05)
    losses = []
    for _ in range(2):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert tuple(model(x).shape) == (2, 10) and losses[-1] < losses[0]


def _torch_twins():
    """The same networks written in torch, named as ours."""
    import torch
    from torch import nn

    class LeNet5(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(),
                                          nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                                          nn.MaxPool2d(2))
            self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(400, 120), nn.ReLU(),
                                            nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))

        def forward(self, x):
            return self.classifier(self.features(x))

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU()
            self.shortcut = nn.Sequential()
            if stride != 1 or cin != cout:
                self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                              nn.BatchNorm2d(cout))

        def forward(self, x):
            out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            return self.relu(out + self.shortcut(x))

    class ResNet8(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 16, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(16)
            self.relu = nn.ReLU()
            self.layer1 = nn.Sequential(Block(16, 16, 1))
            self.layer2 = nn.Sequential(Block(16, 32, 2))
            self.layer3 = nn.Sequential(Block(32, 64, 2))
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(64, 10)

        def forward(self, x):
            x = self.relu(self.bn1(self.conv1(x)))
            x = self.layer3(self.layer2(self.layer1(x)))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    return {"lenet": (LeNet5, models.LeNet5, (3, 1, 28, 28)),
            "resnet8": (ResNet8, models.resnet8, (3, 3, 32, 32))}


@pytest.mark.parametrize("name", ["lenet", "resnet8"])
def test_weights_saved_by_pytorch_load_and_agree(tmp_path, name) -> None:
    torch = pytest.importorskip("torch")
    torch_cls, ember_build, shape = _torch_twins()[name]
    torch.manual_seed(0)
    theirs = torch_cls()
    for module in theirs.modules():  # non-trivial running statistics for the BN layers
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
    theirs.eval()
    path = tmp_path / f"{name}.pth"
    torch.save(theirs.state_dict(), path)
    ours = ember_build()
    ours.load_state_dict(ember.load(path, weights_only=True))
    ours.eval()
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    with ember.no_grad():
        got = ours(ember.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
