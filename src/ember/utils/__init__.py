"""``ember.utils``: helpers around training; ``ember.utils.data`` feeds batches to a model."""

from ember.utils import data

__all__ = ["data"]
