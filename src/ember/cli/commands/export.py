"""``ember export MODEL --format onnx --out FILE``: a trained model as an ONNX file.

The file takes what the network takes: inputs already preprocessed as the model file's record
says (scaled, standardised, laid out flat, NCHW or NHWC), with a dynamic batch axis; it emits
what the recipe's network emits (``probs``, ``logits`` or ``log_probs``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ember.cli.modelfile import load_model_file

FORMATS = ("onnx",)


def network_input_shape(record: dict[str, Any], model: Any) -> tuple[int, ...]:
    """One sample's shape as the network takes it, from the preprocessing record."""
    spec = record["preprocessing"]
    if spec.get("kind") == "tabular":
        return (len(spec["mean"]),)
    if spec.get("kind") == "image":
        size, channels = int(spec["size"]), int(spec["channels"])
        return {"flat": (size * size * channels,), "nchw": (channels, size, size),
                "nhwc": (size, size, channels)}[spec["layout"]]
    # other kinds of records (such as a table's): a Keras model knows the shape it was built for
    built = getattr(model, "build_input_shape", None)
    if built is None and getattr(model, "inputs", None):
        built = model.inputs[0].shape
    if built is not None and all(s is not None for s in tuple(built)[1:]):
        return tuple(int(s) for s in tuple(built)[1:])
    raise ValueError(f"cannot tell the input shape of this model (preprocessing kind "
                     f"{spec.get('kind')!r})")


def run_export(args: argparse.Namespace) -> int:
    """Write the model in ``args.format`` to ``args.out`` (default: MODEL with its suffix)."""
    import ember
    from ember.onnx import export

    saved = load_model_file(args.model)
    out = Path(args.out) if args.out else Path(args.model).with_suffix(f".{args.format}")
    shape = network_input_shape(saved.record, saved.model)
    example = ember.zeros(1, *shape)
    export(saved.model, (example,), str(out), input_names=["input"], output_names=["output"])
    print(f"wrote {out}: input 'input' (batch, {', '.join(map(str, shape))}) float32, output "
          f"'output' ({saved.record['output']}); feed it inputs preprocessed as `ember summary "
          f"{args.model}` shows")
    return 0
