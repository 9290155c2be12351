"""The views: answer distribution, staff–frontline gaps and a kommune against all others."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from scipy.stats import norm

from fundament_lib.framework import GROUP_LABELS
from fundament_lib.report import plots
from fundament_lib.report.plots.layout import _new_ax

from .data import _COLUMN_LABELS, GROUPS, Dataset, View, _check_choice, _check_kommuner, select_tidy
from .pooling import _item_cells, _pool, _pool_note, _score_cells

__all__ = ["distribution", "gaps", "benchmark"]


def _who(group: str, fagomraade: str | None, ds: Dataset) -> str:
    if fagomraade is not None:
        return f"borgernære ledere inden for {ds.fagomraade_labels().get(fagomraade, fagomraade).lower()}"
    return GROUP_LABELS[group].lower()


def _nothing(title: str, message: str, ax: Axes | None) -> View:
    """A view that shows a message instead of numbers."""
    ax = _new_ax(ax, (8.0, 2.0))
    ax.axis("off")
    ax.text(0.5, 0.5, plots.wrap(message, 70), ha="center", va="center", fontsize=11,
            transform=ax.transAxes)
    return View(pd.DataFrame(), ax, title, [message], suppressed=True)


def _too_few(who: str, min_n: int) -> str:
    return (f"Ingen tal for {who} i dette udvalg: der er færre end {min_n} svar, "
            "eller tallene er skjult for at beskytte en lille gruppe.")


# ---- views ---------------------------------------------------------------------------------


def distribution(ds: Dataset, *, theme: str, kommuner: Sequence[str] | None = None, group: str = "alle",
                 fagomraade: str | None = None, wave: str | None = None, ax: Axes | None = None) -> View:
    """The answers to a theme's statements for a selection, as diverging bars and a table.

    Parameters
    ----------
    ds
        From :func:`load`.
    theme
        Theme id, e.g. ``"P1.3"``.
    kommuner
        Kommune codes to pool (default: all).
    group
        ``"alle"``, ``"stab"`` or ``"borgernaer"``.
    fagomraade
        A fagområde code: only frontline leaders of that area (``group`` must
        then be ``"borgernaer"`` or ``"alle"``; staff have no fagområde).
    wave
        A survey round (default: each kommune's latest).
    ax
        Axes to draw on.

    Returns
    -------
    View
        Table: one row per statement with ``item_id``, ``text``, ``n``, the
        count ``c<code>`` per answer, ``dont_know``, ``share_positive`` (top
        two levels) and ``score`` (0–100, reversed statements not turned),
        pooled over the shown per-kommune cells; ``n_kommuner`` counts them.
    """
    _check_choice("theme", theme, [t.id for t in ds.fw.themes()])
    _check_choice("group", group, GROUPS)
    cells, key = _item_cells(ds, theme=theme, kommuner=kommuner, fagomraade=fagomraade, wave=wave)
    label = fagomraade if fagomraade is not None else group
    if fagomraade is not None and group == "stab":
        raise ValueError("group: staff have no fagområde; with fagomraade use 'borgernaer', got 'stab'")
    mine = cells[cells["group"].astype(str) == label]
    who = _who(group, fagomraade, ds)
    title = f"Svarfordeling: {ds.theme_labels()[theme]} – {who}"
    missing = _not_in_data(ds, theme=theme, group=group, kommuner=kommuner)
    if missing:
        return _nothing(title, missing, ax)
    notes = _pool_note(mine, ds, who)
    shown = mine[~mine["suppressed"]]
    min_n = max(ds.min_n[str(c)] for c in cells["kommunekode"].unique()) if not cells.empty else ds.default_min_n
    if shown.empty:
        return _nothing(title, _too_few(who, min_n), ax)
    shown, k, scale_note = _one_scale(shown, ds)
    notes += scale_note
    own = ds.fw.scales[ds.fw.theme_scale]
    levels = own.labels if k == own.high - own.low + 1 else {j: str(j) for j in range(1, k + 1)}
    counts = [f"c{c}" for c in sorted(levels)]
    pooled = shown.groupby(key, observed=True)[[*counts, "dont_know", "missing", "n"]].sum()
    pooled["n_kommuner"] = shown.groupby(key, observed=True)["kommunekode"].nunique()
    order = ds.fw.theme_items()[theme]
    pooled = pooled.reindex([i for i in order if i in pooled.index]).reset_index()
    texts = ds.fw.codebook().set_index("item_id")["text"]
    pooled.insert(1, "text", pooled["item_id"].map(texts))
    codes = np.array(sorted(levels), dtype=float)
    n = pooled["n"].to_numpy(dtype=float)
    mean = (pooled[counts].to_numpy(dtype=float) * codes).sum(axis=1) / np.where(n > 0, n, np.nan)
    pooled["share_positive"] = pooled[counts[-2:]].sum(axis=1) / np.where(n > 0, n, np.nan)
    pooled["score"] = (mean - codes[0]) / (codes[-1] - codes[0]) * 100
    pooled = pooled.astype(dict.fromkeys([*counts, "dont_know", "missing", "n", "n_kommuner"], "Int64"))
    pooled.columns.name = None
    labels = {i: f"{i} {texts[i]}" for i in pooled["item_id"]}
    ax = plots.likert_bars(pooled, labels=labels, scale=levels, ax=ax)
    ax.set_title(plots.wrap(title, 80))
    return View(pooled, ax, title, notes, labels=_COLUMN_LABELS)


def _one_scale(cells: pd.DataFrame, ds: Dataset) -> tuple[pd.DataFrame, int, list[str]]:
    """The cells of the scale most answers were given on (answers on scales of different lengths are
    never pooled), its number of points, and a note on the answers left out."""
    own = ds.fw.scales[ds.fw.theme_scale]
    points = cells["points"].where(cells["points"] > 0, own.high - own.low + 1)
    by_scale = cells.groupby(points)["n"].sum().sort_values(ascending=False)
    k = int(by_scale.index[0])
    if len(by_scale) == 1:
        return cells, k, []
    others = ", ".join(f"{int(p)} trin ({int(v)} svar)" for p, v in by_scale.iloc[1:].items())
    return cells[points == k], k, [f"Figuren viser svarene på {k}-trinsskalaen. Svar på andre skalaer ({others}) "
                                   "kan ikke lægges sammen med dem og er ikke med."]


def _not_in_data(ds: Dataset, *, theme: str | None = None, group: str = "alle",
                 kommuner: Sequence[str] | None = None) -> str | None:
    """A line saying the group or the theme is not in the selected data at all (rather than hidden)."""
    rows = select_tidy(ds, kommuner=kommuner)
    if group != "alle" and group not in set(rows["group"].astype(str)):
        return f"{GROUP_LABELS[group]} er ikke spurgt i de valgte data."
    if theme is not None and not rows["item_id"].astype(str).isin(ds.fw.theme_items()[theme]).any():
        return f"Temaet {ds.theme_labels()[theme]} er ikke stillet i de valgte data."
    return None


def gaps(ds: Dataset, *, kommuner: Sequence[str] | None = None, fagomraade: str | None = None,
         wave: str | None = None, confidence: float = 0.95, ax: Axes | None = None) -> View:
    """Staff's and frontline leaders' scores per pejlemærke and theme, and the gap between them.

    Parameters
    ----------
    ds
        From :func:`load`.
    kommuner
        Kommune codes to pool (default: all).
    fagomraade
        Compare staff with the frontline leaders of this fagområde only.
    wave
        A survey round (default: each kommune's latest).
    confidence
        Level of the intervals (normal approximation; respondents as independent,
        so the interval is narrow when kommuner differ much).
    ax
        Axes to draw on.

    Returns
    -------
    View
        Table: one row per id with ``n``, ``score`` and interval per group,
        ``gap`` (staff − frontline, points on 0–100) and its interval
        (Welch's standard error); a side whose cells are all hidden is blank.
    """
    cells = _score_cells(ds, kommuner=kommuner, wave=wave, fagomraade=fagomraade)
    front = _who("borgernaer", fagomraade, ds)
    title = f"Stab og ledelse over for {front}"
    notes = _pool_note(cells[cells["group"] == "stab"], ds, "stab og ledelse")
    notes += _pool_note(cells[cells["group"] == "borgernaer"], ds, front)
    pooled = _pool(cells[cells["group"].isin(["stab", "borgernaer"])], confidence)
    missing = _not_in_data(ds, group="stab", kommuner=kommuner) or _not_in_data(ds, group="borgernaer",
                                                                                  kommuner=kommuner)
    if missing:
        return _nothing(title, missing + " Forskellen mellem grupperne kan derfor ikke vises.", ax)
    if set(pooled["group"]) != {"stab", "borgernaer"}:
        return _nothing(title, _too_few("en af de to grupper", ds.default_min_n), ax)
    wide = pooled.pivot(index="id", columns="group", values=["n", "score", "sd", "ci_low", "ci_high"])
    wide.columns = [f"{stat}_{grp}" for stat, grp in wide.columns]
    order = [i for i in ds.theme_labels(domains=True) if i in wide.index]
    wide = wide.reindex(order)
    wide["gap"] = wide["score_stab"] - wide["score_borgernaer"]
    se = np.sqrt(wide["sd_stab"] ** 2 / wide["n_stab"] + wide["sd_borgernaer"] ** 2 / wide["n_borgernaer"])
    z = norm.ppf(0.5 + confidence / 2)
    wide["gap_low"], wide["gap_high"] = wide["gap"] - z * se, wide["gap"] + z * se
    sides = [f"{stat}_{grp}" for grp in ("stab", "borgernaer") for stat in ("n", "score", "ci_low", "ci_high")]
    out = wide[[*sides, "gap", "gap_low", "gap_high"]].reset_index()
    for col in ("n_stab", "n_borgernaer"):
        out[col] = out[col].astype("Int64")
    themes = {i: x for i, x in ds.theme_labels().items() if i in set(pooled["id"])}
    long = pooled[pooled["id"].isin(themes)]
    ax = plots.theme_profile(long, labels=themes, ax=ax)
    ax.set_title(plots.wrap(title, 80))
    return View(out, ax, title, notes, labels=_COLUMN_LABELS)


def benchmark(ds: Dataset, *, kommune: str, theme: str | None = None, group: str = "alle",
              wave: str | None = None, confidence: float = 0.95, ax: Axes | None = None) -> View:
    """One kommune's scores against every other kommune's (each kommune's shown cell).

    Parameters
    ----------
    ds
        From :func:`load`.
    kommune
        The kommune to mark.
    theme
        One theme id; default: both pejlemærker and every theme.
    group
        The respondent group compared.
    wave
        A survey round (default: each kommune's latest).
    confidence
        Level of the kommune's interval (normal approximation).
    ax
        Axes to draw on.

    Returns
    -------
    View
        Table: one row per id with the kommune's ``n``, ``score`` and interval,
        ``rank`` (1 = highest) of ``n_kommuner`` kommuner with a shown score,
        ``percentile`` and the field's ``median``, ``min`` and ``max``.
    """
    code = _check_kommuner(ds, [kommune])[0]
    _check_choice("group", group, GROUPS)
    labels = ds.theme_labels(domains=True)
    if theme is not None:
        _check_choice("theme", theme, [t.id for t in ds.fw.themes()])
        labels = {theme: labels[theme]}
    cells = _score_cells(ds, kommuner=None, wave=wave)
    cells = cells[(cells["group"] == group) & cells["id"].isin(labels)]
    title = f"{ds.kommune_labels()[code]} mod de andre kommuner – {GROUP_LABELS[group].lower()}"
    own = _pool(cells[cells["kommunekode"].astype(str) == code], confidence)
    if own.empty:
        return _nothing(title, _too_few(f"{ds.kommune_labels()[code]} ({GROUP_LABELS[group].lower()})",
                                        ds.min_n[code]), ax)
    field_ = cells[~cells["suppressed"]].assign(kommunekode=lambda d: d["kommunekode"].astype(str))
    if field_["kommunekode"].nunique() < 2:
        return _nothing(title, "Data rummer kun denne kommune med viste tal, så der er ingen andre kommuner at "
                               "sammenligne med.", ax)
    stats = field_.groupby("id")["score"].agg(median="median", min="min", max="max", n_kommuner="count")
    rank = field_.groupby("id")["score"].rank(ascending=False, method="min")
    field_ = field_.assign(rank=rank)
    mine = field_[field_["kommunekode"] == code].set_index("id")["rank"]
    out = own.set_index("id")[["n", "score", "ci_low", "ci_high"]].join(stats).join(mine)
    out["percentile"] = 100 * (out["n_kommuner"] - out["rank"]) / (out["n_kommuner"] - 1).where(
        out["n_kommuner"] > 1)
    out = out.reindex([i for i in labels if i in out.index]).reset_index()
    out["rank"] = out["rank"].astype("Int64")
    ax = plots.benchmark_strip(field_[["kommunekode", "id", "score"]], highlight=code, labels=labels,
                               own=out[["id", "score", "ci_low", "ci_high"]], ax=ax)
    ax.set_title(plots.wrap(title, 80))
    notes = [f"Feltet er {int(stats['n_kommuner'].max())} kommuner med viste tal; "
             "kommuner med skjulte tal indgår ikke."]
    return View(out, ax, title, notes, labels=_COLUMN_LABELS)


# ---- presentation --------------------------------------------------------------------------
