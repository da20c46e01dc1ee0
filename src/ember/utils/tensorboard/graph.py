"""The graph of a model for TensorBoard: one forward pass, read back from ember's recorded ops."""

from __future__ import annotations

from typing import Any

from ember.autograd.engine import Node
from ember.autograd.grad_mode import enable_grad
from ember.tensor import Tensor


def trace_graph(model: Any, example: Any) -> Any:
    """A ``GraphDef``: a node per op (``Linear/Mm``-style names), parameters and inputs as
    placeholders, each with its shape."""
    from tensorboard.compat.proto.attr_value_pb2 import AttrValue
    from tensorboard.compat.proto.graph_pb2 import GraphDef
    from tensorboard.compat.proto.node_def_pb2 import NodeDef
    from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

    if example is None:
        raise ValueError("add_graph needs input_to_model: an example input to trace with")
    examples = example if isinstance(example, (tuple, list)) else (example,)
    inputs = [x.detach().requires_grad_(x.is_floating_point()) if isinstance(x, Tensor) else x
              for x in examples]
    with enable_grad():
        output = model(*inputs)
    outputs = output if isinstance(output, (tuple, list)) else (output,)
    names: dict[int, str] = {}
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor):
            names[id(x)] = f"input/{i}"
    if hasattr(model, "named_parameters"):
        for name, p in model.named_parameters():
            names[id(p)] = f"{type(model).__name__}/{name}"

    def shape_attr(t: Tensor) -> dict[str, Any]:
        dims = [TensorShapeProto.Dim(size=int(s)) for s in t.shape]
        return {"_output_shapes": AttrValue(list=AttrValue.ListValue(
            shape=[TensorShapeProto(dim=dims)]))}

    graph = GraphDef()
    node_names: dict[int, str] = {}
    counts: dict[str, int] = {}
    placed: set[int] = set()

    def place_leaf(t: Tensor) -> str:
        name = names.setdefault(id(t), f"constant/{len(names)}")
        if id(t) not in placed:
            placed.add(id(t))
            graph.node.append(NodeDef(name=name, op="Parameter" if "/" in name and not
                                      name.startswith(("input", "constant")) else "IO Node",
                                      attr=shape_attr(t)))
        return name

    def visit(node: Node, out: Tensor) -> str:
        stack = [(node, out, False)]
        while stack:
            current, tensor, ready = stack.pop()
            if id(current) in node_names and not ready:
                continue
            if not ready:
                stack.append((current, tensor, True))
                for edge, inp in zip(current.edges, current.inputs):
                    if isinstance(edge, Node) and id(edge) not in node_names:
                        stack.append((edge, inp, False))
                continue
            if id(current) in node_names:
                continue
            op = current.name().removesuffix("Backward")
            counts[op] = counts.get(op, 0) + 1
            name = f"{op}_{counts[op]}"
            node_names[id(current)] = name
            sources = [node_names[id(e)] if isinstance(e, Node) else place_leaf(inp)
                       for e, inp in zip(current.edges, current.inputs)]
            graph.node.append(NodeDef(name=name, op=op, input=sources, attr=shape_attr(tensor)))
        return node_names[id(node)]

    for k, out in enumerate(outputs):
        if isinstance(out, Tensor) and out.grad_fn is not None:
            last = visit(out.grad_fn, out)
            graph.node.append(NodeDef(name=f"output/{k}", op="IO Node", input=[last],
                                      attr=shape_attr(out)))
    return graph
