"""The priority map ("prioriteringskort"): importance against score, the priorities marked.

:func:`importance_performance` draws the priority rule's own quantities: prioritised themes as
numbered diamonds, the rest as open circles, the kommune's medians dashed, the four corners
named, and every theme labelled without overlap (:func:`~fundament_lib.report.plots.labels.place_labels`).
"""

from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.axes import Axes

from .labels import place_labels
from .layout import _new_ax

__all__ = ["importance_performance", "IP_CORNERS"]


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
