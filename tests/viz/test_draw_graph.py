"""draw_graph: the backprop circuit of a small expression, as DOT text and as a picture."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ember
from ember.viz import draw_graph


def _circuit() -> ember.Tensor:
    a = ember.tensor([2.0], requires_grad=True)
    b = ember.tensor([-3.0], requires_grad=True)
    c = a * b
    c.retain_grad()
    d = (c + 10).tanh()
    d.backward()
    return d


def test_the_dot_source_names_every_op_with_values_and_gradients() -> None:
    source = draw_graph(_circuit()).source
    for op in ('label="Tanh"', 'label="Add"', 'label="Mul"'):
        assert source.count(op) == 1
    assert source.count("leaf\\n") == 2 and "constant\\n" in source
    assert "data [-6.]\\ngrad [0.0013]" in source  # the retained intermediate
    assert "data [2.]\\ngrad [-0.004]" in source


def test_values_and_grads_can_be_left_out_and_large_tensors_are_not_printed() -> None:
    assert "data" not in draw_graph(_circuit(), values=False).source
    assert "grad [" not in draw_graph(_circuit(), grads=False).source
    big = (ember.ones(10, requires_grad=True) * 2).sum()
    assert "data [1." not in draw_graph(big).source


def test_a_non_tensor_is_refused() -> None:
    with pytest.raises(TypeError, match="expects a Tensor"):
        draw_graph([1.0])


def test_render_writes_a_real_png(tmp_path: Path) -> None:
    pytest.importorskip("graphviz")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")
    from PIL import Image

    path = draw_graph(_circuit()).render(tmp_path / "circuit.png")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width > 200 and image.height > 50
    svg = draw_graph(_circuit()).render(tmp_path / "circuit.svg")
    assert Path(svg).read_text().lstrip().startswith(("<?xml", "<svg"))
    assert draw_graph(_circuit()).render(tmp_path / "c.dot").endswith("c.dot")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.dot", "circuit.png", "circuit.svg"]
