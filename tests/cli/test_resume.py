"""``ember train --resume``: no checkpoint, other settings, extending a run, and a new run
replacing an old checkpoint. (Bit-identical resumption after SIGKILL:
tests/reliability/test_resume_cli.py.)"""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import assert_one_line_error

from ember.cli.checkpoint import load_checkpoint


def test_resume_without_a_checkpoint_is_a_one_line_error(tmp_path: Path, ember_cli) -> None:
    result = ember_cli("train", "iris", "--out", tmp_path, "--resume")
    assert_one_line_error(result, str(tmp_path), "no checkpoint to resume from")
    assert_one_line_error(ember_cli("train", "iris", "--resume"), "--resume needs --out")
    assert_one_line_error(ember_cli("train", "linreg", "--out", tmp_path, "--resume"),
                          "linreg", "no checkpoints")


def test_a_new_run_replaces_a_checkpoint_and_resume_keeps_the_settings(
        tmp_path: Path, ember_cli) -> None:
    first = ember_cli("train", "iris", "--out", tmp_path, "--epochs", 2, "--lr", 0.002)
    assert first.code == 0, first.err
    assert load_checkpoint(tmp_path, "keras", "iris").record["settings"]["lr"] == 0.002
    mismatch = ember_cli("train", "iris", "--out", tmp_path, "--resume", "--lr", 0.01)
    assert_one_line_error(mismatch, str(tmp_path), "lr 0.002 -> 0.01")
    extended = ember_cli("train", "iris", "--out", tmp_path, "--resume", "--epochs", 3)
    assert extended.code == 0, extended.err
    assert "settings: epochs 3, batch size 16, optimizer rmsprop, learning rate 0.002" \
        in extended.out
    assert load_checkpoint(tmp_path, "keras", "iris").epochs_finished == 3
    again = ember_cli("train", "iris", "--out", tmp_path, "--epochs", 1, "--overwrite")
    assert again.code == 0, again.err
    assert "holds the checkpoint of an earlier run: this new run replaces it" in again.out
    assert load_checkpoint(tmp_path, "keras", "iris").epochs_finished == 1
