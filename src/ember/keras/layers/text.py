"""Keras's lookup and text preprocessing layers: ``StringLookup``, ``IntegerLookup`` and
``TextVectorization`` (standardise, split, vocabulary learnt by ``adapt``), integer output.

They map NumPy arrays of strings or integers to int64 index tensors; ``adapt`` counts tokens and
keeps them by decreasing count, ties by decreasing token, as Keras does. Indices: the mask
token (when there is one) 0, then the out-of-vocabulary index(es), then the vocabulary.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

from ember.keras.layers.base import Layer
from ember.tensor import Tensor

_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~\']')


def _values(data: Any) -> np.ndarray:
    if isinstance(data, Tensor):
        return np.asarray(data._data)
    return np.asarray(list(data) if not isinstance(data, np.ndarray) and isinstance(
        data, Iterable) and not isinstance(data, (str, bytes)) else data)


def _as_text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class _Lookup(Layer):
    """Shared by StringLookup and IntegerLookup."""

    def __init__(self, max_tokens: int | None, num_oov_indices: int, mask_token: Any,
                 oov_token: Any, vocabulary: Any, output_mode: str, invert: bool,
                 **kwargs: Any) -> None:
        kwargs.pop("vocabulary_dtype", None)
        kwargs.pop("encoding", None)
        super().__init__(**kwargs)
        if output_mode != "int":
            raise NotImplementedError(f"{type(self).__name__}: output_mode={output_mode!r} is "
                                      f"not supported ('int')")
        if invert:
            raise NotImplementedError(f"{type(self).__name__}: invert=True is not supported")
        self.max_tokens, self.num_oov_indices = max_tokens, int(num_oov_indices)
        self.mask_token, self.oov_token = mask_token, oov_token
        self.output_mode = output_mode
        self._vocabulary: list[Any] = []
        if vocabulary is not None:
            self.set_vocabulary(vocabulary)

    def _key(self, value: Any) -> Any:
        return value

    def set_vocabulary(self, vocabulary: Any) -> None:
        self._vocabulary = [self._key(v) for v in _values(vocabulary).ravel()]
        self._index = {token: i + self._first_index() for i, token in
                       enumerate(self._vocabulary)}

    def _first_index(self) -> int:
        return (self.mask_token is not None) + self.num_oov_indices

    def get_vocabulary(self) -> list[Any]:
        special = ([self.mask_token] if self.mask_token is not None else []) + \
            [self.oov_token] * self.num_oov_indices
        return special + list(self._vocabulary)

    def vocabulary_size(self) -> int:
        return len(self.get_vocabulary())

    def adapt(self, data: Any, batch_size: Any = None, steps: Any = None) -> None:
        counts = Counter(self._key(v) for v in self._tokens_of(data))
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        if self.max_tokens:
            ranked = ranked[:max(self.max_tokens - self._first_index(), 0)]
        self.set_vocabulary(np.array([token for token, _ in ranked], dtype=object))

    def _tokens_of(self, data: Any) -> Iterable[Any]:
        return _values(data).ravel()

    def _lookup(self, tokens: np.ndarray) -> np.ndarray:
        oov = 1 if self.mask_token is not None else 0
        flat = [self._key(t) for t in tokens.ravel()]
        ids = [0 if self.mask_token is not None and t == self.mask_token
               else self._index.get(t, oov) for t in flat]
        return np.asarray(ids, dtype=np.int64).reshape(tokens.shape)

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        return self.call(x)

    def call(self, x: Any, training: bool | None = None) -> Tensor:
        return Tensor._wrap(self._lookup(_values(x)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "mask_token": self.mask_token,
                "oov_token": self.oov_token, "vocabulary": list(self._vocabulary) or None}


class StringLookup(_Lookup):
    """Strings to indices: ``[UNK]`` is index 0 (1 with a mask token)."""

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: str | None = None, oov_token: str = "[UNK]", vocabulary: Any = None,
                 output_mode: str = "int", invert: bool = False, **kwargs: Any) -> None:
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         output_mode, invert, **kwargs)

    def _key(self, value: Any) -> Any:
        return _as_text(value)


class IntegerLookup(_Lookup):
    """Integers to indices: the out-of-vocabulary index is 0 (1 with a mask token)."""

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: int | None = None, oov_token: int = -1, vocabulary: Any = None,
                 output_mode: str = "int", invert: bool = False, **kwargs: Any) -> None:
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         output_mode, invert, **kwargs)

    def _key(self, value: Any) -> Any:
        return int(value)


class TextVectorization(_Lookup):
    """Sentences to padded index sequences: lower-case and strip punctuation, split on
    whitespace, look up (0 is padding, 1 is ``[UNK]``)."""

    def __init__(self, max_tokens: int | None = None,
                 standardize: str | None = "lower_and_strip_punctuation",
                 split: str | None = "whitespace", ngrams: Any = None, output_mode: str = "int",
                 output_sequence_length: int | None = None, vocabulary: Any = None,
                 **kwargs: Any) -> None:
        if standardize not in (None, "lower_and_strip_punctuation", "lower", "strip_punctuation"):
            raise NotImplementedError(f"TextVectorization: standardize={standardize!r}")
        if split not in (None, "whitespace", "character"):
            raise NotImplementedError(f"TextVectorization: split={split!r}")
        if ngrams is not None:
            raise NotImplementedError("TextVectorization: ngrams is not supported")
        self.standardize, self.split = standardize, split
        self.output_sequence_length = output_sequence_length
        super().__init__(max_tokens, 1, "", "[UNK]", vocabulary, output_mode, False, **kwargs)

    def _key(self, value: Any) -> Any:
        return _as_text(value)

    def _words(self, sentence: Any) -> list[str]:
        text = _as_text(sentence)
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.lower()
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _PUNCTUATION.sub("", text)
        if self.split == "whitespace":
            return text.split()
        return list(text) if self.split == "character" else [text]

    def _tokens_of(self, data: Any) -> Iterable[Any]:
        return [word for sentence in _values(data).ravel() for word in self._words(sentence)]

    def call(self, x: Any, training: bool | None = None) -> Tensor:
        sentences = _values(x).ravel()
        rows = [self._lookup(np.array(self._words(s), dtype=object)) for s in sentences]
        length = self.output_sequence_length or max((len(r) for r in rows), default=0)
        out = np.zeros((len(rows), length), dtype=np.int64)
        for i, row in enumerate(rows):
            out[i, :min(len(row), length)] = row[:length]
        return Tensor._wrap(out)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        for key in ("num_oov_indices", "mask_token", "oov_token"):
            config.pop(key)
        return {**config, "standardize": self.standardize, "split": self.split,
                "output_sequence_length": self.output_sequence_length}
