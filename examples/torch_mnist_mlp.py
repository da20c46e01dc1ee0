"""MNIST with ember's PyTorch-style API: a 784-128-256-10 network trained by SGD through
DataLoaders, printing the validation loss after every epoch.

It is ordinary PyTorch tutorial code: only the imports name ember instead of torch.

    EMBER_DATA=../shared/data python examples/torch_mnist_mlp.py --epochs 5
"""

from __future__ import annotations

import argparse

import numpy as np

import ember as torch
import ember.nn.functional as F
from ember import nn, optim
from ember.datasets import load_mnist
from ember.utils.data import DataLoader, TensorDataset


class MnistMLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden1 = nn.Linear(784, 128)
        self.hidden2 = nn.Linear(128, 256)
        self.out = nn.Linear(256, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.hidden1(x))
        x = F.relu(self.hidden2(x))
        return self.out(x)


def loaders(batch_size: int) -> tuple[DataLoader, DataLoader, DataLoader]:
    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train = torch.tensor(x_train.reshape(-1, 784) / 255.0)  # float32
    x_test = torch.tensor(x_test.reshape(-1, 784) / 255.0)
    y_train, y_test = torch.tensor(y_train.astype(np.int64)), torch.tensor(y_test.astype(np.int64))
    train = TensorDataset(x_train[:50000], y_train[:50000])
    valid = TensorDataset(x_train[50000:], y_train[50000:])
    test = TensorDataset(x_test, y_test)
    return (DataLoader(train, batch_size=batch_size, shuffle=True),
            DataLoader(valid, batch_size=batch_size * 2),
            DataLoader(test, batch_size=batch_size * 2))


def evaluate(model: nn.Module, loader: DataLoader) -> tuple[float, float]:
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            total_loss += F.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(dim=1) == yb).sum().item()
            count += len(yb)
    model.train()
    return total_loss / count, correct / count


def main(argv: list[str] | None = None) -> dict[str, list[float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    train_dl, valid_dl, test_dl = loaders(args.batch_size)
    model = MnistMLP()
    print(model)
    opt = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    history: dict[str, list[float]] = {"val_loss": [], "val_accuracy": []}
    for epoch in range(args.epochs):
        for xb, yb in train_dl:
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
        val_loss, val_acc = evaluate(model, valid_dl)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_acc)
        print(f"epoch {epoch + 1}: validation loss {val_loss:.4f}, accuracy {val_acc:.4f}")
    test_loss, test_acc = evaluate(model, test_dl)
    print(f"test loss {test_loss:.4f}, test accuracy {test_acc:.4f}")
    history["test_accuracy"] = [test_acc]
    return history


if __name__ == "__main__":
    main()
