"""Fixtures for the data-set tests: the shared real data, and a cache kept in tmp_path."""

import os
from pathlib import Path

import pytest


def shared_data_dir() -> Path:
    """$EMBER_DATA, else the checkout's sibling ``shared/data`` folder."""
    if os.environ.get("EMBER_DATA"):
        return Path(os.environ["EMBER_DATA"])
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


SHARED_DATA = shared_data_dir()  # read before any test touches the environment


@pytest.fixture
def shared_data() -> Path:
    folder = SHARED_DATA
    if not folder.is_dir():
        pytest.skip(f"real data not found at {folder} (set EMBER_DATA)")
    return folder


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own user cache under tmp_path and no default EMBER_DATA."""
    cache = tmp_path / "user-cache"
    monkeypatch.setenv("EMBER_CACHE", str(cache))
    monkeypatch.delenv("EMBER_DATA", raising=False)
    return cache
