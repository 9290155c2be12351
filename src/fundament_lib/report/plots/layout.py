"""Sizing and laying out figures: new Axes, the printed scale on A4, measured and fitted text.

A briefing embeds each figure at :data:`~fundament_lib.report.html.EMBED_DPI` and prints it on
A4 (:func:`print_scale`); text is measured on the laid-out figure (:func:`_renderer`, cached
per process in :func:`_text_size`) so that labels wrap to fit and column labels never collide.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform

from fundament_lib.report.html import EMBED_DPI

from .style import wrap

__all__ = ["print_scale", "PRINT_WIDTH_IN"]


def _new_ax(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


# How a briefing shows a figure: ``report.figure`` embeds it at ``EMBED_DPI`` (110 dpi), the page
# shows it at its pixel size (96 px per inch) but never wider than the text, which on A4 paper is
# 210 mm less 2 × 14 mm margins = 7.17 in.
PRINT_WIDTH_IN = 7.17


def print_scale(width_in: float) -> float:
    """Printed size on A4 ÷ size in the figure, for a figure ``width_in`` inches wide: shown at
    110 px per inch as 96 px per inch (× 1.15), shrunk to the text width if wider
    (``savefig(bbox_inches="tight")`` adds 0.1 in on each side)."""
    return min(EMBED_DPI / 96, PRINT_WIDTH_IN / (width_in + 0.2))


def _renderer(ax: Axes) -> RendererBase:
    """The figure laid out as it will be saved (constrained layout run), and its renderer.

    Only the layout engine runs: measuring needs where everything goes, not a pass drawing every
    artist (``draw_without_rendering``), which costs as much again on a figure full of text."""
    fig = ax.get_figure(root=True)
    assert fig is not None
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    return renderer


def _two_lines(text: str) -> str:
    """The label on two lines, broken at the space that makes the longer line shortest."""
    words = text.split()
    if len(words) < 2 or len(text) <= 12:
        return text
    splits = [(" ".join(words[:k]), " ".join(words[k:])) for k in range(1, len(words))]
    first, second = min(splits, key=lambda s: (max(len(s[0]), len(s[1])), len(s[1])))
    return f"{first}\n{second}"


def _fit_column_labels(ax: Axes, texts: Sequence[str], *, angle: float = 35.0) -> None:
    """Column tick labels (one per unit column, as seaborn's heatmap has them) that never run
    into each other: each label is set on two lines; if one is still wider than its column,
    all are set at an ``angle`` instead (upright if even that does not leave room)."""
    ticks = np.arange(len(texts)) + 0.5
    ax.set_xticks(ticks, [_two_lines(t) for t in texts], rotation=0, ha="center")
    if len(texts) < 2:
        return
    renderer = _renderer(ax)
    column = abs(float(ax.transData.transform((1, 0))[0] - ax.transData.transform((0, 0))[0]))
    labels = ax.get_xticklabels()
    widest = max(t.get_window_extent(renderer).width for t in labels)
    if widest <= column - 6:  # room for a gap of a few pixels
        return
    line = max(t.get_window_extent(renderer).height for t in labels) / 2
    if column * np.sin(np.radians(angle)) < 1.4 * line:
        ax.set_xticks(ticks, list(texts), rotation=90, ha="center", va="top")
    else:
        ax.set_xticks(ticks, list(texts), rotation=angle, ha="right", va="top", rotation_mode="anchor")


def _with_n(label: str, n: object | None, unit: str = "") -> str:
    """'Borgernære ledere (n = 60)'; the label alone when n is not given."""
    if n is None or (isinstance(n, float) and np.isnan(n)):
        return label
    value = f"{int(n):d}" if isinstance(n, int | float | np.integer | np.floating) else str(n)
    return f"{label} (n = {value}{f' {unit}' if unit else ''})"


@cache
def _measuring(dpi: float) -> tuple[Figure, RendererBase]:
    """A figure at ``dpi`` of its own and its renderer, to measure text with."""
    fig = Figure(dpi=dpi)
    return fig, FigureCanvasAgg(fig).get_renderer()


@lru_cache(maxsize=16384)
def _text_size(text: str, fontsize: float, linespacing: float, dpi: float, font: FontProperties) -> tuple[float, float]:
    """Width and height in pixels of ``text`` (any figure at ``dpi`` gives the same). Kept per process:
    a worker measures the same statement texts for every kommune. ``font`` (the house style's, at the
    call) is part of the key so a change of style is never answered from the cache."""
    fig, renderer = _measuring(dpi)
    probe = Text(0, 0, text, fontsize=fontsize, linespacing=linespacing, transform=IdentityTransform())
    probe.set_figure(fig)
    box = probe.get_window_extent(renderer)
    return float(box.width), float(box.height)


def _text_px(text: str, fontsize: float, dpi: float, linespacing: float = 1.2) -> tuple[float, float]:
    """:func:`_text_size` in the current style (1.2 is Matplotlib's default line spacing)."""
    return _text_size(text, fontsize, linespacing, dpi, FontProperties(size=fontsize))


def _wrap_to(texts: Sequence[str], width_px: float, fontsize: float, dpi: float) -> list[str]:
    """Each text wrapped so that its widest line fits ``width_px`` at ``fontsize`` on a figure at ``dpi``."""
    char_px = _text_px("x" * 40, fontsize, dpi)[0] / 40
    out = []
    for text in texts:
        chars = max(12, int(1.25 * width_px / char_px))
        while _text_px(wrap(text, chars), fontsize, dpi)[0] > width_px and chars > 12:
            chars -= 1
        out.append(wrap(text, chars))
    return out
