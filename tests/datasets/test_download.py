"""The downloader against a local HTTP server on 127.0.0.1 (never the real mirrors)."""

import functools
import http.server
import socket
import threading
from pathlib import Path

import numpy as np
import pytest

from ember.datasets import DatasetError, load_mnist
from ember.datasets import mnist as mnist_module
from ember.datasets._download import Resource, ensure_files
from ember.datasets.idx import check_idx
from ember.datasets.mnist import MNIST_RESOURCES

LABELS = MNIST_RESOURCES[3]  # t10k-labels-idx1-ubyte.gz, 4.5 kB


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/www over HTTP; yields the base URL."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", root
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def publish(root: Path, mirror: str, source: Path, corrupt: bool = False) -> None:
    folder = root / mirror
    folder.mkdir(exist_ok=True)
    data = bytearray(source.read_bytes())
    if corrupt:
        data[len(data) // 2] ^= 0xFF
    (folder / source.name).write_bytes(bytes(data))


def test_good_file_is_downloaded_and_verified(server, shared_data, tmp_path):
    url, root = server
    publish(root, "good", shared_data / "mnist" / LABELS.filename)
    cache = tmp_path / "cache"
    paths = ensure_files("MNIST", cache, [LABELS], [url + "good/"], check=check_idx)
    original = shared_data / "mnist" / LABELS.filename
    assert paths[LABELS.filename].read_bytes() == original.read_bytes()
    assert sorted(p.name for p in cache.iterdir()) == [LABELS.filename]


def test_corrupt_file_is_refused_and_nothing_is_left(server, shared_data, tmp_path):
    url, root = server
    publish(root, "bad", shared_data / "mnist" / LABELS.filename, corrupt=True)
    cache = tmp_path / "cache"
    with pytest.raises(DatasetError) as error:
        ensure_files("MNIST", cache, [LABELS], [url + "bad/"], check=check_idx)
    message = str(error.value)
    assert "\n" not in message and "checksum mismatch" in message and str(cache) in message
    assert list(cache.iterdir()) == []  # no partial or temporary file


def test_second_mirror_is_tried(server, shared_data, tmp_path):
    url, root = server
    publish(root, "bad", shared_data / "mnist" / LABELS.filename, corrupt=True)
    publish(root, "good", shared_data / "mnist" / LABELS.filename)
    cache = tmp_path / "cache"
    ensure_files("MNIST", cache, [LABELS], [url + "bad/", url + "missing/", url + "good/"])
    assert sorted(p.name for p in cache.iterdir()) == [LABELS.filename]


def test_unverifiable_file_must_still_parse_as_idx(server, tmp_path):
    url, root = server
    (root / "garbage.gz").write_bytes(b"\x1f\x8b not really gzip")
    cache = tmp_path / "cache"
    with pytest.raises(DatasetError, match="gzip"):
        ensure_files("X", cache, [Resource("garbage.gz")], [url], check=check_idx)
    assert list(cache.iterdir()) == []


def test_offline_gives_one_line_error(tmp_path):
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cache = tmp_path / "cache"
    with pytest.raises(DatasetError) as error:
        ensure_files("MNIST", cache, MNIST_RESOURCES, [f"http://127.0.0.1:{port}/"], timeout=5)
    message = str(error.value)
    assert "\n" not in message and "download failed" in message
    assert f"put {', '.join(r.filename for r in MNIST_RESOURCES)} into {cache}" in message
    assert list(cache.iterdir()) == []


def test_load_mnist_downloads_into_the_user_cache(server, shared_data, monkeypatch, isolated_cache):
    url, root = server
    for resource in MNIST_RESOURCES:
        publish(root, "mnist", shared_data / "mnist" / resource.filename)
    monkeypatch.setattr(mnist_module, "MNIST_MIRRORS", (url + "mnist/",))
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert x_train.shape == (60000, 28, 28) and y_test.shape == (10000,)
    assert sorted(p.name for p in (isolated_cache / "mnist").iterdir()) == sorted(
        r.filename for r in MNIST_RESOURCES
    )
    (_, y_again), _ = load_mnist(download=False)  # now served from the cache
    np.testing.assert_array_equal(y_again, y_train)


def test_shared_copies_match_the_recorded_checksums(shared_data):
    from ember.datasets._download import verify

    for resource in MNIST_RESOURCES:
        verify(shared_data / "mnist" / resource.filename, resource)  # raises on mismatch
