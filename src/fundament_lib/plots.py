"""Figures for briefings, labelled in Danish and readable in grayscale.

Every function takes its data first, ``ax=None`` and keyword options, draws on
the given (or a new) Axes and returns it. Groups differ by marker shape and
fill as well as by colour, so a grayscale print keeps them apart. Numbers a
reader needs (n, intervals) are drawn on the figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from .framework import GROUP_LABELS

__all__ = ["theme_profile", "GROUP_STYLE", "GroupStyle", "set_style"]

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
    "borgernaer": GroupStyle("#D55E00", "s", True),
}


def set_style() -> None:
    """The house style: seaborn's white grid, readable font sizes, fixed DPI."""
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95,
                  rc={"figure.dpi": 100, "axes.titleweight": "bold", "axes.titlesize": 12})


def _new_ax(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def theme_profile(scores: pd.DataFrame, *, labels: dict[str, str], groups: tuple[str, ...] = ("stab", "borgernaer"),
                  ax: Axes | None = None) -> Axes:
    """Dot plot of theme scores (0–100) per respondent group, with intervals where given.

    Parameters
    ----------
    scores
        Columns ``id``, ``group``, ``score`` and optionally ``ci_low``/``ci_high``
        and ``n``; one row per theme × group. Suppressed cells have ``score`` NaN
        and are left out (the table next to the figure says why).
    labels
        Theme id → label shown on the y axis (in the order to draw).
    groups
        Groups to draw.
    ax
        Axes to draw on.
    """
    order = list(labels)
    ax = _new_ax(ax, (8.0, 0.45 * len(order) + 1.4))
    offsets = np.linspace(-0.18, 0.18, len(groups)) if len(groups) > 1 else [0.0]
    y_of = {t: i for i, t in enumerate(order)}
    for off, group in zip(offsets, groups, strict=True):
        style = GROUP_STYLE[group]
        part = scores[(scores["group"] == group) & scores["score"].notna() & scores["id"].isin(order)]
        y = part["id"].map(y_of).to_numpy() + off
        if {"ci_low", "ci_high"} <= set(part.columns):
            ax.hlines(y, part["ci_low"], part["ci_high"], color=style.color, lw=1.4, alpha=0.8)
        ax.scatter(part["score"], y, marker=style.marker, s=46, zorder=3,
                   facecolors=style.color if style.fill else "white",
                   edgecolors=style.color, linewidths=1.5, label=GROUP_LABELS[group])
    ax.set_yticks(range(len(order)), [labels[t] for t in order])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Score (0–100)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(groups), frameon=False)
    return ax
