"""``LogisticRegression``: a linear score squashed into class probabilities.

Two classes: one score per sample, ``sigmoid(score)`` is the probability of class 1, and the
loss is binary cross-entropy (computed from the score, stably). More classes: one score per
class, ``softmax`` over them, and the loss is the cross-entropy of the true class.

>>> from ember.models import LogisticRegression
>>> model = LogisticRegression(n_classes=2).fit(x, y, epochs=200, lr=0.5)
>>> model.predict_proba(x[:1])   # (1, 2): P(class 0), P(class 1)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.creation import from_numpy
from ember.models import metrics
from ember.models._base import LinearModel
from ember.models.fitting import (
    check_labels,
    check_positive,
    gradient_descent,
    make_optimizer,
)
from ember.nn import functional as F
from ember.tensor import Tensor


class LogisticRegression(LinearModel):
    """Logistic (``n_classes=2``) or softmax (``n_classes>2``) regression as an ``nn.Module``.

    ``forward(x)`` returns the scores (logits): (N, 1) for two classes, (N, n_classes) for more.
    Labels are integers ``0..n_classes-1``. After ``fit``: ``coef_``, ``intercept_`` and
    ``loss_history_`` (the loss at every step).
    """

    def __init__(self, in_features: int | None = None, n_classes: int = 2,
                 dtype: Any = None) -> None:
        check_positive(n_classes, "n_classes", "LogisticRegression", integer=True)
        if n_classes < 2:
            raise ValueError(f"LogisticRegression: n_classes must be at least 2, got {n_classes}")
        self.n_classes = int(n_classes)
        super().__init__(in_features, 1 if n_classes == 2 else n_classes, dtype)
        self.loss_history_: list[float] = []

    @property
    def binary(self) -> bool:
        return self.n_classes == 2

    def loss_function(self, logits: Tensor, labels: Tensor) -> Tensor:
        """Mean cross-entropy of integer ``labels`` (N,) under ``logits`` from ``forward``."""
        if self.binary:
            target = labels.reshape(-1, 1).to(logits.dtype)
            return F.binary_cross_entropy_with_logits(logits, target)
        return F.cross_entropy(logits, labels)

    def compute_loss(self, x: Any, y: Any) -> Tensor:
        """The training loss on (x, y) with the current weights, as a scalar ``Tensor``."""
        features = self._checked(x, "compute_loss")
        labels = check_labels(y, len(features), self.n_classes, "LogisticRegression.compute_loss")
        inputs = from_numpy(np.ascontiguousarray(features, dtype=self.param_dtype))
        return self.loss_function(self(inputs), from_numpy(labels))

    def fit(self, x: Any, y: Any, epochs: int = 200, lr: float = 0.5,
            batch_size: int | None = None, optimizer: Any = "sgd", seed: int | None = None,
            warm_start: bool = False) -> LogisticRegression:
        """Fit to x: (N, in_features) or (N,), labels y: (N,) in ``0..n_classes-1``.

        ``epochs`` passes of gradient descent with ``optimizer`` (a name, an ``ember.optim``
        class or an instance over this model's parameters) at learning rate ``lr``, full batch
        (``batch_size=None``) or shuffled mini-batches seeded by ``seed``. Weights start at
        zero unless ``warm_start``. Returns self.
        """
        who = "LogisticRegression.fit"
        check_positive(epochs, "epochs", who, integer=True)
        check_positive(lr, "lr", who)
        if batch_size is not None:
            check_positive(batch_size, "batch_size", who, integer=True)
        features = self._start(x, warm_start)
        labels = check_labels(y, len(features), self.n_classes, who)
        opt = make_optimizer(optimizer, self, lr, who)
        self.loss_history_ = gradient_descent(self, features.astype(self.param_dtype), labels,
                                              self.loss_function, opt, epochs, batch_size, seed)
        return self

    def decision_function(self, x: Any) -> np.ndarray:
        """The scores: (N,) for two classes (positive means class 1), else (N, n_classes)."""
        out = self._outputs(self._checked(x, "decision_function"))
        return out[:, 0] if self.binary else out

    def predict_proba(self, x: Any) -> np.ndarray:
        """Class probabilities (N, n_classes); each row sums to 1."""
        scores = from_numpy(self.decision_function(x))
        if self.binary:
            p1 = scores.sigmoid().numpy()
            return np.stack([1.0 - p1, p1], axis=1)
        return F.softmax(scores, dim=1).numpy()

    def predict(self, x: Any) -> np.ndarray:
        """The most probable class of each sample, int64 (N,)."""
        scores = self.decision_function(x)
        if self.binary:
            return (scores > 0).astype(np.int64)
        return scores.argmax(axis=1).astype(np.int64)

    def score(self, x: Any, y: Any) -> float:
        """Accuracy of ``predict(x)`` against labels y."""
        prediction = self.predict(x)
        labels = check_labels(y, len(prediction), self.n_classes, "LogisticRegression.score")
        return metrics.accuracy_score(labels, prediction)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, n_classes={self.n_classes}"
