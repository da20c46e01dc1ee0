"""``ember summary MODEL``: the layers (Keras's table or the module's repr) and parameters."""

from __future__ import annotations

import argparse
import json

import numpy as np

from ember.cli.modelfile import load_model_file


def run_summary(args: argparse.Namespace) -> int:
    """Print what the model file holds: recipe, preprocessing, layers, parameter counts."""
    saved = load_model_file(args.model)
    record = saved.record
    model = saved.model
    trained = record.get("trained", {})
    print(f"{saved.path}: recipe {record['recipe']} ({record['family']}-style), data set "
          f"{record.get('dataset')}, {len(record['class_names'])} classes, trained "
          f"{trained.get('epochs', '?')} epoch(s), validation accuracy "
          f"{trained.get('validation_accuracy', float('nan')):.4f}")
    print(f"preprocessing: {json.dumps(record['preprocessing'])}")
    if record["family"] == "keras":
        model.summary()
    else:
        print(repr(model))
        params = list(model.parameters())
        total = sum(int(np.prod(p.shape)) for p in params)
        trainable = sum(int(np.prod(p.shape)) for p in params if p.requires_grad)
        print(f"Total params: {total:,}")
        print(f"Trainable params: {trainable:,}")
        print(f"Non-trainable params: {total - trainable:,}")
    return 0
