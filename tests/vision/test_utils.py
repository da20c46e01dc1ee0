"""ember.vision.utils: make_grid's layout and normalisation, save_image's file."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import ember
from ember.vision import utils

from .oracle import torchvision

IMAGES = np.random.default_rng(0).random((5, 1, 6, 7), dtype=np.float32) * 3 - 1


def test_make_grid_lays_out_rows_with_padding() -> None:
    grid = utils.make_grid(ember.from_numpy(IMAGES), nrow=2, padding=1, pad_value=9.0).numpy()
    assert grid.shape == (3, 1 + 3 * 7, 1 + 2 * 8)  # 3 rows of 2, gray to 3 channels
    np.testing.assert_array_equal(grid[0, 1:7, 9:16], IMAGES[1, 0])
    assert (grid[:, 0, :] == 9).all() and (grid[:, 15:, 9:] == 9).all()  # empty 6th cell
    single = utils.make_grid(ember.from_numpy(IMAGES[0]))
    assert tuple(single.shape) == (3, 6, 7)
    with pytest.raises(TypeError, match="tensor or list of tensors"):
        utils.make_grid(IMAGES)


@pytest.mark.parametrize("options", [{"nrow": 2, "normalize": True, "pad_value": 0.5},
                                     {"nrow": 3, "normalize": True, "scale_each": True},
                                     {"normalize": True, "value_range": (-0.5, 0.5)}])
def test_make_grid_matches_torchvision(options) -> None:
    tv = torchvision()
    import torch

    ours = utils.make_grid(ember.from_numpy(IMAGES), **options).numpy()
    theirs = tv.utils.make_grid(torch.from_numpy(IMAGES), **options).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


def test_save_image_writes_the_grid_as_pixels(tmp_path) -> None:
    path = tmp_path / "grid.png"
    batch = np.clip(IMAGES, 0, 1)
    utils.save_image(ember.from_numpy(batch), path, nrow=5, padding=0)
    pixels = np.asarray(Image.open(path))
    assert pixels.shape == (6, 35, 3)
    np.testing.assert_array_equal(pixels[:, :7, 0], np.floor(batch[0, 0] * 255 + 0.5))
