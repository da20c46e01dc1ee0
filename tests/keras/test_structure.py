"""Dicts of inputs and targets keyed by a functional model's input and output names."""

import numpy as np
import pytest

import ember.keras as keras
from ember.keras import layers


def _two_in_two_out():
    title, body = keras.Input((4,), name="title"), keras.Input((3,), name="body")
    joined = layers.concatenate([title, body])
    priority = layers.Dense(1, name="priority")(joined)
    department = layers.Dense(2, name="department")(joined)
    model = keras.Model(inputs=[title, body], outputs=[priority, department])
    model.compile("sgd", loss={"priority": "mse", "department": "mse"},
                  loss_weights={"priority": 1.0, "department": 0.2})
    return model


RNG = np.random.default_rng(0)
X = {"body": RNG.random((8, 3)), "title": RNG.random((8, 4))}  # any key order
Y = {"department": RNG.random((8, 2)), "priority": RNG.random((8, 1))}


def test_dicts_match_the_lists_in_model_order():
    model = _two_in_two_out()
    as_dicts = model.evaluate(X, Y, return_dict=True, verbose=0)
    as_lists = model.evaluate([X["title"], X["body"]], [Y["priority"], Y["department"]],
                              return_dict=True, verbose=0)
    assert as_dicts == as_lists
    # Keras's weighted total: 1.0 * priority + 0.2 * department.
    np.testing.assert_allclose(as_dicts["loss"], as_dicts["priority_loss"]
                               + 0.2 * as_dicts["department_loss"], rtol=1e-5)


def test_fit_and_predict_take_dicts():
    model = _two_in_two_out()
    history = model.fit(X, Y, validation_data=(X, Y), epochs=2, batch_size=4, verbose=0)
    assert len(history.history["val_priority_loss"]) == 2
    priority, department = model.predict(X, verbose=0)
    assert priority.shape == (8, 1) and department.shape == (8, 2)


def test_wrong_keys_are_named():
    model = _two_in_two_out()
    with pytest.raises(ValueError, match=r"missing \['body'\].*unknown \['text'\]"):
        model.predict({"title": X["title"], "text": X["body"]}, verbose=0)
