"""``read_image``: an image file as a uint8 tensor ``(C, H, W)``, as ``torchvision.io``'s.

Decoding is Pillow's (PNG, JPEG, GIF, BMP, ...); decoding never runs code from the file.
"""

from __future__ import annotations

import enum
import os

import numpy as np

from ember.tensor import Tensor

__all__ = ["ImageReadMode", "read_image"]


class ImageReadMode(enum.Enum):
    """The channels ``read_image`` returns: the file's own, or converted to one of these."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA


# Pillow modes that map to uint8 channels as they are stored; any other is converted first.
_UNCHANGED_MODES = {"L": "L", "LA": "LA", "RGB": "RGB", "RGBA": "RGBA", "1": "L"}
_PIL_MODE = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA",
             ImageReadMode.RGB: "RGB", ImageReadMode.RGB_ALPHA: "RGBA"}


def _mode(mode: ImageReadMode | str) -> ImageReadMode:
    if isinstance(mode, ImageReadMode):
        return mode
    if isinstance(mode, str) and mode.upper() in ImageReadMode.__members__:
        return ImageReadMode[mode.upper()]
    raise ValueError(f"mode must be an ImageReadMode or one of "
                     f"{list(ImageReadMode.__members__)}, got {mode!r}")


def read_image(path: str | os.PathLike[str], mode: ImageReadMode | str = ImageReadMode.UNCHANGED,
               apply_exif_orientation: bool = False) -> Tensor:
    """The image at ``path`` as a uint8 tensor ``(C, H, W)``, C = 1 (gray), 2 (gray + alpha),
    3 (RGB) or 4 (RGBA): the file's own channels for ``UNCHANGED`` (a palette image expands to
    RGB, or RGBA when it has transparency), else converted to ``mode``."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    read_mode = _mode(mode)
    try:
        with Image.open(os.fspath(path)) as image:
            image.load()
            if apply_exif_orientation:
                image = ImageOps.exif_transpose(image)
            if read_mode is ImageReadMode.UNCHANGED:
                if image.mode == "P":
                    target = "RGBA" if "transparency" in image.info else "RGB"
                elif image.mode in _UNCHANGED_MODES:
                    target = _UNCHANGED_MODES[image.mode]
                else:
                    raise NotImplementedError(
                        f"read_image: {path} holds {image.mode!r} pixels; only 8-bit gray, "
                        "gray + alpha, palette, RGB and RGBA images are read unchanged "
                        "(pass mode=ImageReadMode.RGB or GRAY to convert)")
            else:
                target = _PIL_MODE[read_mode]
            array = np.asarray(image.convert(target), dtype=np.uint8)
    except UnidentifiedImageError:
        raise RuntimeError(f"read_image: {path} is not an image file Pillow can decode") from None
    if array.ndim == 2:
        array = array[:, :, None]
    return Tensor._wrap(np.ascontiguousarray(array.transpose(2, 0, 1)))
