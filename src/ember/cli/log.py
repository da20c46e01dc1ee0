"""Timestamped log lines (``2026-11-23 18:30:01 INFO ...``) and data-set warnings as log lines."""

from __future__ import annotations

import contextlib
import logging
import sys
import warnings
from collections.abc import Iterator
from typing import Any, TextIO

LOGGER_NAME = "ember.cli"
log = logging.getLogger(LOGGER_NAME)


def setup_logging(stream: TextIO | None = None) -> None:
    """Send ``ember.cli`` records to ``stream`` (default stdout) as timestamped lines."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s",
                                           datefmt="%Y-%m-%d %H:%M:%S"))
    for old in list(log.handlers):
        log.removeHandler(old)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


@contextlib.contextmanager
def warnings_as_log_lines() -> Iterator[None]:
    """Within this context every warning (e.g. a DatasetWarning about skipped images) is shown
    as one WARNING log line."""
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = _warning_to_log
        yield


def _warning_to_log(message: Any, category: type[Warning], filename: str, lineno: int,
                    file: Any = None, line: str | None = None) -> None:
    """Show a warning (e.g. a DatasetWarning about skipped images) as one WARNING line."""
    log.warning("%s", " ".join(str(message).split()))


def is_terminal() -> bool:
    """Whether stdout is a terminal (progress bars are drawn only then)."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False
