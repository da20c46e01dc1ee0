"""``SummaryWriter``: PyTorch's ``torch.utils.tensorboard.SummaryWriter`` on ember tensors."""

from __future__ import annotations

import os
import socket
import time
from datetime import datetime
from typing import Any

from ember.utils.tensorboard import summary as S


class SummaryWriter:
    """Write scalars, histograms, images, figures, text, hyperparameters and the model graph.

    >>> with SummaryWriter("runs/exp1") as writer:
    ...     writer.add_scalar("loss/train", 0.25, global_step=10)
    """

    def __init__(self, log_dir: str | os.PathLike[str] | None = None, comment: str = "",
                 purge_step: int | None = None, max_queue: int = 10, flush_secs: int = 120,
                 filename_suffix: str = "") -> None:
        try:
            from tensorboard.summary.writer.event_file_writer import EventFileWriter
        except ImportError:
            raise ImportError("SummaryWriter needs the tensorboard package: "
                              "pip install ember[tensorboard]") from None
        if log_dir is None:  # PyTorch's default: runs/<date>_<host><comment>
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = os.fspath(log_dir)
        self._options = (max_queue, flush_secs, filename_suffix)
        self._writer = EventFileWriter(self.log_dir, max_queue, flush_secs, filename_suffix)
        self._child_writers: dict[str, Any] = {}
        if purge_step is not None:  # TensorBoard drops later events of an earlier, crashed run
            from tensorboard.compat.proto.event_pb2 import Event, SessionLog

            self._writer.add_event(Event(step=purge_step, file_version="brain.Event:2"))
            self._writer.add_event(Event(step=purge_step,
                                         session_log=SessionLog(status=SessionLog.START)))

    def get_logdir(self) -> str:
        return self.log_dir

    def _add(self, summary: Any, global_step: int | None, walltime: float | None,
             writer: Any = None) -> None:
        from tensorboard.compat.proto.event_pb2 import Event

        event = Event(summary=summary, wall_time=time.time() if walltime is None else walltime)
        if global_step is not None:
            event.step = int(global_step)
        (writer or self._writer).add_event(event)

    def add_scalar(self, tag: str, scalar_value: Any, global_step: int | None = None,
                   walltime: float | None = None, new_style: bool = False,
                   double_precision: bool = False) -> None:
        if new_style or double_precision:
            raise NotImplementedError("add_scalar(new_style=/double_precision=): ember writes "
                                      "the classic simple_value scalars")
        self._add(S.scalar(tag, scalar_value), global_step, walltime)

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict[str, Any],
                    global_step: int | None = None, walltime: float | None = None) -> None:
        """One chart of several lines: each tag goes to its own run ``log_dir/main_tag_tag``."""
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        for tag, value in tag_scalar_dict.items():
            folder = os.path.join(self.log_dir, f"{main_tag.replace('/', '_')}_{tag}")
            if folder not in self._child_writers:
                self._child_writers[folder] = EventFileWriter(folder, *self._options)
            self._add(S.scalar(main_tag, value), global_step, walltime,
                      self._child_writers[folder])

    def add_histogram(self, tag: str, values: Any, global_step: int | None = None,
                      bins: Any = "tensorflow", walltime: float | None = None,
                      max_bins: int | None = None) -> None:
        self._add(S.histogram(tag, values, bins, max_bins), global_step, walltime)

    def add_image(self, tag: str, img_tensor: Any, global_step: int | None = None,
                  walltime: float | None = None, dataformats: str = "CHW") -> None:
        self._add(S.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_images(self, tag: str, img_tensor: Any, global_step: int | None = None,
                   walltime: float | None = None, dataformats: str = "NCHW") -> None:
        """A batch of images, tiled into one grid as PyTorch's writer does."""
        self._add(S.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_figure(self, tag: str, figure: Any, global_step: int | None = None,
                   close: bool = True, walltime: float | None = None) -> None:
        figures = figure if isinstance(figure, list) else [figure]
        import numpy as np

        images = np.stack([S.figure_to_image(f) for f in figures])
        if close:
            import matplotlib.pyplot as plt

            for f in figures:
                plt.close(f)
        layout = "NHWC" if isinstance(figure, list) else "HWC"
        self._add(S.image(tag, images if isinstance(figure, list) else images[0], layout),
                  global_step, walltime)

    def add_text(self, tag: str, text_string: str, global_step: int | None = None,
                 walltime: float | None = None) -> None:
        self._add(S.text(tag, text_string), global_step, walltime)

    def add_hparams(self, hparam_dict: dict[str, Any], metric_dict: dict[str, Any],
                    hparam_domain_discrete: Any = None, run_name: str | None = None,
                    global_step: int | None = None) -> None:
        """Hyperparameters and their metrics, in a run of their own (as PyTorch writes them)."""
        if hparam_domain_discrete is not None:
            raise NotImplementedError("add_hparams(hparam_domain_discrete=...) is not supported")
        if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
            raise TypeError("add_hparams: hparam_dict and metric_dict must be dicts")
        run = SummaryWriter(os.path.join(self.log_dir, run_name or str(time.time())))
        with run:
            for summary in S.hparams(hparam_dict, metric_dict):
                run._add(summary, None, None)
            for key, value in metric_dict.items():
                run.add_scalar(key, value, global_step)

    def add_graph(self, model: Any, input_to_model: Any = None, verbose: bool = False,
                  use_strict_trace: bool = True) -> None:
        """The op graph of one forward pass of ``model`` (ember's recorded operations)."""
        from tensorboard.compat.proto.event_pb2 import Event

        from ember.utils.tensorboard.graph import trace_graph

        graph = trace_graph(model, input_to_model)
        if verbose:
            print(graph)
        self._writer.add_event(Event(graph_def=graph.SerializeToString(), wall_time=time.time()))

    def flush(self) -> None:
        self._writer.flush()
        for child in self._child_writers.values():
            child.flush()

    def close(self) -> None:
        self._writer.close()
        for child in self._child_writers.values():
            child.close()

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
