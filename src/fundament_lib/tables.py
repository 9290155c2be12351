"""The work done once per run: every table for every kommune, before privacy.

:func:`national_tables` scores all kommuner of one framework in one pass —
scores with bootstrap intervals, descriptives, staff–frontline gaps, the
benchmark among kommuner, change since the last wave, reliability and the
key drivers — so no notebook ever computes them again. Nothing here is
shown as it is: :mod:`fundament_lib.cells` applies the privacy rules first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import descriptives as desc
from . import stats
from .drivers import driver_table
from .framework import Framework
from .params import Params
from .scoring import respondent_scores

__all__ = ["Tables", "StatsSettings", "national_tables", "settings_from"]


@dataclass(frozen=True)
class StatsSettings:
    """The statistical settings of a run (the same for every kommune, so kommuner compare)."""

    n_boot: int = stats.DEFAULT_N_BOOT
    confidence: float = stats.DEFAULT_CONFIDENCE
    seed: int = stats.DEFAULT_SEED


def settings_from(params: Mapping[str, Params]) -> StatsSettings:
    """The settings most kommuner's parameters ask for (normally the shared defaults)."""
    frame = pd.DataFrame([{"n_boot": p.n_boot, "confidence": p.confidence, "seed": p.seed}
                          for p in params.values()])
    if frame.empty:
        return StatsSettings()
    mode = frame.value_counts().index[0]
    return StatsSettings(n_boot=int(mode[0]), confidence=float(mode[1]), seed=int(mode[2]))


@dataclass
class Tables:
    """Every kommune's tables for one framework, computed once (all unsuppressed)."""

    fw: Framework
    settings: StatsSettings
    scores: pd.DataFrame
    items: pd.DataFrame
    subgroups: pd.DataFrame
    roles: pd.DataFrame
    burden_areas: pd.DataFrame
    burden_share: pd.DataFrame
    missingness: pd.DataFrame
    respondents: pd.DataFrame
    texts: pd.DataFrame
    respondent_scores: pd.DataFrame
    outcome: pd.Series | None
    intervals: stats.ScoreIntervals
    gaps: pd.DataFrame
    changes: pd.DataFrame
    benchmark: dict[str, pd.DataFrame]
    reliability: pd.DataFrame
    _drivers: dict[str, pd.DataFrame | None] = field(default_factory=dict)

    def drivers(self, method: str = "johnson") -> pd.DataFrame | None:
        """National key-driver table of the themes for the outcome item (frontline leaders,
        latest wave of each kommune); ``None`` without an outcome item or enough answers."""
        if method not in self._drivers:
            self._drivers[method] = _national_drivers(self, method)
        return self._drivers[method]

    def replicates(self, code: str, wave: str, group: str, ids: list[str]) -> Any:
        """Bootstrap replicates (``n_boot × len(ids)``) of one kommune × wave × group."""
        keys = pd.DataFrame([{"kommunekode": code, "wave": wave, "group": group}])
        return self.intervals.take(keys, ids)[0]


def _national_drivers(t: Tables, method: str) -> pd.DataFrame | None:
    if t.outcome is None:
        return None
    rs = t.respondent_scores
    latest = rs.groupby("kommunekode", observed=True)["wave"].transform("max")
    frontline = rs[(rs["group"] == "borgernaer") & (rs["wave"] == latest)]
    try:
        return driver_table(frontline, t.outcome, t.fw, method=method)  # type: ignore[arg-type]
    except ValueError:  # too few complete cases
        return None


def national_tables(tidy: pd.DataFrame, fw: Framework, settings: StatsSettings | None = None) -> Tables:
    """Compute every table for all kommuner in ``tidy`` in one pass."""
    cfg = settings or StatsSettings()
    resp = respondent_scores(tidy, fw)
    dist = desc.item_distributions(tidy, fw)
    positive = desc.theme_positive_share(dist, fw)
    intervals = stats.score_intervals(resp, fw, n_boot=cfg.n_boot, confidence=cfg.confidence, seed=cfg.seed)
    scores = intervals.table.drop(columns="method").merge(
        positive[[*desc.UNIT, "group", "id", "top2"]], on=[*desc.UNIT, "group", "id"], how="left")
    return Tables(
        fw=fw, settings=cfg, scores=scores, items=dist,
        subgroups=desc.subgroup_scores(resp, fw), roles=desc.role_scores(dist, fw),
        burden_areas=desc.burden_areas(dist, fw), burden_share=desc.burden_share(tidy, fw),
        missingness=desc.missingness(dist, fw), respondents=desc.respondent_counts(tidy),
        texts=desc.free_texts(tidy, fw), respondent_scores=resp, outcome=_outcome(tidy, fw),
        intervals=intervals,
        gaps=stats.group_gaps(resp, fw, intervals=intervals, confidence=cfg.confidence),
        changes=stats.wave_changes(resp, fw, intervals=intervals, confidence=cfg.confidence),
        benchmark={g: stats.benchmark(intervals, group=g) for g in ("alle", "borgernaer")},
        reliability=_reliability(tidy, fw, cfg),
    )


def _reliability(tidy: pd.DataFrame, fw: Framework, cfg: StatsSettings) -> pd.DataFrame:
    """Alpha and omega per theme for each kommune's latest wave (n ≥ 30), and pooled."""
    wave = tidy["wave"].astype(str)
    latest = wave.groupby(tidy["kommunekode"], observed=True).transform("max")
    return stats.reliability_table(tidy[wave == latest], fw, by="kommunekode", min_n=30,
                                   confidence=cfg.confidence)


def _outcome(tidy: pd.DataFrame, fw: Framework) -> pd.Series | None:
    if fw.outcome is None:
        return None
    rows = tidy[(tidy["item_id"] == fw.outcome.id) & (tidy["status"] == "svar")]
    return rows.set_index("respondent_id")["value"].astype(float)
