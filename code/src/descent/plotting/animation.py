"""The HTML animation kit: matplotlib animations as players that work offline.

The player is matplotlib's JavaScript one (as ``FuncAnimation.to_jshtml``), with text for
its button icons, which matplotlib loads from a CDN, so that the page works offline, and
with alternative text on its image for readers who cannot see it and a label on its
slider. It shows its first frame at once and fetches the others when a reader first uses
it. It plays once; choose "Loop" in the player to repeat.

* ``html_player(fig, update, frames, alt=...)``: draws the frames of a figure that is not
  registered with pyplot, as 64-colour PNGs (small pages);
* ``animation_html(animation, fig)``: any matplotlib animation.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from tempfile import TemporaryDirectory

import matplotlib as mpl
import numpy as np
from matplotlib.animation import HTMLWriter

__all__ = ["animation_html", "html_player"]


def html_player(fig, update, frames, *, interval=80, alt):
    """The frames of ``fig`` as a player in HTML for a notebook, working offline.

    Args:
        fig: a ``matplotlib.figure.Figure`` with an Agg canvas (``FigureCanvasAgg(fig)``),
            never registered with pyplot, so that nothing is left open or shown twice.
        update: called with each frame before it is drawn; it changes the figure's
            artists.
        frames: the values ``update`` is called with, one per frame.
        interval: milliseconds between frames.
        alt: the player image's alternative text, for readers who cannot see it: a
            sentence saying what moves and what to notice.

    Each frame is drawn at the figure's own size and dpi and stored as a 64-colour PNG.
    If some artists are marked ``set_animated(True)``, the rest is drawn only once and
    each frame draws just those artists over it, which is much faster: mark every artist
    that ``update`` changes.

    Returns:
        ``IPython.display.HTML``; make it the last expression of a cell.
    """
    from IPython.display import HTML

    alt = _check_alt(alt)
    # matplotlib's HTML movie writer, the one behind FuncAnimation.to_jshtml, fed directly.
    writer = _PaletteHTMLWriter(fps=1000 / interval, embed_frames=True, default_mode="once")
    with TemporaryDirectory() as folder:
        html_file = Path(folder, "animation.html")
        with mpl.rc_context({"savefig.bbox": "standard"}):
            with writer.saving(fig, str(html_file), fig.dpi):
                for frame in frames:
                    update(frame)
                    writer.grab_frame()
        html = html_file.read_text()
    return HTML(_player(html, alt))


def animation_html(animation, fig=None, alt=None):
    """Any matplotlib animation as offline HTML for a notebook.

    ``animation.to_jshtml()`` with the player's one remote resource (an icon stylesheet
    from a CDN) replaced by text buttons, so that the page works without a network. Use it
    for animations that ``animate_trajectories`` does not draw.

    ``fig`` is the figure the animation draws. Draw on a ``matplotlib.figure.Figure`` (not
    registered with pyplot); a pyplot figure given as ``fig`` is closed, so that it is not
    shown a second time below the player.

    ``alt`` is the player image's alternative text: a sentence saying what the animation
    shows and what to notice. Without it, ``fig`` is needed: the default is built from the
    figure's titles and texts as the last frame leaves them, e.g. "Animation in 12 frames,
    ending at: Secants at x = 3.5, h = 0.05"; give one whenever that says too little.
    """
    import matplotlib.pyplot as plt
    from IPython.display import HTML

    if alt is not None:
        alt = _check_alt(alt)
    elif fig is None:
        raise ValueError("give alt, the alternative text, or fig, the animation's figure")
    html = animation.to_jshtml(default_mode="once")
    if alt is None:  # drawing the frames left the figure as the last frame shows it
        texts = [ax.get_title() for ax in fig.axes] + [t.get_text() for t in fig.texts]
        texts = "; ".join(t for t in map(_plain_text, texts) if t) or "a matplotlib figure"
        alt = f"Animation in {len(_FRAME.findall(html))} frames, ending at: {texts}"
    if fig is not None:
        plt.close(fig)
    return HTML(_player(html, alt))


_FRAME = re.compile(r'frames\[\d+\] = "(data:image/[^"]*)"')
# mathtext commands of the book's titles, as the characters a screen reader can say.
_TEX_NAMES = "alpha beta epsilon eta theta mu rho nabla cdot times".split()
_TEX_SYMBOLS = dict(zip(_TEX_NAMES, "αβεηθμρ∇·×", strict=True))


def _check_alt(alt) -> str:
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must be a sentence describing the animation, got {alt!r}")
    return " ".join(alt.split())


def _plain_text(text: str) -> str:
    """A matplotlib label without its mathtext markup: "$\\eta = 0.1$" -> "η = 0.1"."""
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _TEX_SYMBOLS.get(m.group(1), m.group(1)), text)
    text = text.replace("\\,", " ").replace("$", "").replace("{", "").replace("}", "")
    return " ".join(text.split())


def _player(html: str, alt: str) -> str:
    """matplotlib's JavaScript player (``to_jshtml``), made fit for every reader.

    - offline: text symbols on its buttons instead of icons from a CDN (``_offline``);
    - described: ``alt`` on its image, a label on its frame slider;
    - light: the image shows the first frame from the start, with its size, and is loaded
      lazily; the other frames are fetched when the reader first uses the player (points
      at or moves the keyboard focus into it), not with the page;
    - narrow screens: the slider and the buttons wrap to the width there is.

    The frames stay inline (``data:`` URIs): a notebook output has no files beside it. The
    book's build writes them to files (``book/_ext/descent_site.py``).
    """
    from html import escape

    html = _offline(html)
    first = _FRAME.search(html)
    tag = re.compile(r'<img id="_anim_img(\w*)">')
    if len(tag.findall(html)) != 1 or first is None or _PRELOAD not in html:
        raise RuntimeError("matplotlib's animation player changed: cannot find its <img>")
    uri = re.sub(r"\\\s*", "", first.group(1))
    width, height = _png_size(base64.b64decode(uri.split(",", 1)[1]))
    html = tag.sub(
        lambda m: (
            f'<img id="_anim_img{m.group(1)}" alt="{escape(alt, quote=True)}" '
            f'src="{uri}" width="{width}" height="{height}" loading="lazy" decoding="async">'
        ),
        html,
    )
    frames = len(_FRAME.findall(html))
    html = re.sub(
        r'(<input id="_anim_slider\w*" type="range" class="anim-slider"\s+name="points" '
        r'min="0") max="1"',
        lambda m: f'{m.group(1)} max="{frames - 1}" aria-label="Frame (1 to {frames})"',
        html,
    )
    # the three repetition modes: a named group of radio buttons, not a form landmark (two
    # players on a page would make two landmarks of the same name)
    html = re.sub(
        r'<form title="Repetition mode" aria-label="Repetition mode" (action="#n" name="\w+")'
        r'\s+class="anim-state">(.*?)</form>',
        r'<form \1 class="anim-state"><div role="radiogroup" aria-label="Repetition mode">'
        r"\2</div></form>",
        html,
        flags=re.DOTALL,
    )
    return html.replace(_PRELOAD, _PRELOAD_WHEN_USED).replace(_STYLE_FIXED, _STYLE_FITTING)


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG image, from its header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


# The player's constructor fetches every frame at once (matplotlib's JS_INCLUDE) ...
_PRELOAD = """    for (var i=0; i<frames.length; i++)
    {
     this.frames[i] = new Image();
     this.frames[i].src = frames[i];
    }"""
# ... this one when the reader first uses it (set_frame only reads the frames' .src).
_PRELOAD_WHEN_USED = """    for (var i=0; i<frames.length; i++)
    {
     this.frames[i] = {src: frames[i]};
    }
    var all = this.frames, player = document.getElementById(img_id).parentNode;
    var fetch_all = function() {
      player.removeEventListener("pointerdown", fetch_all);
      player.removeEventListener("focusin", fetch_all);
      all.forEach(function(frame) { (new Image()).src = frame.src; });
    };
    player.addEventListener("pointerdown", fetch_all);
    player.addEventListener("focusin", fetch_all);"""
_STYLE_FIXED = """input[type=range].anim-slider {
    width: 374px;"""
_STYLE_FITTING = """.animation {
    max-width: 100%;
}
.animation img {
    max-width: 100%;
    height: auto;
}
.anim-buttons {
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    gap: 2px;
}
input[type=range].anim-slider {
    max-width: 100%;
    width: 374px;"""


# matplotlib's player draws its buttons with Font Awesome icons from a CDN; the book must
# work offline, so the buttons get text symbols instead (their tooltips name them too).
_BUTTON_TEXT = {
    "minus": "−",
    "fast-backward": "|◀◀",
    "step-backward": "|◀",
    "play fa-flip-horizontal": "◀",
    "pause": "||",
    "play": "▶",
    "step-forward": "▶|",
    "fast-forward": "▶▶|",
    "plus": "+",
}


def _offline(html: str) -> str:
    """The player's HTML without its one remote resource (a stylesheet of icons)."""
    html = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*"\s*/?>', "", html)
    return re.sub(
        r'<i class="fa fa-([a-z -]+)"></i>', lambda m: _BUTTON_TEXT.get(m.group(1), ""), html
    )


class _PaletteHTMLWriter(HTMLWriter):
    """matplotlib's HTML (JavaScript) movie writer, with 64-colour PNG frames.

    A figure whose moving artists are marked ``set_animated(True)`` is drawn without them
    once; each frame then draws only those artists over that picture (blitting).

    The book's figures have few colours (grey contours, a handful of optimizer colours),
    so a palette loses nothing visible and makes each frame about a third of the size of a
    full-colour PNG: 60 frames of a 5 × 4 inch figure at 72 dpi stay well under 1.5 MB.
    Frames are taken from the Agg canvas at the figure's own dpi.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.frame_format = "png"  # whatever rcParams["animation.frame_format"] says
        self._moving = None  # the animated artists, found at the first frame
        self._still = None  # the pixels of everything else, if there are animated artists

    def grab_frame(self, **savefig_kwargs):
        from PIL import Image  # matplotlib itself depends on Pillow

        canvas = self.fig.canvas
        if self._moving is None:  # the first frame
            self._moving = sorted(
                self.fig.findobj(lambda artist: artist.get_animated()),
                key=lambda artist: artist.get_zorder(),
            )
            canvas.draw()  # all but the animated artists: the still part of every frame
            self._still = canvas.copy_from_bbox(self.fig.bbox) if self._moving else None
        elif self._still is None:
            canvas.draw()
        if self._still is not None:  # the still part, and the moving artists over it
            canvas.restore_region(self._still)
            for artist in self._moving:
                self.fig.draw_artist(artist)
        pixels = np.asarray(canvas.buffer_rgba())[..., :3]
        image = Image.fromarray(pixels).quantize(
            64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
        frame = io.BytesIO()
        image.save(frame, format="png", optimize=False)
        self._saved_frames.append(base64.encodebytes(frame.getvalue()).decode("ascii"))
