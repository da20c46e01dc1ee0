"""``ember.exercises``: check your own implementations from the lessons and hear what is wrong.

Each ``check_*`` runs your function on cases chosen to catch the usual mistakes (the wrong axis,
no max-subtraction, integer division, a bias broadcast the wrong way, a sum for a mean, a missing
1/N), prints what was expected, what came back and which mistake it looks like, and returns True
or False (for notebooks)::

    from ember.exercises import check_softmax
    check_softmax(lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))
"""

from ember.exercises.cnn import (
    check_batch_norm,
    check_conv2d,
    check_conv_output_shape,
    check_max_pool,
)
from ember.exercises.logistic import (
    check_accuracy,
    check_cross_entropy,
    check_linear_model,
    check_logistic_regression,
    check_softmax,
)
from ember.exercises.training import check_backprop, check_sgd_step

__all__ = ["check_accuracy", "check_backprop", "check_batch_norm", "check_conv2d",
           "check_conv_output_shape", "check_cross_entropy", "check_linear_model",
           "check_logistic_regression", "check_max_pool", "check_sgd_step", "check_softmax"]
