"""The little of ``keras.backend`` that tutorials call."""

from ember.keras.layers.base import clear_session

__all__ = ["clear_session"]
