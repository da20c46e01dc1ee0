"""``ember.sklearn``: scikit-learn estimators around an ``nn.Module``, in skorch's style.

    net = NeuralNetClassifier(MyModule, criterion=nn.CrossEntropyLoss, max_epochs=20, lr=0.1,
                              module__hidden=64)
    GridSearchCV(net, {"lr": [0.01, 0.1], "module__hidden": [32, 64]}).fit(X, y)

``module__*``, ``optimizer__*`` and ``criterion__*`` parameters go to those constructors, as in
skorch; every parameter is visible to ``get_params``/``set_params``, so the estimators clone,
pickle, grid-search and sit in pipelines. A module class whose constructor takes
``n_features_in`` or ``n_outputs`` gets them from the data unless given (an ember convenience,
so one module class fits any table).
"""

from ember.sklearn.net import NeuralNetClassifier, NeuralNetRegressor

__all__ = ["NeuralNetClassifier", "NeuralNetRegressor"]
