"""Figures for briefings, labelled in Danish and readable in grayscale.

Every function takes its data first, ``ax=None`` and keyword options, draws on
the given (or a new) Axes and returns it; none calls ``plt.show()``. Groups
differ by marker shape and fill as well as colour, Likert levels by position
and hatching as well as colour, so a grayscale print keeps them apart. The
numbers a reader needs (n, intervals) are drawn on the figure.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, to_hex
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox, IdentityTransform, ScaledTranslation

from fundament_lib.framework import GROUP_LABELS

from .html import EMBED_DPI

__all__ = ["theme_profile", "likert_bars", "group_likert_bars", "likert_palette", "role_heatmap", "share_bars", "subgroup_heatmap",
           "deviation_heatmap", "DEVIATION_LABEL",
           "benchmark_strip", "strip_jitter", "importance_performance", "distribution_box", "place_labels",
           "print_scale",
           "GROUP_STYLE", "GroupStyle", "set_style", "wrap"]


@dataclass(frozen=True)
class GroupStyle:
    """How a respondent group is drawn."""

    color: str
    marker: str
    fill: bool


# Colour-blind safe (Okabe–Ito) and told apart by marker and fill in grayscale.
GROUP_STYLE: dict[str, GroupStyle] = {
    "alle": GroupStyle("#000000", "D", True),
    "stab": GroupStyle("#0072B2", "o", False),
    "borgernaer": GroupStyle("#B54500", "s", True),
}
# Diverging Likert colours (negative … positive); their lightness differs, and
# negatives are hatched, so levels stay apart in grayscale.
LIKERT_COLORS = ["#8c2d04", "#f4a582", "#d9d9d9", "#92c5de", "#0b4f8a"]
LIKERT_HATCH = ["///", "//", "", "", ""]
DONT_KNOW_COLOR = "#8a8a8a"
DK_START = 118  # where the "Ved ikke" bar starts, right of the 100 % mark
# Sequential map from near-white to a mid blue: dark text stays readable (contrast ≥ 4.5) on every cell.
DIVERGING_CMAP = "RdBu"  # red below the middle of the scale, blue above; the numbers are printed in every cell


def _around_middle(grid: pd.DataFrame, middle: float = 50.0, least: float = 10.0) -> dict[str, float]:
    """Colour limits symmetric around ``middle`` (the scale's, or 0 for a deviation) and fitted to the
    data (to the next 5 points beyond the farthest value, at least ``least``), so scores of 34–81 do
    not all look alike on a 0–100 scale."""
    values = grid.to_numpy(dtype=float)
    spread = float(np.nanmax(np.abs(values - middle))) if np.isfinite(values).any() else least
    half = max(least, 5.0 * np.ceil((spread + 1) / 5.0))
    return {"vmin": middle - half, "vmax": middle + half}  # symmetric: the colour map's centre is the middle


def set_style() -> None:
    """The house style: seaborn's white grid, readable font sizes, fixed DPI."""
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95,
                  rc={"figure.dpi": 100, "axes.titleweight": "bold", "axes.titlesize": 12,
                      "hatch.color": "#ffffff", "hatch.linewidth": 0.8})


def wrap(text: str, width: int = 38) -> str:
    """Wrap a long label onto several lines."""
    return "\n".join(textwrap.wrap(text, width)) or text


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


GAP_COLOR = "#cfcfcf"  # the band showing the difference between two groups: light, under everything


def _with_n(label: str, n: object | None, unit: str = "") -> str:
    """'Borgernære ledere (n = 60)'; the label alone when n is not given."""
    if n is None or (isinstance(n, float) and np.isnan(n)):
        return label
    value = f"{int(n):d}" if isinstance(n, int | float | np.integer | np.floating) else str(n)
    return f"{label} (n = {value}{f' {unit}' if unit else ''})"


def theme_profile(scores: pd.DataFrame, *, labels: Mapping[str, str],
                  groups: Sequence[str] = ("stab", "borgernaer"),
                  n: Mapping[str, int | str] | None = None, ax: Axes | None = None) -> Axes:
    """Dot plot of theme scores (0–100) per respondent group, a grey band under the dots
    spanning the gap between the groups ("Forskel" in the legend), and intervals where given.

    Parameters
    ----------
    scores
        Columns ``id``, ``group``, ``score`` and optionally ``ci_low``/``ci_high``;
        one row per theme × group. Suppressed cells (``score`` NaN) are left out.
    labels
        Theme id → label on the y axis, in drawing order.
    groups
        Groups to draw.
    n
        Optional group → number of respondents (or a text such as ``"55–60"``), shown in
        the legend as "Borgernære ledere (n = 60)".
    ax
        Axes to draw on.
    """
    order = list(labels)
    ax = _new_ax(ax, (8.2, 0.5 * len(order) + 1.3))
    y_of = {t: i for i, t in enumerate(order)}
    shown = scores[scores["id"].isin(order) & scores["score"].notna() & scores["group"].isin(groups)]
    wide = shown.pivot(index="id", columns="group", values="score")
    offsets = np.linspace(-0.12, 0.12, len(groups)) if len(groups) > 1 else [0.0]
    # The gap, where every group is shown: a band under dots and intervals, as tall as both dots.
    both = wide.reindex(columns=list(groups)).dropna() if len(groups) > 1 else wide.iloc[:0]
    if not both.empty:
        low, high = both.min(axis=1), both.max(axis=1)
        ax.barh([y_of[str(t)] for t in both.index], high - low, left=low, height=0.5,
                color=GAP_COLOR, edgecolor="none", zorder=1.5)
    for off, group in zip(offsets, groups, strict=True):
        style = GROUP_STYLE[group]
        part = shown[shown["group"] == group]
        y = part["id"].map(y_of).to_numpy() + off
        if {"ci_low", "ci_high"} <= set(part.columns):
            ax.hlines(y, part["ci_low"], part["ci_high"], color=style.color, lw=1.3, alpha=0.9, zorder=2)
        ax.scatter(part["score"], y, marker=style.marker, s=52, zorder=3,
                   facecolors=style.color if style.fill else "white",
                   edgecolors=style.color, linewidths=1.6,
                   label=_with_n(GROUP_LABELS[group], (n or {}).get(group)))
    ax.set_yticks(range(len(order)), [wrap(labels[t]) for t in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Score (0–100). Vandrette streger: hvor scoren sandsynligvis ligger")
    handles, names = ax.get_legend_handles_labels()
    if not both.empty:
        handles.append(Patch(facecolor=GAP_COLOR, edgecolor="none", label="Forskel"))
        names.append("Forskel")
    ax.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, -0.1 - 0.3 / len(order)),
              ncols=len(handles), frameon=False)
    return ax


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


def likert_palette(k: int) -> tuple[list[str], list[str]]:
    """Colours and hatches of a ``k``-level Likert scale, worst level first: darker brown to light on
    the negative side (hatched), grey in the middle of an odd scale, light to dark blue on the
    positive side. The five-level scale keeps :data:`LIKERT_COLORS` and :data:`LIKERT_HATCH`."""
    if k == 5:
        return list(LIKERT_COLORS), list(LIKERT_HATCH)
    half = k // 2
    def ramp(a: str, b: str, single: float) -> list[str]:
        at = np.linspace(0, 1, half) if half > 1 else [single]
        return [to_hex(c) for c in LinearSegmentedColormap.from_list("ramp", [a, b])(at)]

    # the extremes stay darkest, so a three-level scale is dark brown, grey, dark blue
    neg, pos = ramp(LIKERT_COLORS[0], LIKERT_COLORS[1], 0.0), ramp(LIKERT_COLORS[3], LIKERT_COLORS[4], 1.0)
    middle = [LIKERT_COLORS[2]] if k % 2 else []
    hatches = ["///" if j < half - 1 else "//" for j in range(half)] + [""] * (len(middle) + half)
    return neg + middle + pos, hatches


def _drawn_items(items: pd.DataFrame, labels: Mapping[str, str], who: str) -> list[str]:
    """The items of ``labels`` (in its order) that ``items`` has; a ValueError naming ``who`` if none."""
    order = [i for i in labels if i in set(items["item_id"])] if "item_id" in items else []
    if not order:
        raise ValueError(f"{who}: none of the items in `labels` is in `items` — nothing to draw")
    return order


def likert_bars(items: pd.DataFrame, *, labels: Mapping[str, str], scale: Mapping[int, str],
                ax: Axes | None = None) -> Axes:
    """Diverging stacked bars of answer shares, centred on the middle level.

    Every scale level is drawn (and in the legend) even when nobody chose it;
    "Ved ikke" is its own grey bar to the right of the scale, as a share of
    everyone who answered the item, its percentage set clear of bar and frame.
    Each item's text, with its n (substantive answers), stands above its bar
    across the full width, printing at 9.5 pt or more on A4.

    Parameters
    ----------
    items
        One row per item (already one group): ``item_id``, ``n``, ``c<code>`` for
        every code of ``scale``, ``dont_know``. Rows with ``n`` missing are
        drawn empty and labelled "skjult".
    labels
        Item id → label, in drawing order.
    scale
        Code → label of the Likert scale, worst first (any number of levels; an even scale is
        centred between its two halves).

    Raises
    ------
    ValueError
        When none of the items in ``labels`` is in ``items``.
    """
    codes, order = sorted(scale), _drawn_items(items, labels, "likert_bars")
    rows = items.set_index("item_id").reindex(order)
    nbsp = "\u00a0"  # "(n = 68)" is never broken across lines
    names = [f"{labels[i]} ({'skjult' if pd.isna(nn) else f'n{nbsp}={nbsp}{int(nn)}'})"
             for i, nn in zip(order, rows["n"].to_numpy(), strict=True)]
    new_figure = ax is None
    if ax is None:  # a briefing figure: the item text prints at 9.5 pt on A4
        width = 7.4
        fontsize = round(9.5 / print_scale(width), 1)
        ax = _new_ax(None, (width, 6.0))
    else:
        fontsize = 9.5
    fig = ax.get_figure(root=True)
    assert fig is not None
    small = max(9.0, fontsize - 1.5)
    spacing = 1.1
    dk = rows["dont_know"].astype("float64").fillna(0).to_numpy()
    counts = rows[[f"c{c}" for c in codes]].astype("float64").fillna(0).to_numpy()
    n = counts.sum(axis=1)
    dk_share = np.divide(dk, n + dk, out=np.zeros_like(dk), where=(n + dk) > 0) * 100
    ax.set_xlim(-100, DK_START + max(24.0, float(dk_share.max(initial=0.0))) + 6)
    renderer = _renderer(ax)
    names = _wrap_to(names, ax.get_window_extent(renderer).width - 8 * fig.dpi / 72, fontsize, fig.dpi)
    # Row layout in points: the item text, then its bar, then a gap before the next item.
    px_per_pt = fig.dpi / 72
    text_h = [_text_px(name, fontsize, fig.dpi, spacing)[1] / px_per_pt for name in names]
    pad, bar, gap = 2.0, 0.95 * fontsize, 0.75 * fontsize
    heights = pad + np.array(text_h) + 3.5 + bar + gap
    tops = np.concatenate([[0.0], np.cumsum(heights)[:-1]])
    y = tops + pad + np.array(text_h) + 3.5 + bar / 2
    total = float(heights.sum()) - gap + 4.0
    mid = len(codes) // 2
    shares = np.divide(counts, n[:, None], out=np.zeros_like(counts), where=n[:, None] > 0) * 100
    # Centred on the middle level of an odd scale, on the boundary between the halves of an even one.
    left = -(shares[:, :mid].sum(axis=1) + (shares[:, mid] / 2 if len(codes) % 2 else 0))
    colors, hatches = likert_palette(len(codes))
    handles = []
    for j, code in enumerate(codes):
        ax.barh(y, shares[:, j], left=left, color=colors[j], hatch=hatches[j],
                edgecolor="white", linewidth=0.6, label=scale[code], height=bar, zorder=2)
        handles.append(Patch(facecolor=colors[j], hatch=hatches[j], edgecolor="white", label=scale[code]))
        left = left + shares[:, j]
    ax.barh(y, dk_share, left=DK_START, color=DONT_KNOW_COLOR, label="Ved ikke", height=bar, zorder=2)
    handles.append(Patch(facecolor=DONT_KNOW_COLOR, label="Ved ikke"))
    dk_texts = [ax.annotate(f"{d:.0f} %", (DK_START + d, float(yi)), xytext=(4, 0), textcoords="offset points",
                            va="center", ha="left", fontsize=small, annotation_clip=False)
                for yi, d, nn in zip(y, dk_share, rows["n"].to_numpy(), strict=True) if pd.notna(nn)]
    # Guides only beside the bars, so no line runs through the item text.
    span = (y - bar / 2 - 2, y + bar / 2 + 2)
    for x in (-50, 50, 100):
        ax.vlines(np.full(len(y), x), *span, color="#e3e3e3", lw=0.8, zorder=0)
    ax.vlines(np.zeros(len(y)), *span, color="#333333", lw=1, zorder=3)
    ax.vlines(np.full(len(y), DK_START - 4), *span, color="#bbbbbb", lw=0.8, ls=":", zorder=0)
    # x in Axes fractions, y in data; 4 pt in from the frame so the text does not touch it
    text_at = ax.get_yaxis_transform() + ScaledTranslation(4 / 72, 0, fig.dpi_scale_trans)
    for top, name in zip(tops, names, strict=True):
        ax.text(0, top + pad, name, transform=text_at, va="top", ha="left", fontsize=fontsize,
                linespacing=spacing)
    ax.grid(False)
    ax.set_yticks([])
    ax.set_ylim(total, 0)
    ax.set_xticks([-100, -50, 0, 50, 100, DK_START + 12], ["100 %", "50 %", "0", "50 %", "100 %", "Ved ikke"],
                  fontsize=small)
    # Two legend rows read left to right (Matplotlib fills legend columns first).
    ncols = (len(handles) + 1) // 2
    ordered = [handles[r * ncols + c] for c in range(ncols) for r in range(2) if r * ncols + c < len(handles)]
    below = ax.transAxes + ScaledTranslation(0, -(small * 2.2) / 72, fig.dpi_scale_trans)
    ax.legend(handles=ordered, loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=below,
              ncols=ncols, frameon=False, fontsize=small)
    laid_out: RendererBase | None = None  # the last layout's renderer, while the figure is as laid out
    if new_figure:  # make one data unit one point, so text and bars keep the planned spacing
        for _ in range(2):
            laid_out = _renderer(ax)
            height_pt = ax.get_window_extent(laid_out).height / px_per_pt
            if abs(total - height_pt) < 1e-6:  # fits (to float rounding): the layout stands
                break
            fig.set_figheight(fig.get_figheight() + (total - height_pt) / 72)
            laid_out = None
    if dk_texts:  # widen the axis until every "Ved ikke" percentage sits clear of the frame
        renderer = laid_out if laid_out is not None else _renderer(ax)
        frame = ax.get_window_extent(renderer)
        reach = max(t.get_window_extent(renderer).x1 for t in dk_texts)
        right = ax.get_xlim()[1]
        if reach > frame.x1 - 8:
            units_per_px = (right + 100) / frame.width
            ax.set_xlim(-100, right + (reach - frame.x1 + 12) * units_per_px * 1.2)
    return ax


# The compact statement figure's columns, as fractions of its width: statement text, group label,
# the 100 % bar, and n (with "Ved ikke") at the right.
_GL_TEXT, _GL_LABEL, _GL_BAR, _GL_END = 0.45, 0.555, 0.56, 0.855
GROUP_SHORT = {"alle": "Alle", "stab": "Stab", "borgernaer": "Borgernære"}


def group_likert_bars(items: pd.DataFrame, *, labels: Mapping[str, str], scale: Mapping[int, str],
                      groups: Sequence[str], min_label: float = 8.0) -> Axes:
    """Per statement one thin stacked 100 % bar per group (e.g. staff above frontline leaders).

    Each statement's text stands at the left; each bar carries its group's short name, the share
    of every answer level (worst level left) with its percentage printed on segments of at least
    ``min_label`` %, and at the right the group's n (substantive answers, the bar's denominator)
    and how many answered "Ved ikke" (not in the bar, as it is not in the score). A cell
    without ``n`` (hidden) is drawn as the word "skjult".

    Parameters
    ----------
    items
        One row per item × group: ``item_id``, ``group``, ``n``, ``c<code>`` for every code of
        ``scale``, ``dont_know``.
    labels
        Item id → statement text, in drawing order.
    scale
        Code → label, worst first.
    groups
        The groups to draw, in order (each statement gets one bar per group).

    Raises
    ------
    ValueError
        When none of the items in ``labels`` is in ``items``.
    """
    codes, order = sorted(scale), _drawn_items(items, labels, "group_likert_bars")
    width = 7.4
    fontsize = round(9.5 / print_scale(width), 1)
    small = max(8.0, fontsize - 2.0)
    fig = plt.figure(figsize=(width, 4.0))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    texts = _wrap_to([labels[i] for i in order], _GL_TEXT * width * fig.dpi - 6, fontsize, fig.dpi)
    px_per_pt = fig.dpi / 72
    text_h = [_text_px(t, fontsize, fig.dpi, 1.05)[1] / px_per_pt for t in texts]
    bar, step, gap = 1.05 * small, 1.25 * small, 0.8 * fontsize
    heights = np.maximum(np.array(text_h), step * len(groups)) + gap
    tops = np.concatenate([[0.0], np.cumsum(heights)[:-1]])
    legend_pt = 3.2 * small
    total = float(heights.sum()) - gap
    fig.set_figheight((total + legend_pt) / 72)
    ax.set_position((0.0, legend_pt / (total + legend_pt), 1.0, total / (total + legend_pt)))
    ax.set_xlim(0, 1)
    ax.set_ylim(total, 0)
    ax.set_axis_off()
    colors, hatches = likert_palette(len(codes))
    rows = items.set_index(["item_id", "group"])
    span = _GL_END - _GL_BAR
    bars: list[tuple[float, np.ndarray]] = []  # (y, shares) of every drawn bar, drawn below level by level
    for top, item, text in zip(tops, order, texts, strict=True):
        ax.text(0.0, top, text, va="top", ha="left", fontsize=fontsize, linespacing=1.05)
        for k, group in enumerate(groups):
            y = top + step * k + step / 2
            ax.text(_GL_LABEL - 0.005, y, GROUP_SHORT.get(group, group), va="center", ha="right", fontsize=small,
                    color="#333333")
            if (item, group) not in rows.index:
                ax.text(_GL_BAR, y, "ikke spurgt", va="center", ha="left", fontsize=small, color="#555555")
                continue
            row = rows.loc[(item, group)]
            n = row["n"]
            if pd.isna(n) or float(n) <= 0:
                ax.text(_GL_BAR, y, "skjult", va="center", ha="left", fontsize=small, color="#555555")
                continue
            counts = np.array([float(row.get(f"c{c}", 0) or 0) for c in codes])
            shares = counts / counts.sum() * 100 if counts.sum() > 0 else counts
            bars.append((y, shares))
            for j, (left, share) in enumerate(zip(_starts(shares), shares, strict=True)):
                if share >= min_label:
                    ax.text(_GL_BAR + (left + share / 2) / 100 * span, y, f"{share:.0f}", ha="center",
                            va="center", fontsize=small, color=_ink_on(colors[j]),  # the hatch stops at the number
                            bbox={"boxstyle": "square,pad=0.05", "fc": colors[j], "ec": "none"} if hatches[j] else None)
            dk = row.get("dont_know")
            end = f"n = {int(n)}" + (f" · {int(dk)} ved ikke" if dk is not None and pd.notna(dk) and dk > 0 else "")
            ax.text(_GL_END + 0.008, y, end, va="center", ha="left", fontsize=small, color="#333333")
    if bars:  # level by level, as barh would place them (centred on y), without its per-bar autoscaling
        ys = np.array([y for y, _ in bars]) - bar / 2
        shares_all = np.vstack([sh for _, sh in bars])
        lefts = np.vstack([_starts(sh) for _, sh in bars])
        for j in range(len(codes)):
            for x, b, w in zip(_GL_BAR + lefts[:, j] / 100 * span, ys, shares_all[:, j] / 100 * span, strict=True):
                ax.add_artist(Rectangle((x, b), w, bar, facecolor=colors[j], hatch=hatches[j], edgecolor="white",
                                        linewidth=0.5))
    handles = [Patch(facecolor=colors[j], hatch=hatches[j], edgecolor="white", label=scale[c])
               for j, c in enumerate(codes)]
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=len(handles), frameon=False,
               fontsize=small, handlelength=1.4, columnspacing=1.0)
    return ax


def _starts(shares: np.ndarray) -> np.ndarray:
    """Where each stacked segment starts: the running sum of the shares before it (summed in order)."""
    return np.concatenate([[0.0], np.cumsum(shares)[:-1]])


def _ink_on(colour: str) -> str:
    """White text on a dark segment, near-black on a light one (WCAG relative luminance)."""
    rgb = np.array(matplotlib.colors.to_rgb(colour))
    lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return "#ffffff" if float(lin @ [0.2126, 0.7152, 0.0722]) < 0.18 else "#1b1b1b"


def role_heatmap(roles: pd.DataFrame, *, functions: Mapping[str, str], roles_order: Mapping[str, str],
                 national: pd.DataFrame | None = None, ax: Axes | None = None) -> Axes:
    """Staff function × role heatmap of the frontline leaders' ratings (0–100), n in each cell.

    With ``national`` (``function``, ``role``, ``mean``: the national average of each cell) the
    colour is the kommune's score minus the national average (:func:`deviation_heatmap`); without it
    the colours diverge around the scale's middle (50). Suppressed cells (a row without a score)
    are blank with "skjult", cells without a row (the survey did not ask them) blank with
    "ikke spurgt". The numbers are printed, so it reads in grayscale too.
    """
    ax = _new_ax(ax, (8.0, 0.6 * len(functions) + 1.8))
    index, columns = list(functions), list(roles_order)
    grid = roles.pivot(index="function", columns="role", values="score").reindex(index=index, columns=columns)
    ns = roles.pivot(index="function", columns="role", values="n").reindex(index=index, columns=columns)
    asked = roles.assign(_asked=True).pivot(index="function", columns="role", values="_asked").reindex(
        index=index, columns=columns).notna().to_numpy()
    annot = np.where(grid.isna(), "", grid.round(0).astype("Int64").astype(str) + "\nn = " + ns.astype("Int64").astype(str))
    ref = _reference(national, "function", "role", index, columns)
    deviation_heatmap(grid, annot, ref, ax=ax, fontsize=9.5)
    for (y, x) in zip(*np.nonzero(grid.isna().to_numpy()), strict=True):
        ax.text(x + 0.5, y + 0.5, "skjult" if asked[y, x] else "ikke\nspurgt", ha="center", va="center",
                fontsize=8.5, color="#555555")
    ax.set_yticks(np.arange(len(functions)) + 0.5, list(functions.values()), rotation=0)
    _fit_column_labels(ax, list(roles_order.values()))
    return ax


def _reference(national: pd.DataFrame | None, row: str, column: str, index: list[str],
               columns: list[str]) -> pd.DataFrame | None:
    """The national averages as a grid like the kommune's, or ``None`` where there are none."""
    if national is None or national.empty:
        return None
    return national.pivot(index=row, columns=column, values="mean").reindex(index=index, columns=columns)


DEVIATION_LABEL = "Point over (+) / under (−) landsgennemsnittet"


def deviation_heatmap(grid: pd.DataFrame, annot: np.ndarray, reference: pd.DataFrame | None, *, ax: Axes,
                      fontsize: float) -> Axes:
    """A heatmap whose colour is ``grid − reference`` (blue above the national average, red below,
    white at it; limits symmetric and fitted to the data) and whose text is ``annot`` (the
    kommune's own values). A cell without a national average is grey with its text; without any
    ``reference`` the colours diverge around the scale's middle (50) instead."""
    if reference is None or reference.isna().to_numpy().all():
        colour, limits, label = grid, _around_middle(grid), "Score (0–100; 50 er skalaens midte)"
    else:
        colour, label = grid - reference, DEVIATION_LABEL
        limits = _around_middle(colour, middle=0.0, least=5.0)
    ax.set_facecolor("#e6e6e6")  # a shown cell without a national average (NaN colour) reads as neutral grey
    _heatmap(colour.astype(float), ax=ax, cmap=DIVERGING_CMAP, label=label, **limits)
    cmap, values = plt.get_cmap(DIVERGING_CMAP), colour.to_numpy(dtype=float)
    for (y, x), text in np.ndenumerate(annot):  # every shown cell keeps the kommune's own value
        if text:
            value = values[y, x]
            fill = "#e6e6e6" if np.isnan(value) else to_hex(cmap((value - limits["vmin"]) / (limits["vmax"] - limits["vmin"])))
            ax.text(x + 0.5, y + 0.5, text, ha="center", va="center", fontsize=fontsize, color=_ink_on(fill))
    ax.set_xlabel("")
    ax.set_ylabel("")
    return ax


def _heatmap(grid: pd.DataFrame, *, ax: Axes, cmap: str, vmin: float, vmax: float, label: str) -> None:
    """What ``seaborn.heatmap(grid, linewidths=1, linecolor="white", cbar_kws={"label": label})`` draws
    (white-edged cells, missing cells left out, y downwards, a colour bar without outline), without the
    full render seaborn makes to check its tick labels: the callers set their own."""
    sns.despine(ax=ax, left=True, bottom=True)
    values = grid.to_numpy(dtype=float)
    mesh = ax.pcolormesh(np.ma.masked_invalid(values), cmap=cmap, vmin=vmin, vmax=vmax, linewidths=1,
                         edgecolor="white")
    ax.set(xlim=(0, values.shape[1]), ylim=(0, values.shape[0]))
    ax.invert_yaxis()
    bar = ax.get_figure(root=True).colorbar(mesh, ax=ax, label=label)  # type: ignore[union-attr]
    bar.outline.set_linewidth(0)
    ax.set_xticks(np.arange(values.shape[1]) + 0.5, [str(c) for c in grid.columns])
    ax.set_yticks(np.arange(values.shape[0]) + 0.5, [str(i) for i in grid.index], va="center")


def share_bars(shares: pd.DataFrame, *, labels: Mapping[str, str], key: str = "area",
               xlabel: str = "Andel af de borgernære ledere", ax: Axes | None = None) -> Axes:
    """Horizontal bars of shares (0–1) with 95 % intervals and n, sorted as ``labels``."""
    order = [k for k in labels if k in set(shares[key])]
    ax = _new_ax(ax, (8.0, 0.5 * len(order) + 1.2))
    rows = shares.set_index(key).reindex(order)
    y = np.arange(len(order))
    values = rows["share"].astype(float).to_numpy() * 100
    ax.barh(y, np.nan_to_num(values), color="#0b4f8a", height=0.6)
    if {"ci_low", "ci_high"} <= set(rows.columns):
        low = rows["ci_low"].astype(float).to_numpy() * 100
        high = rows["ci_high"].astype(float).to_numpy() * 100
        ax.errorbar(values, y, xerr=[values - low, high - values], fmt="none", ecolor="#1b1b1b", capsize=3)
    ends = np.fmax(np.nan_to_num(values), np.nan_to_num(rows["ci_high"].astype(float).to_numpy() * 100)
                   if "ci_high" in rows.columns else np.nan_to_num(values))
    for yi, v, nn, end in zip(y, values, rows["n"].to_numpy(), ends, strict=True):
        text = "skjult" if pd.isna(v) else f"{v:.0f} % (n = {int(nn)})" if pd.notna(nn) else f"{v:.0f} %"
        ax.text(float(end) + 1.5, float(yi), text, va="center", fontsize=10)  # right next to the bar's interval
    ax.set_yticks(y, [wrap(labels[k], 30) for k in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(0, min(125.0, float(np.nanmax(ends, initial=0)) + 30))
    ax.set_xticks([0, 25, 50, 75, 100], ["0 %", "25 %", "50 %", "75 %", "100 %"])
    ax.set_xlabel(xlabel)
    return ax


def subgroup_heatmap(cells: pd.DataFrame, *, rows: Mapping[str, str], columns: Mapping[str, str],
                     national: pd.DataFrame | None = None, ax: Axes | None = None) -> Axes:
    """Score heatmap of themes (rows) × subgroups (columns), n printed, hidden cells «–».

    With ``national`` (``id``, ``group``, ``mean``) the colour is the score minus the national
    average of the same subgroup and theme (:func:`deviation_heatmap`)."""
    ax = _new_ax(ax, (9.0, 0.45 * len(rows) + 2.0))
    index, cols = list(rows), list(columns)
    grid = cells.pivot(index="id", columns="group", values="score").reindex(index=index, columns=cols)
    ns = cells.pivot(index="id", columns="group", values="n").reindex(index=index, columns=cols)
    annot = np.where(grid.isna(), "–", grid.round(0).astype("Int64").astype(str) + "\n(" +
                     ns.astype("Int64").astype(str) + ")")
    deviation_heatmap(grid, annot, _reference(national, "id", "group", index, cols), ax=ax, fontsize=8.5)
    ax.set_yticks(np.arange(len(rows)) + 0.5, [wrap(v, 34) for v in rows.values()], rotation=0)
    _fit_column_labels(ax, list(columns.values()))
    return ax


def strip_jitter(n: int, half_width: float, *, seed: int = 0) -> np.ndarray:
    """Vertical offsets for ``n`` dots of a strip plot, the same on every run.

    Seeded, never drawn from NumPy's global state, so the same data give byte-identical figures.
    """
    return np.random.default_rng(seed).uniform(-half_width, half_width, n)


def benchmark_strip(national: pd.DataFrame, *, highlight: str, labels: Mapping[str, str],
                    own: pd.DataFrame | None = None, n_others: int | None = None,
                    n_own: int | str | None = None, ax: Axes | None = None) -> Axes:
    """Every kommune's score per id as a strip, this kommune marked (with its interval).

    Parameters
    ----------
    national
        Columns ``kommunekode``, ``id``, ``score`` (the shown ``alle`` scores).
    highlight
        The kommune to mark.
    labels
        Id → label, in drawing order.
    own
        Optional rows for the marked kommune with ``id``, ``score``, ``ci_low``, ``ci_high``.
    n_others
        Optional number of other kommuner, shown as "Andre kommuner (n = 97 kommuner)".
    n_own
        Optional number of the kommune's respondents (or a text such as ``"68–71"``),
        shown as "Kommunen (n = 71 ledere)".
    """
    order = [i for i in labels if i in set(national["id"])]
    ax = _new_ax(ax, (8.0, 0.7 * len(order) + 1.2))
    y_of = {k: j for j, k in enumerate(order)}
    others = national[(national["kommunekode"] != highlight) & national["id"].isin(order)]
    jitter = strip_jitter(len(others), 0.18)
    ax.scatter(others["score"], others["id"].map(y_of).astype(float).to_numpy() + jitter, s=14, color="#9a9a9a", alpha=0.8,
               label="Andre kommuner", zorder=2)
    if own is not None and not own.empty:
        mine = own[own["id"].isin(order)]
        y = mine["id"].map(y_of).to_numpy()
        if {"ci_low", "ci_high"} <= set(mine.columns):
            ax.hlines(y, mine["ci_low"], mine["ci_high"], color="#000000", lw=2, zorder=3)
        ax.scatter(mine["score"], y, marker="D", s=70, color="#000000", zorder=4, label="Kommunen")
    ax.set_yticks(range(len(order)), [wrap(labels[i], 34) for i in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Score (0–100)")
    handles = [Line2D([], [], ls="none", marker="o", markersize=5, color="#9a9a9a",
                      label=_with_n("Andre kommuner", n_others, "kommuner")),
               Line2D([], [], ls="-", lw=2, marker="D", markersize=8, color="#000000",
                      label=_with_n("Kommunen", n_own, "ledere"))]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=2, frameon=False)
    return ax


def _ip_ylabel(matrix: pd.DataFrame, basis: str | None) -> str:
    """Whose score the matrix shows: the frontline leaders' unless the basis says all leaders (or the
    staff, in a survey of the staff only)."""
    bases = set(matrix["basis"].dropna()) if "basis" in matrix.columns else set()
    if basis is not None:
        bases = {basis}
    if bases == {"alle"}:
        return "Score hos alle ledere (0–100)"
    if bases == {"stab"}:
        return "Score hos staben (0–100)"
    if "alle" in bases:
        return "Score hos de borgernære ledere (0–100;\nalle ledere, hvor de borgernære er skjult)"
    return "Score hos de borgernære ledere (0–100)"


# Where a point's label may go, in order of preference: right, left, the four diagonals, above, below.
_DIRECTIONS = ((1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1), (0, 1), (0, -1))


def _marker_box(x: float, y: float, size: float, px_per_pt: float) -> Bbox:
    """A square (pixels) safely around a scatter marker of area ``size`` (pt²) at (x, y)."""
    r = (0.75 * np.sqrt(size) + 1.5) * px_per_pt
    return Bbox.from_extents(x - r, y - r, x + r, y + r)


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return float(w * h) if w > 0 and h > 0 else 0.0


def place_labels(ax: Axes, x: Sequence[float], y: Sequence[float], texts: Sequence[str], *,
                 sizes: Sequence[float], bold: Sequence[bool] | None = None, fontsize: float = 9,
                 avoid: Sequence[Artist] = ()) -> list[Annotation]:
    """Label points so that no label covers a marker, another label or any artist in ``avoid``.

    A small deterministic greedy search: points are labelled in the given order; each label
    takes the first free spot among eight positions around its marker (right, left, the
    diagonals, above, below), trying rings further out (with a thin leader line) until one
    is free of markers, placed labels and the ``avoid`` artists and inside the Axes. If none is,
    the spot with the least overlap is used. Positions are computed on the laid-out figure,
    so call this after limits, labels and legend are set.
    """
    fig = ax.get_figure(root=True)
    assert fig is not None
    renderer = _renderer(ax)
    px_per_pt = fig.dpi / 72
    points = ax.transData.transform(np.column_stack([x, y])) if len(x) else np.empty((0, 2))
    markers = [_marker_box(float(px), float(py), s, px_per_pt) for (px, py), s in zip(points, sizes, strict=True)]
    frame = ax.get_window_extent(renderer).padded(-3)
    taken: list[Bbox] = [*markers, *(a.get_window_extent(renderer) for a in avoid)]
    gap, step = 2.5 * px_per_pt, 9 * px_per_pt
    out = []
    for i, text in enumerate(texts):
        weight = "bold" if bold is not None and bold[i] else "normal"
        probe = ax.text(0, 0, text, fontsize=fontsize, fontweight=weight)
        extent = probe.get_window_extent(renderer)
        probe.remove()
        w, h = extent.width + 2, extent.height + 2
        px, py = points[i]
        r = (markers[i].x1 - markers[i].x0) / 2
        best: tuple[float, int, tuple[float, float], tuple[int, int]] | None = None
        for ring in range(8):
            dist = r + gap + ring * step
            for k, (dx, dy) in enumerate(_DIRECTIONS):
                ax_, ay = px + dx * dist, py + dy * dist
                x0 = ax_ if dx > 0 else ax_ - w if dx < 0 else ax_ - w / 2
                y0 = ay if dy > 0 else ay - h if dy < 0 else ay - h / 2
                box = Bbox.from_bounds(x0, y0, w, h)
                outside = (max(0, frame.x0 - box.x0) + max(0, box.x1 - frame.x1)
                           + max(0, frame.y0 - box.y0) + max(0, box.y1 - frame.y1)) * h
                cost = sum(_overlap(box, o) for o in taken) + outside
                rank = ring * len(_DIRECTIONS) + k
                if best is None or cost < best[0] - 1e-9:
                    best = (cost, rank, (ax_ - px, ay - py), (dx, dy))
                if cost == 0:
                    break
            if best is not None and best[0] == 0:
                break
        assert best is not None
        _, rank, (ox, oy), (dx, dy) = best
        far = rank >= len(_DIRECTIONS)
        ann = ax.annotate(text, (x[i], y[i]), xytext=(ox / px_per_pt, oy / px_per_pt), textcoords="offset points",
                          ha="left" if dx > 0 else "right" if dx < 0 else "center",
                          va="bottom" if dy > 0 else "top" if dy < 0 else "center",
                          fontsize=fontsize, fontweight=weight, zorder=5,
                          bbox=dict(boxstyle="square,pad=0.08", fc="white", ec="none", alpha=0.85),
                          arrowprops=dict(arrowstyle="-", color="#6b6b6b", lw=0.7, shrinkA=1,
                                          shrinkB=r / px_per_pt) if far else None)
        taken.append(Bbox.from_bounds(px + ox + (0 if dx > 0 else -w if dx < 0 else -w / 2),
                                      py + oy + (0 if dy > 0 else -h if dy < 0 else -h / 2), w, h))
        out.append(ann)
    return out


# The priority map's four corners, as (x, y) of the Axes fraction, alignment and Danish name.
IP_CORNERS = (
    (0.98, 0.02, "right", "bottom", "Vigtigt, lav score:\ntag fat her"),
    (0.98, 0.98, "right", "top", "Vigtigt, høj score:\nfasthold"),
    (0.02, 0.02, "left", "bottom", "Mindre vigtigt, lav score:\nhold øje"),
    (0.02, 0.98, "left", "top", "Mindre vigtigt, høj score:\nikke i fokus nu"),
)


def importance_performance(matrix: pd.DataFrame, *, basis: str | None = None, ylabel: str | None = None,
                           ax: Axes | None = None) -> Axes:
    """The importance–performance matrix ("prioriteringskort"), drawn from the priority rule's own
    quantities.

    Parameters
    ----------
    matrix
        One row per theme: ``id``, ``score`` (0–100, the score the rule looks at), ``priority``
        (bool), and the importance: ``x`` (the rule's importance needs, 0–100:
        :func:`fundament_lib.analysis.workshop.map_importance`) or else ``importance``; optionally
        ``title`` (theme names are shown then), ``rank`` (the priority's place in the list,
        written next to its marker) and ``basis`` (whose score). Prioritised themes are
        diamonds with a black edge, the rest open grey circles, so no marker hides another;
        the dashed lines are the kommune's own medians, and all four corners are named. The
        axes are fitted to the data.
    basis
        Whose score is shown, when ``matrix`` has no ``basis`` column: ``"borgernaer"``
        (the default: the priority rule scores the frontline leaders) or ``"alle"``.
    ylabel
        The y-axis label, overriding the one ``basis`` gives.
    """
    ax = _new_ax(ax, (7.5, 6.0))
    xcol = "x" if "x" in matrix.columns and matrix["x"].notna().any() else "importance"
    shown = matrix.dropna(subset=[xcol, "score"]).reset_index(drop=True)
    prio = shown["priority"].astype(bool)
    ax.scatter(shown.loc[~prio, xcol], shown.loc[~prio, "score"], s=60, facecolors="none",
               edgecolors="#5a5a5a", linewidths=1.4, label="Øvrige temaer", zorder=3)
    ax.scatter(shown.loc[prio, xcol], shown.loc[prio, "score"], s=170, marker="D", facecolors="#ffffff",
               edgecolors="#000000", linewidths=2.0, label="Prioriterede temaer", zorder=4)
    if "rank" in shown.columns:  # the list's number inside its diamond, so no label can be read as another's
        for _, row in shown[prio & shown["rank"].notna()].iterrows():
            ax.text(row[xcol], row["score"], str(int(row["rank"])), ha="center", va="center", fontsize=7.5,
                    fontweight="bold", zorder=5)
    if not shown.empty:
        ax.axvline(shown[xcol].median(), color="#6b6b6b", ls="--", lw=1)
        ax.axhline(shown["score"].median(), color="#6b6b6b", ls="--", lw=1)
        ax.set_xlim(*_fitted(shown[xcol], pad=0.35, low=0.0, high=100.0))
        ax.set_ylim(*_fitted(shown["score"], pad=0.35, low=0.0, high=100.0))
    ax.set_xlabel("Vigtighed efter reglen (lederne selv og sammenhængen med tid til faglig ledelse, 0–100)"
                  if xcol == "x" else "Vigtighed for de kommende år (0–100)")
    ax.set_ylabel(ylabel or _ip_ylabel(shown, basis))
    corners = [ax.text(cx, cy, text, transform=ax.transAxes, fontsize=8.5, color="#4a4a4a", ha=ha, va=va,
                       zorder=1) for cx, cy, ha, va, text in IP_CORNERS]
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2, frameon=False, fontsize=9)
    # Prioritised themes are labelled first, then the rest, each in order of crowding.
    order = sorted(range(len(shown)), key=lambda i: (not prio[i], -_crowding(shown, i, xcol),
                                                     str(shown.at[i, "id"])))
    ordered = shown.loc[order]
    place_labels(ax, ordered[xcol].tolist(), ordered["score"].tolist(),
                 [_ip_label(row) for _, row in ordered.iterrows()],
                 sizes=[170.0 if p else 60.0 for p in ordered["priority"].astype(bool)],
                 bold=ordered["priority"].astype(bool).tolist(), fontsize=8.5, avoid=corners)
    return ax


def _ip_label(row: pd.Series) -> str:
    """'1. P2.5 Helhedsløsninger og -indsatser' for a priority, 'P1.3 Klare arbejdsdelinger …' for the rest."""
    title = str(row.get("title") or "")
    name = f"{row['id']} {textwrap.shorten(title, 26, placeholder=' …')}" if title and title != row["id"] \
        else str(row["id"])
    rank = row.get("rank")
    return f"{int(rank)}. {name}" if bool(row["priority"]) and rank is not None and pd.notna(rank) else name


def _fitted(values: pd.Series, *, pad: float, low: float, high: float) -> tuple[float, float]:
    """Axis limits around the data: the range plus ``pad`` of it on each side (at least 4 points),
    within [low, high]."""
    lo, hi = float(values.min()), float(values.max())
    margin = max(4.0, (hi - lo) * pad)
    return max(low, lo - margin), min(high, hi + margin)


def _crowding(shown: pd.DataFrame, i: int, xcol: str = "importance") -> int:
    """How many other themes lie close to theme ``i`` (within 4 points on both axes)."""
    dx = (shown[xcol] - shown.at[i, xcol]).abs()
    dy = (shown["score"] - shown.at[i, "score"]).abs()
    return int(((dx < 4) & (dy < 4)).sum()) - 1


def distribution_box(scores: pd.DataFrame, *, labels: Mapping[str, str], ax: Axes | None = None) -> Axes:
    """Box plot per id of the kommuner's scores, each kommune a dot (``id``, ``score``)."""
    order = [i for i in labels if i in set(scores["id"])]
    ax = _new_ax(ax, (8.5, 0.55 * len(order) + 1.2))
    data = scores[scores["id"].isin(order)].assign(label=lambda d: d["id"].map(lambda i: wrap(labels[i], 34)))
    names = [wrap(labels[i], 34) for i in order]
    sns.boxplot(data=data, x="score", y="label", order=names, ax=ax, color="#dbe8f5", width=0.6,
                showfliers=False, linewidth=1)
    # One dot per kommune, spread by our own seeded jitter: seaborn's stripplot draws its jitter from
    # NumPy's global random state, so the overview would differ from run to run.
    row = data["label"].map({name: j for j, name in enumerate(names)}).astype(float).to_numpy()
    ax.scatter(data["score"], row + strip_jitter(len(data), 0.2), s=2.5 ** 2, color="#1b1b1b", alpha=0.6,
               linewidths=0, zorder=3)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Kommunens score (0–100), alle ledere")
    ax.set_ylabel("")
    return ax
