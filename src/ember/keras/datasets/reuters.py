"""``keras.datasets.reuters``: 11,228 Reuters newswires as word-index sequences over 46
topics, shuffled, processed and split as Keras 3 does.

The file is Keras's ``reuters.npz`` (from ``$EMBER_DATA/reuters/`` or downloaded there with
its SHA-256 checked); its pickled object arrays are read by ember's restricted unpickler.
"""

from __future__ import annotations

import numpy as np

from ember.keras.datasets import _sequences
from ember.keras.datasets._files import load_json, load_npz, locate

# Keras's published files and their digests (SHA-256, MD5).
_NPZ = ("reuters.npz",
        "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916")
_WORD_INDEX = ("reuters_word_index.json", "4d44cc38712099c9e383dc6e5f11a921")

# The topics in label order (label i is _LABEL_NAMES[i]).
_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)

Splits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def load_data(path: str = "reuters.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, test_split: float = 0.2, seed: int = 113,
              start_char: int | None = 1, oov_char: int | None = 2,
              index_from: int = 3) -> Splits:
    """``(x_train, y_train), (x_test, y_test)``: object arrays of word-index lists and topics.

    All newswires are shuffled with ``np.random.RandomState(seed)``, marked and shifted
    (``start_char``, ``index_from``), those of ``maxlen`` or more indices dropped, indices
    outside ``[skip_top, num_words)`` replaced by ``oov_char``; then the first
    ``int(n * (1 - test_split))`` are the training split.
    """
    _sequences.check_options("reuters.load_data", num_words, skip_top, maxlen, seed,
                             start_char, oov_char, index_from)
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float, np.number)) \
            or not 0 <= test_split <= 1:
        raise ValueError(f"reuters.load_data: test_split must be a fraction between 0 and 1, "
                         f"got {test_split!r}")
    arrays = load_npz(locate("reuters", path, *_NPZ), ("x", "y"))
    xs, labels = _sequences.shuffle(np.random.RandomState(seed), arrays["x"], arrays["y"])
    sequences = _sequences.shift(xs, start_char, index_from)
    sequences, labels = _sequences.drop_long(maxlen, sequences, labels)
    sequences = _sequences.limit_vocabulary(sequences, num_words, skip_top, oov_char)
    count = int(len(sequences) * (1 - test_split))
    return ((_sequences.as_object_array(sequences[:count]), np.array(labels[:count])),
            (_sequences.as_object_array(sequences[count:]), np.array(labels[count:])))


def get_word_index(path: str = "reuters_word_index.json") -> dict[str, int]:
    """The word index: each word to its rank by frequency. In ``load_data``'s sequences, a
    word of rank ``r`` is ``r + index_from`` (0 padding, 1 start, 2 out of vocabulary)."""
    return load_json(locate("reuters", path, _WORD_INDEX[0], md5=_WORD_INDEX[1]))


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, indexed by label."""
    return _LABEL_NAMES
