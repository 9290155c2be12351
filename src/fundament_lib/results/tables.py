"""The work done once per run: every table for every kommune, before privacy.

:func:`national_tables` scores all kommuner of one framework in one pass —
scores with bootstrap intervals, descriptives, staff–frontline gaps, the
benchmark among kommuner, change since the last wave, reliability and the
key drivers — so no notebook ever computes them again. Nothing here is
shown as it is: :mod:`fundament_lib.results.cells` applies the privacy rules first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from fundament_lib.analysis import descriptives as desc
from fundament_lib.analysis import stats
from fundament_lib.analysis.coverage import Coverage, coverage_table, scale_table
from fundament_lib.analysis.drivers import DriverError, driver_table
from fundament_lib.analysis.scoring import answer_scores, respondent_scores
from fundament_lib.core.params import Params
from fundament_lib.framework.model import Framework

__all__ = ["Tables", "StatsSettings", "national_tables", "settings_from", "local_driver_table", "outcome_scores"]


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
    coverage: dict[tuple[str, str], Coverage] = field(default_factory=dict)
    scales: pd.DataFrame = field(default_factory=pd.DataFrame)
    _drivers: dict[str, tuple[pd.DataFrame | None, str | None]] = field(default_factory=dict)
    _local: list[pd.DataFrame] = field(default_factory=list)

    def drivers(self, method: str = "johnson") -> pd.DataFrame | None:
        """National key-driver table of the themes for the outcome item (frontline leaders,
        latest wave of each kommune); ``None`` without an outcome item or enough answers
        (:meth:`drivers_skipped` says why)."""
        if method not in self._drivers:
            self._drivers[method] = _national_drivers(self, method)
        return self._drivers[method][0]

    def local_drivers(self) -> pd.DataFrame:
        """Each kommune's derived importance of every theme from its own frontline leaders' answers
        (latest wave), shrunk toward the national pattern
        (:func:`fundament_lib.analysis.stats.local_drivers.shrunk_correlations`); empty without an outcome."""
        if not self._local:
            self._local.append(_local_drivers(self))
        return self._local[0]

    def drivers_skipped(self, method: str = "johnson") -> str | None:
        """Why there is no driver table (a :class:`~fundament_lib.analysis.drivers.DriverError` reason code),
        or ``None`` when there is one."""
        self.drivers(method)
        return self._drivers[method][1]

    def benchmark_of(self, group: str) -> pd.DataFrame:
        """Every kommune's position among the kommuner on ``group``'s scores (computed on first use
        for a group other than ``alle`` and ``borgernaer``)."""
        if group not in self.benchmark:
            self.benchmark[group] = stats.benchmark(self.intervals, group=group)
        return self.benchmark[group]

    def coverage_of(self, code: str, wave: str) -> Coverage:
        """What one kommune × wave's survey asked (empty when it is not in the data)."""
        return self.coverage.get((str(code), str(wave)), Coverage())

    def replicates(self, code: str, wave: str, group: str, ids: list[str]) -> Any:
        """Bootstrap replicates (``n_boot × len(ids)``) of one kommune × wave × group."""
        keys = pd.DataFrame([{"kommunekode": code, "wave": wave, "group": group}])
        return self.intervals.take(keys, ids)[0]


def _national_drivers(t: Tables, method: str) -> tuple[pd.DataFrame | None, str | None]:
    if t.outcome is None or t.outcome.empty:
        return None, "not_asked"
    rs = t.respondent_scores
    latest = rs.groupby("kommunekode", observed=True)["wave"].transform("max")
    frontline = rs[(rs["group"] == "borgernaer") & (rs["wave"] == latest)]
    try:
        return driver_table(frontline, t.outcome, t.fw, method=method), None  # type: ignore[arg-type]
    except DriverError as exc:
        return None, exc.reason


def _local_drivers(t: Tables) -> pd.DataFrame:
    return local_driver_table(t.respondent_scores, t.outcome, t.fw)


def local_driver_table(rs: pd.DataFrame, outcome: pd.Series | None, fw: Framework) -> pd.DataFrame:
    """Each kommune's shrunk theme–outcome correlations among its frontline leaders (latest wave):
    ``kommunekode``, ``id``, ``n``, ``r_own``, ``r_national``, ``tau2``, ``own_weight``, ``r``
    (:func:`fundament_lib.analysis.stats.local_drivers.shrunk_correlations`); empty without an outcome.

    ``rs`` are the respondent scores (:func:`fundament_lib.analysis.scoring.respondent_scores`), ``outcome``
    the outcome answer per respondent (:func:`outcome_scores`)."""
    if outcome is None or outcome.empty:
        return pd.DataFrame(columns=["kommunekode", "id", "n", "r_own", "r_national", "tau2", "own_weight", "r"])
    latest = rs.groupby("kommunekode", observed=True)["wave"].transform("max")
    frontline = rs[(rs["group"] == "borgernaer") & (rs["wave"] == latest)]
    themes = [th.id for th in fw.themes() if th.id in frontline and frontline[th.id].notna().any()]
    frame = frontline[["kommunekode", *themes]].assign(kommunekode=lambda d: d["kommunekode"].astype(str))
    return stats.shrunk_correlations(frame, outcome, themes)


def national_tables(tidy: pd.DataFrame, fw: Framework, settings: StatsSettings | None = None) -> Tables:
    """Compute every table for all kommuner in ``tidy`` in one pass."""
    cfg = settings or StatsSettings()
    resp = respondent_scores(tidy, fw)
    dist = desc.item_distributions(tidy, fw)
    positive = desc.theme_positive_share(dist, fw)
    coverage = coverage_table(tidy, fw)
    intervals = stats.score_intervals(resp, fw, n_boot=cfg.n_boot, confidence=cfg.confidence, seed=cfg.seed)
    scores = intervals.table.drop(columns="method").merge(
        positive[[*desc.UNIT, "group", "id", "top2"]], on=[*desc.UNIT, "group", "id"], how="left")
    return Tables(
        fw=fw, settings=cfg, scores=scores, items=dist,
        subgroups=desc.subgroup_scores(resp, fw), roles=desc.role_scores(dist, fw),
        burden_areas=desc.burden_areas(dist, fw), burden_share=desc.burden_share(tidy, fw),
        missingness=desc.missingness(dist, fw), respondents=desc.respondent_counts(tidy),
        texts=desc.free_texts(tidy, fw), respondent_scores=resp, outcome=outcome_scores(tidy, fw),
        intervals=intervals,
        gaps=stats.group_gaps(resp, fw, intervals=intervals, confidence=cfg.confidence),
        changes=stats.wave_changes(resp, fw, intervals=intervals, confidence=cfg.confidence),
        benchmark={"alle": stats.benchmark(intervals, group="alle", units=_both_groups(coverage)),
                   "borgernaer": stats.benchmark(intervals, group="borgernaer")},
        reliability=_reliability(tidy, fw, cfg), coverage=coverage, scales=scale_table(tidy, fw),
    )


def _both_groups(coverage: dict[tuple[str, str], Coverage]) -> pd.DataFrame:
    """The kommune × wave units whose survey asked both groups: only their ``alle`` scores are ranked
    together (a staff-only survey's ``alle`` is the staff's own view, not comparable)."""
    both = [key for key, cov in coverage.items() if len(cov.groups) == 2]
    return pd.DataFrame(both, columns=["kommunekode", "wave"])


def _reliability(tidy: pd.DataFrame, fw: Framework, cfg: StatsSettings) -> pd.DataFrame:
    """Alpha and omega per theme for each kommune's latest wave (n ≥ 30), and pooled."""
    wave = tidy["wave"].astype(str)
    latest = wave.groupby(tidy["kommunekode"], observed=True).transform("max")
    return stats.reliability_table(tidy[wave == latest], fw, by="kommunekode", min_n=30,
                                   confidence=cfg.confidence)


def outcome_scores(tidy: pd.DataFrame, fw: Framework) -> pd.Series | None:
    """The outcome item's answer (0–100) per respondent id; ``None`` where the framework has none."""
    if fw.outcome is None:
        return None
    rows = tidy[(tidy["item_id"] == fw.outcome.id) & (tidy["status"] == "svar")]
    return answer_scores(rows, fw).set_axis(rows["respondent_id"].astype(str)).astype(float)
