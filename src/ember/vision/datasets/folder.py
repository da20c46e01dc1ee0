"""Class-per-folder trees: ``DatasetFolder``, ``ImageFolder``, ``find_classes``, ``make_dataset``.

``root/dog/xxx.png``, ``root/cat/123.jpg``: each subfolder of ``root`` is a class (sorted by
name), every file below it whose extension is known (or that ``is_valid_file`` accepts) is a
sample. Images are opened with Pillow as RGB, lazily, when a sample is read.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ember.vision.datasets._base import VisionDataset

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename: str, extensions: str | tuple[str, ...]) -> bool:
    """Whether ``filename`` ends with one of ``extensions`` (compared in lower case)."""
    return filename.lower().endswith(extensions if isinstance(extensions, str)
                                      else tuple(extensions))


def is_image_file(filename: str) -> bool:
    """Whether ``filename`` has one of the image extensions in ``IMG_EXTENSIONS``."""
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory: str | os.PathLike[str]) -> tuple[list[str], dict[str, int]]:
    """The class folders of ``directory`` (sorted names) and ``{name: index}``.

    Raises ``FileNotFoundError`` naming the folder when it holds no subfolder.
    """
    classes = sorted(entry.name for entry in os.scandir(directory)
                     if entry.is_dir() and not entry.name.startswith("."))
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: index for index, name in enumerate(classes)}


def make_dataset(directory: str | os.PathLike[str], class_to_idx: dict[str, int] | None = None,
                 extensions: str | tuple[str, ...] | None = None,
                 is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> list[tuple[str, int]]:
    """``(path, class_index)`` for every accepted file under each class folder, in sorted order.

    Exactly one of ``extensions`` and ``is_valid_file`` must be given. A class folder without
    any accepted file raises ``FileNotFoundError`` naming it unless ``allow_empty``.
    """
    directory = os.path.expanduser(str(directory))
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the "
                         "same time")
    if extensions is not None:
        allowed = extensions

        def is_valid_file(path: str) -> bool:
            return has_file_allowed_extension(path, allowed)

    assert is_valid_file is not None
    samples: list[tuple[str, int]] = []
    empty = []
    for name in sorted(class_to_idx):
        class_dir = os.path.join(directory, name)
        if not os.path.isdir(class_dir):
            continue
        before = len(samples)
        for folder, _, files in sorted(os.walk(class_dir, followlinks=True)):
            for file in sorted(files):
                path = os.path.join(folder, file)
                if is_valid_file(path):
                    samples.append((path, class_to_idx[name]))
        if len(samples) == before:
            empty.append(name)
    if empty and not allow_empty:
        message = (f"Found no valid file for the classes {', '.join(sorted(empty))} "
                   f"in {directory}. ")
        if extensions is not None:
            shown = extensions if isinstance(extensions, str) else ", ".join(extensions)
            message += f"Supported extensions are: {shown}"
        raise FileNotFoundError(message.strip())
    return samples


def pil_loader(path: str) -> Any:
    """Open ``path`` with Pillow as an RGB image (read fully, file closed)."""
    from PIL import Image

    with open(path, "rb") as handle:
        image = Image.open(handle)
        return image.convert("RGB")


default_loader = pil_loader


class DatasetFolder(VisionDataset):
    """Samples ``(loader(path), class_index)`` from a class-per-folder tree under ``root``.

    ``classes`` and ``class_to_idx`` come from :meth:`find_classes` (override it for another
    layout); ``samples`` (alias ``imgs`` in ImageFolder) lists ``(path, class_index)``;
    ``targets`` the class indices.
    """

    def __init__(self, root: str | os.PathLike[str], loader: Callable[[str], Any],
                 extensions: tuple[str, ...] | None = None,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None,
                 is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        if not os.path.isdir(self.root):  # type: ignore[arg-type]
            raise FileNotFoundError(f"{self.root}: no such folder (expected a folder of class "
                                    "folders)")
        classes, class_to_idx = self.find_classes(self.root)  # type: ignore[arg-type]
        samples = self.make_dataset(self.root, class_to_idx, extensions,  # type: ignore[arg-type]
                                    is_valid_file, allow_empty=allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [target for _, target in samples]

    @staticmethod
    def make_dataset(directory: str, class_to_idx: dict[str, int],
                     extensions: tuple[str, ...] | None = None,
                     is_valid_file: Callable[[str], bool] | None = None,
                     allow_empty: bool = False) -> list[tuple[str, int]]:
        """See :func:`make_dataset`."""
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory: str) -> tuple[list[str], dict[str, int]]:
        """See :func:`find_classes`."""
        return find_classes(directory)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        path, target = self.samples[index]
        return self._apply(self.loader(path), target)

    def __len__(self) -> int:
        return len(self.samples)


class ImageFolder(DatasetFolder):
    """A :class:`DatasetFolder` of images (any type Pillow reads, by ``IMG_EXTENSIONS``),
    opened as RGB PIL images.

    >>> dataset = ImageFolder("photos/train", transform=transforms.ToTensor())
    >>> dataset.classes, dataset.class_to_idx
    """

    def __init__(self, root: str | os.PathLike[str],
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None,
                 loader: Callable[[str], Any] = default_loader,
                 is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> None:
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None,
                         transform=transform, target_transform=target_transform,
                         is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
