"""SummaryWriter's event files, read back by TensorBoard's own EventAccumulator."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ember
from ember import nn

pytest.importorskip("tensorboard")  # the optional extra ember[tensorboard]; nothing here without it

from ember.utils.tensorboard import SummaryWriter  # noqa: E402


def _read(folder: Path) -> Any:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(folder), size_guidance={"scalars": 0, "histograms": 0,
                                                                "images": 0, "tensors": 0})
    accumulator.Reload()
    return accumulator


def test_scalars_histograms_and_text_read_back(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as writer:
        for step in range(3):
            writer.add_scalar("loss/train", 1.0 / (step + 1), step)
        writer.add_scalar("accuracy", ember.tensor(0.75), 7)
        writer.add_histogram("weights", ember.randn(1000), global_step=2)
        writer.add_histogram("counts", np.arange(10), 1, bins="auto")
        writer.add_text("notes", "first run", 0)
    events = _read(tmp_path)
    assert [(e.step, round(e.value, 6)) for e in events.Scalars("loss/train")] == [
        (0, 1.0), (1, 0.5), (2, 0.333333)]
    assert events.Scalars("accuracy")[0].value == 0.75
    histogram = events.Histograms("weights")[0]
    assert histogram.step == 2 and histogram.histogram_value.num == 1000
    assert sum(histogram.histogram_value.bucket) == 1000
    assert events.Histograms("counts")[0].histogram_value.max == 9
    text = events.Tensors("notes/text_summary")[0].tensor_proto.string_val[0]
    assert text == b"first run"


def test_images_of_each_layout_read_back_as_pngs(tmp_path: Path) -> None:
    from PIL import Image

    with SummaryWriter(tmp_path) as writer:
        writer.add_image("chw", ember.rand(3, 8, 10), 0)
        writer.add_image("hw", np.zeros((5, 6), dtype=np.uint8), 0, dataformats="HW")
        writer.add_images("batch", ember.rand(5, 1, 4, 4), 0)
        with pytest.raises(ValueError, match="1, 3 or 4 channels"):
            writer.add_image("bad", ember.rand(3, 8, 10), 0, dataformats="HWC")
    events = _read(tmp_path)
    chw = events.Images("chw")[0]
    assert (chw.height, chw.width) == (8, 10)
    with Image.open(io.BytesIO(chw.encoded_image_string)) as image:
        assert image.size == (10, 8) and image.mode == "RGB"
    batch = events.Images("batch")[0]
    assert (batch.height, batch.width) == (8, 12)  # 5 images in a 3-column grid


def test_a_matplotlib_figure_is_logged_as_an_image(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1), dpi=50)
    figure.add_subplot().plot([0, 1], [1, 0])
    with SummaryWriter(tmp_path) as writer:
        writer.add_figure("curve", figure, 3, close=False)
    image = _read(tmp_path).Images("curve")[0]
    assert (image.width, image.height, image.step) == (100, 50, 3)


def test_the_graph_of_a_model_is_written(tmp_path: Path) -> None:
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    with SummaryWriter(tmp_path) as writer:
        writer.add_graph(model, ember.randn(3, 4))
    graph = _read(tmp_path).Graph()
    assert isinstance(graph, GraphDef)
    ops = [node.op for node in graph.node]
    assert ops.count("Linear") == 2 and "Relu" in ops
    names = {node.name for node in graph.node}
    assert {"Sequential/0.weight", "Sequential/2.bias", "input/0", "output/0"} <= names


def test_add_scalars_writes_one_run_per_line_and_hparams_a_run_of_its_own(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as writer:
        writer.add_scalars("loss", {"train": 0.5, "val": 0.7}, 1)
        writer.add_hparams({"lr": 0.1, "optimizer": "sgd", "bn": True}, {"hparam/acc": 0.9},
                           run_name="trial")
    assert _read(tmp_path / "loss_train").Scalars("loss")[0].value == 0.5
    assert _read(tmp_path / "loss_val").Scalars("loss")[0].value == pytest.approx(0.7)
    trial = _read(tmp_path / "trial")
    assert trial.Scalars("hparam/acc")[0].value == pytest.approx(0.9)
    assert "hparams" in trial.PluginTagToContent("hparams") or trial.PluginTagToContent("hparams")


def test_unsupported_options_are_refused_by_name(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as writer:
        with pytest.raises(NotImplementedError, match="new_style"):
            writer.add_scalar("x", 1.0, new_style=True)
        with pytest.raises(ValueError, match="single number"):
            writer.add_scalar("x", ember.ones(2))
