"""The first lines of PyTorch tutorials: choosing a device, defaults, legacy names, new_* and
*_like creation, formatting a loss, and the random creation functions."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember import nn


def test_tutorial_device_choice_picks_the_cpu() -> None:
    device = "cuda" if ember.cuda.is_available() else "cpu"
    assert device == "cpu"
    accelerator = ember.accelerator.current_accelerator()
    device = accelerator.type if ember.accelerator.is_available() else "cpu"
    assert device == "cpu" and accelerator is None
    assert not ember.backends.mps.is_available() and not ember.backends.mps.is_built()
    assert ember.cuda.device_count() == 0 and ember.accelerator.device_count() == 0
    model = nn.Linear(2, 3).to(ember.device(device))
    x = ember.ones(4, 2, device=device)
    assert model(x).device == ember.device("cpu") and x.cpu() is x


def test_cuda_parses_but_refuses_data_naming_the_missing_accelerator() -> None:
    cuda = ember.device("cuda:0")
    assert (cuda.type, cuda.index) == ("cuda", 0)
    with pytest.raises(NotImplementedError, match="CUDA"):
        ember.zeros(2, device=cuda)
    with pytest.raises(NotImplementedError, match="CUDA"):
        ember.ones(2).cuda()
    with pytest.raises(NotImplementedError, match="MPS"):
        ember.ones(2).to("mps")
    with pytest.raises(RuntimeError, match="CUDA"):
        ember.cuda.current_device()


def test_seeding_and_cudnn_flags_are_accepted() -> None:
    ember.cuda.manual_seed(0)
    ember.cuda.manual_seed_all(0)
    ember.backends.cudnn.deterministic = True
    ember.backends.cudnn.benchmark = False
    ember.cuda.empty_cache()


def test_default_dtype_round_trip() -> None:
    assert ember.get_default_dtype() == ember.float32
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.tensor([1.5]).dtype == ember.float64
        assert ember.zeros(2).dtype == ember.float64
        assert ember.arange(0.0, 1.0, 0.5).dtype == ember.float64
        assert (ember.tensor([1, 2]) / 2).dtype == ember.float64
        assert ember.get_default_dtype() == ember.float64
    finally:
        ember.set_default_dtype(ember.float32)
    assert ember.tensor([1.5]).dtype == ember.float32
    with pytest.raises(TypeError):
        ember.set_default_dtype(ember.int64)


def test_default_device_accepts_only_the_cpu() -> None:
    ember.set_default_device("cpu")
    assert ember.get_default_device() == ember.device("cpu")
    with pytest.raises(NotImplementedError, match="CUDA"):
        ember.set_default_device("cuda")


def test_variable_is_the_legacy_alias_of_a_tensor() -> None:
    from ember.autograd import Variable

    t = ember.ones(2)
    v = Variable(t, requires_grad=True)
    assert v is t and v.requires_grad and isinstance(ember.zeros(1), Variable)


def test_inference_mode_records_no_graph() -> None:
    w = ember.ones(2, requires_grad=True)
    with ember.inference_mode():
        assert not (w * 2).requires_grad
    assert (w * 2).requires_grad

    @ember.inference_mode()
    def predict(x):
        return x * w

    @ember.inference_mode
    def predict_bare(x):
        return x * w

    assert not predict(ember.ones(2)).requires_grad
    assert not predict_bare(ember.ones(2)).requires_grad
    with ember.inference_mode(False):
        assert (w * 2).requires_grad


def test_compile_returns_the_model_unchanged() -> None:
    model = nn.Linear(2, 2)
    assert ember.compile(model) is model
    assert ember.compile(mode="max-autotune")(model) is model
    with pytest.raises(RuntimeError, match="mode"):
        ember.compile(model, mode="fastest")


def test_format_of_a_0d_tensor_formats_its_number() -> None:
    loss = ember.tensor(0.123456789)
    assert f"loss: {loss:>7f}" == f"loss: {0.123456789:>7f}"
    assert f"{ember.tensor(3):d}" == "3"
    assert f"{ember.ones(2)}" == str(ember.ones(2))
    with pytest.raises(TypeError):
        f"{ember.ones(2):>7f}"


def test_grad_fn_name_and_next_functions() -> None:
    x = ember.ones(2, requires_grad=True)
    y = (x * 2).sum()
    assert y.grad_fn.name().startswith("Sum")
    assert y.grad_fn.next_functions[0][0].name().startswith("Mul")


def test_new_creation_methods_take_this_tensors_dtype() -> None:
    torch = pytest.importorskip("torch")
    for lib in (ember, torch):
        base = lib.tensor([1.0, 2.0], dtype=lib.float64)
        made = [base.new_ones(2, 3), base.new_zeros((1,)), base.new_full((2,), 7),
                base.new_empty(3), base.new_tensor([1, 2]), base.new_ones(2, dtype=lib.int64)]
        assert [tuple(m.shape) for m in made] == [(2, 3), (1,), (2,), (3,), (2,), (2,)]
        assert [str(m.dtype).split(".")[-1] for m in made] == ["float64"] * 5 + ["int64"]
    assert ember.ones(1).new_zeros(2, requires_grad=True).requires_grad


def test_scatter_in_place_is_recorded_for_autograd() -> None:
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (ember, torch):
        src = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        base = lib.zeros(2, 3, requires_grad=True)
        out = base * 1
        out.scatter_(1, lib.tensor([[2, 0], [1, 2]]), src)
        (out * lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
        grads.append((out.detach().numpy(), src.grad.numpy(), base.grad.numpy()))
    for ours, theirs in zip(*grads):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "rand_like",
                                  "randn_like"])
def test_like_functions_keep_shape_and_dtype_and_take_device(name: str) -> None:
    base = ember.ones(2, 3, dtype=ember.float64)
    made = getattr(ember, name)(base, device="cpu", requires_grad=True)
    assert made.shape == (2, 3) and made.dtype == ember.float64 and made.requires_grad
    with pytest.raises(NotImplementedError):
        getattr(ember, name)(base, device="cuda")


def test_full_like_and_randint_like() -> None:
    assert ember.full_like(ember.ones(2, dtype=ember.int64), 7).tolist() == [7, 7]
    drawn = ember.randint_like(ember.zeros(50, dtype=ember.int64), 3, 6)
    assert drawn.dtype == ember.int64 and 3 <= drawn.min().item() and drawn.max().item() < 6


def test_random_creation_with_generators() -> None:
    g = ember.Generator().manual_seed(3)
    first = ember.randperm(10, generator=g)
    assert sorted(first.tolist()) == list(range(10))
    assert ember.randperm(5, dtype=ember.int32).dtype == ember.int32
    samples = ember.normal(ember.zeros(4000), ember.full((4000,), 2.0))
    assert abs(samples.std().item() - 2.0) < 0.15
    assert ember.normal(1.0, 0.5, (3, 2), requires_grad=True).requires_grad
    coins = ember.bernoulli(ember.full((4000,), 0.25))
    assert coins.dtype == ember.float32 and abs(coins.mean().item() - 0.25) < 0.04
    picks = ember.multinomial(ember.tensor([[0.0, 1.0, 3.0], [1.0, 0.0, 0.0]]), 2)
    assert picks.shape == (2, 2) and set(picks[0].tolist()) == {1, 2} and picks[1, 0] == 0
    many = ember.multinomial(ember.tensor([1.0, 3.0]), 4000, replacement=True)
    assert abs(many.float().mean().item() - 0.75) < 0.04
    with pytest.raises(RuntimeError):
        ember.multinomial(ember.tensor([-1.0, 1.0]), 1)
    with pytest.raises(RuntimeError):
        ember.randint(5, 5, (2,))


def test_a_quickstart_shaped_program_runs(tmp_path) -> None:
    """The shape of PyTorch's quickstart on a tiny synthetic data set: device choice, a model
    moved there, a DataLoader, a training loop printing f"{loss:>7f}", accuracy through
    ``(pred.argmax(1) == y).type(torch.float)``, and the state dict saved and loaded."""
    import ember as torch
    from ember.utils.data import DataLoader, TensorDataset

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(0)
    x = torch.randn(96, 1, 4, 4)
    y = (x.flatten(1).sum(1) > 0).long()
    loader = DataLoader(TensorDataset(x, y), batch_size=32)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 2)).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    lines, correct = [], 0
    for batch, (X, target) in enumerate(loader):
        X, target = X.to(device), target.to(device)
        loss = nn.CrossEntropyLoss()(model(X), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        lines.append(f"loss: {loss:>7f}  [{batch * len(X):>5d}/{len(loader.dataset):>5d}]")
    with torch.no_grad():
        correct = (model(x).argmax(1) == y).type(torch.float).sum().item()
    assert lines[0].startswith("loss: ") and lines[-1].endswith("[   64/   96]")
    assert isinstance(correct, float) and correct > 48
    torch.save(model.state_dict(), tmp_path / "model.pth")
    model.load_state_dict(torch.load(tmp_path / "model.pth"))


def test_out_argument_writes_into_the_given_tensor() -> None:
    a = ember.ones(2, 3)
    out = ember.empty(2, 2)
    assert ember.matmul(a, a.T, out=out) is out and out.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    small = ember.empty(1)
    ember.mul(a, 2, out=small)  # resized to the result's shape, as PyTorch
    assert small.shape == (2, 3) and small.sum().item() == 12.0
    with pytest.raises(RuntimeError, match="automatic differentiation"):
        ember.add(ember.ones(2, requires_grad=True), 1, out=ember.empty(2))
    with pytest.raises(RuntimeError, match="can't be cast"):
        ember.add(ember.ones(2), 0.5, out=ember.empty(2, dtype=ember.int64))


CREATION_CALLS = {
    "tensor": lambda d: ember.tensor([1.0], device=d),
    "as_tensor": lambda d: ember.as_tensor([1.0], device=d),
    "zeros": lambda d: ember.zeros(2, device=d),
    "ones": lambda d: ember.ones(2, device=d),
    "empty": lambda d: ember.empty(2, device=d),
    "full": lambda d: ember.full((2,), 1.0, device=d),
    "arange": lambda d: ember.arange(3, device=d),
    "linspace": lambda d: ember.linspace(0, 1, 3, device=d),
    "logspace": lambda d: ember.logspace(0, 1, 3, device=d),
    "eye": lambda d: ember.eye(2, device=d),
    "rand": lambda d: ember.rand(2, device=d),
    "randn": lambda d: ember.randn(2, device=d),
    "randint": lambda d: ember.randint(0, 3, (2,), device=d),
    "randperm": lambda d: ember.randperm(3, device=d),
    "normal": lambda d: ember.normal(0.0, 1.0, (2,), device=d),
    "zeros_like": lambda d: ember.zeros_like(ember.ones(2), device=d),
    "randint_like": lambda d: ember.randint_like(ember.ones(2), 3, device=d),
}


@pytest.mark.parametrize("name", list(CREATION_CALLS))
def test_every_creation_function_takes_device(name: str) -> None:
    assert CREATION_CALLS[name]("cpu").device == ember.device("cpu")
    assert CREATION_CALLS[name](ember.device("cpu", 0)).device == ember.device("cpu")
    with pytest.raises(NotImplementedError, match="CUDA"):
        CREATION_CALLS[name]("cuda")


def test_dtype_queries_match_torch() -> None:
    torch = pytest.importorskip("torch")
    for lib in (ember, torch):
        assert lib.finfo(lib.float32).eps == np.finfo(np.float32).eps
        assert lib.finfo().bits == 32 and lib.iinfo(lib.int16).max == 32767
        assert str(lib.promote_types(lib.int64, lib.float32)).endswith("float32")
        assert str(lib.result_type(lib.tensor([1]), 2.5)).endswith("float32")
        assert not lib.can_cast(lib.float32, lib.int32) and lib.can_cast(lib.int32, lib.float64)
        assert lib.is_floating_point(lib.ones(1)) and lib.is_nonzero(lib.tensor([2]))
