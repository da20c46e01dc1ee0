"""Summary protocol buffers for each kind of value, built with the tensorboard package's protos."""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from ember.tensor import Tensor


def protos() -> Any:
    try:
        from tensorboard.compat.proto import summary_pb2
    except ImportError:
        raise ImportError("TensorBoard logging needs the tensorboard package: "
                          "pip install ember[tensorboard]") from None
    return summary_pb2


def to_numpy(value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        return value.detach().numpy()
    return np.asarray(value)


def scalar(tag: str, value: Any) -> Any:
    array = to_numpy(value)
    if array.size != 1:
        raise ValueError(f"add_scalar: {tag!r} needs a single number, got shape {array.shape}")
    pb = protos()
    return pb.Summary(value=[pb.Summary.Value(tag=tag, simple_value=float(array.reshape(())))])


def _tensorflow_bins() -> np.ndarray:
    """TensorFlow's default histogram edges: +-1e-12 growing by 10% up to 1e20, and 0."""
    positive = 1e-12 * 1.1 ** np.arange(int(np.ceil(np.log(1e20 / 1e-12) / np.log(1.1))))
    return np.concatenate([-positive[::-1], [0.0], positive])


def histogram(tag: str, values: Any, bins: Any = "tensorflow", max_bins: int | None = None) -> Any:
    data = to_numpy(values).astype(np.float64).reshape(-1)
    if data.size == 0:
        raise ValueError(f"add_histogram: {tag!r} got no values")
    if not np.all(np.isfinite(data)):
        raise ValueError(f"add_histogram: {tag!r} holds nan or inf")
    edges = _tensorflow_bins() if isinstance(bins, str) and bins == "tensorflow" else bins
    counts, limits = np.histogram(data, bins=edges)
    if max_bins is not None and len(counts) > max_bins:
        factor = -(-len(counts) // max_bins)
        pad = (-len(counts)) % factor
        counts = np.pad(counts, (0, pad)).reshape(-1, factor).sum(axis=1)
        limits = np.concatenate([limits[:-1:factor], limits[-1:]])
    nonzero = np.flatnonzero(counts)  # like TensorFlow, keep the span that holds values
    start, end = (nonzero[0], nonzero[-1] + 1) if nonzero.size else (0, 1)
    pb = protos()
    proto = pb.HistogramProto(
        min=float(data.min()), max=float(data.max()), num=int(data.size), sum=float(data.sum()),
        sum_squares=float((data * data).sum()), bucket_limit=limits[start + 1:end + 1].tolist(),
        bucket=counts[start:end].astype(np.float64).tolist())
    return pb.Summary(value=[pb.Summary.Value(tag=tag, histo=proto)])


def to_hwc(array: np.ndarray, dataformats: str) -> np.ndarray:
    """One image as (H, W, C) with C in {1, 3, 4}; batches (N in dataformats) become a grid."""
    dataformats = dataformats.upper()
    if len(dataformats) != array.ndim or len(set(dataformats)) != len(dataformats) or \
            set(dataformats) - set("NCHW"):
        raise ValueError(f"images of shape {array.shape} don't match dataformats "
                         f"{dataformats!r} (letters from NCHW, one per dimension)")
    order = [dataformats.index(c) for c in "NHWC" if c in dataformats]
    array = np.transpose(array, order)
    if "C" not in dataformats:
        array = array[..., None]
    if "N" in dataformats:
        array = _grid(array)
    if array.shape[-1] not in (1, 3, 4):
        raise ValueError(f"images need 1, 3 or 4 channels, got {array.shape[-1]}")
    return array


def _grid(batch: np.ndarray) -> np.ndarray:
    n, h, w, c = batch.shape
    columns = int(np.ceil(np.sqrt(n)))
    rows = -(-n // columns)
    canvas = np.zeros((rows * h, columns * w, c), dtype=batch.dtype)
    for k in range(n):
        r, col = divmod(k, columns)
        canvas[r * h:(r + 1) * h, col * w:(col + 1) * w] = batch[k]
    return canvas


def image(tag: str, img: Any, dataformats: str = "CHW") -> Any:
    from PIL import Image

    hwc = to_hwc(to_numpy(img), dataformats)
    if hwc.dtype != np.uint8:  # floats in [0, 1], as PyTorch's writer expects
        hwc = (np.clip(hwc.astype(np.float64), 0, 1) * 255 + 0.5).astype(np.uint8)
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[hwc.shape[-1]]
    buffer = io.BytesIO()
    Image.fromarray(hwc[..., 0] if mode == "L" else hwc, mode).save(buffer, format="PNG")
    pb = protos()
    proto = pb.Summary.Image(height=hwc.shape[0], width=hwc.shape[1], colorspace=hwc.shape[2],
                             encoded_image_string=buffer.getvalue())
    return pb.Summary(value=[pb.Summary.Value(tag=tag, image=proto)])


def figure_to_image(figure: Any) -> np.ndarray:
    """A matplotlib figure as (H, W, 4) uint8, drawn on its own Agg canvas (no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def text(tag: str, text_string: str) -> Any:
    from tensorboard.compat.proto import tensor_pb2, tensor_shape_pb2, types_pb2

    pb = protos()
    metadata = pb.SummaryMetadata(plugin_data=pb.SummaryMetadata.PluginData(plugin_name="text"))
    tensor = tensor_pb2.TensorProto(
        dtype=types_pb2.DT_STRING, string_val=[str(text_string).encode("utf-8")],
        tensor_shape=tensor_shape_pb2.TensorShapeProto(
            dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=1)]))
    return pb.Summary(value=[pb.Summary.Value(tag=f"{tag}/text_summary", metadata=metadata,
                                              tensor=tensor)])


def hparams(hparam_dict: dict[str, Any], metric_dict: dict[str, Any]) -> tuple[Any, Any, Any]:
    """The three summaries the HParams plugin reads: experiment, session start, session end."""
    from google.protobuf import struct_pb2
    from tensorboard.plugins.hparams import api_pb2, plugin_data_pb2

    pb = protos()

    def wrap(content: Any, field: str) -> Any:
        data = plugin_data_pb2.HParamsPluginData(version=0, **{field: content})
        metadata = pb.SummaryMetadata(plugin_data=pb.SummaryMetadata.PluginData(
            plugin_name="hparams", content=data.SerializeToString()))
        tag = {"experiment": "_hparams_/experiment", "session_start_info":
               "_hparams_/session_start_info", "session_end_info": "_hparams_/session_end_info"}
        return pb.Summary(value=[pb.Summary.Value(tag=tag[field], metadata=metadata)])

    start = plugin_data_pb2.SessionStartInfo()
    infos = []
    for name, value in hparam_dict.items():
        if isinstance(value, Tensor):
            value = value.item()
        if isinstance(value, bool):
            start.hparams[name].bool_value = value
            kind = api_pb2.DATA_TYPE_BOOL
        elif isinstance(value, (int, float)):
            start.hparams[name].number_value = float(value)
            kind = api_pb2.DATA_TYPE_FLOAT64
        elif isinstance(value, str):
            start.hparams[name].string_value = value
            kind = api_pb2.DATA_TYPE_STRING
        elif value is None:
            start.hparams[name].null_value = struct_pb2.NULL_VALUE
            kind = api_pb2.DATA_TYPE_UNSET
        else:
            raise ValueError(f"add_hparams: {name!r} must be a bool, number, string or None, "
                             f"got {type(value).__name__}")
        infos.append(api_pb2.HParamInfo(name=name, type=kind))
    metrics = [api_pb2.MetricInfo(name=api_pb2.MetricName(tag=k)) for k in metric_dict]
    experiment = api_pb2.Experiment(hparam_infos=infos, metric_infos=metrics)
    end = plugin_data_pb2.SessionEndInfo(status=api_pb2.STATUS_SUCCESS)
    return (wrap(experiment, "experiment"), wrap(start, "session_start_info"),
            wrap(end, "session_end_info"))
