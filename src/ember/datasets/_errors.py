"""The error and warning types of ember.datasets."""


class DatasetError(ValueError):
    """A data set is missing, malformed or inconsistent.

    The message is one line and names the file or folder and the problem.
    """


class DatasetWarning(UserWarning):
    """Some items of a data set were unreadable and have been skipped."""


def one_line(text: object) -> str:
    """Collapse ``text`` to a single line (for messages built from foreign exceptions)."""
    return " ".join(str(text).split())
