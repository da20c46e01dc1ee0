"""split_by_track: whole tracks on one side, every class on both."""

import numpy as np
import pytest

from ember.datasets import split_by_track


def gtsrb_like_tracks(classes=5, tracks_per_class=6, images=4) -> np.ndarray:
    return np.array(
        [
            f"{c:05d}_{t:05d}"
            for c in range(classes)
            for t in range(tracks_per_class)
            for _ in range(images)
        ]
    )


def test_tracks_never_straddle_and_classes_are_on_both_sides():
    tracks = gtsrb_like_tracks()
    train, val = split_by_track(tracks, val_fraction=0.2, seed=3)
    assert sorted(np.concatenate([train, val])) == list(range(len(tracks)))
    assert not set(tracks[train]) & set(tracks[val])
    classes = np.array([int(t[:5]) for t in tracks])
    assert set(classes[train]) == set(classes[val]) == set(range(5))
    assert len(set(tracks[val])) == 5  # round(0.2 * 6) = 1 track per class
    assert train.dtype == np.int64


def test_reproducible_and_seed_dependent():
    tracks = gtsrb_like_tracks(tracks_per_class=10)
    a = split_by_track(tracks, seed=1)
    b = split_by_track(tracks, seed=1)
    c = split_by_track(tracks, seed=2)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[1], c[1])


def test_explicit_labels_and_single_track_classes():
    tracks = np.array(["a", "a", "b", "c", "c", "d"])
    labels = np.array([0, 0, 0, 1, 1, 2])
    train, val = split_by_track(tracks, 0.5, labels=labels)
    assert set(tracks[val]) in ({"a"}, {"b"})  # class 0 has two tracks: one each side
    assert {"c", "d"} <= set(tracks[train])  # a class with one track stays in training


def test_bad_arguments():
    with pytest.raises(ValueError, match="val_fraction"):
        split_by_track(["a"], val_fraction=1.0)
    with pytest.raises(ValueError, match="pass labels="):
        split_by_track(["left", "right"])
    with pytest.raises(ValueError, match="different classes"):
        split_by_track(["a", "a"], labels=[0, 1])
