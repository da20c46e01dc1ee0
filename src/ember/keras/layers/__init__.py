"""Keras layers; each wraps the ``ember.nn`` layer that does its maths."""

from ember.keras.layers.base import Layer
from ember.keras.layers.conv import (
    AveragePooling2D,
    AvgPool2D,
    Conv2D,
    DepthwiseConv2D,
    GlobalAveragePooling2D,
    GlobalAvgPool2D,
    GlobalMaxPool2D,
    GlobalMaxPooling2D,
    MaxPool2D,
    MaxPooling2D,
)
from ember.keras.layers.core import (
    Activation,
    Dense,
    Dropout,
    Flatten,
    InputLayer,
    LeakyReLU,
    ReLU,
    Rescaling,
    Reshape,
    Softmax,
)
from ember.keras.layers.embedding import Embedding
from ember.keras.layers.merge import Add, Average, Concatenate, Multiply, Subtract
from ember.keras.layers.normalization import BatchNormalization, Normalization


def Input(shape: object = None, batch_size: int | None = None, name: str | None = None,  # noqa: N802
          **kwargs: object) -> object:
    """A symbolic input for building models: ``keras.Input(shape=(784,))`` (also ``dtype``,
    ``batch_shape``)."""
    from ember.keras.models.functional import Input as make_input

    return make_input(shape, batch_size=batch_size, name=name, **kwargs)  # type: ignore[arg-type]


LAYER_CLASSES = {cls.__name__: cls for cls in (
    Activation, Add, Average, AveragePooling2D, BatchNormalization, Concatenate, Conv2D, Dense,
    DepthwiseConv2D, Dropout, Embedding, Flatten, GlobalAveragePooling2D, GlobalMaxPooling2D,
    InputLayer, LeakyReLU, MaxPooling2D, Multiply, Normalization, ReLU, Rescaling, Reshape,
    Softmax, Subtract)}

# Issue 13: sequence, attention and normalisation layers, each from its own module.
from ember.keras.layers.attention import Attention, MultiHeadAttention  # noqa: E402
from ember.keras.layers.normalization_extra import (  # noqa: E402
    GroupNormalization,
    LayerNormalization,
)
from ember.keras.layers.recurrent import GRU, LSTM, SimpleRNN  # noqa: E402
from ember.keras.layers.wrappers import Bidirectional, TimeDistributed  # noqa: E402

LAYER_CLASSES.update({cls.__name__: cls for cls in (
    GRU, LSTM, Attention, Bidirectional, GroupNormalization, LayerNormalization,
    MultiHeadAttention, SimpleRNN, TimeDistributed)})
from ember.keras.layers.conv_extra import (  # noqa: E402
    AveragePooling1D,
    Conv1D,
    Conv2DTranspose,
    Conv3D,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    MaxPooling1D,
)
from ember.keras.layers.reshaping import (  # noqa: E402
    Cropping2D,
    GaussianNoise,
    Lambda,
    Masking,
    Permute,
    RepeatVector,
    SpatialDropout2D,
    UpSampling2D,
    ZeroPadding2D,
)

AvgPool1D, MaxPool1D = AveragePooling1D, MaxPooling1D
GlobalAvgPool1D, GlobalMaxPool1D = GlobalAveragePooling1D, GlobalMaxPooling1D
Convolution1D = Conv1D
LAYER_CLASSES.update({cls.__name__: cls for cls in (
    AveragePooling1D, Conv1D, Conv2DTranspose, Conv3D, Cropping2D, GaussianNoise,
    GlobalAveragePooling1D, GlobalMaxPooling1D, Lambda, Masking, MaxPooling1D, Permute,
    RepeatVector, SpatialDropout2D, UpSampling2D, ZeroPadding2D)})
from ember.keras.layers.augmentation import (  # noqa: E402
    CenterCrop,
    RandomBrightness,
    RandomContrast,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
)

LAYER_CLASSES.update({cls.__name__: cls for cls in (
    CenterCrop, RandomBrightness, RandomContrast, RandomFlip, RandomRotation, RandomTranslation,
    RandomZoom, Resizing)})
from ember.keras.layers.conv_extra import SeparableConv2D  # noqa: E402

SeparableConvolution2D = SeparableConv2D
LAYER_CLASSES["SeparableConv2D"] = SeparableConv2D
from ember.keras.layers.text import IntegerLookup, StringLookup, TextVectorization  # noqa: E402

LAYER_CLASSES.update({cls.__name__: cls for cls in (IntegerLookup, StringLookup,
                                                     TextVectorization)})
from ember.keras.layers.merge_functions import (  # noqa: E402
    Dot,
    Maximum,
    Minimum,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)

LAYER_CLASSES.update({cls.__name__: cls for cls in (Dot, Maximum, Minimum)})
