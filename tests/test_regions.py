"""descent.plotting.regions: the regions drawn are the classes the model predicts, and the figure
is labelled."""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from descent.plotting import regions  # noqa: E402


def _frame_count(html: str) -> int:
    """How many frames the animation player holds (its image also shows the first one)."""
    return len(re.findall(r'frames\[\d+\] = "data:image/png;base64,', html))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


class HalfPlanes:
    """Scores that make class 1 the prediction exactly where x₁ > 0 (and class 2 where
    x₂ > 2, if three classes are asked for)."""

    def __init__(self, n_classes=2):
        self.n_classes = n_classes

    def predict(self, x):
        scores = np.zeros((len(x), self.n_classes))
        scores[:, 1] = x[:, 0]
        if self.n_classes > 2:
            scores[:, 2] = 10 * (x[:, 1] - 2)
        return scores


def test_predict_grid_gives_the_argmax_class_everywhere():
    X, Y, labels = regions.predict_grid(HalfPlanes(), ((-1, 1), (-1, 1)), resolution=21)
    assert X.shape == Y.shape == labels.shape == (21, 21)
    assert np.array_equal(labels, (X > 0).astype(int))


def test_predict_grid_refuses_an_empty_window():
    with pytest.raises(ValueError, match="window"):
        regions.predict_grid(HalfPlanes(), ((1, -1), (0, 1)))


def test_decision_regions_draws_labels_accuracy_and_mistakes():
    x = np.array([[-1.0, 0.0], [1.0, 0.0], [0.5, 0.5], [-0.5, -0.5]])
    t = np.array([0, 1, 0, 0])  # the third point lies on the class-1 side: one mistake
    ax = regions.decision_regions(HalfPlanes(), x, t, resolution=30)
    assert ax.get_title() == "Decision regions (accuracy 75%)"
    assert ax.get_xlabel() and ax.get_ylabel()
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["class 0", "class 1", "misclassified"]
    circled = ax.collections[-1].get_offsets()
    assert np.allclose(circled, [[0.5, 0.5]])
    mesh = ax.collections[0].get_array().reshape(30, 30)
    assert set(np.unique(mesh)) == {0, 1}


def test_three_classes_and_a_given_window_and_title():
    x = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 3.0]])
    t = np.array([0, 1, 2])
    ax = regions.decision_regions(
        HalfPlanes(3), x, t, window=((-2, 2), (-1, 4)), title="three", resolution=40
    )
    assert ax.get_title() == "three" and ax.get_xlim() == (-2, 2)
    assert "misclassified" not in [text.get_text() for text in ax.get_legend().get_texts()]
    assert set(np.unique(ax.collections[0].get_array())) == {0, 1, 2}


def test_region_axes_sets_the_axes_up_as_decision_regions_does():
    x = np.array([[-1.0, 0.0], [1.0, 0.0], [0.5, 2.5]])
    drawn = regions.decision_regions(HalfPlanes(), x, np.array([0, 1, 1]), resolution=20)
    _, ax = plt.subplots()
    window = regions.region_axes(ax, x)
    assert window == ((-1.5, 1.5), (-0.5, 3.0))  # the points' range and a margin of 0.5
    for get in ("get_xlim", "get_ylim", "get_xlabel", "get_ylabel"):
        assert getattr(ax, get)() == getattr(drawn, get)()
    assert not ax.xaxis.get_gridlines()[0].get_visible()
    assert not ax.collections and ax.get_legend() is None  # nothing drawn
    assert regions.region_axes(ax, None, ((-2, 2), (-1, 4))) == ((-2, 2), (-1, 4))
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-1, 4)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        regions.decision_regions(HalfPlanes(), np.zeros((3, 3)), np.zeros(3, dtype=int))


def test_animate_training_records_the_model_as_it_learns():
    from descent import data, nn
    from descent.optimizers import SGD

    blobs = data.make_blobs(20, centers=[(-2.0, 0.0), (2.0, 0.0)], std=0.5, seed=0)
    model = nn.MLP(2, [], 2, seed=0)
    before = model.accuracy(blobs.x_train, blobs.t_train)
    html, snapshots = regions.animate_training(
        model, SGD(lr=0.5), blobs, epochs=6, frames=4, resolution=20, dpi=30
    )
    assert [epoch for epoch, _ in snapshots] == [0, 2, 4, 6]
    assert snapshots[0][1] == pytest.approx(before)
    assert snapshots[-1][1] == pytest.approx(model.accuracy(blobs.x_train, blobs.t_train))
    assert snapshots[-1][1] == 1.0  # two well separated blobs: learned
    assert _frame_count(html.data) == 4
    assert plt.get_fignums() == []
    alt = f"from epoch 0 to epoch 6: the training accuracy goes from {before:.0%} to 100%."
    assert alt in html.data  # the player's alternative text
    with pytest.raises(ValueError, match="frames"):
        regions.animate_training(model, SGD(lr=0.5), blobs, frames=1)


def test_region_legend_names_what_decision_regions_draws_and_sits_beside_the_axes():
    x = np.array([[-1.0, 0.0], [1.0, 0.0], [0.5, 0.5], [-0.5, -0.5]])
    t = np.array([0, 1, 0, 0])
    ax = regions.decision_regions(HalfPlanes(), x, t, resolution=20, legend=False)
    assert ax.get_legend() is None
    points = ax.collections[-3:-1]  # class 0, class 1 (then the circles of the mistakes)
    legend = regions.region_legend(ax, n_classes=2)
    assert [text.get_text() for text in legend.get_texts()] == [
        "class 0",
        "class 1",
        "misclassified",
    ]
    for handle, drawn, marker in zip(legend.legend_handles, points, "os", strict=False):
        assert handle.get_marker() == marker
        assert np.allclose(to_rgb(handle.get_color()), drawn.get_facecolor()[0][:3])
        assert handle.get_markersize() ** 2 == pytest.approx(drawn.get_sizes()[0])
    circles = legend.legend_handles[2]
    assert circles.get_markerfacecolor() == "none"
    assert circles.get_markersize() ** 2 == pytest.approx(ax.collections[-1].get_sizes()[0])
    ax.figure.canvas.draw()
    inside = ax.get_window_extent()
    assert legend.get_window_extent().x0 > inside.x1  # beside the axes, not over the regions


def test_region_legend_refuses_more_classes_than_it_has_colours():
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="at most 6 classes"):
        regions.region_legend(ax, n_classes=7)
