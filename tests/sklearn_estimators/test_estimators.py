"""The scikit-learn estimators: real estimators by scikit-learn's own checks, in its tools."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from ember import keras, nn, optim
from ember.keras.wrappers import SKLearnClassifier, SKLearnRegressor
from ember.sklearn import NeuralNetClassifier, NeuralNetRegressor


def build_classifier(X: Any, y: Any, hidden: int = 20) -> Any:  # noqa: N803 - Keras's names
    model = keras.Sequential([keras.layers.Dense(hidden, activation="relu",
                                                 input_shape=(X.shape[1],)),
                              keras.layers.Dense(y.shape[1], activation="softmax")])
    model.compile("rmsprop", "categorical_crossentropy")
    return model


def build_regressor(X: Any, y: Any, hidden: int = 10) -> Any:  # noqa: N803
    model = keras.Sequential([keras.layers.Dense(hidden, activation="relu",
                                                 input_shape=(X.shape[1],)),
                              keras.layers.Dense(y.shape[1])])
    model.compile("rmsprop", "mse")
    return model


class MLP(nn.Module):
    def __init__(self, n_features_in: int = 4, n_outputs: int = 3, hidden: int = 32) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_features_in, hidden), nn.ReLU(),
                                 nn.Linear(hidden, n_outputs))

    def forward(self, x: Any) -> Any:
        return self.net(x)


# Checks that assume a deterministic fit (the Keras wrappers have no random_state, as Keras's),
# as Keras's own tests expect them to fail.
REPRODUCIBILITY = "this check assumes reproducibility in fit (no random_state, as in Keras)"
EXPECTED = {
    "SKLearnClassifier": {
        "check_classifiers_one_label_sample_weights": "0 sample weight is not ignored (Keras)",
        "check_classifiers_classes": "small cases sometimes predict fewer classes (Keras)",
        "check_classifier_data_not_an_array": REPRODUCIBILITY,
        "check_supervised_y_2d": REPRODUCIBILITY,
        "check_fit_idempotent": REPRODUCIBILITY,
        "check_classifiers_train": "decision_function gives probabilities (Keras)",
        "check_decision_proba_consistency": "decision_function is the model's (n, classes) "
                                            "output, as Keras's",
    },
    "SKLearnRegressor": {
        "check_regressor_data_not_an_array": REPRODUCIBILITY,
        "check_regressors_int": REPRODUCIBILITY,
        "check_supervised_y_2d": REPRODUCIBILITY,
        "check_fit_idempotent": REPRODUCIBILITY,
    },
    "NeuralNetClassifier": {
        "check_classifiers_one_label_sample_weights": "fit takes no sample_weight",
    },
    "NeuralNetRegressor": {},
}


@parametrize_with_checks(
    [SKLearnClassifier(build_classifier, fit_kwargs={"epochs": 5}),
     SKLearnRegressor(build_regressor),
     NeuralNetClassifier(MLP, optimizer=optim.Adam, lr=0.01, max_epochs=40, random_state=0),
     NeuralNetRegressor(MLP, optimizer=optim.Adam, lr=0.01, max_epochs=40, random_state=0)],
    expected_failed_checks=lambda estimator: EXPECTED[type(estimator).__name__])
def test_scikit_learns_estimator_checks(estimator: Any, check: Any) -> None:
    check(estimator)


def _iris() -> tuple[np.ndarray, np.ndarray]:
    x, y = load_iris(return_X_y=True)
    return x.astype(np.float32), y


def test_a_pipeline_and_cross_validation_on_iris() -> None:
    x, y = _iris()
    pipe = make_pipeline(StandardScaler(), NeuralNetClassifier(
        MLP, optimizer=optim.Adam, lr=0.02, max_epochs=60, batch_size=16, random_state=0))
    scores = cross_val_score(pipe, x, y, cv=3)
    assert scores.mean() >= 0.9, scores
    keras_pipe = make_pipeline(StandardScaler(), SKLearnClassifier(
        build_classifier, fit_kwargs={"epochs": 40, "batch_size": 16}))
    assert cross_val_score(keras_pipe, x, y, cv=3).mean() >= 0.85


def test_grid_search_over_hidden_units_and_learning_rate_on_digits() -> None:
    x, y = load_digits(return_X_y=True)
    x = (x / 16).astype(np.float32)[:600]
    y = y[:600]
    net = NeuralNetClassifier(MLP, optimizer=optim.Adam, max_epochs=15, batch_size=32,
                              random_state=0)
    search = GridSearchCV(net, {"module__hidden": [8, 64], "lr": [1e-4, 1e-2]}, cv=2)
    search.fit(x, y)
    assert search.best_params_ == {"module__hidden": 64, "lr": 1e-2}
    assert search.best_score_ >= 0.85
    keras_search = GridSearchCV(
        SKLearnClassifier(build_classifier, fit_kwargs={"epochs": 10, "batch_size": 32}),
        {"model_kwargs": [{"hidden": 4}, {"hidden": 64}]}, cv=2)
    keras_search.fit(x, y)
    assert keras_search.best_params_ == {"model_kwargs": {"hidden": 64}}


def test_clone_pickle_and_parameters() -> None:
    x, y = _iris()
    net = NeuralNetClassifier(MLP, max_epochs=5, module__hidden=8, optimizer__momentum=0.9,
                              random_state=1)
    assert net.get_params()["module__hidden"] == 8
    copy = clone(net).set_params(module__hidden=16)
    assert copy.get_params()["module__hidden"] == 16 and net.get_params()["module__hidden"] == 8
    net.fit(x, y)
    restored = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(restored.predict(x), net.predict(x))
    probabilities = net.predict_proba(x)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    assert list(net.classes_) == [0, 1, 2]
    with pytest.raises(TypeError, match="unexpected argument 'hidden'"):
        NeuralNetClassifier(MLP, hidden=3).fit(x, y)


def test_regressors_predict_a_1d_target_as_1d() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = x @ np.array([1.0, -2.0, 0.5])
    net = NeuralNetRegressor(MLP, optimizer=optim.Adam, lr=0.01, max_epochs=30,
                             random_state=0).fit(x, y)
    assert net.predict(x).shape == (64,) and net.score(x, y) > 0.8
    keras_net = SKLearnRegressor(build_regressor, fit_kwargs={"epochs": 2}).fit(x, y)
    assert keras_net.predict(x).shape == (64,)
