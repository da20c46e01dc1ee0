"""``ember.keras.ops``: Keras 3's backend-agnostic op namespace (``from keras import ops``),
mapped onto ember's ops with Keras's names and arguments (``axis``, ``keepdims``, ``x1``/``x2``).

Arguments may be ember tensors, NumPy arrays or Python numbers; results are ember tensors and
differentiable wherever the underlying ember op is. Python floats become float32 and Python ints
int32, as Keras's ``convert_to_tensor`` does; NumPy arrays keep their dtype.
"""

from ember.keras.ops.control import *  # noqa: F403
from ember.keras.ops.control import __all__ as _control_names
from ember.keras.ops.core import *  # noqa: F403
from ember.keras.ops.core import __all__ as _core_names
from ember.keras.ops.nn import *  # noqa: F403
from ember.keras.ops.nn import __all__ as _nn_names

__all__ = sorted(_core_names + _nn_names + _control_names)
