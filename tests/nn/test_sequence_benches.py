"""The issue-13 acceptance benchmarks at their reduced (--quick) sizes: ember and PyTorch train
the same program from the same weights on the same batches and end where PyTorch ends."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))


def _quiet(*args, **kwargs):
    pass


@pytest.mark.slow
def test_row_by_row_mnist_lstm_follows_pytorch():
    pytest.importorskip("torch")
    from bench_lstm_mnist import run

    results = run(epochs=1, train=2_000, test=500, threads=1, log=_quiet)
    ours, theirs = results["ember"]["accuracy"][-1], results["torch"]["accuracy"][-1]
    assert abs(ours - theirs) <= 0.02
    assert ours > 0.2  # well above chance after 32 steps


@pytest.mark.slow
def test_char_transformer_follows_pytorch():
    pytest.importorskip("torch")
    from bench_char_transformer import run

    results = run(steps=6, chars=60_000, threads=1, log=_quiet)
    ours, theirs = results["ember"], results["torch"]
    assert ours["val_loss"] < ours["initial_val_loss"]
    assert abs(ours["val_loss"] / theirs["val_loss"] - 1) < 0.03


@pytest.mark.slow
def test_conv_autoencoder_follows_pytorch():
    pytest.importorskip("torch")
    from bench_conv_autoencoder import run

    results = run(train=640, test=500, threads=1, log=_quiet)
    assert abs(results["ember"]["test_loss"] / results["torch"]["test_loss"] - 1) < 0.02
