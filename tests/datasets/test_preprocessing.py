"""to_categorical, Standardizer and train_val_test_split."""

import numpy as np
import pytest

from ember.datasets import Standardizer, to_categorical, train_val_test_split


def test_to_categorical():
    one_hot = to_categorical([0, 2, 1], num_classes=4)
    assert one_hot.dtype == np.float32 and one_hot.shape == (3, 4)
    np.testing.assert_array_equal(one_hot.argmax(axis=1), [0, 2, 1])
    assert to_categorical(np.array([[1], [0]])).shape == (2, 2)  # Keras drops a trailing 1
    assert to_categorical(np.array([[0, 1], [2, 1]])).shape == (2, 2, 3)


@pytest.mark.parametrize(
    ("labels", "num_classes", "match"),
    [([0, 5], 3, "label 5 out of range"), ([-1, 0], None, ">= 0"), ([0.5], None, "integers")],
)
def test_to_categorical_rejects_bad_labels(labels, num_classes, match):
    with pytest.raises(ValueError, match=match):
        to_categorical(labels, num_classes)


def test_standardizer_fits_on_training_data_only():
    rng = np.random.default_rng(0)
    train = rng.normal(5.0, 3.0, size=(1000, 3)).astype(np.float32)
    train[:, 2] = 7.0  # constant feature: std replaced by 1
    scaler = Standardizer().fit(train)
    scaled = scaler.transform(train)
    assert scaled.dtype == np.float32
    np.testing.assert_allclose(scaled[:, :2].mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(scaled[:, :2].std(axis=0), 1, atol=1e-5)
    np.testing.assert_array_equal(scaled[:, 2], 0)
    test = rng.normal(5.0, 3.0, size=(10, 3))
    np.testing.assert_allclose(scaler.transform(test), (test - scaler.mean) / scaler.std)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(test)), test)


def test_standardizer_errors():
    with pytest.raises(RuntimeError, match="fit"):
        Standardizer().transform(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"fitted on features of shape \(2,\)"):
        Standardizer().fit(np.zeros((3, 2))).transform(np.zeros((3, 4)))


def test_split_default_ratios_and_alignment():
    x = np.arange(100).reshape(50, 2)
    y = np.arange(50)
    x_train, x_val, x_test, y_train, y_val, y_test = train_val_test_split(x, y)
    assert (len(x_train), len(x_val), len(x_test)) == (40, 5, 5)
    np.testing.assert_array_equal(x_val[:, 0] // 2, y_val)  # rows stay paired
    assert sorted(np.concatenate([y_train, y_val, y_test])) == list(range(50))


def test_split_is_reproducible():
    a = train_val_test_split(np.arange(30), seed=4)
    b = train_val_test_split(np.arange(30), seed=4)
    c = train_val_test_split(np.arange(30), seed=5)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(a[0], c[0])


def test_split_stratified_keeps_proportions():
    y = np.repeat([0, 1, 2], [100, 50, 20])
    y_train, y_val, y_test = train_val_test_split(y, ratios=(0.6, 0.2, 0.2), stratify=y)
    assert list(np.bincount(y_val)) == [20, 10, 4] == list(np.bincount(y_test))
    assert list(np.bincount(y_train)) == [60, 30, 12]


def test_split_errors():
    with pytest.raises(ValueError, match="summing to 1"):
        train_val_test_split(np.arange(10), ratios=(0.5, 0.1, 0.1))
    with pytest.raises(ValueError, match="differ in length"):
        train_val_test_split(np.arange(10), np.arange(9))
