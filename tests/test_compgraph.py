"""descent.compgraph: forward and backward passes of scalar graphs agree with calculus and
with finite differences; descent.plotting.graphs: the drawing and the animation show what
the passes computed."""

import math
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from descent.compgraph import OPS, Graph  # noqa: E402
from descent.gradients import numerical_gradient  # noqa: E402
from descent.plotting import graphs  # noqa: E402


def _frame_count(html: str) -> int:
    """How many frames the animation player holds (its image also shows the first one)."""
    return len(re.findall(r'frames\[\d+\] = "data:image/png;base64,', html))


NEURON = [
    ("x", "input"),
    ("w", "input"),
    ("b", "input"),
    ("t", "input"),
    ("a", "mul", "w", "x"),
    ("z", "add", "a", "b"),
    ("y", "sigmoid", "z"),
    ("e", "sub", "y", "t"),
    ("L", "half_square", "e"),
]
POINT = dict(x=1.5, w=0.8, b=-0.2, t=1.0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _finite_differences(graph, point):
    names = graph.inputs
    theta = np.array([point[n] for n in names])

    def f(v):
        return graph.forward(**dict(zip(names, v, strict=True)))

    return dict(zip(names, numerical_gradient(f, theta), strict=True))


def test_neuron_forward_and_backward_by_hand():
    g = Graph(NEURON)
    loss = g.forward(**POINT)
    y = 1 / (1 + math.exp(-1.0))  # z = 0.8 · 1.5 − 0.2 = 1
    assert g.values["z"] == pytest.approx(1.0)
    assert loss == pytest.approx(0.5 * (y - 1) ** 2)
    grads = g.backward()
    dz = (y - 1) * y * (1 - y)
    assert grads["L"] == 1.0
    assert grads["w"] == pytest.approx(dz * 1.5)
    assert grads["x"] == pytest.approx(dz * 0.8)
    assert grads["b"] == pytest.approx(dz)
    assert grads["t"] == pytest.approx(-(y - 1))


@pytest.mark.parametrize("seed", range(3))
def test_backward_matches_finite_differences_on_every_op(seed):
    rng = np.random.default_rng(seed)
    nodes = [
        ("p", "input"),
        ("q", "input"),
        ("s", "mul", "p", "q"),
        ("u", "exp", "s"),
        ("v", "add", "u", "p"),  # p is used twice: its gradient is a sum
        ("k", "log", "v"),
        ("r", "relu", "k"),
        ("m", "sigmoid", "q"),
        ("d", "sub", "r", "m"),
        ("sq", "square", "d"),
        ("L", "half_square", "sq"),
    ]
    g = Graph(nodes)
    point = dict(p=rng.uniform(0.5, 1.5), q=rng.uniform(-1, 1))
    g.forward(**point)
    grads = g.backward()
    numeric = _finite_differences(g, point)
    for name in g.inputs:
        assert grads[name] == pytest.approx(numeric[name], rel=1e-7, abs=1e-10), name
    assert set(OPS) <= {op for _, op, *_ in nodes}  # every op is exercised


def test_fan_out_gradients_add_up_and_the_trace_shows_both():
    g = Graph([("x", "input"), ("s", "mul", "x", "x"), ("L", "add", "s", "x")])
    g.forward(x=3.0)
    grads = g.backward()
    assert grads["x"] == pytest.approx(2 * 3.0 + 1)  # d(x² + x)/dx
    parts = dict(g.trace)["x"]
    assert len(parts) == 3  # twice through the product, once through the sum
    assert "+" in g.caption("x") and g.caption("x").endswith("= 7")


def test_relu_local_derivative_is_zero_at_and_below_the_kink():
    g = Graph([("x", "input"), ("L", "relu", "x")])
    for x, expected in ((-1.0, 0.0), (0.0, 0.0), (2.0, 1.0)):
        g.forward(x=x)
        assert g.backward()["x"] == expected


def test_captions_carry_formulas_and_numbers():
    g = Graph(NEURON)
    g.forward(**POINT)
    g.backward()
    assert g.forward_caption("a") == "a = w × x = 0.8 × 1.5 = 1.2"
    assert g.forward_caption("z") == "z = a + b = 1.2 + (−0.2) = 1"
    assert g.caption("z") == "∂L/∂z = ∂L/∂y · y(1 − y) = (−0.269)(0.197) = −0.0529"
    assert g.caption("e") == "∂L/∂e = e = −0.269"
    assert g.caption("L") == "∂L/∂L = 1"


@pytest.mark.parametrize(
    "nodes, message",
    [
        ([("x", "input"), ("L", "mul", "x", "y")], "before they are defined"),
        ([("x", "input"), ("L", "cube", "x")], "unknown op"),
        ([("x", "input"), ("L", "add", "x")], "takes 2 inputs"),
        ([("x", "input"), ("x", "exp", "x")], "defined twice"),
        ([("x", "input")], "must be an operation"),
    ],
)
def test_bad_graphs_are_refused_with_a_reason(nodes, message):
    with pytest.raises(ValueError, match=message):
        Graph(nodes)


def test_forward_needs_exactly_the_inputs_and_backward_needs_forward():
    g = Graph(NEURON)
    with pytest.raises(RuntimeError, match="forward"):
        g.backward()
    with pytest.raises(ValueError, match="missing"):
        g.forward(x=1.0, w=1.0, b=0.0)


def test_layout_puts_every_node_left_of_its_consumers():
    g = Graph(NEURON)
    pos = g.layout()
    assert set(pos) == {n for n, *_ in NEURON}
    for name, _op, *inputs in NEURON:
        for u in inputs:
            assert pos[u][0] < pos[name][0], (u, name)
    assert len(set(pos.values())) == len(pos)  # no two nodes on one spot


def test_draw_graph_labels_values_and_gradients():
    g = Graph(NEURON)
    g.forward(**POINT)
    g.backward()
    fig, ax = plt.subplots()
    artists = graphs.draw_graph(g, ax, grads=["L", "e"], flowing=[("y", "e")])
    assert artists["values"]["z"].get_text() == "z = 1"
    assert artists["grads"]["e"].get_text() == "−0.269"
    assert artists["grads"]["w"].get_text() == ""  # not asked for
    hot = artists["edges"][("y", "e")].arrow_patch
    assert matplotlib.colors.to_hex(hot.get_edgecolor()).upper() == "#D55E00"
    assert len(artists["edges"]) == sum(len(inputs) for _, _, *inputs in NEURON)


def test_animation_frames_follow_the_two_passes_and_the_player_is_offline():
    g = Graph(NEURON)
    g.forward(**POINT)
    g.backward()
    frames = graphs.animation_frames(g)
    n_ops = sum(op != "input" for _, op, *_ in NEURON)
    assert len(frames) == 2 + n_ops + len(NEURON) + 1
    backward = [f for f in frames if f["caption"].startswith("Backward")]
    assert [f["grads"][-1] for f in backward] == [name for name, _ in g.trace]
    html = graphs.animate_graph(g, dpi=40).data
    assert _frame_count(html) == len(frames)
    assert "cdnjs" not in html and "font-awesome" not in html
    assert plt.get_fignums() == []  # nothing left open in pyplot
    alt = re.search(r'<img id="_anim_img\w*" alt="([^"]+)"', html).group(1)
    assert "forward pass computes" in alt and "backward pass" in alt
    with pytest.raises(RuntimeError, match="backward"):
        graphs.animation_frames(Graph(NEURON))
