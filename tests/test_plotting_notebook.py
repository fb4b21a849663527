"""descent.plotting.notebook: a notebook's figure drawn once is the picture matplotlib's
own two drawings give (the inline backend's ``bbox_inches="tight"``), and Jupyter uses it
only while the inline backend has its default settings."""

import base64
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from PIL import Image  # noqa: E402

from descent import functions, plotting  # noqa: E402
from descent.plotting import notebook  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(int)


def _aligned_difference(a: np.ndarray, b: np.ndarray, shift: int = 4) -> float:
    """The smallest mean absolute difference (0-255) of two pictures over shifts of up to
    ``shift`` pixels, on their common part away from the border."""
    height = min(a.shape[0], b.shape[0]) - 2 * shift
    width = min(a.shape[1], b.shape[1]) - 2 * shift
    inner = a[shift : shift + height, shift : shift + width]
    return min(
        float(np.abs(inner - b[dy : dy + height, dx : dx + width]).mean())
        for dy in range(2 * shift + 1)
        for dx in range(2 * shift + 1)
    )


def _short_figure():
    """No layout engine; the x label reaches below the figure's bottom edge."""
    fig, ax = plt.subplots(figsize=(6, 2.2))
    ax.semilogy(np.arange(1, 50), 1 / np.arange(1, 50) ** 2, label="1/k²")
    ax.set(title="A short figure", xlabel="step $k$", ylabel="loss")
    ax.legend()
    return fig


def _constrained_figure():
    fig, axes = plt.subplots(1, 2, figsize=(8, 3), layout="constrained")
    plotting.contour(functions.rosenbrock, ax=axes[0])
    axes[1].plot([0, 1, 2], [2, 1, 3], label="a line")
    axes[1].set(title="Right", xlabel="x", ylabel="y")
    axes[1].legend()
    return fig


@pytest.mark.parametrize("make", [_short_figure, _constrained_figure])
def test_one_drawing_gives_matplotlibs_picture(make):
    fig = make()
    ink = fig.get_tightbbox(fig.canvas.get_renderer())
    if make is _short_figure:
        assert ink.y0 < 0  # the case that needs room around the drawing
    twice, once = _pixels(notebook._drawn_twice(fig)), _pixels(notebook.png(fig))
    # the same size, within a pixel of rounding ...
    assert np.all(np.abs(np.subtract(twice.shape, once.shape)) <= 1), (twice.shape, once.shape)
    # ... the same white border around the ink, within a pixel on each side ...
    assert np.all(np.abs(np.subtract(_border(twice), _border(once))) <= 1)
    assert min(_border(once)) >= 5  # (savefig.pad_inches is 10 pixels, less the ink's bearings)
    # ... and the same ink, but for anti-aliasing: the drawings differ by a fraction of a pixel
    assert _aligned_difference(twice, once) < 4


def _border(pixels: np.ndarray) -> tuple[int, int, int, int]:
    """How many white rows or columns lie above, below, left and right of the ink."""
    ink = np.any(pixels != 255, axis=2)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return rows[0], len(ink) - 1 - rows[-1], cols[0], ink.shape[1] - 1 - cols[-1]


def test_a_figure_with_ink_far_outside_takes_matplotlibs_two_drawings():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], label="a legend two figure-widths to the right")
    ax.legend(loc="upper left", bbox_to_anchor=(3, 1))
    assert notebook.png(fig) == notebook._drawn_twice(fig)
    assert _pixels(notebook.png(fig)).shape[1] > 2 * 4 * fig.dpi  # the legend is in it


def test_an_empty_figure_shows_nothing():
    assert notebook.png(plt.figure()) is None


def test_outside_a_kernel_nothing_is_registered():
    assert notebook.show_figures_drawn_once() is False  # no IPython shell here


_CELL = """
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from descent import plotting
from descent.plotting import notebook
shell = get_ipython()
printer = shell.display_formatter.formatters["image/png"].lookup_by_type(Figure)
fig, ax = plt.subplots(figsize=(4, 2))
ax.plot([0, 1, 4], label="one line")
ax.set(title="t", xlabel="x")
ax.legend()
print(printer is notebook._png_base64)
plt.show()
"""
_RETINA = """
%config InlineBackend.figure_formats = ["retina"]
printer = shell.display_formatter.formatters["image/png"].lookup_by_type(Figure)
print(printer is notebook._png_base64)
fig, ax = plt.subplots(figsize=(4, 2))
ax.plot([0, 1, 4])
plt.show()
"""


def test_a_kernel_shows_figures_drawn_once_until_the_reader_chooses_other_formats():
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(_CELL), nbformat.v4.new_code_cell(_RETINA)]
    )
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    drawn_once, retina = ([o for o in cell.outputs] for cell in nb.cells)
    assert drawn_once[0]["text"].strip() == "True"
    picture = Image.open(io.BytesIO(base64.b64decode(drawn_once[1]["data"]["image/png"])))
    assert picture.size[0] < 4 * 100 and picture.info["dpi"][0] == pytest.approx(100, abs=0.01)
    assert retina[0]["text"].strip() == "False"  # the reader's choice is kept
    doubled = Image.open(io.BytesIO(base64.b64decode(retina[1]["data"]["image/png"])))
    assert doubled.size[0] > 4 * 100  # twice the pixels: matplotlib's retina picture
