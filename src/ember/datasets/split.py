"""Splitting a data set by group (GTSRB's tracks), so related images stay on one side."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _track_classes(unique_tracks: np.ndarray) -> np.ndarray:
    try:
        return np.array([int(str(track).split("_", 1)[0]) for track in unique_tracks])
    except ValueError:
        raise ValueError(
            "split_by_track: cannot read the class from track ids like "
            f"{str(unique_tracks[0])!r} (expected '000NN_TTTTT'); pass labels="
        ) from None


def split_by_track(
    tracks: ArrayLike,
    val_fraction: float = 0.2,
    seed: int = 0,
    *,
    labels: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Split sample indices into training and validation by whole tracks, per class.

    tracks: (N,) group id of each sample (GTSRB: ``'000NN_TTTTT'``, class NN, track TTTTT).
    labels: (N,) class of each sample; by default read from the track id's prefix.
    In each class, ``round(val_fraction * tracks)`` of its tracks (at least one, and never
    all of them) go to validation, so every class with two or more tracks is on both
    sides and no track is split. Returns ``(train_indices, val_indices)``, sorted int64.
    """
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"split_by_track: val_fraction must be in (0, 1), got {val_fraction}")
    tracks = np.asarray(tracks)
    if tracks.ndim != 1:
        raise ValueError(f"split_by_track: tracks must be 1-D, got shape {tracks.shape}")
    unique_tracks, first, inverse = np.unique(tracks, return_index=True, return_inverse=True)
    if labels is None:
        track_class = _track_classes(unique_tracks)
    else:
        labels = np.asarray(labels)
        if labels.shape != tracks.shape:
            raise ValueError(
                f"split_by_track: labels shape {labels.shape} != tracks shape {tracks.shape}"
            )
        track_class = labels[first]
        if np.any(track_class[inverse] != labels):
            raise ValueError("split_by_track: some track holds samples of different classes")
    rng = np.random.default_rng(seed)
    val_track = np.zeros(len(unique_tracks), dtype=bool)
    for cls in np.unique(track_class):
        members = np.flatnonzero(track_class == cls)
        if len(members) < 2:
            continue
        n_val = min(len(members) - 1, max(1, round(val_fraction * len(members))))
        val_track[rng.permutation(members)[:n_val]] = True
    val_mask = val_track[inverse.reshape(-1)]
    return np.flatnonzero(~val_mask).astype(np.int64), np.flatnonzero(val_mask).astype(np.int64)
