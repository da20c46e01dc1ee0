"""``ember.optim``: optimizers that update parameters in place from their ``.grad``.

>>> opt = ember.optim.Adam(model.parameters(), lr=1e-3)
>>> for x, y in loader:
...     opt.zero_grad()
...     F.cross_entropy(model(x), y).backward()
...     opt.step()
"""

from ember._lazy import submodule_getattr
from ember.optim.adadelta import Adadelta
from ember.optim.adagrad import Adagrad
from ember.optim.adam import Adam
from ember.optim.adamw import AdamW
from ember.optim.optimizer import Optimizer
from ember.optim.rmsprop import RMSprop
from ember.optim.sgd import SGD

__all__ = ["Adadelta", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "lr_scheduler"]

# ``optim.lr_scheduler`` loads on first use: most training loops never schedule.
__getattr__ = submodule_getattr(__name__, ["lr_scheduler"])
