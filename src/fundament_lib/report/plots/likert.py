"""Likert answers as stacked bars: every statement's answer shares (the explorer's view).

:func:`likert_bars` draws diverging bars centred on the middle level, with "Ved ikke" apart, its
text sized to print at 9.5 pt or more on A4. (A briefing's bilag shows its statements as HTML bars:
``report.briefing.statements``.)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.patches import Patch
from matplotlib.transforms import ScaledTranslation

from .layout import _new_ax, _renderer, _text_px, _wrap_to, print_scale
from .style import DONT_KNOW_COLOR, likert_palette

__all__ = ["likert_bars"]

DK_START = 118  # where the "Ved ikke" bar starts, right of the 100 % mark


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
