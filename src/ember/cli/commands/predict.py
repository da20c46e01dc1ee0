"""``ember predict MODEL IMAGE...`` (or ``--values`` for tabular models): top classes."""

from __future__ import annotations

import argparse

import numpy as np

from ember.cli import preprocess
from ember.cli.modelfile import load_model_file
from ember.cli.training import predict_proba


def _parse_values(text: str, expected: int) -> list[float]:
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"--values {text!r}: expected {expected} comma-separated numbers") \
            from None
    if len(values) != expected:
        raise ValueError(f"--values {text!r}: expected {expected} numbers, got {len(values)}")
    return values


def run_predict(args: argparse.Namespace) -> int:
    """Print the ``--top`` classes with probabilities for each input."""
    saved = load_model_file(args.model)
    spec = saved.record["preprocessing"]
    names = saved.record["class_names"]
    if spec["kind"] == "table":  # a CSV model: cells may be numbers or categories
        if args.images or not args.values:
            raise ValueError(f"{saved.path}: this model takes the values of one table row: "
                             f"--values {','.join(spec['feature_names'])}")
        labels = list(args.values)
        raw = np.array([[cell.strip() for cell in v.split(",")] for v in args.values], str)
    elif spec["kind"] == "tabular":
        if args.images or not args.values:
            features = ", ".join(spec.get("feature_names", [])) or f"{len(spec['mean'])} values"
            raise ValueError(f"{saved.path}: this model takes feature values: --values "
                             f"V1,V2,... ({features})")
        labels = list(args.values)
        raw = np.array([_parse_values(v, len(spec["mean"])) for v in args.values], np.float32)
    else:
        if args.values or not args.images:
            raise ValueError(f"{saved.path}: this model takes image files: ember predict MODEL "
                             "IMAGE...")
        labels = list(args.images)
        raw = np.stack([preprocess.load_image(path, spec) for path in args.images])
    probs = predict_proba(saved.model, saved.family, saved.record["output"],
                          preprocess.apply(spec, raw))
    top = min(args.top, len(names))
    for label, row in zip(labels, probs):
        order = np.argsort(-row)[:top]
        ranked = ", ".join(f"{names[i]} ({i}) {row[i]:.4f}" for i in order)
        print(f"{label}: {ranked}")
    return 0
