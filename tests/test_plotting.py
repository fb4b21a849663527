"""descent.plotting: every figure has a title, labels and a legend; one look per optimizer;
animations stay small and leave no figure open."""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.quiver import Quiver  # noqa: E402

from descent import functions, optimizers, plotting, training  # noqa: E402
from descent.optimizers import SGD, Adam, AdamW, Momentum  # noqa: E402


def _frame_count(html: str) -> int:
    """How many frames the animation player holds (its image also shows the first one)."""
    return len(re.findall(r'frames\[\d+\] = "data:image/png;base64,', html))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def bowl_runs():
    f = functions.bowl
    return [
        training.run(SGD(lr=0.9), f, steps=40),
        training.run(Momentum(lr=0.1), f, steps=40),
        training.run(SGD(lr=1.5), f, steps=200),  # diverges
    ]


def _legend_texts(ax):
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


def _assert_labelled(ax, legend=True):
    assert ax.get_title(), "no title"
    assert ax.get_xlabel() and ax.get_ylabel(), "unlabelled axes"
    if legend:
        assert len(_legend_texts(ax)) >= 2, "no legend"


def _line(ax, label):
    return next(line for line in ax.get_lines() if line.get_label() == label)


def test_the_book_style_is_applied_on_import():
    assert matplotlib.rcParams["axes.spines.top"] is False
    assert matplotlib.rcParams["savefig.bbox"] == "tight"
    assert matplotlib.rcParams["figure.dpi"] == 100


def test_every_optimizer_has_its_own_look():
    assert set(optimizers.ALL) | {"AMSGrad", "Newton"} <= set(plotting.COLORS)
    looks = {
        (plotting.COLORS[n], plotting.LINESTYLES[n], plotting.MARKERS[n]) for n in plotting.COLORS
    }
    assert len(looks) == len(plotting.COLORS)  # no two optimizers look alike
    assert set(plotting.COLORS.values()) <= set(plotting.OKABE_ITO.values())


def test_color_for_reads_the_leading_class_name():
    assert plotting.color_for("Adam (η=0.1)") == plotting.COLORS["Adam"]
    assert plotting.color_for("AdamW(lr=0.001)") == plotting.COLORS["AdamW"]
    assert plotting.color_for("adamw") == plotting.COLORS["AdamW"]
    assert plotting.color_for("Adam(lr=0.1, amsgrad=True)") == plotting.COLORS["AMSGrad"]
    assert plotting.style_for("Nesterov")["linestyle"] == plotting.LINESTYLES["Nesterov"]
    unknown = plotting.color_for("my own method")
    assert unknown == plotting.color_for("my own method")  # stable, not random


def test_contour_uses_the_functions_window_and_marks_minima_and_saddles():
    ax = plotting.contour(functions.beale)
    _assert_labelled(ax)
    assert ax.get_xlim() == functions.beale.window[0]
    assert ax.get_ylim() == functions.beale.window[1]
    assert _line(ax, "minimum").get_marker() == "*"
    assert len(_line(ax, "saddle points").get_xdata()) == 2
    levels = [c.levels for c in ax.collections if hasattr(c, "levels")]
    np.testing.assert_allclose(levels[0], functions.beale.levels)


def test_plot_trajectories_colours_labels_and_divergence(bowl_runs):
    ax = plotting.plot_trajectories(functions.bowl, bowl_runs, title="Three runs")
    _assert_labelled(ax)
    assert ax.get_title() == "Three runs"
    texts = _legend_texts(ax)
    diverged = bowl_runs[2]
    assert f"SGD (η=1.5) (diverged at step {diverged.diverged_at})" in texts
    assert {"SGD (η=0.9)", "Momentum (η=0.1)", "start", "minimum"} <= set(texts)
    assert _line(ax, "SGD (η=0.9)").get_color() == plotting.COLORS["SGD"]
    assert _line(ax, "Momentum (η=0.1)").get_color() == plotting.COLORS["Momentum"]
    # the second SGD run is a lighter variant with another line style
    second = _line(ax, texts[2])
    assert second.get_color() != plotting.COLORS["SGD"]
    assert second.get_linestyle() != _line(ax, "SGD (η=0.9)").get_linestyle()
    assert ax.get_xlim() == functions.bowl.window[0]  # the diverged path did not widen it


def test_draw_paths_adds_paths_to_a_contour_and_returns_them(bowl_runs):
    ax = plotting.contour(functions.bowl)
    before = set(ax.get_children())
    added = plotting.draw_paths(functions.bowl, bowl_runs[:2], ax)
    assert added and not before & set(added)
    assert set(added) == set(ax.get_children()) - before
    assert {"SGD (η=0.9)", "Momentum (η=0.1)", "start"} <= set(_legend_texts(ax))
    for artist in added:  # the legend too: an explorer removes them all, then draws again
        artist.remove()
    assert ax.get_legend() is None and set(ax.get_children()) == before
    plotting.draw_paths(functions.bowl, bowl_runs[:2], ax, legend=False)
    assert ax.get_legend() is None
    assert _line(ax, "SGD (η=0.9)").get_color() == plotting.COLORS["SGD"]


def test_the_same_optimizer_has_the_same_colour_in_every_figure():
    f = functions.rosenbrock
    first = plotting.plot_trajectories(
        f, [training.run(Adam(lr=0.1), f, steps=20), training.run(SGD(lr=1e-3), f, steps=20)]
    )
    second = plotting.plot_trajectories(
        f, {"Adam (η=0.01)": training.run(Adam(lr=0.01), f, steps=20)}
    )
    assert first.figure is not second.figure
    assert _line(first, "Adam (η=0.1)").get_color() == plotting.COLORS["Adam"]
    assert _line(second, "Adam (η=0.01)").get_color() == plotting.COLORS["Adam"]
    assert _line(first, "SGD (η=0.001)").get_color() == plotting.COLORS["SGD"]


def test_plot_1d_on_sinc10():
    f = functions.sinc10
    runs = [training.run(SGD(lr=0.5), f, steps=20), training.run(Momentum(lr=0.3), f, steps=20)]
    ax = plotting.plot_1d(f, runs)
    _assert_labelled(ax)
    assert ax.get_xlabel() == "$x$" and ax.get_ylabel() == "$f(x)$"
    assert {"SGD (η=0.5)", "Momentum (η=0.3)", "minima", "start"} <= set(_legend_texts(ax))
    assert plotting.plot_trajectories(f, runs).get_xlim() == f.window  # 1-D is passed on


def _history(label, losses, seconds_per_step=0.01):
    losses = np.asarray(losses, dtype=float)
    epochs = [{"epoch": e, "train_loss": losses[min(10 * e, len(losses) - 1)]} for e in range(4)]
    return training.History(
        loss=losses,
        time=seconds_per_step * np.arange(1, len(losses) + 1),
        epochs=epochs,
        label=label,
    )


@pytest.mark.parametrize("x", ["step", "epoch", "time"])
def test_plot_losses(x):
    steps = np.arange(1, 31)
    histories = [_history("SGD (η=0.1)", 2 / steps), _history("Adam (η=0.001)", 1 / steps, 0.02)]
    ax = plotting.plot_losses(histories, x=x)
    _assert_labelled(ax)
    assert ax.get_yscale() == "log"
    assert _line(ax, "Adam (η=0.001)").get_color() == plotting.COLORS["Adam"]
    xdata = _line(ax, "Adam (η=0.001)").get_xdata()
    expected = {"step": steps, "epoch": np.arange(4), "time": 0.02 * steps}[x]
    np.testing.assert_allclose(xdata, expected)


def test_plot_losses_smooths_and_takes_plain_arrays():
    noisy = 1 + 0.5 * np.random.default_rng(0).standard_normal(100) ** 2
    ax = plotting.plot_losses({"SGD": noisy}, log=False, smooth=10)
    smooth = _line(ax, "SGD")
    assert len(smooth.get_ydata()) == 91
    assert np.std(smooth.get_ydata()) < np.std(noisy)
    assert ax.get_yscale() == "linear" and ax.get_title()
    with pytest.raises(ValueError, match="x must be"):
        plotting.plot_losses({"SGD": noisy}, x="minutes")


def test_gradient_field_draws_unit_arrows_on_contours():
    ax = plotting.gradient_field(functions.narrow_valley, n=9)
    _assert_labelled(ax, legend=False)
    quivers = [c for c in ax.collections if isinstance(c, Quiver)]
    assert len(quivers) == 1 and quivers[0].N == 81
    lengths = np.hypot(quivers[0].U, quivers[0].V)
    assert np.allclose(lengths[lengths > 0], lengths.max())  # normalised arrows
    with pytest.raises(ValueError, match="2-D"):
        plotting.gradient_field(functions.sinc10)


def test_animation_is_small_and_leaves_no_figure_open():
    f = functions.rosenbrock
    runs = [
        training.run(SGD(lr=1e-3), f, steps=300),
        training.run(Adam(lr=0.05), f, steps=300),
        training.run(AdamW(lr=0.05), f, steps=300),
    ]
    before = plt.get_fignums()
    html = plotting.animate_trajectories(f, runs, frames=60)
    assert plt.get_fignums() == before
    text = html.data
    assert _frame_count(text) == 60  # 301 steps subsampled to 60 frames
    assert len(text.encode()) < 1.5e6
    assert re.search(r'value="once"[^>]*\s+checked>', text)  # plays once by default
    assert "http://" not in text and "https://" not in text  # nothing remote: works offline
    assert 'class="fa' not in text and "▶" in text  # the buttons have text, not icons


def test_animation_player_is_labelled_sized_and_fetches_frames_when_used():
    f = functions.bowl
    text = plotting.animate_trajectories(f, [training.run(SGD(lr=0.1), f, steps=20)], frames=8)
    text = text.data
    (img,) = re.findall(r'<img id="_anim_img\w*"[^>]*>', text)
    # the first frame shows from the start, with its size (5 x 4 inches at 72 dpi)
    first = re.search(r'frames\[0\] = "([^"]*)"', text).group(1).replace("\\\n", "")
    assert f'src="{first}"' in img
    assert 'width="360" height="288"' in img and 'loading="lazy"' in img
    (slider,) = re.findall(r'<input id="_anim_slider\w*"[^>]*>', text)
    assert 'aria-label="Frame (1 to 8)"' in slider and 'max="7"' in slider
    # no frame is fetched while the player is built, only when a reader uses it
    assert "new Image();\n     this.frames[i].src" not in text
    assert 'addEventListener("focusin", fetch_all)' in text
    assert "max-width: 100%" in text  # the slider and the image fit a narrow screen
    assert '<div role="radiogroup" aria-label="Repetition mode">' in text
    assert 'aria-label="Repetition mode" action' not in text  # the form is no landmark


def _frames(html: str) -> list:
    """The player's frames, as arrays of RGB pixels."""
    import base64
    import io

    from PIL import Image

    found = re.findall(r'frames\[\d+\] = "data:image/png;base64,([^"]*)"', html)
    return [
        np.asarray(Image.open(io.BytesIO(base64.b64decode(f.replace("\\\n", "")))).convert("RGB"))
        for f in found
    ]


def test_a_player_draws_the_still_part_once_and_the_same_frames(monkeypatch):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    draws = []
    full_draw = FigureCanvasAgg.draw
    monkeypatch.setattr(FigureCanvasAgg, "draw", lambda c: draws.append(1) or full_draw(c))

    def player(animated: bool) -> str:
        fig = Figure(figsize=(3, 2), dpi=60)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.plot(np.linspace(0, 9, 50), np.sin(np.linspace(0, 9, 50)), color="0.6")
        (line,) = ax.plot([], [], "o-", zorder=3)
        counter = fig.text(0.98, 0.02, "", ha="right")
        for artist in (line, counter):
            artist.set_animated(animated)

        def update(k):
            line.set_data(np.arange(k + 1), np.cos(np.arange(k + 1)))
            counter.set_text(f"step {k}")

        return plotting.html_player(fig, update, range(6), alt="A dot moving on a curve").data

    drawn_each_time = _frames(player(animated=False))
    assert len(draws) == 6
    draws.clear()
    blitted = _frames(player(animated=True))
    assert len(draws) == 1  # the still part, once
    assert len(blitted) == 6
    for full, fast in zip(drawn_each_time, blitted, strict=True):
        np.testing.assert_array_equal(fast, full)
    assert not np.array_equal(blitted[0], blitted[-1])  # the frames do move


def test_animation_of_a_short_1d_run():
    f = functions.sinc10
    html = plotting.animate_trajectories(f, [training.run(SGD(lr=0.5), f, steps=9)], frames=60)
    assert _frame_count(html.data) == 10  # never more frames than steps


def test_animation_html_works_offline_and_closes_a_pyplot_figure():
    from matplotlib.animation import FuncAnimation

    before = set(plt.get_fignums())
    fig, ax = plt.subplots()
    (line,) = ax.plot([], [])
    anim = FuncAnimation(fig, lambda k: line.set_data([0, k], [0, k]), frames=3)
    html = plotting.animation_html(anim, fig=fig).data
    assert set(plt.get_fignums()) == before
    assert "<script" in html and _frame_count(html) >= 3
    assert not re.search(r'(src|href)="https?://', html), "the player must not load remote files"


def _player_alt(html):
    """The alt attribute of the animation player's one <img>."""
    (img,) = re.findall(r'<img id="_anim_img\w*"[^>]*>', html)
    match = re.search(r'alt="([^"]*)"', img)
    assert match, f"the player's image has no alt text: {img}"
    return match.group(1)


def test_animation_alt_text_names_the_optimizers_and_the_function():
    f = functions.rosenbrock
    runs = [
        training.run(Momentum(lr=1e-3), f, steps=20),
        training.run(optimizers.Nesterov(lr=1e-3), f, steps=20),
    ]
    html = plotting.animate_trajectories(f, runs, frames=5).data
    assert _player_alt(html) == (  # the labels as the legend shows them
        "Animation: Momentum (η=0.001) and Nesterov (η=0.001) descending the Rosenbrock function"
    )
    bowl = [training.run(SGD(lr=0.1), functions.bowl, steps=5)]
    assert _player_alt(plotting.animate_trajectories(functions.bowl, bowl).data) == (
        "Animation: SGD (η=0.1) descending the bowl function"
    )
    sinc = functions.sinc10  # labels with commas or colons are quoted; formulas spelled
    runs = {f"η = {lr}: {verdict}": training.run(SGD(lr=lr), sinc, [2.0], steps=5)
            for lr, verdict in ((1.0, "bounces"), (0.5, "lands"))}  # fmt: skip
    assert _player_alt(plotting.animate_trajectories(sinc, runs).data) == (
        "Animation: “η = 1.0: bounces” and “η = 0.5: lands” descending the 10 sin(x)/x function"
    )


def test_animation_alt_text_can_be_given_and_is_escaped():
    f = functions.bowl
    run = [training.run(SGD(lr=0.1), f, steps=5)]
    alt = 'SGD creeps along the "long" axis & <never> overshoots.'
    html = plotting.animate_trajectories(f, run, alt=alt).data
    assert _player_alt(html) == (
        "SGD creeps along the &quot;long&quot; axis &amp; &lt;never&gt; overshoots."
    )
    for bad in ("", "   ", 3):
        with pytest.raises(ValueError, match="alt"):
            plotting.animate_trajectories(f, run, alt=bad)


def test_animation_html_alt_text_default_and_given():
    from matplotlib.animation import FuncAnimation
    from matplotlib.figure import Figure

    def animation():
        fig = Figure()
        ax = fig.add_subplot()
        ax.set_title("the first frame's title")

        def draw(k):
            ax.set_title(rf"Secants at $x = 3.5$, $\eta = 0.{k + 1}$")

        return FuncAnimation(fig, draw, frames=3), fig

    anim, fig = animation()
    html = plotting.animation_html(anim, fig).data  # the last frame's title, as text
    assert _player_alt(html) == "Animation in 3 frames, ending at: Secants at x = 3.5, η = 0.3"
    anim, _ = animation()
    other = plt.figure()  # a pyplot figure of the notebook, not the animation's
    html = plotting.animation_html(anim, alt="The secant turns into the tangent.").data
    assert _player_alt(html) == "The secant turns into the tangent."
    assert plt.fignum_exists(other.number)  # without fig, no figure is closed
    with pytest.raises(ValueError, match="alt.*fig"):  # the default needs the figure
        plotting.animation_html(anim)
