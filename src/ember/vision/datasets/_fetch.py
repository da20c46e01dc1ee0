"""Finding a data set's files under ``root`` and downloading missing ones, checksum-verified.

Without network (or with ``download=False``) the error says which files to place where.
Archives (CIFAR's ``.tar.gz``, EMNIST's ``.zip``) are verified, then only the members a data
set needs are extracted, each by name into the target folder (no path in an archive can
write outside it).
"""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from ember.datasets._download import Resource, download_file
from ember.datasets._errors import DatasetError, one_line


class DatasetNotFoundError(DatasetError, RuntimeError):
    """A data set's files are missing (torchvision raises ``RuntimeError`` here)."""


def first_folder_with(folders: Sequence[Path], names: Sequence[str]) -> Path | None:
    """The first of ``folders`` holding every file of ``names`` (each plain or ``.gz``)."""
    for folder in folders:
        if all(find(folder, name) is not None for name in names):
            return folder
    return None


def find(folder: Path, name: str) -> Path | None:
    """``folder/name`` or its gzipped/ungzipped twin, whichever exists."""
    plain = name.removesuffix(".gz")
    for candidate in (folder / name, folder / plain, folder / f"{plain}.gz"):
        if candidate.is_file():
            return candidate
    return None


def missing_error(dataset: str, folder: Path, names: Sequence[str], urls: Sequence[str],
                  reason: str | None = None) -> DatasetNotFoundError:
    """The one-line error that says which files to place where (and where they come from)."""
    where = f" (from {', '.join(urls)})" if urls else ""
    cause = f"download failed ({reason}); " if reason else ""
    hint = "" if reason else " or pass download=True"
    return DatasetNotFoundError(f"{dataset}: dataset not found: {cause}put {', '.join(names)}"
                                f"{where} into {folder}{hint}")


def download(dataset: str, folder: Path, resources: Sequence[Resource],
             mirrors: Sequence[str]) -> None:
    """Download each resource from the first mirror that serves a verified copy."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise missing_error(dataset, folder, [r.filename for r in resources], mirrors,
                            one_line(exc)) from None
    for resource in resources:
        failures = []
        for mirror in mirrors:
            url = mirror if mirror.endswith(resource.filename) else \
                mirror.rstrip("/") + "/" + resource.filename
            try:
                download_file(url, folder / resource.filename, resource)
                break
            except (OSError, ValueError, EOFError) as exc:
                failures.append(f"{url}: {one_line(exc)}")
        else:
            urls = [m if m.endswith(resource.filename) else m.rstrip("/") + "/" +
                    resource.filename for m in mirrors]
            raise missing_error(dataset, folder, [resource.filename], urls,
                                "; ".join(failures)) from None


def extract_members(archive: Path, members: Sequence[str], folder: Path) -> None:
    """Copy the archive members whose paths end with ``members``' entries into ``folder``
    (flat, under their base names)."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {name: False for name in members}
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zipped:
            for info in zipped.infolist():
                for name in wanted:
                    if info.filename.endswith("/" + name) or info.filename == name:
                        with zipped.open(info) as src, open(folder / name, "wb") as dst:
                            shutil.copyfileobj(src, dst)
                        wanted[name] = True
    else:
        with tarfile.open(archive) as tarred:
            for info in tarred:
                if not info.isfile():
                    continue
                for name in wanted:
                    if info.name.endswith("/" + name) or info.name == name:
                        src = tarred.extractfile(info)
                        assert src is not None
                        with src, open(folder / name, "wb") as dst:
                            shutil.copyfileobj(src, dst)
                        wanted[name] = True
    absent = [name for name, found in wanted.items() if not found]
    if absent:
        raise DatasetError(f"{archive}: the archive lacks {', '.join(absent)}")
