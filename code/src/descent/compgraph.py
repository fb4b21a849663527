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
and runs both passes, ``draw_graph`` shows values and gradients on a matplotlib axes, and
``animate_graph`` plays the two passes node by node. The layers of ``descent.nn`` apply the
same two rules to whole arrays at once. Example, one sigmoid neuron with a squared error::

    g = Graph([
        ("x", "input"), ("w", "input"), ("b", "input"), ("t", "input"),
        ("a", "mul", "w", "x"), ("z", "add", "a", "b"), ("y", "sigmoid", "z"),
        ("e", "sub", "y", "t"), ("L", "half_square", "e"),
    ])
    g.forward(x=1.5, w=0.8, b=-0.2, t=1.0)   # g.values["L"] = ½ (σ(1) − 1)² ≈ 0.0362
    g.backward()                             # g.grads["w"] = ∂L/∂w ≈ −0.0793

Only the standard library is imported at module level; the drawing functions import
matplotlib when they are called.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["OPS", "Graph", "Op", "animate_graph", "animation_frames", "draw_graph", "show"]


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


def _num(x: float) -> str:
    """A number for a label: 3 significant digits and a true minus sign."""
    return f"{x:.3g}".replace("-", "−")


def _operand(x: float) -> str:
    """A number inside a formula: negative ones in parentheses, as in "1.2 + (−0.2)"."""
    return f"({_num(x)})" if x < 0 else _num(x)


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
            return f"{name} = {_num(self.values[name])}"
        numbers = OPS[node.op].expr.format(*(_operand(self.values[u]) for u in node.inputs))
        return f"{self.formula(name)} = {numbers} = {_num(self.values[name])}"

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
                numeric.append(_num(local))
            else:
                symbolic.append(f"∂L/∂{consumer} · {d}")
                numeric.append(f"({_num(upstream)})({_num(local)})")
        text = f"∂L/∂{name} = " + " + ".join(symbolic)
        if numeric != [_num(self.grads[name])]:
            text += " = " + " + ".join(numeric)
        return text + f" = {_num(self.grads[name])}"

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


# --------------------------------------------------------------------------- drawing

_VALUE_COLOR = "#000000"
_GRAD_COLOR = "#D55E00"  # Okabe–Ito vermillion: gradients, as in the rest of the chapter
_NODE_FILL = "#E8F1FA"
_EDGE = "0.45"


def draw_graph(
    graph: Graph,
    ax=None,
    *,
    values: Sequence[str] | bool = True,
    grads: Sequence[str] | bool = True,
    active: Sequence[tuple[str, str]] = (),
    flowing: Sequence[tuple[str, str]] = (),
    positions: dict | None = None,
    title: str | None = None,
) -> dict:
    """Draw ``graph``: nodes, arrows, values above the nodes and gradients below them.

    Args:
        graph: a ``Graph``; values and gradients come from its last forward / backward.
        ax: matplotlib axes (default: a new pyplot figure's).
        values: True (every value known), False (none) or the names whose value to show.
        grads: the same for the gradients ∂L/∂v, written in vermillion.
        active: edges (input, consumer) to draw bold, e.g. those a value flows along.
        flowing: edges to draw in vermillion, pointing back to the input: a gradient flows.
        positions: name -> (x, y); default ``graph.layout()``.
        title: the axes title.

    Returns:
        The artists, for animations: ``{"values": name -> Text, "grads": name -> Text,
        "edges": (input, consumer) -> Annotation}``.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8.5, 3.4))
    pos = graph.layout() if positions is None else dict(positions)
    missing = [n.name for n in graph.nodes if n.name not in pos]
    if missing:
        raise ValueError(f"positions has no place for the nodes {missing}")
    artists: dict = {"values": {}, "grads": {}, "edges": {}}
    for node in graph.nodes:
        for u in node.inputs:
            arrow = ax.annotate(
                "",
                xy=pos[node.name],
                xytext=pos[u],
                arrowprops=dict(arrowstyle="-|>", color=_EDGE, lw=1.2, shrinkA=16, shrinkB=16),
                zorder=1,
            )
            artists["edges"][(u, node.name)] = arrow
    for node in graph.nodes:
        x, y = pos[node.name]
        if node.op == "input":
            box = dict(boxstyle="round,pad=0.35", fc="white", ec=_EDGE)
            ax.text(
                x,
                y,
                node.name,
                ha="center",
                va="center",
                fontsize=12,
                style="italic",
                bbox=box,
                zorder=3,
            )
        else:
            box = dict(boxstyle="circle,pad=0.3", fc=_NODE_FILL, ec="0.3")
            ax.text(
                x, y, OPS[node.op].symbol, ha="center", va="center", fontsize=11, bbox=box, zorder=3
            )
        artists["values"][node.name] = ax.text(
            x, y + 0.32, "", ha="center", va="bottom", fontsize=11, color=_VALUE_COLOR
        )
        artists["grads"][node.name] = ax.text(
            x,
            y - 0.32,
            "",
            ha="center",
            va="top",
            fontsize=11,
            color=_GRAD_COLOR,
            weight="bold",
        )
    show(graph, artists, values=values, grads=grads, active=active, flowing=flowing)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.75, max(ys) + 0.75)
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title, fontsize=10)
    return artists


def show(graph: Graph, artists: dict, *, values=True, grads=True, active=(), flowing=()):
    """Update the labels and arrows that ``draw_graph`` returned.

    ``values`` and ``grads`` as in ``draw_graph``; ``active``: edges (input, consumer) to
    draw bold (a value flowing forward); ``flowing``: edges to draw in vermillion with the
    arrow head turned back towards the input (a gradient flowing backward).
    """
    shown_v = _chosen(values, graph.values)
    shown_g = _chosen(grads, graph.grads)
    for name, text in artists["values"].items():
        value = _num(graph.values[name]) if name in shown_v else ""
        if graph._node(name).op == "input":
            text.set_text(value)
        else:
            text.set_text(f"{name} = {value}" if value else name)
    for name, text in artists["grads"].items():
        text.set_text(_num(graph.grads[name]) if name in shown_g else "")
    active, flowing = set(active), set(flowing)
    for edge, arrow in artists["edges"].items():
        patch = arrow.arrow_patch
        if edge in flowing:
            patch.set_arrowstyle("<|-", head_length=0.5, head_width=0.3)
            patch.set_color(_GRAD_COLOR)
            patch.set_linewidth(2.8)
        else:
            patch.set_arrowstyle("-|>", head_length=0.4, head_width=0.2)
            patch.set_color(_VALUE_COLOR if edge in active else _EDGE)
            patch.set_linewidth(2.2 if edge in active else 1.2)


def _chosen(which, table: dict) -> set[str]:
    """The names to label: all that ``table`` knows (True), none (False), or those given."""
    if which is True:
        return set(table)
    if which is False:
        return set()
    return {name for name in which if name in table}


def animation_frames(graph: Graph) -> list[dict]:
    """The frames of ``animate_graph``: dicts of keyword arguments of ``show`` (values,
    grads, and active or flowing edges) and a ``caption``."""
    if not graph.trace:
        raise RuntimeError("run graph.forward(...) and graph.backward() before animating")
    names = [n.name for n in graph.nodes]
    frames = [dict(values=False, grads=False, caption="A computational graph")]
    known = list(graph.inputs)
    caption = "Forward pass: the inputs " + ", ".join(
        graph.forward_caption(u) for u in graph.inputs
    )
    frames.append(dict(values=list(known), grads=False, caption=caption))
    for node in graph.nodes:
        if node.op == "input":
            continue
        known.append(node.name)
        edges = [(u, node.name) for u in node.inputs]
        caption = "Forward pass: " + graph.forward_caption(node.name)
        frames.append(dict(values=list(known), grads=False, active=edges, caption=caption))
    done: list[str] = []
    for name, parts in graph.trace:
        done.append(name)
        edges = [(name, consumer) for consumer, _, _ in parts]
        caption = "Backward pass: " + graph.caption(name)
        frames.append(dict(values=names, grads=list(done), flowing=edges, caption=caption))
    caption = "One backward pass has given ∂L/∂v for every node v"
    frames.append(dict(values=names, grads=names, caption=caption))
    return frames


def animate_graph(
    graph: Graph,
    *,
    positions: dict | None = None,
    figsize=(8.5, 3.4),
    dpi: int = 72,
    interval: int = 1500,
    alt: str | None = None,
):
    """Play the forward pass, then the backward pass of ``graph``, one node per frame.

    The graph must have been through ``forward`` and ``backward``. The frames (see
    ``animation_frames``): the bare graph; the inputs' values; each operation's value, with
    its formula in the caption; then, from the output back to the inputs, each node's
    gradient ∂L/∂v (in vermillion, below the node), the edges it came through highlighted
    and the chain-rule product in the caption. Returns offline HTML for a notebook
    (``descent.plotting.animation_html``), the figure never registered with pyplot.
    ``alt``, the player's alternative text, says this in words by default.
    """
    import matplotlib as mpl
    from matplotlib.animation import FuncAnimation
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from descent import plotting

    frames = animation_frames(graph)
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, 0.0, 1.0, 0.86))
    artists = draw_graph(graph, ax, values=False, grads=False, positions=positions)
    caption = fig.text(0.5, 0.95, "", ha="center", va="top", fontsize=11)

    def update(k):
        frame = frames[k]
        show(graph, artists, **{k: v for k, v in frame.items() if k != "caption"})
        caption.set_text(frame["caption"])

    anim = FuncAnimation(fig, update, frames=len(frames), interval=interval)
    if alt is None:
        operations = [n.name for n in graph.nodes if n.op != "input"]
        alt = (
            f"Animation of the computational graph, one node per frame: the forward pass "
            f"computes {', '.join(operations)} from the inputs {', '.join(graph.inputs)}, left "
            f"to right; then the backward pass computes the gradient ∂{graph.output}/∂v of "
            f"every node v, from {graph.output} back to the inputs, as the chain rule's product "
            "of the upstream gradient and the local derivative."
        )
    # every frame the same size, at the figure's own dpi
    with mpl.rc_context({"savefig.bbox": "standard", "savefig.dpi": dpi}):
        return plotting.animation_html(anim, alt=alt)
