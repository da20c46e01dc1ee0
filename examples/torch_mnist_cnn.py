"""The classic PyTorch MNIST CNN on ember: two convolutions, max-pooling, dropout, log_softmax and
nll_loss, trained with Adam for one epoch. It reaches about 98-99% test accuracy.

    EMBER_DATA=../shared/data python examples/torch_mnist_cnn.py --epochs 1
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import ember as torch
import ember.nn.functional as F
from ember import nn, optim
from ember.datasets import load_mnist
from ember.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


def mnist_tensors() -> tuple[TensorDataset, TensorDataset]:
    (x_train, y_train), (x_test, y_test) = load_mnist()
    mean, std = 0.1307, 0.3081  # MNIST's pixel statistics, as in the PyTorch example

    def prepare(images: np.ndarray) -> torch.Tensor:
        return torch.tensor(((images / 255.0 - mean) / std)[:, None, :, :])

    return (TensorDataset(prepare(x_train), torch.tensor(y_train.astype(np.int64))),
            TensorDataset(prepare(x_test), torch.tensor(y_test.astype(np.int64))))


def test(model: nn.Module, loader: DataLoader) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).argmax(dim=1) == yb).sum().item()
    model.train()
    return correct / len(loader.dataset)


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images")
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    train_set, test_set = mnist_tensors()
    if args.limit:
        train_set = TensorDataset(*(t[:args.limit] for t in train_set.tensors))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=1000)
    model = Net()
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    accuracy = 0.0
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        for step, (xb, yb) in enumerate(train_loader):
            optimizer.zero_grad()
            loss = F.nll_loss(model(xb), yb)
            loss.backward()
            optimizer.step()
            if step % 100 == 0:
                seen = step * len(xb)
                print(f"epoch {epoch} [{seen:5d}/{len(train_set)}] loss {loss.item():.4f}")
        accuracy = test(model, test_loader)
        print(f"epoch {epoch}: {time.perf_counter() - start:.0f} s, test accuracy {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
