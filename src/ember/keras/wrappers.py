"""``keras.wrappers``: Keras 3's scikit-learn estimators around a model-building function.

``SKLearnClassifier(model=build, model_kwargs=..., fit_kwargs=...)`` calls
``build(X=X, y=y, **model_kwargs)`` on every ``fit`` for a fresh compiled model, one-hot encodes
class labels for it (so the model ends in a softmax with ``categorical_crossentropy``), and maps
predictions back to the labels; ``SKLearnRegressor`` passes targets through. They clone, pickle,
grid-search and sit in pipelines like any scikit-learn estimator.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate
except ImportError:  # pragma: no cover - older scikit-learn
    def _validate(estimator: Any, *args: Any, **kwargs: Any) -> Any:
        return estimator._validate_data(*args, **kwargs)


class _SKLBase(BaseEstimator):
    def __init__(self, model: Any, warm_start: bool = False, model_kwargs: dict | None = None,
                 fit_kwargs: dict | None = None) -> None:
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags

    def _new_model(self, x: np.ndarray, y: np.ndarray) -> Any:
        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if not callable(self.model) or hasattr(self.model, "fit"):
            raise NotImplementedError(
                "keras.wrappers: pass a function that builds and compiles a model "
                "(model=build_fn); wrapping a Model instance (Keras clones it) is not supported")
        model = self.model(X=x, y=y, **(self.model_kwargs or {}))
        if getattr(model, "optimizer", None) is None or getattr(model, "loss", None) is None:
            raise RuntimeError("Given model needs to be compiled, and have a loss and an "
                               "optimizer.")
        return model

    def fit(self, X: Any, y: Any, **kwargs: Any) -> _SKLBase:  # noqa: N803 - sklearn's names
        """Build a fresh model (unless ``warm_start``) and fit it; ``kwargs`` go to ``fit``."""
        x, y = _validate(self, X, y, dtype=np.float32, y_numeric=not isinstance(
            self, ClassifierMixin), multi_output=True)
        target = self._encode_targets(np.asarray(y), reset=True)
        model = self._new_model(x, target)
        fit_kwargs = {"verbose": 0, **(self.fit_kwargs or {}), **kwargs}
        self.history_ = model.fit(x, target, **fit_kwargs).history
        self.model_ = model
        return self

    def _raw_predict(self, X: Any) -> np.ndarray:  # noqa: N803
        check_is_fitted(self)
        x = _validate(self, X, dtype=np.float32, reset=False)
        return np.asarray(self.model_.predict(x, verbose=0))

    def _encode_targets(self, y: np.ndarray, reset: bool) -> np.ndarray:
        return y.astype(np.float32)


class SKLearnClassifier(ClassifierMixin, _SKLBase):
    """A classifier: labels one-hot encoded for the model, predictions mapped back to labels."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags

    def _encode_targets(self, y: np.ndarray, reset: bool) -> np.ndarray:
        kind = type_of_target(y, raise_unknown=True)
        if kind not in ("binary", "multiclass"):
            raise ValueError(f"Only binary and multiclass target types are supported. Target "
                             f"type: {kind}")
        if reset:
            self._encoder = OneHotEncoder(sparse_output=False).fit(y.reshape(-1, 1))
            self.classes_ = self._encoder.categories_[0]
            if len(self.classes_) == 1:
                raise ValueError("Classifier can't train when only one class is present.")
        return self._encoder.transform(y.reshape(-1, 1)).astype(np.float32)

    def predict(self, X: Any) -> np.ndarray:  # noqa: N803
        scores = self._raw_predict(X)
        return self.classes_[np.argmax(scores, axis=1)]

    def predict_proba(self, X: Any) -> np.ndarray:  # noqa: N803
        """The model's outputs (its softmax), one column per class in ``classes_``."""
        return self._raw_predict(X)

    def decision_function(self, X: Any) -> np.ndarray:  # noqa: N803
        """The model's raw outputs, as Keras's wrapper returns them."""
        return self._raw_predict(X)


class SKLearnRegressor(RegressorMixin, _SKLBase):
    """A regressor: targets passed through (a 1-D target comes back 1-D)."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True  # as Keras's: one epoch by default
        return tags

    def _encode_targets(self, y: np.ndarray, reset: bool) -> np.ndarray:
        if reset:
            self._target_ndim = y.ndim
        return (y.reshape(-1, 1) if y.ndim == 1 else y).astype(np.float32)

    def predict(self, X: Any) -> np.ndarray:  # noqa: N803
        out = self._raw_predict(X).astype(np.float64)  # scikit-learn's regressors give float64
        return out.reshape(-1) if self._target_ndim == 1 and out.ndim == 2 and \
            out.shape[1] == 1 else out
