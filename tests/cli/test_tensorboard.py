"""ember train --tensorboard: the epochs' metrics as TensorBoard reads them, in Keras's layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_own_data import make_image_folder


@pytest.mark.parametrize("family", ["keras", "torch"])
def test_train_with_tensorboard_writes_train_and_validation_runs(family: str, tmp_path: Path,
                                                                  ember_cli) -> None:
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    out = tmp_path / "run"
    if family == "keras":
        command = ["iris"]
    else:  # a PyTorch-style recipe on a small class-per-folder tree
        command = ["image-folder", "--imdir", make_image_folder(tmp_path / "images")]
    result = ember_cli("train", *command, "--epochs", "3", "--out", out, "--tensorboard")
    assert result.code == 0, result.err
    for run in ("train", "validation"):
        events = EventAccumulator(str(out / "tensorboard" / run))
        events.Reload()
        assert {"epoch_loss", "epoch_accuracy"} <= set(events.Tags()["scalars"]), run
        assert [e.step for e in events.Scalars("epoch_loss")] == [0, 1, 2]
