"""Exporting ember models to ONNX (PyTorch's ``torch.onnx``); needs ``pip install 'ember[onnx]'``.

>>> ember.onnx.export(model, ember.randn(1, 784), "model.onnx")

The graph is traced from one forward pass through ember's ops; ``ember.onnx.symbolic.OPS`` maps
each op to ONNX nodes, and an op without a mapping raises ``UnsupportedOperatorError`` naming it.
"""

from ember.onnx._export import export
from ember.onnx._trace import OnnxExporterError, UnsupportedOperatorError

__all__ = ["OnnxExporterError", "UnsupportedOperatorError", "export"]
