"""The briefing's heatmaps as HTML tables: one cell per score, coloured by its deviation from the
national average of the same cell.

A cell prints the kommune's own score and n; its colour is the score minus the national average
(blue above, red below, white at it, grey where there is none), on the same colour scale and limits
as :func:`~fundament_lib.report.plots.deviation_heatmap`, with a colour key under the table. Screen
readers (and Quarto's Typst path, which reads only the text) get the deviation in words in every
cell. A hidden cell says «skjult». Drawing them with Matplotlib cost most of a briefing's plotting
time (a text per cell, laid out twice).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex, to_rgb

from fundament_lib.core.fmt import fmt_int, fmt_num
from fundament_lib.report.html import Html, esc
from fundament_lib.report.plots.heatmaps import (
    DEVIATION_LABEL,
    NO_AVERAGE,
    cell_fill,
    deviation_colours,
    reference_grid,
)
from fundament_lib.report.plots.style import DIVERGING_CMAP

__all__ = ["HeatLayout", "heat_table"]

_KEY_STOPS = 11  # colour stops of the key's gradient (the map is smooth between them)


@dataclass(frozen=True)
class HeatLayout:
    """Which columns of the cells and the national averages are the table's rows and columns, how
    each is labelled, and how a cell's n and a cell without a row read."""

    row: str
    column: str
    rows: Mapping[str, str]
    columns: Mapping[str, str]
    corner: str  # the header over the row labels
    n_format: str  # e.g. "n = {n}" or "({n})"
    missing: str = "ikke spurgt"  # a cell the cells have no row for


def heat_table(cells: pd.DataFrame, national: pd.DataFrame | None, layout: HeatLayout, *, summary: str,
               caption: str) -> Html:
    """A heatmap as an accessible HTML table with a colour key.

    Parameters
    ----------
    cells
        One row per shown or hidden cell: ``layout.row``, ``layout.column``, ``score`` (missing where
        the cell is hidden) and ``n``.
    national
        The national average of each cell (``layout.row``, ``layout.column``, ``mean``), or ``None``:
        the colours then diverge around the scale's middle (50).
    layout
        Rows, columns and labels (:class:`HeatLayout`); labels are escaped.
    summary
        The figure's main finding, the table's caption for screen readers.
    caption
        What the numbers and colours mean, shown under the table.
    """
    index, cols = list(layout.rows), list(layout.columns)
    grid = _grid(cells, layout, "score")
    ns = _grid(cells, layout, "n")
    present = _grid(cells.assign(_present=1.0), layout, "_present").notna().to_numpy()
    colour, limits, label = deviation_colours(grid, reference_grid(national, layout.row, layout.column, index, cols))
    deviation = label == DEVIATION_LABEL
    head = "".join(f'<th scope="col">{esc(layout.columns[c])}</th>' for c in cols)
    body = []
    for y, r in enumerate(index):
        tds = "".join(_cell(grid.iat[y, x], ns.iat[y, x], float(colour.iat[y, x]), present[y, x], limits,
                            layout, deviation) for x in range(len(cols)))
        body.append(f'<tr><th scope="row">{esc(layout.rows[r])}</th>{tds}</tr>')
    grey = bool(np.isnan(colour.to_numpy(dtype=float))[grid.notna().to_numpy()].any())
    return Html('<figure class="heat-figure">'
                f'<table class="heat"><caption class="sr-only">{esc(summary)}</caption>'
                # equal cells where the labels allow it (a long fagområde name widens its column)
                f'<colgroup><col class="hm-c-row"><col span="{len(cols)}" style="width:{70 / len(cols):.2f}%"></colgroup>'
                f'<thead><tr><th scope="col">{esc(layout.corner)}</th>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table>'
                f"{_key(limits, label, deviation, grey)}<figcaption>{esc(caption)}</figcaption></figure>")


def _grid(cells: pd.DataFrame, layout: HeatLayout, values: str) -> pd.DataFrame:
    """``values`` as a rows × columns grid in the layout's order (NaN where the cells have none)."""
    frame = cells.pivot(index=layout.row, columns=layout.column, values=values) if not cells.empty else pd.DataFrame()
    return frame.reindex(index=list(layout.rows), columns=list(layout.columns)).astype(float)


def _cell(score: float, n: float, colour: float, present: bool, limits: Mapping[str, float], layout: HeatLayout,
          deviation: bool) -> str:
    """One ``<td>``: the score and n on the cell's colour, the deviation in words for screen readers;
    «skjult» for a hidden cell, ``layout.missing`` for one without a row."""
    if np.isnan(score):
        return f'<td class="hm-none">{"skjult" if present else esc(layout.missing)}</td>'
    fill = cell_fill(colour, limits)
    n_text = esc(layout.n_format.format(n="–" if np.isnan(n) else fmt_int(n)))
    return (f'<td style="background-color:{fill};color:{_ink(fill)}"><span class="hm-v">{fmt_num(score)}</span> '
            f'<span class="hm-n">{n_text}</span><span class="sr-only">{_said(colour, deviation)}</span></td>')


def _ink(fill: str) -> str:
    """Black or white text, whichever contrasts more with ``fill``: one of them always reaches 4.5:1
    (WCAG AA), also on the mid reds and blues where near-black and white both fall short."""
    rgb = np.array(to_rgb(fill))
    lum = float(np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4) @ [0.2126, 0.7152, 0.0722])
    return "#ffffff" if 1.05 / (lum + 0.05) > (lum + 0.05) / 0.05 else "#000000"


def _said(colour: float, deviation: bool) -> str:
    """The colour in words: how far from the national average (or, without one, nothing to add)."""
    if not deviation:
        return ""
    if np.isnan(colour):
        return ", intet landsgennemsnit"
    points = fmt_num(abs(colour))
    if points == "0":
        return ", som landsgennemsnittet"
    return f", {points} point {'over' if colour > 0 else 'under'} landsgennemsnittet"


def _key(limits: Mapping[str, float], label: str, deviation: bool, grey: bool) -> str:
    """The colour key under the table (decoration for screen readers: each cell says its colour in words)."""
    cmap = plt.get_cmap(DIVERGING_CMAP)
    stops = ", ".join(to_hex(cmap(t)) for t in np.linspace(0.0, 1.0, _KEY_STOPS))
    half = (limits["vmax"] - limits["vmin"]) / 2  # a multiple of 5: ticks every 5 or 10 points where they fit
    steps = next(k for k in (3, 2, 1) if (half / k) % 5 == 0)
    ticks = np.linspace(limits["vmin"], limits["vmax"], 2 * steps + 1)
    marks = "".join(f"<span>{('+' if deviation and t > 0 else '') + fmt_num(t)}</span>" for t in ticks)
    none = (f'<span class="hm-grey"><span class="hm-swatch" style="background-color:{NO_AVERAGE}"></span>'
            "intet landsgennemsnit</span>" if grey else "")
    return (f'<div class="hm-key" aria-hidden="true"><span class="hm-label">{esc(label)}</span>'
            f'<span class="hm-scale"><span class="hm-bar" style="background-image:linear-gradient(to right, {stops})">'
            f'</span><span class="hm-ticks">{marks}</span></span>{none}</div>')
