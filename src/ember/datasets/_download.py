"""Fetching data-set files: checksum-verified, atomic downloads with clear offline errors.

A file is first written to a temporary name in its destination folder, flushed to disk,
verified, and only then renamed into place with ``os.replace``; a failed, interrupted or
corrupt download leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import tempfile
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ember.datasets._errors import DatasetError, one_line

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Resource:
    """One file of a data set and the digests a downloaded copy may match.

    ``sha256`` and ``md5`` are digests of the file as served; ``payload_sha256`` are digests
    of its gunzipped content (which survive recompression). A copy is accepted when any
    known digest matches. With no digest at all, only the structural ``check`` applies.
    """

    filename: str
    sha256: tuple[str, ...] = ()
    payload_sha256: tuple[str, ...] = ()
    md5: tuple[str, ...] = ()

    @property
    def has_checksum(self) -> bool:
        return bool(self.sha256 or self.payload_sha256 or self.md5)


def _digests(path: Path) -> tuple[str, str]:
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            sha256.update(chunk)
            md5.update(chunk)
    return sha256.hexdigest(), md5.hexdigest()


def _payload_sha256(path: Path) -> str | None:
    with open(path, "rb") as handle:
        if handle.read(2) != b"\x1f\x8b":
            return None
    digest = hashlib.sha256()
    try:
        with gzip.open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except (OSError, EOFError):
        return None
    return digest.hexdigest()


def verify(path: Path, resource: Resource) -> None:
    """Raise :class:`DatasetError` unless ``path`` matches one of ``resource``'s digests."""
    if not resource.has_checksum:
        return
    sha256, md5 = _digests(path)
    if sha256 in resource.sha256 or md5 in resource.md5:
        return
    if resource.payload_sha256 and _payload_sha256(path) in resource.payload_sha256:
        return
    raise DatasetError(
        f"{resource.filename}: checksum mismatch (got sha256 {sha256}); "
        "the download is corrupt or not the published file"
    )


def download_file(
    url: str,
    dest: Path,
    resource: Resource,
    *,
    timeout: float = 30.0,
    check: Callable[[Path], None] | None = None,
) -> Path:
    """Download ``url`` to ``dest`` atomically, verified against ``resource`` and ``check``."""
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        verify(tmp, resource)
        if check is not None:
            check(tmp)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return dest


def ensure_files(
    dataset: str,
    folder: Path,
    resources: Sequence[Resource],
    mirrors: Sequence[str],
    *,
    download: bool = True,
    timeout: float = 30.0,
    check: Callable[[Path], None] | None = None,
) -> dict[str, Path]:
    """Make sure every resource is in ``folder``, downloading missing ones from ``mirrors``.

    Returns a mapping from file name to path. Raises a one-line :class:`DatasetError` that
    says which files to put where when they are missing and cannot be downloaded.
    """
    paths = {r.filename: folder / r.filename for r in resources}
    missing = [r for r in resources if not paths[r.filename].is_file()]
    if not missing:
        return paths
    names = ", ".join(r.filename for r in missing)
    advice = (
        f"put {names} into {folder} (or pass root=, or set EMBER_DATA to a folder "
        f"holding {folder.name}/)"
    )
    if not download or not mirrors:
        raise DatasetError(f"{dataset}: files missing: {advice}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = one_line(exc)
        raise DatasetError(f"{dataset}: cannot create {folder} ({reason}); {advice}") from None
    for resource in missing:
        failures: list[str] = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + resource.filename
            try:
                download_file(url, paths[resource.filename], resource, timeout=timeout, check=check)
                break
            except (OSError, ValueError, EOFError) as exc:
                failures.append(f"{url}: {one_line(exc)}")
        else:
            raise DatasetError(
                f"{dataset}: download failed ({'; '.join(failures)}); {advice}"
            ) from None
    return paths
