"""``ember.onnx.export``: the file passes ``onnx.checker`` and onnxruntime computes what ember
computes (to 1e-5) for batch sizes 1 and 7; an op without a mapping is an error naming it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn
from ember.onnx import OnnxExporterError, UnsupportedOperatorError
from ember.onnx._trace import traced_functions
from ember.onnx.symbolic import NOT_EXPORTABLE, OPS


def run_onnx(path: Path, *inputs: np.ndarray) -> list[np.ndarray]:
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return session.run(None, dict(zip(names, inputs)))


def ember_run(model, *inputs: np.ndarray) -> np.ndarray:
    if isinstance(model, nn.Module):
        model.eval()
    with ember.no_grad():
        return model(*(ember.from_numpy(x) for x in inputs)).numpy()


def check_same(model, path: Path, make_input) -> None:
    """Export at batch 2, then compare ember and onnxruntime at batch 1 and 7."""
    onnx = pytest.importorskip("onnx")
    ember.onnx.export(model, tuple(ember.from_numpy(x) for x in make_input(2)), str(path))
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    for batch in (1, 7):
        inputs = make_input(batch)
        (got,) = run_onnx(path, *inputs)
        np.testing.assert_allclose(got, ember_run(model, *inputs), atol=1e-5, rtol=0)


def floats(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed + shape[0]).standard_normal(shape).astype(np.float32)


class Residual(nn.Module):
    """Functional-op paths: residual add, concatenation, view, mean, activations."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.branch = nn.Conv2d(8, 8, 3, padding="same", bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.head = nn.Linear(16 + 8, 5)

    def forward(self, x):
        x = F.relu(self.stem(x))
        x = F.relu(x + self.bn(self.branch(x)))
        pooled = F.avg_pool2d(x, 2)
        wide = ember.cat([pooled, F.max_pool2d(x, 2)], dim=1)
        flat = F.adaptive_avg_pool2d(wide, 1).view(x.size(0), -1)
        extra = x.mean(dim=(2, 3))
        return F.softmax(self.head(ember.cat([flat, extra], dim=1)) * 2.0 - 1.0, dim=1)


class Bag(nn.Module):
    """Embedding -> mean over tokens -> MLP (integer input)."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(20, 6)
        self.fc = nn.Linear(6, 3)

    def forward(self, tokens):
        return F.gelu(self.fc(self.embed(tokens).mean(dim=1)))


def tokens(batch: int) -> np.ndarray:
    return np.random.default_rng(batch).integers(0, 20, size=(batch, 5)).astype(np.int64)


def test_mlp(tmp_path: Path) -> None:
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 16), nn.Tanh(), nn.Dropout(0.5), nn.Linear(16, 4),
                          nn.LeakyReLU(0.1), nn.Linear(4, 3), nn.LogSoftmax(dim=1))
    check_same(model, tmp_path / "mlp.onnx", lambda b: [floats(b, 10)])


def test_cnn_with_batch_norm_trained_a_little(tmp_path: Path) -> None:
    ember.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 6, 3, stride=2, padding=1), nn.ELU(), nn.Flatten(),
                          nn.Linear(6 * 2 * 2, 8), nn.BatchNorm1d(8), nn.SiLU(), nn.Linear(8, 2))
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1)
    x, y = ember.from_numpy(floats(16, 1, 10, 10)), ember.arange(16) % 2
    for _ in range(3):  # so the running statistics are not the initial ones
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
    pytest.importorskip("onnx")
    ember.onnx.export(model, ember.randn(1, 1, 10, 10), str(tmp_path / "cnn.onnx"))
    assert model[1].training  # exported in eval mode, then the model's mode is restored
    check_same(model, tmp_path / "cnn.onnx", lambda b: [floats(b, 1, 10, 10)])


def test_residual_and_concatenation_through_functional_ops(tmp_path: Path) -> None:
    ember.manual_seed(0)
    check_same(Residual(), tmp_path / "res.onnx", lambda b: [floats(b, 3, 6, 6)])


def test_embedding_model(tmp_path: Path) -> None:
    ember.manual_seed(0)
    check_same(Bag(), tmp_path / "bag.onnx", lambda b: [tokens(b)])


def test_names_opset_and_fixed_shapes(tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    model = nn.Linear(3, 2)
    proto = ember.onnx.export(model, ember.randn(4, 3), str(tmp_path / "m.onnx"),
                              input_names=["features"], output_names=["scores"],
                              opset_version=13, dynamic_axes={})
    assert [i.name for i in proto.graph.input] == ["features"]
    assert [o.name for o in proto.graph.output] == ["scores"]
    assert proto.opset_import[0].version == 13
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in dims] == [4, 3]
    assert {i.name for i in proto.graph.initializer} == {"weight", "bias"}
    assert onnx.load(str(tmp_path / "m.onnx")) == proto


def test_dynamic_batch_is_the_default(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    proto = ember.onnx.export(nn.Linear(3, 2), ember.randn(1, 3), str(tmp_path / "m.onnx"))
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert proto.graph.output[0].type.tensor_type.shape.dim[0].dim_param == "batch"


def test_an_op_without_a_mapping_is_an_error_naming_it(tmp_path: Path) -> None:
    pytest.importorskip("onnx")

    class Sorts(nn.Module):
        def forward(self, x):
            return x.sort(dim=1)[0]

    with pytest.raises(UnsupportedOperatorError, match="'sort' has no ONNX mapping"):
        ember.onnx.export(Sorts(), ember.randn(2, 3), str(tmp_path / "x.onnx"))
    assert not (tmp_path / "x.onnx").exists()


def test_an_op_outside_the_op_table_is_named_not_baked_in(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    from ember.tensor import Tensor

    def my_sin(x):  # a hand-made op straight on the tensor core, unknown to the table
        return Tensor._op(np.sin(x._data), (x,), lambda g: (g * np.cos(x._data),), "MySinBackward")

    with pytest.raises(UnsupportedOperatorError, match="'MySin' ran where the trace could"):
        ember.onnx.export(lambda x: my_sin(x) + 1.0, ember.randn(2, 3), str(tmp_path / "x.onnx"))


def test_a_custom_function_exports_the_ops_of_its_forward(tmp_path: Path) -> None:
    class Cube(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * x * x

        @staticmethod
        def backward(ctx, grad):
            raise AssertionError("not needed")

    check_same(lambda x: Cube.apply(x) + 1.0, tmp_path / "cube.onnx", lambda b: [floats(b, 3)])


def test_export_leaves_the_ops_as_they_were(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    def functions() -> dict[str, object]:
        return {f"{space.__name__}.{name}": getattr(space, name)
                for space in (F, ember.ops, ember) for name in dir(space)
                if not name.startswith("_") and callable(getattr(space, name))}

    before = functions()
    with pytest.raises(UnsupportedOperatorError):
        ember.onnx.export(lambda x: x.sort()[0], ember.randn(3), str(tmp_path / "x.onnx"))
    assert functions() == before
    assert not hasattr(ember.ops.add, "__ember_traced__")


def test_ops_called_through_the_ember_namespace_are_traced(tmp_path: Path) -> None:
    check_same(lambda x: ember.add(ember.relu(x), ember.mul(x, 0.5)), tmp_path / "n.onnx",
               lambda b: [floats(b, 4)])


def test_training_mode_operations_are_refused(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    with pytest.raises(OnnxExporterError, match="dropout in training mode"):
        ember.onnx.export(lambda x: F.dropout(x, 0.5, training=True), ember.randn(2, 3),
                          str(tmp_path / "x.onnx"))
    with pytest.raises(NotImplementedError, match="one axis .* can be dynamic"):
        ember.onnx.export(nn.Linear(3, 2), ember.randn(2, 3), str(tmp_path / "x.onnx"),
                          dynamic_axes={"input": [0, 1]})


def test_every_op_has_a_mapping_or_a_stated_reason() -> None:
    names = {name for name, _ in traced_functions()}
    missing = sorted(names - set(OPS) - set(NOT_EXPORTABLE))
    assert not missing, f"ops with neither an ONNX mapping nor a reason: {missing}"


ELEMENTWISE = ["neg", "abs", "exp", "sigmoid", "tanh", "relu", "sin", "cos", "atan", "asinh",
               "sinh", "cosh", "tan", "softsign", "selu", "hardswish", "square", "expm1", "mish",
               "logsigmoid", "hardsigmoid", "celu", "hardtanh", "elu", "leaky_relu", "relu6",
               "silu", "gelu", "softplus", "log_softmax", "softmax", "softmin"]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_each_activation_and_elementwise_op(name: str, tmp_path: Path) -> None:
    namespace = F if hasattr(F, name) else ember.ops
    if not hasattr(namespace, name):
        pytest.skip(f"ember has no {name} yet")
    extra = {"dim": 1} if name in ("softmax", "log_softmax", "softmin") else {}
    # looked up when called, as model code does (F.relu), so the trace sees the call
    check_same(lambda x: getattr(namespace, name)(x, **extra), tmp_path / "f.onnx",
               lambda b: [floats(b, 5)])


def test_a_function_imported_before_export_is_named_as_escaping(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    exp = ember.ops.exp  # a reference taken before the trace patches ember.ops

    with pytest.raises(UnsupportedOperatorError, match="'Exp' ran where the trace"):
        ember.onnx.export(lambda x: exp(x) + 1.0, ember.randn(2, 3), str(tmp_path / "x.onnx"))


@pytest.mark.parametrize("opset", [13, 18, 20])
def test_opsets_with_different_reduce_and_gelu_forms(opset: int, tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")

    def model(x):
        return F.gelu(x).mean(dim=1, keepdim=True) + x.amax(dim=1, keepdim=True) \
            + F.gelu(x, approximate="tanh").sum(dim=1, keepdim=True)

    ember.onnx.export(model, ember.randn(2, 4), str(tmp_path / "g.onnx"), opset_version=opset)
    assert onnx.load(str(tmp_path / "g.onnx")).opset_import[0].version == opset
    for batch in (1, 7):
        x = floats(batch, 4)
        (got,) = run_onnx(tmp_path / "g.onnx", x)
        np.testing.assert_allclose(got, model(ember.from_numpy(x)).numpy(), atol=1e-5, rtol=0)


@pytest.mark.parametrize("index", [
    (slice(None), 0), (Ellipsis, slice(1, 3)), (slice(None), None, slice(None, None, -1)),
    (slice(None), -1, slice(None, None, 2)), (0,), (slice(1, None),)])
def test_basic_indexing(index: tuple, tmp_path: Path) -> None:
    pytest.importorskip("onnx")

    def model(x):
        return x[index] * 2.0

    ember.onnx.export(model, ember.randn(3, 4, 5), str(tmp_path / "i.onnx"))
    for batch in (1, 7):
        x = floats(batch, 4, 5)
        (got,) = run_onnx(tmp_path / "i.onnx", x)
        np.testing.assert_allclose(got, model(ember.from_numpy(x)).numpy(), atol=1e-6, rtol=0)


def test_indexing_with_a_tensor_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    with pytest.raises(OnnxExporterError, match="indexing with Tensor"):
        ember.onnx.export(lambda x: x[ember.tensor([0, 2])], ember.randn(3, 4),
                          str(tmp_path / "x.onnx"))


def test_import_ember_loads_no_optional_dependency() -> None:
    import subprocess
    import sys

    code = ("import sys, ember; from ember import keras; import ember.onnx, ember.serialization; "
            "print(sorted(m for m in ('onnx', 'onnxruntime', 'h5py', 'torch', 'keras') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "[]", done.stderr[-2000:]


def test_one_dimensional_convolution_and_pooling(tmp_path: Path) -> None:
    if not hasattr(nn, "Conv1d"):
        pytest.skip("ember has no Conv1d yet")
    ember.manual_seed(0)
    model = nn.Sequential(nn.Conv1d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool1d(2),
                          nn.Conv1d(4, 4, 3, stride=2, dilation=1, padding="valid"),
                          nn.AvgPool1d(2), nn.Flatten(), nn.Linear(4, 3))
    check_same(model, tmp_path / "c1.onnx", lambda b: [floats(b, 2, 16)])


def test_transposed_convolution_autoencoder(tmp_path: Path) -> None:
    if not hasattr(nn, "ConvTranspose2d"):
        pytest.skip("ember has no ConvTranspose2d yet")
    ember.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.ReLU(),
                          nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1),
                          nn.Sigmoid())
    check_same(model, tmp_path / "ae.onnx", lambda b: [floats(b, 1, 8, 8)])


@pytest.mark.parametrize("batch_first", [True, False])
def test_transformer_encoder_layer_keeps_the_batch_wherever_it_moves(
        batch_first: bool, tmp_path: Path) -> None:
    """Attention moves the batch off axis 0 (reshapes to heads, transposes); the file must
    still take any batch size."""
    if not hasattr(nn, "TransformerEncoderLayer"):
        pytest.skip("ember has no TransformerEncoderLayer yet")
    ember.manual_seed(0)
    layer = nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, batch_first=batch_first)
    if batch_first:
        check_same(layer, tmp_path / "t.onnx", lambda b: [floats(b, 5, 16)])
        return
    pytest.importorskip("onnx")
    ember.onnx.export(layer, ember.randn(5, 2, 16), str(tmp_path / "t.onnx"),
                      dynamic_axes={"input": {1: "batch"}, "output": {1: "batch"}})
    layer.eval()
    for batch in (1, 7):
        x = np.random.default_rng(batch).standard_normal((5, batch, 16)).astype(np.float32)
        (got,) = run_onnx(tmp_path / "t.onnx", x)
        np.testing.assert_allclose(got, ember_run(layer, x), atol=1e-5, rtol=0)
