"""descent.widgets: live sliders for Jupyter, and a PNG of the same figure for the book."""

import base64
import io
import time

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from descent import functions, timing, widgets  # noqa: E402
from descent.optimizers import SGD, Momentum  # noqa: E402
from descent.plotting import regions  # noqa: E402
from descent.training import run  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _recording_explorer():
    calls = []

    def draw(ax, height):
        calls.append(height)
        ax.plot([0, 1], [height, height], label="level")
        ax.set_ylim(0, 1)
        ax.set_title(f"height {height:.1f}")

    return widgets.explore(draw, height=(0.0, 1.0, 0.1, 0.2)), calls


def test_the_bundle_has_the_live_view_and_a_picture():
    explorer, _ = _recording_explorer()
    bundle = explorer._repr_mimebundle_()
    assert bundle[WIDGET_VIEW]["model_id"] == explorer.ui.model_id
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(PNG_SIGNATURE) and len(png) > 1000
    assert "Binder" in bundle["text/plain"]


def test_moving_a_slider_redraws_the_figure():
    explorer, calls = _recording_explorer()
    assert calls == [0.2]  # drawn once, with the default
    before = explorer.image.value
    explorer.controls["height"].value = 0.8
    assert calls[-1] == pytest.approx(0.8)
    after = bytes(explorer.image.value)
    assert after != bytes(before) and after.startswith(PNG_SIGNATURE)
    bundle_png = base64.b64decode(explorer._repr_mimebundle_()["image/png"])
    assert bundle_png == after  # the picture shows what the sliders say
    assert explorer.values == {"height": pytest.approx(0.8)}
    fig = explorer.figure(height=0.5)
    assert fig.axes[0].get_title() == "height 0.5"


def test_slider_specifications():
    explorer = widgets.explore(
        lambda ax, **values: None,
        steps=(10, 200, 10, 50),
        lr=(0.01, 1.0, 0.01, 0.1),
        eps=widgets.log_slider(1e-8, 1e-2, 1e-6),
        method=["centered", "forward"],
        show=True,
        mine=ipywidgets.FloatText(value=3.0),
    )
    c = explorer.controls
    assert isinstance(c["steps"], ipywidgets.IntSlider) and c["steps"].value == 50
    assert isinstance(c["lr"], ipywidgets.FloatSlider) and c["lr"].value == 0.1
    assert isinstance(c["eps"], ipywidgets.FloatLogSlider)
    assert c["eps"].value == pytest.approx(1e-6)
    assert isinstance(c["method"], ipywidgets.Dropdown) and c["method"].value == "centered"
    assert isinstance(c["show"], ipywidgets.Checkbox) and c["show"].value is True
    assert c["mine"].value == 3.0
    assert c["lr"].description == "η" and c["steps"].description == "steps"
    for name in ("steps", "lr", "eps", "mine"):
        assert c[name].continuous_update is False  # redraw on release: responsive
    assert widgets.explore(lambda ax, a: None, a=(0.0, 1.0)).controls["a"].value == 0.5
    with pytest.raises(TypeError, match="slider 'bad'"):
        widgets.explore(lambda ax, bad: None, bad="no")
    with pytest.raises(ValueError, match="outside"):
        widgets.explore(lambda ax, a: None, a=(0.0, 1.0, 0.1, 2.0))


def test_an_error_in_draw_is_shown_not_raised():
    def draw(ax, a):
        if a > 0.5:
            raise ValueError("a is too large")
        ax.plot([0, a])

    explorer = widgets.explore(draw, a=(0.0, 1.0, 0.1, 0.2))
    assert explorer.message.value == ""
    explorer.controls["a"].value = 0.9
    assert "ValueError" in explorer.message.value and "too large" in explorer.message.value
    explorer.controls["a"].value = 0.3
    assert explorer.message.value == ""


def test_trajectory_explorer_runs_the_optimizer_the_sliders_describe():
    made = []

    def make(lr, momentum):
        made.append((lr, momentum))
        return Momentum(lr=lr, momentum=momentum)

    explorer = widgets.trajectory_explorer(
        functions.bowl,
        make,
        {"lr": (0.01, 0.5, 0.01, 0.1), "momentum": (0.0, 0.99, 0.01, 0.9), "y0": (-4.0, 4.0)},
        steps=30,
    )
    assert made == [(0.1, 0.9)]
    ax = explorer.figure().axes[0]
    assert "η = 0.1" in ax.get_title() and "μ = 0.9" in ax.get_title()
    path = next(line for line in ax.get_lines() if line.get_label() == "Momentum (η=0.1)")
    x, y = path.get_data()
    assert len(x) == 31
    assert (x[0], y[0]) == (functions.bowl.start[0], 0.0)  # y0 slider, default 0
    before = bytes(explorer.image.value)
    explorer.controls["momentum"].value = 0.5
    assert made[-1] == (0.1, 0.5) and bytes(explorer.image.value) != before


def test_trajectory_explorer_compares_several_optimizers_in_1d():
    explorer = widgets.trajectory_explorer(
        functions.sinc10,
        lambda lr: {"SGD": SGD(lr=lr), "Momentum": Momentum(lr=lr)},
        {"lr": (0.1, 2.0, 0.1, 0.5), "x0": (-10.0, 10.0, 0.5, 2.0)},
    )
    labels = [t.get_text() for t in explorer.figure().axes[0].get_legend().get_texts()]
    assert {"SGD", "Momentum", "start"} <= set(labels)
    assert bytes(explorer.image.value).startswith(PNG_SIGNATURE)


def test_trajectory_explorer_runs_a_path_once_and_remembers_it(monkeypatch):
    runs = []

    def counting_run(optimizer, *args, **kwargs):
        runs.append(repr(optimizer))
        return run(optimizer, *args, **kwargs)

    monkeypatch.setattr(widgets, "run", counting_run)

    class MyMomentum(Momentum):  # not one of the package's classes: never remembered
        pass

    def make(lr, momentum):
        return {
            "SGD": SGD(lr=lr),
            "Momentum": Momentum(lr=lr, momentum=momentum),
            "mine": MyMomentum(lr=lr, momentum=momentum),
        }

    sliders = {"lr": (0.01, 0.5, 0.01, 0.1), "momentum": (0.0, 0.99, 0.01, 0.9)}
    explorer = widgets.trajectory_explorer(functions.bowl, make, sliders, steps=30)
    assert len(runs) == 3
    explorer.controls["momentum"].value = 0.5  # SGD's path does not depend on μ
    assert runs[3:] == ["Momentum(lr=0.1, momentum=0.5)", "MyMomentum(lr=0.1, momentum=0.5)"]
    explorer.controls["momentum"].value = 0.9  # seen before: only "mine" runs again
    assert runs[5:] == ["MyMomentum(lr=0.1, momentum=0.9)"]
    # the remembered paths are those that run computes, and so is the picture
    lines = {line.get_label(): line for line in explorer.fig.axes[0].get_lines()}
    for label, optimizer in make(0.1, 0.9).items():
        direct = run(optimizer, functions.bowl, steps=30).points
        assert np.array_equal(np.column_stack(lines[label].get_data()), direct)
    monkeypatch.setattr(widgets, "run", run)
    fresh = widgets.trajectory_explorer(functions.bowl, make, sliders, steps=30)
    assert bytes(explorer.image.value) == bytes(fresh.image.value)


def _counting_draws(explorer):
    """Count the full drawings of the explorer's figure and the pictures it sends."""
    counts = {"draws": 0, "pictures": 0}
    canvas = explorer.fig.canvas
    full_draw = canvas.draw

    def draw(*args, **kwargs):
        counts["draws"] += 1
        return full_draw(*args, **kwargs)

    canvas.draw = draw
    explorer.image.observe(
        lambda change: counts.__setitem__("pictures", counts["pictures"] + 1), "value"
    )
    return counts


def test_one_drawing_and_one_picture_per_change():
    explorer, calls = _recording_explorer()
    figure = explorer.fig
    counts = _counting_draws(explorer)
    for value in (0.4, 0.6, 0.9):
        explorer.controls["height"].value = value
    assert counts == {"draws": 3, "pictures": 3} and len(calls) == 4
    assert explorer.fig is figure  # the same figure, drawn again


def test_trajectory_explorer_keeps_its_contours_and_moves_only_the_paths():
    explorer = widgets.trajectory_explorer(
        functions.bowl, Momentum, {"lr": (0.01, 0.5, 0.01, 0.1), "momentum": (0.0, 0.99, 0.01, 0.9)}
    )
    ax = explorer.fig.axes[0]
    contours = list(ax.collections)
    counts = _counting_draws(explorer)
    explorer.controls["momentum"].value = 0.5
    explorer.controls["lr"].value = 0.3
    assert counts == {"draws": 0, "pictures": 2}  # the kept background, paths drawn over it
    assert list(ax.collections) == contours  # the same contour artists, not new ones
    paths = [line for line in ax.get_lines() if line.get_label().startswith("Momentum")]
    assert len(paths) == 1  # the old path was removed, not left under the new one
    # the picture over the kept background is the one a fresh explorer draws for these values
    fresh = widgets.trajectory_explorer(
        functions.bowl, Momentum, {"lr": (0.01, 0.5, 0.01, 0.3), "momentum": (0.0, 0.99, 0.01, 0.5)}
    )
    assert bytes(explorer.image.value) == bytes(fresh.image.value)


def test_a_background_saves_drawing_but_not_a_pixel():
    # decision regions fill the axes, under their spines: drawn over a kept background,
    # the picture must still be the one of a full drawing, spines over the regions
    x = np.array([[-1.0, -1.0], [1.0, 0.5], [0.5, -1.0], [-0.5, 1.0]])
    t = np.array([0, 1, 1, 0])

    class Tilted:  # class 1 where x₁ + a·x₂ > 0
        def __init__(self, a):
            self.a = a

        def predict(self, points):
            return np.column_stack([np.zeros(len(points)), points @ [1.0, self.a]])

    def draw(ax, a):
        regions.decision_regions(Tilted(a), x, t, ax=ax, resolution=40, title=f"a = {a:g}")

    full = widgets.explore(draw, a=(-1.0, 1.0, 0.5, 0.0))
    kept = widgets.explore(draw, lambda ax: regions.region_axes(ax, x), a=(-1.0, 1.0, 0.5, 0.0))
    for a in (0.0, 1.0, -0.5):
        assert kept.png(a=a) == full.png(a=a)
    assert kept._pixels is not None  # the axes were drawn once and kept


def test_readouts_show_every_decimal_of_the_step():
    explorer = widgets.explore(
        lambda ax, **values: None,
        beta2=(0.9, 0.9999, 0.0001, 0.9999),
        lr=(0.01, 0.55, 0.005, 0.3),
        x0=(-4.5, 4.5, 0.5, 1.0),
        a=(0.0, 1.0),
    )
    formats = {name: c.readout_format for name, c in explorer.controls.items()}
    assert formats == {"beta2": ".4f", "lr": ".3f", "x0": ".1f", "a": ".2f"}
    assert format(explorer.controls["beta2"].value, formats["beta2"]) == "0.9999"  # not 1.00


def test_the_picture_is_cropped_and_shown_at_its_own_size():
    from PIL import Image

    # Rosenbrock's square window, drawn with equal axes: white on both sides of the plot
    explorer = widgets.trajectory_explorer(functions.rosenbrock, SGD, {"lr": (1e-4, 2e-3)})
    picture = Image.open(io.BytesIO(explorer.image.value))
    width, height = explorer.fig.canvas.get_width_height()
    assert picture.mode == "RGB"  # opaque, legible in dark mode
    assert picture.width < width and picture.height < height  # white border cut off
    pixels = np.asarray(picture)
    assert (pixels[:5] > 250).all() and (pixels[-8:] < 250).any()  # a small margin remains
    layout = explorer.image.layout
    assert layout.width is None and layout.align_self == "flex-start"  # not stretched
    assert height <= 480  # with two rows of sliders, fits a 1366 x 768 laptop in JupyterLab


def test_png_is_the_file_pillow_writes_in_less_time():
    from PIL import Image

    explorer = widgets.trajectory_explorer(functions.beale, SGD, {"lr": (1e-4, 2e-3)})
    pixels = np.asarray(Image.open(io.BytesIO(explorer.image.value)))

    def pillows_png():
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format="png", compress_level=1, dpi=(100, 100))
        return buffer.getvalue()

    ours, theirs = widgets._png(pixels, 100), pillows_png()
    picture, reference = Image.open(io.BytesIO(ours)), Image.open(io.BytesIO(theirs))
    assert picture.mode == "RGB" and picture.size == reference.size
    np.testing.assert_array_equal(np.asarray(picture), pixels)  # lossless
    assert picture.info["dpi"] == reference.info["dpi"]
    assert len(ours) < 1.2 * len(theirs)  # about as small
    times = timing.interleaved(
        {"ours": lambda: widgets._png(pixels, 100), "pillow": pillows_png},
        clock=time.process_time,
    )
    assert times["ours"] < times["pillow"]  # measured: about half the time
