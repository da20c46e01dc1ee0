"""``keras.datasets.imdb``: 25,000 training and 25,000 test movie reviews as word-index
sequences, labelled positive (1) or negative (0), processed as Keras 3 processes them.

The file is Keras's ``imdb.npz`` (from ``$EMBER_DATA/imdb/`` or downloaded there with its
SHA-256 checked). Its reviews are pickled object arrays; they are read by ember's restricted
unpickler, which builds NumPy arrays and plain lists and refuses anything else.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.keras.datasets import _sequences
from ember.keras.datasets._files import load_json, load_npz, locate

# Keras's published files and their digests (SHA-256, MD5).
_NPZ = ("imdb.npz",
        "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f")
_WORD_INDEX = ("imdb_word_index.json", "bfafd718b763782e994055a2d397834f")

Splits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def load_data(path: str = "imdb.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, seed: int = 113, start_char: int | None = 1,
              oov_char: int | None = 2, index_from: int = 3, **kwargs: Any) -> Splits:
    """``(x_train, y_train), (x_test, y_test)``: object arrays of word-index lists and labels.

    Each split is shuffled with ``np.random.RandomState(seed)`` (train first, then test);
    each review starts with ``start_char`` and its word indices are shifted by ``index_from``;
    reviews of ``maxlen`` or more indices are dropped; indices outside ``[skip_top,
    num_words)`` become ``oov_char`` (or are removed when it is None).
    """
    if kwargs:
        raise TypeError(f"imdb.load_data() got unexpected keyword argument(s) {sorted(kwargs)} "
                        "(Keras 3 ignores them; ember refuses rather than ignore them)")
    _sequences.check_options("imdb.load_data", num_words, skip_top, maxlen, seed, start_char,
                             oov_char, index_from)
    arrays = load_npz(locate("imdb", path, *_NPZ), ("x_train", "y_train", "x_test", "y_test"))
    rng = np.random.RandomState(seed)
    x_train, labels_train = _sequences.shuffle(rng, arrays["x_train"], arrays["y_train"])
    x_test, labels_test = _sequences.shuffle(rng, arrays["x_test"], arrays["y_test"])
    train = _sequences.shift(x_train, start_char, index_from)
    test = _sequences.shift(x_test, start_char, index_from)
    if maxlen:
        train, labels_train = _sequences.drop_long(maxlen, train, labels_train)
        test, labels_test = _sequences.drop_long(maxlen, test, labels_test)
        if not train or not test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no "
                             "sequence was kept. Increase maxlen.")
    xs = _sequences.limit_vocabulary(train + test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    count = len(train)
    return ((_sequences.as_object_array(xs[:count]), labels[:count]),
            (_sequences.as_object_array(xs[count:]), labels[count:]))


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """The word index: each word to its rank by frequency (1 the most frequent). In
    ``load_data``'s sequences, a word of rank ``r`` is ``r + index_from``."""
    return load_json(locate("imdb", path, _WORD_INDEX[0], md5=_WORD_INDEX[1]))
