"""``model.export(path, format="onnx")``: a Keras model as an ONNX file, via ``ember.onnx``."""

from __future__ import annotations

from typing import Any

import numpy as np


def _example_inputs(model: Any, input_signature: Any) -> list[Any]:
    """One-sample example inputs from ``input_signature`` (shapes, InputSpecs or tensors) or
    from the shapes the model was built for."""
    import ember

    if input_signature is not None:
        specs = list(input_signature) if isinstance(input_signature, (list, tuple)) and \
            input_signature and not isinstance(input_signature[0], (int, type(None))) \
            else [input_signature]
        shapes = [tuple(getattr(spec, "shape", spec)) for spec in specs]
        dtypes = [str(getattr(spec, "dtype", None) or "float32") for spec in specs]
    elif getattr(model, "inputs", None):
        shapes = [tuple(t.shape) for t in model.inputs]
        dtypes = [t.dtype for t in model.inputs]
    elif getattr(model, "build_input_shape", None) is not None:
        shapes = [tuple(model.build_input_shape)]
        dtypes = ["int64" if model._accepts_integer_input() else "float32"]
    else:
        raise ValueError(f"export: model {model.name!r} is not built; build it or pass "
                         "input_signature")
    examples = []
    for shape, dtype in zip(shapes, dtypes):
        sample = shape[1:]
        if any(size is None for size in sample):
            raise ValueError(f"export: input shape {shape} has unknown sizes besides the batch; "
                             "pass input_signature with them")
        kind = np.int64 if str(dtype).startswith(("int", "uint")) else np.float32
        examples.append(ember.from_numpy(np.zeros((1, *sample), dtype=kind)))
    return examples


class _Inference:
    """The model called as Keras calls it for inference (several inputs as one list); a
    Module holding the model, so its weights keep their names in the ONNX file."""

    def __new__(cls, model: Any) -> Any:
        from ember import nn

        class Inference(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.model = model

            def forward(self, *inputs: Any) -> Any:
                return self.model(list(inputs) if len(inputs) > 1 else inputs[0],
                                  training=False)

        return Inference()


def export_model(model: Any, filepath: str, format: str = "onnx",  # noqa: A002
                 verbose: bool | None = None, input_signature: Any = None,
                 opset_version: int | None = None) -> None:
    """Write ``model`` to ``filepath`` as ONNX with a dynamic batch axis."""
    from ember.onnx import export

    if format != "onnx":
        raise NotImplementedError(f"export: format={format!r} is not supported; ember exports "
                                  "format='onnx'")
    examples = _example_inputs(model, input_signature)
    names = [f"input_{i}" for i in range(len(examples))] if len(examples) > 1 else ["input"]
    export(_Inference(model), tuple(examples), filepath, input_names=names,
           opset_version=opset_version)
    if verbose:
        print(f"Saved artifact at '{filepath}'.")
