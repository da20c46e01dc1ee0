"""``ember``'s argument parsing and its one rule for errors: one line, exit code 2.

Errors users can cause (a missing folder, a corrupt file, a bad option) are reported as
``ember: error: <file>: <problem>`` without a traceback; Ctrl-C outside training exits with 130.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--data-dir", metavar="DIR",
                       help="folder holding mnist/ or gtsrb/ (default: $EMBER_DATA or the "
                            "data sets' own lookup)")
    group.add_argument("--imdir", metavar="DIR",
                       help="a GTSRB Final_Training/Images or Final_Test/Images folder, or "
                            "(image-folder) any folder of class folders")
    group.add_argument("--file", metavar="CSV", help="(csv) the table to train or evaluate on")


def build_parser() -> argparse.ArgumentParser:
    """The ``ember`` parser with its four subcommands."""
    from ember.cli.recipes import get_recipe, recipe_names

    parser = argparse.ArgumentParser(
        prog="ember", description="Train, evaluate and use ember models from built-in recipes.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    lines = [f"  {name:<13} {get_recipe(name).description}" for name in recipe_names()]
    train = commands.add_parser(
        "train", help="train a recipe and write a run folder",
        description="Train a recipe; write the model file, history.csv, curves.png, "
                    "confusion.png and metrics.json to --out, and a checkpoint after every "
                    "epoch (--resume continues from it).",
        epilog="recipes:\n" + "\n".join(lines), formatter_class=argparse.RawTextHelpFormatter)
    train.add_argument("recipe", metavar="RECIPE", help="one of: " + ", ".join(recipe_names()))
    _add_data_options(train)
    train.add_argument("--epochs", type=_positive_int, help="default: the recipe's")
    train.add_argument("--batch-size", type=_positive_int, help="default: the recipe's")
    train.add_argument("--lr", type=_positive_float, help="learning rate (default: the recipe's)")
    train.add_argument("--optimizer", metavar="NAME",
                       help="an optimizer name: sgd, rmsprop, adam, ... (Keras's for Keras "
                            "recipes, ember.optim's for PyTorch-style ones; default: the "
                            "recipe's)")
    train.add_argument("--seed", type=int, help="random seed (default 0)")
    train.add_argument("--out", metavar="DIR", help="run folder (default runs/RECIPE-TIMESTAMP)")
    train.add_argument("--target", metavar="COLUMN", help="(csv) the column to predict")
    train.add_argument("--size", type=_positive_int,
                       help="(image-folder) square side the images are resized to (default: "
                            "their own size when they share one, else 32)")
    train.add_argument("--val-dir", metavar="DIR",
                       help="(image-folder) validation class folders (default: a stratified "
                            "20%% of --imdir)")
    train.add_argument("--tensorboard", action="store_true",
                       help="also write TensorBoard event files to RUN/tensorboard (train/ and "
                            "validation/ runs; needs pip install ember[tensorboard])")
    train.add_argument("--overwrite", action="store_true",
                       help="replace the run already in --out DIR (refused otherwise)")
    train.add_argument("--resume", action="store_true",
                       help="continue the interrupted run in --out DIR from its last checkpoint "
                            "(settings default to the checkpoint's; --epochs may extend it)")

    evaluate = commands.add_parser(
        "evaluate", help="accuracy, per-class precision/recall and confusion matrix of a model",
        description="Evaluate a model file on a data folder (MNIST: the official test set; "
                    "GTSRB: every image of a Final_Training or Final_Test folder; iris/digits: "
                    "the held-out split when no folder is given).")
    evaluate.add_argument("model", metavar="MODEL", help="a model file written by ember train")
    _add_data_options(evaluate)
    evaluate.add_argument("--out", metavar="DIR", help="write metrics.json and confusion.png here")
    evaluate.add_argument("--validation", action="store_true",
                          help="only the validation split the model was trained with (MNIST: "
                               "the last 10%% of the training images; GTSRB: the held-out tracks)")

    predict = commands.add_parser("predict", help="classify image files (or feature values)")
    predict.add_argument("model", metavar="MODEL")
    predict.add_argument("images", metavar="IMAGE", nargs="*", help="image files, any size/mode")
    predict.add_argument("--values", metavar="V1,V2,...", action="append",
                         help="feature values of one sample (tabular models such as iris)")
    predict.add_argument("--top", type=_positive_int, default=3, help="classes shown (default 3)")

    summary = commands.add_parser("summary", help="the model's layers and parameter counts")
    summary.add_argument("model", metavar="MODEL")

    export = commands.add_parser("export", help="write a model file as ONNX")
    export.add_argument("model", metavar="MODEL")
    export.add_argument("--format", choices=["onnx"], default="onnx", help="(default onnx)")
    export.add_argument("--out", metavar="FILE", help="default: MODEL with the format's suffix")
    return parser


def _run(args: argparse.Namespace) -> int:
    if args.command == "train":
        from ember.cli.commands.train import run_train
        from ember.distributed._cli import on_every_rank  # mpiexec -n N: data-parallel

        return on_every_rank(run_train, args)
    if args.command == "evaluate":
        from ember.cli.commands.evaluate import run_evaluate

        return run_evaluate(args)
    if args.command == "predict":
        from ember.cli.commands.predict import run_predict

        return run_predict(args)
    if args.command == "export":
        from ember.cli.commands.export import run_export

        return run_export(args)
    from ember.cli.commands.summary import run_summary

    return run_summary(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ember`` with ``argv`` (default: the command line); returns the exit code."""
    from ember.cli.log import setup_logging, warnings_as_log_lines
    from ember.datasets import DatasetError
    from ember.serialization import ModelFileError

    args = build_parser().parse_args(argv)
    args.command_line = ["ember", *(sys.argv[1:] if argv is None else argv)]
    setup_logging()
    try:
        with warnings_as_log_lines():
            return _run(args)
    except BrokenPipeError:  # e.g. `ember summary MODEL | head`: the reader left, no error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (DatasetError, ModelFileError, ValueError, OSError) as exc:
        message = " ".join(str(exc).split())
        if isinstance(exc, OSError) and exc.filename and str(exc.filename) not in message:
            message = f"{exc.filename}: {message}"
        print(f"ember: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("ember: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
