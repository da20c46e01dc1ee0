"""``ember train RECIPE``: load, preprocess, train, evaluate, and write the run folder."""

from __future__ import annotations

import argparse
import shlex
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ember.cli import preprocess, reports
from ember.cli.checkpoint import (
    RESUMABLE_SETTINGS,
    Checkpointer,
    ResumeState,
    checkpoint_path,
    load_checkpoint,
)
from ember.cli.data import describe_source, source_from_args
from ember.cli.log import log
from ember.cli.modelfile import model_filename, save_model_file
from ember.cli.recipes import Prepared, Recipe, get_recipe
from ember.cli.recipes.regression import RegressionRecipe, run_regression
from ember.cli.training import Outcome, Settings, check_optimizer, predict_proba
from ember.distributed import _cli as data_parallel

EXIT_INTERRUPTED = 130


def settings_for(recipe: Recipe, args: argparse.Namespace,
                 saved: dict[str, Any] | None = None) -> Settings:
    """The recipe's defaults (or, resuming, the checkpoint's ``saved`` settings) overridden by
    the command line; the optimizer name is checked against the Keras registry or ``ember.optim``,
    as the recipe's family trains (an unknown one lists the known ones). Resuming, only
    ``--epochs`` may differ from the checkpoint's."""
    base = saved or {"epochs": recipe.epochs, "batch_size": recipe.batch_size, "lr": recipe.lr,
                     "optimizer": recipe.optimizer, "seed": 0,
                     "extras": dict(recipe.optimizer_extras)}
    optimizer = (args.optimizer or base["optimizer"]).lower()
    extras = base["extras"] if optimizer == base["optimizer"] else {}
    settings = Settings(epochs=args.epochs or base["epochs"],
                        batch_size=args.batch_size or base["batch_size"],
                        lr=args.lr or base["lr"], optimizer=optimizer,
                        seed=base["seed"] if args.seed is None else args.seed,
                        extras=dict(extras))
    if saved is not None:
        changed = [f"{key} {saved.get(key)!r} -> {getattr(settings, key)!r}"
                   for key in RESUMABLE_SETTINGS if getattr(settings, key) != saved.get(key)]
        if changed:
            raise ValueError(f"{args.out}: the checkpoint was trained with other settings "
                             f"({', '.join(changed)}); resume with the same ones (only "
                             "--epochs may change)")
    check_optimizer(settings, recipe.family)
    return settings


def _settings_record(settings: Settings) -> dict[str, Any]:
    return {"epochs": settings.epochs, "batch_size": settings.batch_size, "lr": settings.lr,
            "optimizer": settings.optimizer, "seed": settings.seed,
            "extras": dict(settings.extras)}


def _prepare_checkpoint(recipe: Recipe, args: argparse.Namespace
                        ) -> tuple[Path, ResumeState | None]:
    """The run folder and, with ``--resume``, its checkpoint; without ``--resume`` a
    checkpoint left by an earlier run in the folder is removed (this run replaces it)."""
    if not args.resume:
        out = _out_dir(recipe, args)
        old = checkpoint_path(out, recipe.family)
        if old.exists() and data_parallel.is_writer():
            log.warning("%s holds the checkpoint of an earlier run: this new run replaces it "
                        "(pass --resume to continue that run instead)", out)
            old.unlink()
        return out, None
    if not args.out:
        raise ValueError("--resume needs --out DIR, the folder of the run to continue")
    resume = load_checkpoint(args.out, recipe.family, recipe.name)
    return Path(args.out), resume


def _out_dir(recipe: Recipe, args: argparse.Namespace) -> Path:
    if args.out:
        out = Path(args.out)
        _refuse_to_overwrite(out, args)
    else:
        out = Path("runs") / f"{recipe.name}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    out = data_parallel.same_on_all_ranks(out)  # one folder, named by rank 0
    out.mkdir(parents=True, exist_ok=True)
    return out


RUN_FILES = ("model.keras", "model.safetensors", "checkpoint.keras", "checkpoint.safetensors",
             "metrics.json", "history.csv")


def _refuse_to_overwrite(out: Path, args: argparse.Namespace) -> None:
    """A folder that already holds a run is kept unless ``--overwrite`` (or ``--resume``)."""
    found = [name for name in RUN_FILES if (out / name).exists()]
    if found and not getattr(args, "overwrite", False) and not getattr(args, "resume", False):
        raise ValueError(f"{out}: holds an earlier run ({', '.join(found)}); pass --resume to "
                         "continue it, --overwrite to replace it, or another --out")


def _parameter_count(model: Any) -> int:
    return int(sum(int(np.prod(p.shape)) for p in model.parameters()))


def _evaluate(model: Any, recipe: Recipe, x: np.ndarray, y: np.ndarray,
              class_names: list[str]) -> dict[str, Any]:
    probs = predict_proba(model, recipe.family, recipe.output, x)
    return reports.classification_metrics(y, probs.argmax(axis=1), class_names)


def _write_run(out: Path, recipe: Recipe, model: Any, record: dict[str, Any],
               outcome: Outcome, summary: dict[str, Any], val: dict[str, Any],
               class_names: list[str]) -> Path:
    model_path = out / model_filename(recipe.family)
    if not data_parallel.is_writer():  # under mpiexec, rank 0 alone writes the run folder
        return model_path
    save_model_file(model_path, model, record)
    reports.write_history_csv(out / "history.csv", outcome.history)
    title = f"ember train {recipe.name}"
    if outcome.history:
        reports.plot_curves(out / "curves.png", outcome.history, title)
    else:
        log.warning("no epoch finished: curves.png is not drawn")
    reports.plot_confusion(out / "confusion.png", np.asarray(val["confusion_matrix"]),
                           class_names, f"{title}: validation confusion matrix")
    reports.write_json(out / "metrics.json", summary)
    return model_path


def run_train(args: argparse.Namespace) -> int:
    """Train ``args.recipe`` and write its run folder; returns the exit code."""
    import ember

    recipe = get_recipe(args.recipe)
    if recipe.name == "csv" and args.file and args.target:  # a measured target: regression
        from ember.cli.recipes.csv_regression import csv_regression, is_regression_target

        if is_regression_target(args.file, args.target):
            recipe = csv_regression(args.file, args.target)
    if isinstance(recipe, RegressionRecipe):  # linreg, diabetes: ember.models, own run folder
        if getattr(args, "resume", False):
            raise ValueError(f"recipe {recipe.name} writes no checkpoints: --resume works with "
                             "the recipes that train for epochs")
        return run_regression(recipe, args, _out_dir(recipe, args))
    args.resume = getattr(args, "resume", False)
    out, resume = _prepare_checkpoint(recipe, args)
    settings = settings_for(recipe, args, resume.record["settings"] if resume else None)
    source = source_from_args(args)
    command = shlex.join(getattr(args, "command_line", ["ember", "train", recipe.name]))
    log.info("%s", command)
    log.info("recipe %s: %s", recipe.name, recipe.description)
    log.info("settings: epochs %d, batch size %d, optimizer %s, learning rate %g%s, seed %d",
             settings.epochs, settings.batch_size, settings.optimizer, settings.lr,
             "".join(f", {k} {v}" for k, v in settings.extras.items()), settings.seed)
    log.info("writing to %s", out)
    if resume is not None:
        log.info("resuming from %s after %d finished epoch(s)", resume.path,
                 resume.epochs_finished)
        if resume.epochs_finished >= settings.epochs:
            log.info("the checkpoint has all %d epoch(s) already: nothing left to train",
                     settings.epochs)
    settings.resume = resume
    if getattr(args, "tensorboard", False):
        from ember.utils.tensorboard import SummaryWriter

        settings.tensorboard = {run: SummaryWriter(out / "tensorboard" / run)
                                for run in ("train", "validation")}
    settings.checkpoint = Checkpointer(out, recipe.family, recipe.name,
                                       _settings_record(settings))
    ember.manual_seed(settings.seed)
    np.random.seed(settings.seed)

    started = time.perf_counter()
    split = recipe.load(source, settings.seed)
    spec = recipe.preprocessing(split)
    data = Prepared(preprocess.apply(spec, split.x_train), split.y_train,
                    preprocess.apply(spec, split.x_val), split.y_val)
    if split.x_test is not None:
        data.x_test, data.y_test = preprocess.apply(spec, split.x_test), split.y_test
    load_seconds = time.perf_counter() - started
    log.info("model inputs: training %s, validation %s (prepared in %.1f s)",
             tuple(data.x_train.shape), tuple(data.x_val.shape), load_seconds)

    architecture = {**recipe.architecture, **(split.architecture or {})}
    model = recipe.build(architecture)
    if recipe.family == "keras" and not model.built:
        model.build((None, *data.x_train.shape[1:]))
    log.info("model: %s parameters", f"{_parameter_count(model):,}")
    try:
        outcome = recipe.train(model, data, settings)
    finally:
        for writer in (settings.tensorboard or {}).values():
            writer.close()

    started = time.perf_counter()
    val = _evaluate(model, recipe, data.x_val, data.y_val, split.class_names)
    log.info("validation accuracy: %.4f (%d samples)", val["accuracy"], val["samples"])
    test = None
    if data.x_test is not None:
        test = _evaluate(model, recipe, data.x_test, data.y_test, split.class_names)
        log.info("test accuracy: %.4f (%d samples, the official test set)", test["accuracy"],
                 test["samples"])
    evaluate_seconds = time.perf_counter() - started

    record = {"recipe": recipe.name, "family": recipe.family, "dataset": recipe.dataset,
              "architecture": architecture, "preprocessing": spec,
              "class_names": split.class_names, "output": recipe.output,
              "split": {"seed": settings.seed},
              "trained": {"epochs": len(outcome.history), "interrupted": outcome.interrupted,
                          "validation_accuracy": val["accuracy"]}}
    summary = {"recipe": recipe.name, "command": command, "data": describe_source(source),
               "accuracy": val["accuracy"],
               "test_accuracy": None if test is None else test["accuracy"],
               "epochs_finished": len(outcome.history), "interrupted": outcome.interrupted,
               "diverged": outcome.diverged,
               "settings": {"epochs": settings.epochs, "batch_size": settings.batch_size,
                            "lr": settings.lr, "optimizer": settings.optimizer,
                            "seed": settings.seed, **settings.extras},
               "timings": {"load_seconds": round(load_seconds, 3),
                           "train_seconds": round(outcome.seconds, 3),
                           "evaluate_seconds": round(evaluate_seconds, 3),
                           "epoch_seconds": [row["seconds"] for row in outcome.history]},
               "history": outcome.history, "validation": val, "test": test}
    model_path = _write_run(out, recipe, model, record, outcome, summary, val, split.class_names)
    log.info("wrote %s, history.csv, curves.png, confusion.png, metrics.json in %s",
             model_path.name, out)
    if outcome.interrupted:
        log.warning("training was stopped by Ctrl-C: saved the %d finished epoch(s) to %s",
                    len(outcome.history), out)
        return EXIT_INTERRUPTED
    return 0
