"""``Perceptron``: Rosenblatt's single neuron, a threshold on a linear score.

It predicts ``1`` when ``w . x + b > 0`` and ``0`` otherwise, and learns one sample at a time:
after a mistake it moves the weights towards the sample (``w += lr * (y - y_hat) * x``, the
bias likewise). On linearly separable data this stops making mistakes after a finite number of
updates; the fit ends at the first epoch without one.

>>> from ember.models import Perceptron
>>> model = Perceptron().fit(x, y)
>>> model.converged_, model.n_epochs_
(True, 4)
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ember.models._base import LinearModel
from ember.models.fitting import as_array, check_positive


class Perceptron(LinearModel):
    """The perceptron as an ``nn.Module`` over an ``nn.Linear(in_features, 1)``.

    Any two labels work (``{0, 1}``, ``{-1, 1}``, ``{"no", "yes"}``): ``classes_`` holds them
    sorted, and ``predict`` answers in them. After ``fit``: ``coef_``, ``intercept_``,
    ``mistakes_history_`` (mistakes per epoch), ``n_epochs_`` and ``converged_``.
    """

    def __init__(self, in_features: int | None = None, dtype: Any = None) -> None:
        super().__init__(in_features, 1, dtype)
        self.classes_: np.ndarray | None = None
        self.mistakes_history_: list[int] = []
        self.n_epochs_ = 0
        self.converged_ = False

    def _classes_of(self, y: Any, n: int, who: str) -> np.ndarray:
        """Labels as 0/1 (index into ``classes_``), setting ``classes_`` from them."""
        labels = as_array(y, "y", who)
        if labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        if labels.ndim != 1 or len(labels) != n:
            raise ValueError(f"{who}: y must be (N,) labels for the {n} samples of x, got shape "
                             f"{labels.shape}")
        classes, index = np.unique(labels, return_inverse=True)
        if len(classes) != 2:
            raise ValueError(f"{who}: the perceptron separates exactly two classes; y holds "
                             f"{len(classes)}: {list(classes[:10])}")
        self.classes_ = classes
        return index.reshape(-1).astype(np.float64)

    def fit(self, x: Any, y: Any, epochs: int = 100, lr: float = 1.0, shuffle: bool = True,
            seed: int | None = None, warm_start: bool = False) -> Perceptron:
        """Learn from x: (N, in_features) or (N,) and two-class labels y: (N,); returns self.

        Each epoch visits every sample once (in a fresh order seeded by ``seed`` when
        ``shuffle``) and corrects the weights after each mistake. Stops at the first epoch with
        no mistakes (``converged_`` is then True) or after ``epochs`` (with a warning).
        """
        who = "Perceptron.fit"
        check_positive(epochs, "epochs", who, integer=True)
        check_positive(lr, "lr", who)
        features = self._start(x, warm_start)
        target = self._classes_of(y, len(features), who)
        weight, bias = self.coef_.copy(), float(self.intercept_)
        rng = np.random.default_rng(seed)
        self.mistakes_history_, self.converged_ = [], False
        for _ in range(epochs):
            order = rng.permutation(len(features)) if shuffle else range(len(features))
            mistakes = 0
            for i in order:
                guess = 1.0 if features[i] @ weight + bias > 0 else 0.0
                error = target[i] - guess  # -1, 0 or +1
                if error:
                    weight += lr * error * features[i]
                    bias += lr * error
                    mistakes += 1
            self.mistakes_history_.append(mistakes)
            if mistakes == 0:
                self.converged_ = True
                break
        self.n_epochs_ = len(self.mistakes_history_)
        self.set_params(weight, bias)
        if not self.converged_:
            warnings.warn(f"Perceptron.fit: still {self.mistakes_history_[-1]} mistake(s) after "
                          f"{epochs} epoch(s); the classes may not be linearly separable",
                          RuntimeWarning, stacklevel=2)
        return self

    def decision_function(self, x: Any) -> np.ndarray:
        """The linear score ``w . x + b`` of each sample, (N,)."""
        return self._outputs(self._checked(x, "decision_function"))[:, 0]

    def predict(self, x: Any) -> np.ndarray:
        """``classes_[1]`` where the score is positive, else ``classes_[0]``; (N,)."""
        if self.classes_ is None:
            raise RuntimeError("Perceptron.predict: call fit(x, y) first")
        return self.classes_[(self.decision_function(x) > 0).astype(np.int64)]

    def score(self, x: Any, y: Any) -> float:
        """Accuracy of ``predict(x)`` against labels y."""
        prediction = self.predict(x)
        labels = as_array(y, "y", "Perceptron.score").reshape(-1)
        if len(labels) != len(prediction):
            raise ValueError(f"Perceptron.score: x has {len(prediction)} samples but y has "
                             f"{len(labels)}")
        return float(np.mean(labels == prediction))
