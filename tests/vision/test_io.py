"""ember.vision.io.read_image: an image file as uint8 (C, H, W), its own channels or a mode."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import ember
from ember.vision.io import ImageReadMode, read_image

from .oracle import torchvision

RGB = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)


def test_rgb_png_reads_as_uint8_channels_first(tmp_path: Path) -> None:
    path = tmp_path / "rgb.png"
    Image.fromarray(RGB).save(path)
    image = read_image(str(path))
    assert image.dtype == ember.uint8 and tuple(image.shape) == (3, 5, 7)
    np.testing.assert_array_equal(image.numpy(), RGB.transpose(2, 0, 1))


def test_gray_file_keeps_one_channel_and_modes_convert(tmp_path: Path) -> None:
    path = tmp_path / "gray.png"
    Image.fromarray(RGB[:, :, 0]).save(path)
    assert tuple(read_image(path).shape) == (1, 5, 7)
    assert tuple(read_image(path, mode=ImageReadMode.RGB).shape) == (3, 5, 7)
    assert tuple(read_image(path, ImageReadMode.GRAY_ALPHA).shape) == (2, 5, 7)
    rgba = read_image(tmp_path / "gray.png", mode="RGB_ALPHA").numpy()
    assert (rgba[3] == 255).all() and (rgba[0] == RGB[:, :, 0]).all()


def test_palette_image_expands_to_rgb(tmp_path: Path) -> None:
    path = tmp_path / "palette.png"
    Image.fromarray(RGB).quantize(8).save(path)
    expected = np.asarray(Image.open(path).convert("RGB")).transpose(2, 0, 1)
    np.testing.assert_array_equal(read_image(path).numpy(), expected)


def test_bad_input_is_named(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an image")
    with pytest.raises(RuntimeError, match="notes.txt"):
        read_image(tmp_path / "notes.txt")
    with pytest.raises(ValueError, match="ImageReadMode"):
        read_image(tmp_path / "notes.txt", mode="CMYK")
    Image.fromarray(RGB[:, :, 0].astype(np.uint16) * 200).save(tmp_path / "deep.png")  # 16-bit
    with pytest.raises(NotImplementedError, match="'I;16'"):
        read_image(tmp_path / "deep.png")


def test_agrees_with_torchvision(tmp_path: Path) -> None:
    tv = torchvision()
    path = tmp_path / "rgb.png"
    Image.fromarray(RGB).save(path)
    try:
        expected = tv.io.read_image(str(path))
    except (RuntimeError, OSError, AttributeError) as exc:  # torchvision's C++ decoder absent
        pytest.skip(f"torchvision.io cannot decode here: {exc}")
    np.testing.assert_array_equal(read_image(path).numpy(), expected.numpy())
