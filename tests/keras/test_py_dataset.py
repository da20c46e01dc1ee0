"""keras.utils.PyDataset (old name Sequence) and generators in fit, as Keras 3 reads them."""

import numpy as np
import pytest

import ember.keras as keras


class CountingBatches(keras.utils.PyDataset):
    """Two batches of four samples; records which indices were read and the epoch ends."""

    def __init__(self, batches=2, augment=False, **kwargs):
        super().__init__(**kwargs)
        self.batches, self.augment = batches, augment
        self.read, self.epoch_ends = [], 0
        self.rng = np.random.default_rng(0)

    def __len__(self):
        return self.batches

    def __getitem__(self, index):
        # Like the guides' datasets: no IndexError past len(); the loop must stop by itself.
        self.read.append(index)
        x = np.full((4, 3), float(index), dtype="float32")
        if self.augment:
            x = x + self.rng.normal(0, 0.1, x.shape).astype("float32")
        return x, np.zeros((4, 1), dtype="float32")

    def on_epoch_end(self):
        self.epoch_ends += 1


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def test_fit_reads_each_batch_once_per_epoch_and_stops():
    data = CountingBatches()
    history = _model().fit(data, epochs=3, verbose=0)
    assert data.read == [0, 1] * 3
    assert data.epoch_ends == 3
    assert len(history.history["loss"]) == 3


def test_steps_per_epoch_continues_and_starts_over_after_on_epoch_end():
    data = CountingBatches(augment=True)
    _model().fit(data, epochs=3, steps_per_epoch=3, verbose=0)
    assert data.read == [0, 1, 0, 1, 0, 1, 0, 1, 0]
    assert data.epoch_ends == 4


def test_validation_steps_are_honoured():
    train, val = CountingBatches(), CountingBatches(batches=5)
    _model().fit(train, validation_data=val, validation_steps=2, epochs=2, verbose=0)
    assert val.read == [0, 1, 2, 3]


def test_evaluate_and_predict_read_len_batches():
    model = _model()
    model.evaluate(CountingBatches(), verbose=0)
    assert model.predict(CountingBatches(batches=3), verbose=0).shape == (12, 1)


def test_sequence_is_pydataset_and_y_is_refused():
    assert keras.utils.Sequence is keras.utils.PyDataset
    with pytest.raises(ValueError, match="y must not be given"):
        _model().fit(CountingBatches(), np.zeros((8, 1)), verbose=0)


def test_object_with_len_and_getitem_but_no_iter_is_read_by_index():
    class Plain:
        def __len__(self):
            return 2

        def __getitem__(self, index):
            return np.ones((2, 3), dtype="float32"), np.ones((2, 1), dtype="float32")

    history = _model().fit(Plain(), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_parallel_loading_options_are_refused():
    with pytest.raises(NotImplementedError, match="workers"):
        CountingBatches(workers=4)


def test_infinite_generator_with_steps_per_epoch_and_validation_steps():
    def batches():
        while True:
            yield np.ones((4, 3), dtype="float32"), np.zeros((4, 1), dtype="float32")

    seen = []

    class CountSteps(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)

    history = _model().fit(batches(), steps_per_epoch=5, epochs=2, validation_data=batches(),
                           validation_steps=2, callbacks=[CountSteps()], verbose=0)
    assert seen == list(range(5)) * 2
    assert len(history.history["val_loss"]) == 2
