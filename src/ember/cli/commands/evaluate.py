"""``ember evaluate MODEL``: accuracy, per-class precision/recall and the confusion matrix."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ember.cli import preprocess, reports
from ember.cli.data import (
    GTSRB_VAL_FRACTION,
    Source,
    describe_source,
    load_gtsrb_folder,
    load_mnist_arrays,
    mnist_split,
    source_from_args,
    toy_split,
)
from ember.cli.log import log
from ember.cli.modelfile import SavedModel, load_model_file
from ember.cli.training import predict_proba
from ember.datasets import DatasetError, split_by_track


def _raw_data(saved: SavedModel, source: Source, validation: bool
              ) -> tuple[np.ndarray, np.ndarray, str]:
    """The raw images/features and labels to evaluate on, and what they are."""
    dataset = saved.record.get("dataset")
    seed = int(saved.record.get("split", {}).get("seed", 0))
    if dataset in ("iris", "digits"):
        if source.data_dir or source.imdir:
            raise DatasetError(f"{source.data_dir or source.imdir}: the {dataset} model is "
                               "evaluated on its own held-out split; give no data folder")
        split = toy_split(dataset, seed)
        x = split.x_val.reshape(-1, 8, 8) if dataset == "digits" else split.x_val
        return x, split.y_val, f"{dataset} held-out split"
    if dataset == "mnist":
        if validation:
            split = mnist_split(source)
            return split.x_val, split.y_val, "MNIST validation split"
        _, (x, y) = load_mnist_arrays(source)
        return x, y.astype(np.int64), "MNIST test set"
    if dataset == "csv":
        from ember.cli.recipes.csv_table import evaluation_data as table_data

        return table_data(saved.record, source, validation)
    if dataset == "image-folder":
        from ember.cli.recipes.image_folder import evaluation_data

        return evaluation_data(saved.record, source, validation)
    if dataset == "gtsrb":
        x, y, tracks = load_gtsrb_folder(source, int(saved.record["preprocessing"]["size"]),
                                         prefer_test=not validation)
        if validation:
            _, val_idx = split_by_track(tracks, GTSRB_VAL_FRACTION, seed=seed, labels=y)
            return x[val_idx], y[val_idx], "GTSRB validation tracks"
        return x, y, "GTSRB images"
    raise DatasetError(f"{saved.path}: unknown data set {dataset!r} in the model record")


def run_evaluate(args: argparse.Namespace) -> int:
    """Evaluate ``args.model``; print the report and write it to ``--out`` if given."""
    saved = load_model_file(args.model)
    record = saved.record
    log.info("model %s: recipe %s, %d classes", saved.path, record["recipe"],
             len(record["class_names"]))
    source = source_from_args(args)
    x_raw, y, what = _raw_data(saved, source, getattr(args, "validation", False))
    class_names = list(record["class_names"])
    if len(y) and (int(y.max()) >= len(class_names) or int(y.min()) < 0):
        bad = int(y.max()) if int(y.max()) >= len(class_names) else int(y.min())
        raise DatasetError(f"{describe_source(source)}: label {bad} is out of range for this "
                           f"model's {len(class_names)} classes (0..{len(class_names) - 1})")
    x = preprocess.apply(record["preprocessing"], x_raw)
    probs = predict_proba(saved.model, saved.family, record["output"], x)
    metrics = reports.classification_metrics(y, probs.argmax(axis=1), class_names)
    print(reports.format_metrics(metrics, f"{record['recipe']} on the {what}"))
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        summary = {"model": str(saved.path), "recipe": record["recipe"], "data": what,
                   "source": describe_source(source), **metrics}
        reports.write_json(out / "metrics.json", summary)
        reports.plot_confusion(out / "confusion.png", np.asarray(metrics["confusion_matrix"]),
                               class_names, f"{record['recipe']}: confusion matrix ({what})")
        log.info("wrote metrics.json and confusion.png in %s", out)
    return 0
