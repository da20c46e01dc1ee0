"""The ``ember`` command: train, evaluate, predict and summarise models from recipes.

``ember train iris`` trains one of the built-in recipes and writes a run folder (model file,
history, curves, confusion matrix, metrics); see ``ember --help``. The entry point is
``ember.cli.main.main``.
"""
