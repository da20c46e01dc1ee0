"""Keras callbacks: hooks into ``fit``, ``evaluate`` and ``predict``."""

from ember.keras.callbacks.base import Callback, CallbackList
from ember.keras.callbacks.csv_logger import CSVLogger
from ember.keras.callbacks.early_stopping import EarlyStopping
from ember.keras.callbacks.history import History
from ember.keras.callbacks.model_checkpoint import ModelCheckpoint
from ember.keras.callbacks.progbar_logger import ProgbarLogger
from ember.keras.callbacks.schedules import LearningRateScheduler, ReduceLROnPlateau
from ember.keras.callbacks.tensorboard import TensorBoard
from ember.keras.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = ["CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History",
           "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger", "ReduceLROnPlateau",
           "TensorBoard", "TerminateOnNaN"]
