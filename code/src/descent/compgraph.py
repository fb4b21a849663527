r"""Computational graphs of scalar operations, evaluated forward and backward.

A computational graph writes a function as a chain of elementary operations, one node each.
Backpropagation (reverse-mode differentiation) walks it twice:

* **forward**, in the order the nodes were given: each node computes its value v from the
  values of its inputs;
* **backward**, in the reverse order: a node that knows ∂L/∂v, the derivative of the output
  L with respect to its own value, multiplies it by the *local* derivative ∂v/∂u of each
  input u and adds the product to ∂L/∂u. A value used by several nodes collects one such
  contribution from each of them: that sum is the multivariate chain rule.

This module does it for scalars, on graphs small enough to draw: ``Graph`` holds the nodes
and runs both passes; ``descent.plotting.graphs`` draws its values and gradients
(``draw_graph``) and plays the two passes node by node (``animate_graph``). The layers of
``descent.nn`` apply the same two rules to whole arrays at once. Example, one sigmoid
neuron with a squared error::

    g = Graph([
        ("x", "input"), ("w", "input"), ("b", "input"), ("t", "input"),
        ("a", "mul", "w", "x"), ("z", "add", "a", "b"), ("y", "sigmoid", "z"),
        ("e", "sub", "y", "t"), ("L", "half_square", "e"),
    ])
    g.forward(x=1.5, w=0.8, b=-0.2, t=1.0)   # g.values["L"] = ½ (σ(1) − 1)² ≈ 0.0362
    g.backward()                             # g.grads["w"] = ∂L/∂w ≈ −0.0793

Only the standard library is imported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["OPS", "Graph", "Op", "format_number"]


@dataclass(frozen=True)
class Op:
    """An elementary operation: its value, its local derivatives, and how to write them.

    Attributes:
        symbol: what a drawing writes in the node, e.g. "×".
        arity: the number of inputs.
        value: ``value(*inputs)`` -> the node's value v.
        local: local(inputs, v) -> tuple of ∂v/∂uᵢ, one per input uᵢ.
        expr: v as a formula of its inputs {0}, {1}, e.g. "{0} × {1}".
        dexpr: each ∂v/∂uᵢ as a formula of the inputs and of v itself ({v}), e.g.
            ("{1}", "{0}") for a product.
    """

    symbol: str
    arity: int
    value: Callable
    local: Callable
    expr: str
    dexpr: tuple[str, ...]


def _sigmoid(a: float) -> float:
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


#: The operations a node may use, by name.
OPS: dict[str, Op] = {
    "add": Op("+", 2, lambda a, b: a + b, lambda u, v: (1.0, 1.0), "{0} + {1}", ("1", "1")),
    "sub": Op("−", 2, lambda a, b: a - b, lambda u, v: (1.0, -1.0), "{0} − {1}", ("1", "(−1)")),
    "mul": Op("×", 2, lambda a, b: a * b, lambda u, v: (u[1], u[0]), "{0} × {1}", ("{1}", "{0}")),
    "sigmoid": Op("σ", 1, _sigmoid, lambda u, v: (v * (1.0 - v),), "σ({0})", ("{v}(1 − {v})",)),
    "relu": Op(
        "ReLU",
        1,
        lambda a: max(a, 0.0),
        lambda u, v: (float(u[0] > 0),),
        "max(0, {0})",
        ("[{0} > 0]",),
    ),
    "exp": Op("exp", 1, math.exp, lambda u, v: (v,), "exp({0})", ("{v}",)),
    "log": Op("log", 1, math.log, lambda u, v: (1.0 / u[0],), "log {0}", ("1/{0}",)),
    "square": Op("x²", 1, lambda a: a * a, lambda u, v: (2.0 * u[0],), "{0}²", ("2{0}",)),
    "half_square": Op("½x²", 1, lambda a: 0.5 * a * a, lambda u, v: (u[0],), "½{0}²", ("{0}",)),
}


def format_number(x: float) -> str:
    """A number for a label: 3 significant digits and a true minus sign."""
    return f"{x:.3g}".replace("-", "−")


def _operand(x: float) -> str:
    """A number inside a formula: negative ones in parentheses, as in "1.2 + (−0.2)"."""
    return f"({format_number(x)})" if x < 0 else format_number(x)


@dataclass(frozen=True)
class _Node:
    name: str
    op: str
    inputs: tuple[str, ...]


class Graph:
    """A computational graph of scalar operations; the last node is the output L.

    Args:
        nodes: one tuple per node, in an order where every node comes after its inputs:
            ``(name, "input")`` for an input, ``(name, op, input_1, ...)`` for an operation,
            with ``op`` a key of ``OPS``.

    Attributes:
        values: name -> value of every node (set by ``forward``).
        grads: name -> ∂L/∂(that node), with ∂L/∂L = 1 (set by ``backward``).
        trace: the backward pass as it happened, one entry per node in reverse order:
            ``(name, [(consumer, ∂L/∂consumer, ∂consumer/∂name), ...])``; the node's
            gradient is the sum of the products in its list.
    """

    def __init__(self, nodes: Sequence[tuple]):
        self.nodes: list[_Node] = []
        seen: set[str] = set()
        for spec in nodes:
            if len(spec) < 2:
                raise ValueError(f"a node is (name, op, *inputs), got {spec!r}")
            name, op, *inputs = spec
            if name in seen:
                raise ValueError(f"node {name!r} is defined twice")
            if op != "input" and op not in OPS:
                raise ValueError(f"unknown op {op!r} for node {name!r}; known: {sorted(OPS)}")
            arity = 0 if op == "input" else OPS[op].arity
            if len(inputs) != arity:
                raise ValueError(f"node {name!r}: {op} takes {arity} inputs, got {len(inputs)}")
            missing = [u for u in inputs if u not in seen]
            if missing:
                raise ValueError(
                    f"node {name!r} uses {missing} before they are defined: list every node "
                    "after its inputs"
                )
            self.nodes.append(_Node(name, op, tuple(inputs)))
            seen.add(name)
        if not self.nodes or self.nodes[-1].op == "input":
            raise ValueError("the last node, the output L, must be an operation")
        self.values: dict[str, float] = {}
        self.grads: dict[str, float] = {}
        self.trace: list[tuple[str, list[tuple[str, float, float]]]] = []

    @property
    def inputs(self) -> list[str]:
        """The names of the input nodes, in order."""
        return [n.name for n in self.nodes if n.op == "input"]

    @property
    def output(self) -> str:
        """The name of the output node L (the last one)."""
        return self.nodes[-1].name

    def consumers(self, name: str) -> list[str]:
        """The nodes that use ``name`` as an input (each once per use)."""
        return [n.name for n in self.nodes for u in n.inputs if u == name]

    def forward(self, **inputs: float) -> float:
        """Evaluate every node in order; return the output L. Stores ``values``."""
        missing = set(self.inputs) - set(inputs)
        extra = set(inputs) - set(self.inputs)
        if missing or extra:
            raise ValueError(
                f"forward needs exactly the inputs {self.inputs}; missing {sorted(missing)}, "
                f"unknown {sorted(extra)}"
            )
        values = {}
        for node in self.nodes:
            if node.op == "input":
                values[node.name] = float(inputs[node.name])
            else:
                values[node.name] = float(OPS[node.op].value(*(values[u] for u in node.inputs)))
        self.values = values
        self.grads, self.trace = {}, []
        return values[self.output]

    def local_derivatives(self, name: str) -> tuple[float, ...]:
        """∂v/∂uᵢ of node ``name`` with respect to each of its inputs, at the current values."""
        node = self._node(name)
        if node.op == "input":
            return ()
        if not self.values:
            raise RuntimeError("call forward before asking for derivatives")
        op = OPS[node.op]
        return tuple(
            float(d) for d in op.local([self.values[u] for u in node.inputs], self.values[name])
        )

    def backward(self) -> dict[str, float]:
        """Reverse-mode sweep: ∂L/∂v for every node v. Stores and returns ``grads``."""
        if not self.values:
            raise RuntimeError("call forward before backward")
        grads = {n.name: 0.0 for n in self.nodes}
        grads[self.output] = 1.0
        contributions: dict[str, list] = {n.name: [] for n in self.nodes}
        for node in reversed(self.nodes):  # every consumer of a node comes after it
            for u, local in zip(node.inputs, self.local_derivatives(node.name), strict=True):
                grads[u] += grads[node.name] * local
                contributions[u].append((node.name, grads[node.name], local))
        self.grads = grads
        self.trace = [(n.name, contributions[n.name]) for n in reversed(self.nodes)]
        return dict(grads)

    def formula(self, name: str) -> str:
        """The node's value as a formula of its inputs' names, e.g. "a = w × x"."""
        node = self._node(name)
        if node.op == "input":
            return f"{name} (an input)"
        return f"{name} = " + OPS[node.op].expr.format(*node.inputs)

    def forward_caption(self, name: str) -> str:
        """The node's value with its formula, e.g. "a = w × x = 0.8 × 1.5 = 1.2"."""
        node = self._node(name)
        if node.op == "input":
            return f"{name} = {format_number(self.values[name])}"
        numbers = OPS[node.op].expr.format(*(_operand(self.values[u]) for u in node.inputs))
        return f"{self.formula(name)} = {numbers} = {format_number(self.values[name])}"

    def caption(self, name: str) -> str:
        """The chain-rule sum that gave ∂L/∂``name``, with its numbers, e.g.
        "∂L/∂z = ∂L/∂y · y(1 − y) = (−0.269)(0.197) = −0.0529"."""
        if not self.trace:
            raise RuntimeError("call backward first")
        if name == self.output:
            return f"∂{name}/∂{name} = 1"
        symbolic, numeric = [], []
        for consumer, upstream, local in dict(self.trace)[name]:
            node = self._node(consumer)
            k = node.inputs.index(name) if node.inputs.count(name) == 1 else None
            if k is None:  # the same input twice (x × x): write the derivative by its name
                d = f"∂{consumer}/∂{name}"
            else:
                d = OPS[node.op].dexpr[k].format(*node.inputs, v=consumer)
            if consumer == self.output:
                symbolic.append(d)
                numeric.append(format_number(local))
            else:
                symbolic.append(f"∂L/∂{consumer} · {d}")
                numeric.append(f"({format_number(upstream)})({format_number(local)})")
        text = f"∂L/∂{name} = " + " + ".join(symbolic)
        if numeric != [format_number(self.grads[name])]:
            text += " = " + " + ".join(numeric)
        return text + f" = {format_number(self.grads[name])}"

    def _node(self, name: str) -> _Node:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"no node named {name!r}")

    def layout(self, spacing: float = 1.5) -> dict[str, tuple[float, float]]:
        """Default drawing positions, left to right in the order of computation.

        An operation sits in the column of its depth (1 + the deepest of its inputs); the
        operations of one column are spread vertically around 0. An input sits one column
        left of its first consumer: beside the other inputs of that consumer if the column
        is free, else below what is already there.
        """
        depth: dict[str, int] = {}
        for node in self.nodes:
            if node.op != "input":
                depth[node.name] = 1 + max(depth.get(u, 0) for u in node.inputs)
        pos: dict[str, tuple[float, float]] = {}
        columns: dict[int, list[str]] = {}
        for node in self.nodes:
            if node.op != "input":
                columns.setdefault(depth[node.name], []).append(node.name)
        for col, names in columns.items():
            for i, name in enumerate(names):
                pos[name] = (float(col), spacing * ((len(names) - 1) / 2 - i))
        for node in self.nodes:
            if node.op == "input":
                continue
            new = [u for u in dict.fromkeys(node.inputs) if u not in pos]
            col, y = depth[node.name] - 1, pos[node.name][1]
            taken = [p[1] for p in pos.values() if p[0] == col]
            for i, u in enumerate(new):
                if taken:
                    pos[u] = (float(col), min(taken) - spacing * (i + 1))
                else:
                    pos[u] = (float(col), y + spacing * ((len(new) - 1) / 2 - i))
        for name in self.inputs:  # an input nobody uses
            pos.setdefault(name, (0.0, -spacing * len(pos)))
        return pos

    def __repr__(self) -> str:
        ops = ", ".join(n.name + "=" + n.op for n in self.nodes if n.op != "input")
        return f"Graph(inputs={self.inputs}, {ops})"
