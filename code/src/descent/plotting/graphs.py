"""Computational graphs drawn: values above the nodes, gradients below, and the two passes.

``draw_graph`` draws a ``descent.compgraph.Graph`` on a matplotlib axes, with the values and
gradients of its last forward and backward passes; ``update_graph`` changes what the
drawing shows; ``animate_graph`` plays the forward pass, then the backward pass, one node
per frame (``animation_frames`` lists the frames).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from descent.compgraph import OPS, Graph, format_number
from descent.plotting.animation import animation_html

__all__ = ["animate_graph", "animation_frames", "draw_graph", "update_graph"]

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
    update_graph(graph, artists, values=values, grads=grads, active=active, flowing=flowing)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.75, max(ys) + 0.75)
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title, fontsize=10)
    return artists


def update_graph(graph: Graph, artists: dict, *, values=True, grads=True, active=(), flowing=()):
    """Update the labels and arrows that ``draw_graph`` returned.

    ``values`` and ``grads`` as in ``draw_graph``; ``active``: edges (input, consumer) to
    draw bold (a value flowing forward); ``flowing``: edges to draw in vermillion with the
    arrow head turned back towards the input (a gradient flowing backward).
    """
    shown_v = _chosen(values, graph.values)
    shown_g = _chosen(grads, graph.grads)
    inputs = graph.inputs
    for name, text in artists["values"].items():
        value = format_number(graph.values[name]) if name in shown_v else ""
        if name in inputs:
            text.set_text(value)
        else:
            text.set_text(f"{name} = {value}" if value else name)
    for name, text in artists["grads"].items():
        text.set_text(format_number(graph.grads[name]) if name in shown_g else "")
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
    """The frames of ``animate_graph``: dicts of keyword arguments of ``update_graph`` (values,
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
    (``animation_html``), the figure never registered with pyplot.
    ``alt``, the player's alternative text, says this in words by default.
    """
    frames = animation_frames(graph)
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, 0.0, 1.0, 0.86))
    artists = draw_graph(graph, ax, values=False, grads=False, positions=positions)
    caption = fig.text(0.5, 0.95, "", ha="center", va="top", fontsize=11)

    def update(k):
        frame = frames[k]
        update_graph(graph, artists, **{k: v for k, v in frame.items() if k != "caption"})
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
        return animation_html(anim, alt=alt)
