"""``ember.models``: the classic models the course starts from, as ordinary ``nn.Module``s.

- ``LinearRegression``: y = x w + b, by gradient descent on the L2, L1 or Huber loss, or by
  least squares in closed form;
- ``LogisticRegression``: sigmoid for two classes, softmax for more, trained on cross-entropy;
- ``Perceptron``: the single neuron with Rosenblatt's update rule;
- ``metrics``: MAE, MSE, RMSE, R² and accuracy on whole arrays.

>>> from ember.models import LinearRegression
>>> model = LinearRegression().fit(x, y, loss="mae", epochs=2000, lr=0.05)
>>> model.slope, model.intercept
"""

from ember.models import metrics
from ember.models.linear import LinearRegression, least_squares
from ember.models.logistic import LogisticRegression
from ember.models.perceptron import Perceptron

__all__ = ["LinearRegression", "LogisticRegression", "Perceptron", "least_squares", "metrics"]
