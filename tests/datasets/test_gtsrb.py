"""GTSRB: the published layout built small in tmp_path, bad input, the cache, the real data."""

import os
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ember.datasets import (
    GTSRB_CLASSES,
    DatasetError,
    DatasetWarning,
    _images,
    gtsrb,
    load_gtsrb,
    split_by_track,
)
from ember.datasets._images import ImageItem, decode_images

RED, BLUE = (255, 0, 0), (0, 0, 255)
HEADER = "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId\n"


def make_image(path: Path, size=(40, 40), roi=(5, 5, 35, 35)) -> None:
    """Blue image with a red region of interest."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, roi)
    image.save(path)


def build_training(root: Path, classes=3, tracks=2, per_track=3, csv_size=(40, 40)) -> Path:
    images = root / "Final_Training" / "Images"
    for label in range(classes):
        folder = images / f"{label:05d}"
        folder.mkdir(parents=True)
        rows = []
        for track in range(tracks):
            for index in range(per_track):
                name = f"{track:05d}_{index:05d}.ppm"
                make_image(folder / name)
                rows.append(f"{name};{csv_size[0]};{csv_size[1]};5;5;35;35;{label}\n")
        (folder / f"GT-{label:05d}.csv").write_text(HEADER + "".join(rows))
    return root


def load_quietly(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DatasetWarning)
        return load_gtsrb(*args, **kwargs)


def test_published_layout(tmp_path):
    x, y, tracks = load_quietly(build_training(tmp_path / "gtsrb"), cache=False)
    assert x.shape == (18, 32, 32, 3) and x.dtype == np.uint8
    assert y.dtype == np.int64 and list(np.bincount(y)) == [6, 6, 6]
    assert tracks[0] == "00000_00000" and tracks[-1] == "00002_00001"
    assert np.all(x[..., 0] == 255) and np.all(x[..., 2] == 0)  # cropped to the red ROI


def test_roi_ignored_when_csv_size_differs(tmp_path):
    root = build_training(tmp_path / "gtsrb", classes=1, csv_size=(100, 90))
    x, _, _ = load_quietly(root, cache=False)
    assert tuple(x[0, 0, 0]) == BLUE  # the border survived: no crop


def test_options_size_resample_and_no_crop(tmp_path):
    root = build_training(tmp_path / "gtsrb", classes=1)
    x, _, _ = load_quietly(root, size=16, resample="area", crop_roi=False, cache=False)
    assert x.shape == (6, 16, 16, 3) and tuple(x[0, 0, 0]) == BLUE
    with pytest.raises(ValueError, match="resample must be one of"):
        load_gtsrb(root, resample="nearest")


def test_test_split(tmp_path):
    folder = tmp_path / "gtsrb" / "Final_Test" / "Images"
    folder.mkdir(parents=True)
    rows = []
    for index, label in enumerate([14, 17, 0]):
        make_image(folder / f"{index:05d}.ppm")
        rows.append(f"{index:05d}.ppm;40;40;5;5;35;35;{label}\n")
    (folder / "GT-final_test.csv").write_text(HEADER + "".join(rows))
    x, y, tracks = load_quietly(tmp_path / "gtsrb", split="test", cache=False)
    assert x.shape == (3, 32, 32, 3) and list(y) == [14, 17, 0]
    assert list(tracks) == ["00000", "00001", "00002"]
    assert [GTSRB_CLASSES[i] for i in y] == ["Stop", "No entry", "Speed limit (20km/h)"]


def test_bare_class_folders_and_a_non_image_file(tmp_path):
    for label in (3, 7):
        (tmp_path / "signs" / str(label)).mkdir(parents=True)
        for index in range(4):
            make_image(tmp_path / "signs" / str(label) / f"{index:05d}_00000.png")
    notes = tmp_path / "signs" / "7" / "notes.txt"
    notes.write_text("not an image")
    with pytest.warns(DatasetWarning) as record:
        x, y, tracks = load_gtsrb(tmp_path / "signs", cache=False)
    message = str(record[0].message)
    assert "\n" not in message and "skipped 1 of 9" in message and "notes.txt" in message
    assert x.shape == (8, 32, 32, 3) and sorted(set(y)) == [3, 7]
    assert tracks[0] == "3_00000"


def test_missing_folder(tmp_path):
    with pytest.raises(DatasetError) as error:
        load_gtsrb(tmp_path / "nowhere")
    message = str(error.value)
    assert "\n" not in message and "folder not found" in message and "nowhere" in message


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="no class folders .* in .*empty"):
        load_gtsrb(tmp_path / "empty")
    (tmp_path / "empty" / "00000").mkdir()
    with pytest.raises(DatasetError, match="no images in .*empty"):
        load_gtsrb(tmp_path / "empty")


def test_csv_naming_a_missing_image(tmp_path):
    root = build_training(tmp_path / "gtsrb")
    (root / "Final_Training" / "Images" / "00001" / "00000_00002.ppm").unlink()
    with pytest.warns(DatasetWarning, match=r"skipped 1 of 18 .*\(1 missing.*00000_00002.ppm"):
        x, y, _ = load_gtsrb(root, cache=False)
    assert len(x) == 17 and list(np.bincount(y)) == [6, 5, 6]


def test_corrupt_and_truncated_images(tmp_path):
    root = build_training(tmp_path / "gtsrb")
    folder = root / "Final_Training" / "Images" / "00002"
    (folder / "00000_00000.ppm").write_bytes(os.urandom(500))
    truncated = folder / "00001_00001.ppm"
    truncated.write_bytes(truncated.read_bytes()[:1000])
    with pytest.warns(DatasetWarning) as record:
        x, _, _ = load_gtsrb(root, cache=False)
    message = str(record[0].message)
    assert "skipped 2 of 18" in message and "2 unreadable" in message and "\n" not in message
    assert len(x) == 16


def test_nothing_readable_is_an_error(tmp_path):
    (tmp_path / "signs" / "0").mkdir(parents=True)
    (tmp_path / "signs" / "0" / "a.ppm").write_bytes(b"P6 junk")
    with pytest.raises(DatasetError, match="none of the 1 images"):
        load_gtsrb(tmp_path / "signs", cache=False)


def test_cache_is_used_and_invalidated(tmp_path, monkeypatch):
    root = build_training(tmp_path / "gtsrb")
    first = load_quietly(root)  # data folder writable: cache goes next to it
    assert len(list(root.glob("ember-gtsrb-train-32px-*.npz"))) == 1

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded although cached")

    monkeypatch.setattr(gtsrb, "decode_images", no_decoding)
    second = load_quietly(root)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    monkeypatch.undo()
    make_image(root / "Final_Training" / "Images" / "00000" / "00000_00000.ppm", size=(41, 40))
    assert len(load_quietly(root).x) == 18  # source changed: decoded again, new cache file
    assert len(list(root.glob("ember-gtsrb-train-32px-*.npz"))) == 2


def test_cache_falls_back_to_user_cache(tmp_path, isolated_cache):
    root = build_training(tmp_path / "gtsrb", classes=1)
    root.chmod(0o555)
    try:
        load_quietly(root)
    finally:
        root.chmod(0o755)
    assert not list(root.glob("*.npz"))
    assert len(list((isolated_cache / "gtsrb").glob("ember-gtsrb-*.npz"))) == 1


def test_skipped_images_are_reported_again_from_the_cache(tmp_path):
    root = build_training(tmp_path / "gtsrb", classes=1)
    (root / "Final_Training" / "Images" / "00000" / "00001_00000.ppm").unlink()
    with pytest.warns(DatasetWarning):
        load_gtsrb(root, cache_dir=tmp_path / "c")
    with pytest.warns(DatasetWarning, match="skipped 1 of 6"):
        load_gtsrb(root, cache_dir=tmp_path / "c")


def test_parallel_decoding_matches_serial(tmp_path, monkeypatch):
    items = []
    for index in range(10):
        path = tmp_path / f"{index}.png"
        make_image(path, size=(30 + index, 40))
        items.append(ImageItem(str(path)))
    (tmp_path / "3.png").write_bytes(b"broken")
    items[7] = ImageItem(str(tmp_path / "missing.png"))
    serial, serial_failures = decode_images(items, 8, workers=1)
    monkeypatch.setattr(_images, "_SERIAL_BELOW", 0)
    monkeypatch.setattr(_images, "_CHUNK", 3)
    parallel, parallel_failures = decode_images(items, 8, workers=2)
    np.testing.assert_array_equal(serial, parallel)
    assert serial_failures == parallel_failures
    assert sorted(parallel_failures) == [3, 7] and parallel_failures[7] == "missing"


def test_real_gtsrb_loads_and_caches(shared_data, tmp_path):
    root = shared_data / "gtsrb"
    if not (root / "Final_Training" / "Images").is_dir():
        pytest.skip(f"GTSRB not found under {root}")
    start = time.perf_counter()
    x, y, tracks = load_quietly(root, cache_dir=tmp_path)
    first = time.perf_counter() - start
    start = time.perf_counter()
    x2, _, _ = load_quietly(root, cache_dir=tmp_path)
    cached = time.perf_counter() - start
    print(f"GTSRB first load {first:.2f} s, cached load {cached:.2f} s")
    assert x.shape == (25087, 32, 32, 3) and x.dtype == np.uint8
    assert sorted(set(y.tolist())) == list(range(43)) and len(GTSRB_CLASSES) == 43
    assert np.array_equal(x, x2) and cached < max(2.0, first / 2)
    assert all(t[:5] == f"{c:05d}" for t, c in zip(tracks[::500], y[::500]))

    train, val = split_by_track(tracks, val_fraction=0.2, seed=0)
    assert len(train) + len(val) == len(y) and not set(tracks[train]) & set(tracks[val])
    assert set(y[train]) == set(y[val]) == set(range(43))
    assert 0.1 < len(val) / len(y) < 0.3


def test_torch_style_gtsrb(tmp_path):
    from ember.datasets import GTSRB

    dataset = GTSRB(build_training(tmp_path / "gtsrb"), size=8, cache=False)
    image, target = dataset[7]
    assert len(dataset) == 18 and image.shape == (8, 8, 3) and target == 1
    assert dataset.tracks[7] == "00001_00000" and dataset.classes[14] == "Stop"
