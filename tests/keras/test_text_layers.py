"""StringLookup, IntegerLookup and TextVectorization: the vocabulary ``adapt`` learns and the
indices they give match Keras 3's."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ember import keras

SENTENCES = np.array(["the cat sat", "The dog, the CAT!", "a bird sat on the dog"])
QUERIES = np.array(["the zebra sat", "dog cat a bird on"])


def oracle() -> Any:
    pytest.importorskip("tensorflow")
    return pytest.importorskip("keras")


def _same(ours: Any, theirs: Any, fit: Any, query: Any) -> None:
    theirs.adapt(fit)
    ours.adapt(fit)
    assert [str(v) if isinstance(v, str) or hasattr(v, "upper") else int(v)
            for v in theirs.get_vocabulary()] == ours.get_vocabulary()
    np.testing.assert_array_equal(ours(query).numpy(), np.asarray(theirs(query)))


@pytest.mark.parametrize("kwargs", [{}, {"max_tokens": 5, "output_sequence_length": 4},
                                    {"standardize": "lower", "split": "character"}])
def test_text_vectorization_matches_keras(kwargs):
    k = oracle()
    _same(keras.layers.TextVectorization(**kwargs), k.layers.TextVectorization(**kwargs),
          SENTENCES, QUERIES)


@pytest.mark.parametrize("kwargs", [{}, {"mask_token": ""}, {"max_tokens": 3}])
def test_string_lookup_matches_keras(kwargs):
    k = oracle()
    words = np.array([["a", "b", "a"], ["c", "a", "zz"]])
    _same(keras.layers.StringLookup(**kwargs), k.layers.StringLookup(**kwargs), words,
          np.array(["a", "q", "zz", "b"]))


def test_integer_lookup_matches_keras():
    k = oracle()
    _same(keras.layers.IntegerLookup(), k.layers.IntegerLookup(),
          np.array([[3, 5, 3], [7, 3, 9]]), np.array([3, 4, 9, 7]))


def test_fixed_vocabulary_and_unsupported_modes():
    layer = keras.layers.StringLookup(vocabulary=["x", "y"])
    np.testing.assert_array_equal(layer(np.array(["y", "x", "w"])).numpy(), [2, 1, 0])
    with pytest.raises(NotImplementedError, match="output_mode"):
        keras.layers.StringLookup(output_mode="multi_hot")
