"""Keras models: ``Model``, ``Sequential``, and saving/loading them."""

from ember.keras.models.functional import Functional, KerasTensor
from ember.keras.models.model import Model
from ember.keras.models.saving import load_model, model_from_config
from ember.keras.models.sequential import Sequential


def model_from_json(text: str, custom_objects: dict | None = None) -> Model:
    import json

    return model_from_config(json.loads(text), custom_objects=custom_objects)


__all__ = ["Functional", "KerasTensor", "Model", "Sequential", "load_model", "model_from_config",
           "model_from_json"]
