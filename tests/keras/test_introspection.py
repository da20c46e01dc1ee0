"""Functional-model introspection as Keras's guides use it: layer.input/output, model.inputs."""

import numpy as np
import pytest

import ember.keras as keras
from ember.keras import layers


def _convnet():
    return keras.Sequential([
        keras.Input(shape=(12, 12, 3)),
        layers.Conv2D(4, 3, strides=2, activation="relu"),
        layers.Conv2D(4, 3, activation="relu"),
        layers.Conv2D(2, 3, activation="relu"),
    ])


def test_sequential_inputs_and_outputs_are_symbolic_tensors():
    model = _convnet()
    assert len(model.inputs) == 1 and len(model.outputs) == 1
    assert model.inputs[0].shape == (None, 12, 12, 3)
    assert model.outputs[0].shape == (None, 1, 1, 2)
    assert model.input is model.inputs[0] and model.output is model.outputs[0]


def test_feature_extractor_from_every_layer_output_shares_weights():
    model = _convnet()
    extractor = keras.Model(inputs=model.inputs, outputs=[layer.output for layer in model.layers])
    x = np.random.default_rng(0).random((2, 12, 12, 3)).astype("float32")
    features = extractor(x)
    assert [tuple(f.shape) for f in features] == [(2, 5, 5, 4), (2, 3, 3, 4), (2, 1, 1, 2)]
    np.testing.assert_allclose(features[-1].detach().numpy(), model(x).detach().numpy(), rtol=1e-6)
    middle = keras.Model(inputs=model.inputs, outputs=model.layers[1].output)
    np.testing.assert_allclose(middle(x).detach().numpy(), features[1].detach().numpy(), rtol=1e-6)


def test_layer_input_and_output_in_a_functional_model():
    inputs = keras.Input((4,))
    dense = layers.Dense(3)
    outputs = dense(inputs)
    assert dense.input is inputs and dense.output is outputs
    assert inputs.layer.output is inputs  # an InputLayer's output is the Input tensor
    dense(keras.Input((4,)))  # a second call: Keras's input/output stay those of the first
    assert dense.output is outputs


def test_a_layer_never_called_on_symbolic_tensors_has_no_output():
    with pytest.raises(AttributeError):
        _ = layers.Dense(2).output
    with pytest.raises(AttributeError):
        _ = keras.Sequential([layers.Dense(2)]).inputs  # no input shape yet


def test_functional_model_input_and_output():
    first, second = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    out = layers.Dense(1)(layers.concatenate([first, second]))
    two_inputs = keras.Model([first, second], out)
    assert two_inputs.input == [first, second] and two_inputs.output is out
    one_input = keras.Model(first, layers.Dense(2)(first))
    assert one_input.input is first
    features = keras.Model(inputs=one_input.input, outputs=[l.output for l in one_input.layers])
    assert len(features.outputs) == 2


def test_variable_length_input_takes_any_length():
    tokens = keras.Input(shape=(None,), dtype="int64")
    embedded = layers.Embedding(50, 8)(tokens)
    assert embedded.shape == (None, None, 8)
    model = keras.Model(tokens, layers.LSTM(4)(embedded))
    for length in (10, 3):
        batch = np.random.default_rng(0).integers(0, 50, (2, length))
        assert model.predict(batch, verbose=0).shape == (2, 4)


def test_convolution_over_a_variable_length_sequence():
    series = keras.Input(shape=(None, 10))
    convolved = layers.Conv1D(3, 3)(series)
    assert convolved.shape == (None, None, 3)
    model = keras.Model(series, layers.GlobalMaxPooling1D()(convolved))
    for length in (20, 5):
        assert model.predict(np.ones((2, length, 10)), verbose=0).shape == (2, 3)


def test_from_config_with_a_custom_layer_whose_config_has_no_name():
    class CustomDense(layers.Layer):
        def __init__(self, units=32):
            super().__init__()
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units))

        def call(self, inputs):
            return keras.ops.matmul(inputs, self.w)

        def get_config(self):
            return {"units": self.units}

    inputs = keras.Input((4,))
    model = keras.Model(inputs, CustomDense(10)(inputs))
    rebuilt = keras.Model.from_config(model.get_config(),
                                      custom_objects={"CustomDense": CustomDense})
    assert rebuilt.predict(np.ones((2, 4)), verbose=0).shape == (2, 10)
