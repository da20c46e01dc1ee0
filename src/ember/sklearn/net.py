"""``NeuralNetClassifier`` and ``NeuralNetRegressor``: train an ``nn.Module`` through ``fit``."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

import ember
from ember import nn, optim

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate
except ImportError:  # pragma: no cover - older scikit-learn
    def _validate(estimator: Any, *args: Any, **kwargs: Any) -> Any:
        return estimator._validate_data(*args, **kwargs)

_PREFIXES = ("module__", "optimizer__", "criterion__")


class _NeuralNet(BaseEstimator):
    def __init__(self, module: Any, criterion: Any = None, optimizer: Any = optim.SGD,
                 lr: float = 0.01, max_epochs: int = 10, batch_size: int = 128,
                 shuffle: bool = True, random_state: int | None = None, verbose: int = 0,
                 warm_start: bool = False, **kwargs: Any) -> None:
        self.module = module
        self.criterion = criterion
        self.optimizer = optimizer
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self._prefixed = sorted(kwargs)  # checked by fit: scikit-learn's rule, __init__ stores
        for key, value in kwargs.items():
            setattr(self, key, value)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        params = super().get_params(deep=False)
        params.update({key: getattr(self, key) for key in self._prefixed})
        return params

    def set_params(self, **params: Any) -> _NeuralNet:
        for key, value in params.items():
            if key.startswith(_PREFIXES):
                if key not in self._prefixed:
                    self._prefixed.append(key)
                setattr(self, key, value)
            else:
                super().set_params(**{key: value})
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags

    def _part_kwargs(self, prefix: str) -> dict[str, Any]:
        return {key[len(prefix):]: getattr(self, key) for key in self._prefixed
                if key.startswith(prefix)}

    def _build(self, n_features: int, n_outputs: int) -> None:
        for key in self._prefixed:
            if not key.startswith(_PREFIXES):
                raise TypeError(f"{type(self).__name__} got an unexpected argument {key!r} "
                                f"(parameters of the parts start with {', '.join(_PREFIXES)})")
        kwargs = self._part_kwargs("module__")
        module = self.module
        if isinstance(module, type):
            import inspect

            # Sizes the data decides, for a module class that asks for them by these names.
            accepted = inspect.signature(module).parameters
            for name, value in (("n_features_in", n_features), ("n_outputs", n_outputs)):
                if name in accepted and name not in kwargs:
                    kwargs[name] = value
            module = module(**kwargs)
        elif kwargs:
            raise ValueError("module__* parameters need module to be a class, not an instance")
        elif isinstance(module, nn.Module):
            import copy

            module = copy.deepcopy(module)  # fit never changes the estimator's own parameters
        self.module_ = module
        criterion = self.criterion or self._default_criterion()
        self.criterion_ = criterion(**self._part_kwargs("criterion__")) if isinstance(
            criterion, type) else criterion
        self.optimizer_ = self.optimizer(self.module_.parameters(), lr=self.lr,
                                         **self._part_kwargs("optimizer__"))

    def _fit_arrays(self, x: np.ndarray, target: np.ndarray, n_outputs: int) -> None:
        if self.random_state is not None:
            ember.manual_seed(int(self.random_state))
        if not (self.warm_start and hasattr(self, "module_")):
            self._build(x.shape[1], n_outputs)
        rng = np.random.default_rng(self.random_state)
        self.history_ = []
        for epoch in range(int(self.max_epochs)):
            self.module_.train()
            order = rng.permutation(len(x)) if self.shuffle else np.arange(len(x))
            total = 0.0
            for start in range(0, len(x), int(self.batch_size)):
                rows = order[start:start + int(self.batch_size)]
                self.optimizer_.zero_grad()
                loss = self.criterion_(self.module_(ember.from_numpy(x[rows])),
                                       ember.from_numpy(target[rows]))
                loss.backward()
                self.optimizer_.step()
                total += float(loss.item()) * len(rows)
            self.history_.append({"epoch": epoch + 1, "train_loss": total / len(x)})
            if self.verbose:
                print(f"epoch {epoch + 1}/{self.max_epochs}: train loss {total / len(x):.4f}")

    def _forward(self, X: Any) -> np.ndarray:  # noqa: N803
        check_is_fitted(self)
        x = _validate(self, X, dtype=np.float32, reset=False)
        self.module_.eval()
        with ember.no_grad():
            return self.module_(ember.from_numpy(np.ascontiguousarray(x))).numpy()


class NeuralNetClassifier(ClassifierMixin, _NeuralNet):
    """Classes from the module's logits; the default criterion is ``nn.CrossEntropyLoss``."""

    def _default_criterion(self) -> Any:
        return nn.CrossEntropyLoss

    def fit(self, X: Any, y: Any) -> NeuralNetClassifier:  # noqa: N803
        x, y = _validate(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        self.classes_, target = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError("Classifier can't train when only one class is present.")
        self._fit_arrays(np.ascontiguousarray(x), target.astype(np.int64), len(self.classes_))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:  # noqa: N803
        """Softmax of the module's outputs (logits), one column per class in ``classes_``."""
        return ember.from_numpy(self._forward(X)).softmax(dim=1).numpy()

    def predict(self, X: Any) -> np.ndarray:  # noqa: N803
        scores = self._forward(X)
        return self.classes_[np.argmax(scores, axis=1)]


class NeuralNetRegressor(RegressorMixin, _NeuralNet):
    """Real-valued targets, one or several columns; the default criterion is ``nn.MSELoss``."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _default_criterion(self) -> Any:
        return nn.MSELoss

    def fit(self, X: Any, y: Any) -> NeuralNetRegressor:  # noqa: N803
        x, y = _validate(self, X, y, dtype=np.float32, y_numeric=True, multi_output=True)
        y = np.asarray(y, dtype=np.float32)
        self._target_ndim = y.ndim
        target = y.reshape(-1, 1) if y.ndim == 1 else y
        self._fit_arrays(np.ascontiguousarray(x), target, target.shape[1])
        return self

    def predict(self, X: Any) -> np.ndarray:  # noqa: N803
        out = self._forward(X).astype(np.float64)  # scikit-learn's regressors predict float64
        return out.reshape(-1) if self._target_ndim == 1 and out.shape[1] == 1 else out
