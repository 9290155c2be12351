"""Heatmaps of scores against the national average: function × role, theme × subgroup.

A cell's colour is the kommune's score minus the national average of the same cell (blue above,
red below, white at it; :func:`deviation_heatmap`), its text the kommune's own value and n, so
the figure reads in grayscale too. :func:`_heatmap` draws what seaborn's heatmap would, without
its extra render.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.colors import to_hex

from .layout import _fit_column_labels, _new_ax
from .style import DIVERGING_CMAP, _ink_on, wrap

__all__ = ["role_heatmap", "subgroup_heatmap", "deviation_heatmap", "deviation_colours", "cell_fill", "DEVIATION_LABEL",
           "NO_AVERAGE", "reference_grid"]


def _around_middle(grid: pd.DataFrame, middle: float = 50.0, least: float = 10.0) -> dict[str, float]:
    """Colour limits symmetric around ``middle`` (the scale's, or 0 for a deviation) and fitted to the
    data (to the next 5 points beyond the farthest value, at least ``least``), so scores of 34–81 do
    not all look alike on a 0–100 scale."""
    values = grid.to_numpy(dtype=float)
    spread = float(np.nanmax(np.abs(values - middle))) if np.isfinite(values).any() else least
    half = max(least, 5.0 * np.ceil((spread + 1) / 5.0))
    return {"vmin": middle - half, "vmax": middle + half}  # symmetric: the colour map's centre is the middle


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
    ref = reference_grid(national, "function", "role", index, columns)
    deviation_heatmap(grid, annot, ref, ax=ax, fontsize=9.5)
    for (y, x) in zip(*np.nonzero(grid.isna().to_numpy()), strict=True):
        ax.text(x + 0.5, y + 0.5, "skjult" if asked[y, x] else "ikke\nspurgt", ha="center", va="center",
                fontsize=8.5, color="#555555")
    ax.set_yticks(np.arange(len(functions)) + 0.5, list(functions.values()), rotation=0)
    _fit_column_labels(ax, list(roles_order.values()))
    return ax


def reference_grid(national: pd.DataFrame | None, row: str, column: str, index: list[str],
                   columns: list[str]) -> pd.DataFrame | None:
    """The national averages as a grid like the kommune's, or ``None`` where there are none."""
    if national is None or national.empty:
        return None
    return national.pivot(index=row, columns=column, values="mean").reindex(index=index, columns=columns)


DEVIATION_LABEL = "Point over (+) / under (−) landsgennemsnittet"


def deviation_colours(grid: pd.DataFrame, reference: pd.DataFrame | None) -> tuple[pd.DataFrame, dict[str, float], str]:
    """What a heatmap's cells are coloured by: ``grid − reference`` with limits symmetric around 0 and
    :data:`DEVIATION_LABEL`, or without any ``reference`` the scores themselves around the scale's
    middle (50). Returns the colour values, the limits (``vmin``, ``vmax``) and the colour bar's label."""
    if reference is None or reference.isna().to_numpy().all():
        return grid, _around_middle(grid), "Score (0–100; 50 er skalaens midte)"
    colour = grid - reference
    return colour, _around_middle(colour, middle=0.0, least=5.0), DEVIATION_LABEL


NO_AVERAGE = "#e6e6e6"  # a shown cell without a national average reads as neutral grey


def cell_fill(value: float, limits: Mapping[str, float]) -> str:
    """The colour (hex) of a cell whose colour value is ``value`` (:data:`NO_AVERAGE` where it is NaN)."""
    if np.isnan(value):
        return NO_AVERAGE
    cmap = plt.get_cmap(DIVERGING_CMAP)
    return to_hex(cmap((value - limits["vmin"]) / (limits["vmax"] - limits["vmin"])))


def deviation_heatmap(grid: pd.DataFrame, annot: np.ndarray, reference: pd.DataFrame | None, *, ax: Axes,
                      fontsize: float) -> Axes:
    """A heatmap whose colour is ``grid − reference`` (blue above the national average, red below,
    white at it; limits symmetric and fitted to the data) and whose text is ``annot`` (the
    kommune's own values). A cell without a national average is grey with its text; without any
    ``reference`` the colours diverge around the scale's middle (50) instead."""
    colour, limits, label = deviation_colours(grid, reference)
    ax.set_facecolor(NO_AVERAGE)  # a shown cell without a national average (NaN colour) reads as neutral grey
    _heatmap(colour.astype(float), ax=ax, cmap=DIVERGING_CMAP, label=label, **limits)
    values = colour.to_numpy(dtype=float)
    for (y, x), text in np.ndenumerate(annot):  # every shown cell keeps the kommune's own value
        if text:
            ax.text(x + 0.5, y + 0.5, text, ha="center", va="center", fontsize=fontsize,
                    color=_ink_on(cell_fill(values[y, x], limits)))
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
    deviation_heatmap(grid, annot, reference_grid(national, "id", "group", index, cols), ax=ax, fontsize=8.5)
    ax.set_yticks(np.arange(len(rows)) + 0.5, [wrap(v, 34) for v in rows.values()], rotation=0)
    _fit_column_labels(ax, list(columns.values()))
    return ax
