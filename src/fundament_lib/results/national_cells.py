"""The national parts of the summaries: what every kommune's figures are compared with.

Worked out once per framework from the privacy-applied cells of all kommuner
(:class:`~fundament_lib.results.cells.Cells`): each kommune's shown scores in
its current wave (for the anonymous ``national`` distributions and for
bench-learning), the national averages of the shown cells, the staff–frontline
gaps the national norm is taken over, and the national analyses the overview
shows (drivers, reliability, and on request the ICC and the gap models, fitted
without the hidden groups).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from fundament_lib.analysis import stats
from fundament_lib.analysis.analyses import national_models_allowed, national_skipped
from fundament_lib.core.jsonready import records

from .cells import Cells
from .tables import Tables

__all__ = ["AVERAGE_KEYS", "Averages", "average_cells", "national_averages", "national_analyses", "national_scores",
           "shown_cells", "shown_groups", "current_gaps"]


def shown_groups(tidy: pd.DataFrame, cells: Cells) -> pd.DataFrame:
    """The answers of kommune × wave × group cells whose respondent count is shown: national
    models are fitted without the hidden groups, so no estimate carries one of them."""
    hidden = cells.table("hidden_counts")[["kommunekode", "wave", "group"]].astype(str)
    keys = tidy[["kommunekode", "wave", "group"]].astype(str)
    drop = keys.merge(hidden.assign(_hidden=True), on=["kommunekode", "wave", "group"], how="left")["_hidden"]
    return tidy[~drop.fillna(False).astype(bool).to_numpy()]


def national_analyses(t: Tables, tidy: pd.DataFrame | None = None) -> dict[str, Any]:
    """National analyses for the overview; with ``tidy`` (the shown groups' answers) also the
    models that take seconds: the ICC per theme (MixedLM) and the staff–frontline gap models
    (clustered OLS, ordinal logit). ``skipped`` says which could not be made on these data, and
    why (:func:`fundament_lib.analysis.analyses.national_skipped`)."""
    drivers = t.drivers()
    pooled = t.reliability[t.reliability["scope"] == "pooled"].drop(columns=["scope", "kommunekode"],
                                                                      errors="ignore")
    extra: dict[str, Any] = {"drivers": records(drivers) if drivers is not None else [],
                             "reliability": records(pooled),
                             "interval_method": str(t.intervals.method)}
    rs = None
    if tidy is not None:
        rs = t.respondent_scores[t.respondent_scores.index.isin(tidy["respondent_id"].unique())]
        models = national_models_allowed(rs)
        icc = stats.icc_table(rs, t.fw) if models is None else None
        gaps = stats.national_gap_models(rs, t.fw, tidy=tidy) if models is None and \
            rs["group"].nunique() == 2 else None
        extra["icc"] = records(icc.dropna(subset=["icc"])) if icc is not None else []
        extra["gap_models"] = records(gaps.dropna(subset=["estimate"])) if gaps is not None else []
    extra["skipped"] = national_skipped(extra, drivers_reason=t.drivers_skipped(), scores=rs)
    return extra


def national_scores(cells: Cells, current: Mapping[str, str], group: str = "alle") -> pd.DataFrame:
    """Every kommune's shown scores (with intervals) of ``group`` in its current wave, kommuner in
    the order of ``current``."""
    columns = ["kommunekode", "id", "score", "ci_low", "ci_high"]
    table = cells.table("scores")
    part = _in_current_wave(table, current, (table["group"] == group) & ~table["suppressed"])
    return part[columns] if not part.empty else pd.DataFrame(columns=columns)


def _in_current_wave(table: pd.DataFrame, current: Mapping[str, str], keep: pd.Series) -> pd.DataFrame:
    """The rows of ``table`` (where ``keep``) of each kommune's current wave, one kommune after
    another in the order of ``current`` (rows of a kommune in table order), ``kommunekode`` as text:
    what cutting the table per kommune and concatenating gives, without the cutting."""
    code = table["kommunekode"].astype(str)
    mask = ((table["wave"].astype(str) == code.map(current)) & keep).to_numpy()
    part = table[mask].assign(kommunekode=code[mask])
    order = pd.Series(range(len(current)), index=list(current))
    return part.iloc[order.loc[part["kommunekode"]].to_numpy().argsort(kind="stable")].reset_index(drop=True)


# The cells a national average is taken over: table → its key columns.
AVERAGE_KEYS: dict[str, list[str]] = {"scores": ["id", "group"], "subgroups": ["id", "group"],
                                      "roles": ["function", "role"]}


def shown_cells(cells: Cells, current: Mapping[str, str]) -> dict[str, pd.DataFrame]:
    """Every kommune's shown ``score`` cells of the tables in :data:`AVERAGE_KEYS`, current wave."""
    out = {}
    for name, keys in AVERAGE_KEYS.items():
        table = cells.table(name)
        if table.empty:
            out[name] = pd.DataFrame(columns=["kommunekode", *keys, "score"])
            continue
        now = table["wave"].astype(str) == table["kommunekode"].astype(str).map(current)
        part = table[now & ~table["suppressed"].astype(bool) & table["score"].notna()]
        out[name] = part[["kommunekode", *keys, "score"]].assign(kommunekode=lambda d: d["kommunekode"].astype(str))
    return out


# Per table: each cell key's record (keys as text, ``mean``, ``n_kommuner``) and the kommuner showing it.
Averages = dict[str, list[tuple[dict[str, Any], frozenset[str]]]]


def average_cells(shown: Mapping[str, pd.DataFrame]) -> Averages:
    """Every cell key's national mean and the kommuner behind it (:func:`shown_cells` per table),
    worked out once for every kommune's :func:`national_averages`."""
    out: Averages = {}
    for name, keys in AVERAGE_KEYS.items():
        part = shown[name]
        if part.empty:
            out[name] = []
            continue
        grouped = part.groupby(keys, observed=True, sort=False)
        g = grouped["score"].agg(["mean", "count"]).reset_index()
        who = grouped["kommunekode"].unique().tolist()  # same groups, same order as g
        out[name] = [({**{k: str(v) for k, v in zip(keys, row[:-2], strict=True)}, "mean": round(float(row[-2]), 1),
                       "n_kommuner": int(row[-1])}, frozenset(map(str, codes)))
                     for row, codes in zip(g[[*keys, "mean", "count"]].itertuples(index=False), who, strict=True)]
    return out


def national_averages(averages: Averages, code: str, *, min_n: int) -> dict[str, list[dict[str, Any]]]:
    """The ``national_averages`` field of one kommune's summary: per table (``scores``,
    ``subgroups``, ``roles``) and cell key, the mean of every kommune's shown score
    (``mean``, one decimal; this kommune included, as «landsgennemsnittet» is everywhere) and
    ``n_kommuner``. A cell that fewer than ``min_n`` other kommuner show has no record, like the
    ``national`` field's distributions (:mod:`fundament_lib.core.sharing`). ``averages`` is
    :func:`average_cells` of the shown cells."""
    return {name: [dict(record) for record, codes in rows if len(codes - {code}) >= min_n]
            for name, rows in averages.items()}


def current_gaps(cells: Cells, current: Mapping[str, str]) -> pd.DataFrame:
    """Every kommune's shown staff–frontline gaps in its current wave (``id``, ``diff``)."""
    table = cells.table("gaps")
    if table.empty:
        return pd.DataFrame(columns=["id", "diff"])
    part = _in_current_wave(table, current, pd.Series(True, index=table.index))
    return part[["id", "diff"]] if not part.empty else pd.DataFrame(columns=["id", "diff"])

