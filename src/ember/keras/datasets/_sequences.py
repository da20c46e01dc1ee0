"""What Keras's IMDB and Reuters loaders do to the stored word-index sequences: shuffle with
``np.random.RandomState(seed)``, mark starts and shift indices, drop sequences of ``maxlen`` or
more words, and replace the words outside ``[skip_top, num_words)`` by ``oov_char``."""

from __future__ import annotations

from typing import Any

import numpy as np


def check_int(function: str, name: str, value: Any, minimum: int | None = None,
              allow_none: bool = False) -> None:
    """A clear error unless ``value`` is an integer (at least ``minimum``), or None if allowed."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        expected = "an integer or None" if allow_none else "an integer"
        raise TypeError(f"{function}: {name} must be {expected}, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{function}: {name} must be at least {minimum}, got {value}")


def check_options(function: str, num_words: Any, skip_top: Any, maxlen: Any, seed: Any,
                  start_char: Any, oov_char: Any, index_from: Any) -> None:
    """Every option the two loaders share, checked before any file is touched."""
    check_int(function, "num_words", num_words, 0, allow_none=True)
    check_int(function, "skip_top", skip_top, 0)
    check_int(function, "maxlen", maxlen, 0, allow_none=True)
    check_int(function, "seed", seed, 0, allow_none=True)
    check_int(function, "start_char", start_char, allow_none=True)
    check_int(function, "oov_char", oov_char, allow_none=True)
    check_int(function, "index_from", index_from)


def shuffle(rng: np.random.RandomState, xs: np.ndarray, labels: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """``xs`` and ``labels`` in one order drawn from ``rng`` (one draw per call, as Keras)."""
    if len(xs) != len(labels):
        raise ValueError(f"the file holds {len(xs)} sequences but {len(labels)} labels")
    order = np.arange(len(xs))
    rng.shuffle(order)
    return xs[order], labels[order]


def shift(xs: Any, start_char: int | None, index_from: int) -> list[list[Any]]:
    """Each sequence as a list: ``start_char`` in front (unless None), indices + ``index_from``."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    return [[w + index_from for w in x] for x in xs]


def drop_long(maxlen: int | None, xs: list[list[Any]], labels: Any) -> tuple[list[Any], Any]:
    """Keep the sequences shorter than ``maxlen`` (all of them when ``maxlen`` is 0 or None)."""
    if not maxlen:
        return xs, labels
    kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(xs: list[list[Any]], num_words: int | None, skip_top: int,
                     oov_char: int | None) -> list[list[Any]]:
    """Words outside ``[skip_top, num_words)`` become ``oov_char`` (or are dropped if it is
    None). Without ``num_words`` the bound is the largest index present, which is therefore
    itself out of range, exactly as in Keras."""
    if not num_words:
        num_words = max((max(x) for x in xs if len(x)), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def as_object_array(xs: list[list[Any]]) -> np.ndarray:
    """``np.array(xs, dtype="object")`` as Keras builds it (2-D when all lengths agree)."""
    return np.array(xs, dtype="object")
