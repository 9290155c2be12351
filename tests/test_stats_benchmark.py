"""Ranks among the kommuner, and how sure the rank is.

References
----------
* Ranks: ``scipy.stats.rankdata(-score, method="min")`` and
  ``pandas.Series.rank(ascending=False, method="min")`` (1 = highest).
* Rank intervals: a loop over the bootstrap replicates ranking the kommuner in
  each one (the straightforward version of the vectorised code).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from fundament_lib.analysis.scoring import respondent_scores
from fundament_lib.analysis.stats import StatsArgumentError, benchmark, rank_scores, score_intervals
from fundament_lib.core.kommuner import kommuner


@pytest.fixture(scope="module")
def intervals(demo, fw):
    return score_intervals(respondent_scores(demo.tidy, fw), fw, n_boot=200, seed=11)


@pytest.fixture(scope="module")
def bench(intervals):
    return benchmark(intervals)


def test_rank_and_percentile_by_hand():
    x = np.array([50.0, 70.0, np.nan, 70.0, 10.0])
    rank, n, pct = rank_scores(x)
    np.testing.assert_array_equal(rank, [3, 1, np.nan, 1, 4])
    assert n == 4
    # share of the other kommuner scoring lower: 50 beats one of three, 70 beats two, 10 none
    np.testing.assert_allclose(pct, [100 / 3, 200 / 3, np.nan, 200 / 3, 0.0])
    rank1, n1, pct1 = rank_scores(np.array([42.0, np.nan]))
    assert rank1[0] == 1 and n1 == 1 and np.isnan(pct1[0])


def test_national_rank_matches_rankdata(bench, intervals):
    assert len(bench) == 98 * len(intervals.ids)
    for _, part in bench.groupby("id"):
        expected = sps.rankdata(-part["score"].to_numpy(), method="min")
        np.testing.assert_array_equal(part["rank"].to_numpy(dtype=float), expected)
        assert (part["n_kommuner"] == 98).all()
        top = part.loc[part["rank"] == 1]
        assert (top["percentile"] == 100).all()
        assert part["percentile"].min() == 0
    latest = intervals.table[intervals.table["group"] == "alle"].groupby("kommunekode")["wave"].max()
    assert (bench.set_index("kommunekode")["wave"].groupby(level=0).first() == latest).all()


def test_rank_interval_equals_a_loop_over_replicates(bench, intervals):
    sub = bench[bench["id"] == "P1.3"].sort_values("kommunekode")
    keys = sub[["kommunekode", "wave"]].assign(group="alle")
    reps = intervals.take(keys, ["P1.3"])[:, :, 0]                  # kommuner × replicates
    ranks = np.column_stack([sps.rankdata(-reps[:, b], method="min") for b in range(reps.shape[1])])
    low = np.floor(np.percentile(ranks, 2.5, axis=1))
    high = np.ceil(np.percentile(ranks, 97.5, axis=1))
    np.testing.assert_array_equal(sub["rank_ci_low"].to_numpy(dtype=float), low)
    np.testing.assert_array_equal(sub["rank_ci_high"].to_numpy(dtype=float), high)
    inside = (sub["rank_ci_low"] <= sub["rank"]) & (sub["rank"] <= sub["rank_ci_high"])
    assert inside.mean() > 0.9


def test_ranks_within_region_and_kommunegruppe(bench):
    ref = kommuner().set_index("kommunekode")
    for subset in ("region", "kommunegruppe"):
        assert (bench[subset] == ref.loc[bench["kommunekode"], subset].to_numpy()).all()
        expected = bench.groupby(["id", subset])["score"].rank(ascending=False, method="min")
        np.testing.assert_array_equal(bench[f"rank_{subset}"].to_numpy(dtype=float), expected.to_numpy())
        sizes = bench.groupby(["id", subset])["kommunekode"].transform("size")
        assert (bench[f"n_{subset}"] == sizes).all()
        assert (bench[f"rank_{subset}_ci_low"] <= bench[f"rank_{subset}_ci_high"]).all()
        assert (bench[f"rank_{subset}"] <= bench["rank"]).all()


def test_group_and_wave_choice(intervals):
    staff = benchmark(intervals, group="stab", wave="2025")
    assert (staff["group"] == "stab").all() and (staff["wave"] == "2025").all()
    assert staff["n_kommuner"].max() == 98
    with pytest.raises(StatsArgumentError, match="group: expected one of"):
        benchmark(intervals, group="everyone")
    with pytest.raises(StatsArgumentError, match="wave"):
        benchmark(intervals, wave="1999")


def test_a_kommune_without_a_score_takes_no_part(intervals):
    table = intervals.table.copy()
    hide = (table["kommunekode"] == "101") & (table["id"] == "P1.1") & (table["group"] == "alle")
    table.loc[hide, "score"] = np.nan
    out = benchmark(replace(intervals, table=table))
    p11 = out[out["id"] == "P1.1"]
    assert pd.isna(p11.loc[p11["kommunekode"] == "101", "rank"]).all()
    assert (p11["n_kommuner"].dropna() == 97).all()
    assert p11["rank"].max() == 97
