"""Bootstrap intervals of kommune scores: the vectorised code against a plain loop, theory and dumb cases.

References
----------
* The loop: the textbook percentile bootstrap (Efron & Tibshirani 1993, §13.3):
  draw ``n`` respondents with replacement, take the mean, repeat ``B`` times,
  take the 2.5 % and 97.5 % quantiles (``numpy.percentile``). Fed the same
  draws, it must give the same numbers as the matrix-product version.
* Normal theory: for a large cell the percentile interval approaches
  ``mean ± z_{0.975} · s / sqrt(n)``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from fundament_lib.analysis.scoring import respondent_scores, score_ids, score_table
from fundament_lib.analysis.stats import (
    ScoreIntervals,
    StatsArgumentError,
    bootstrap_means,
    score_intervals,
)
from fundament_lib.analysis.stats._common import cell_rng, nan_quantiles
from fundament_lib.analysis.stats.bootstrap import resample_indices
from fundament_lib.demo import DemoConfig, generate

CODES = ("707", "147", "851")


@pytest.fixture(scope="module")
def small(fw):
    survey = generate(DemoConfig(kommuner=CODES, second_wave_kommuner=("707",)), fw)
    return respondent_scores(survey.tidy, fw)


@pytest.fixture(scope="module")
def intervals(small, fw) -> ScoreIntervals:
    return score_intervals(small, fw, n_boot=300, seed=7)


def _loop_replicates(scores: pd.DataFrame, ids: list[str], key: tuple[str, str], group: str,
                     n_boot: int, seed: int) -> np.ndarray:
    """A straightforward implementation: one resample at a time, with the library's draws."""
    unit = scores[(scores["kommunekode"] == key[0]) & (scores["wave"] == key[1])]
    strata = ("stab", "borgernaer") if group == "alle" else (group,)
    draws = {}
    for g in strata:
        x = unit.loc[unit["group"] == g, ids].to_numpy()
        draws[g] = (x, resample_indices(cell_rng(seed, (*key, g)), len(x), n_boot))
    out = np.empty((n_boot, len(ids)))
    for b in range(n_boot):
        sample = np.vstack([x[idx[b]] for x, idx in draws.values()])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)      # all-NaN columns give NaN
            out[b] = np.nanmean(sample, axis=0)
    return out


@pytest.mark.parametrize("group", ["alle", "stab", "borgernaer"])
def test_vectorised_equals_loop_with_same_draws(small, fw, intervals, group):
    ids = list(intervals.ids)
    for key in (("707", "2025"), ("707", "2026"), ("851", "2025")):
        loop = _loop_replicates(small, ids, key, group, intervals.n_boot, intervals.seed)
        fast = intervals.replicates_of(group, kommunekode=key[0], wave=key[1]).to_numpy()
        # Same draws, different summation order: equal up to floating-point rounding.
        np.testing.assert_allclose(fast, loop, rtol=1e-12, atol=1e-10)
        low, high = np.percentile(loop, [2.5, 97.5], axis=0)
        rows = intervals.table[(intervals.table["kommunekode"] == key[0]) & (intervals.table["wave"] == key[1])
                               & (intervals.table["group"] == group)].set_index("id").loc[ids]
        ok = rows["n"].to_numpy() >= 2
        np.testing.assert_allclose(rows["ci_low"].to_numpy()[ok], low[ok], rtol=1e-12)
        np.testing.assert_allclose(rows["ci_high"].to_numpy()[ok], high[ok], rtol=1e-12)
        np.testing.assert_allclose(rows["se"].to_numpy()[ok], loop.std(axis=0, ddof=1)[ok], rtol=1e-9)


def test_table_has_score_table_columns_and_values(small, fw, intervals):
    expected = score_table(small, fw)
    got = intervals.table
    assert list(got.columns) == [*expected.columns, "ci_low", "ci_high", "se", "method"]
    pd.testing.assert_frame_equal(got[expected.columns], expected)
    assert set(got["group"]) == {"alle", "stab", "borgernaer"}
    assert got["method"].iloc[0] == ("bootstrap percentile over respondents (alle: stratified by group), "
                                     "B=300, 95 %")
    shown = got[got["n"] >= 2]
    assert (shown["ci_low"] <= shown["score"]).all() and (shown["score"] <= shown["ci_high"]).all()
    assert intervals.replicates.shape == (len(intervals.cells), 300, len(score_ids(fw)))


def test_seeded_and_independent_of_other_kommuner(small, fw, intervals):
    again = score_intervals(small, fw, n_boot=300, seed=7)
    np.testing.assert_array_equal(again.replicates, intervals.replicates)
    alone = score_intervals(small[small["kommunekode"] == "851"], fw, n_boot=300, seed=7)
    both = intervals.table[intervals.table["kommunekode"] == "851"].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone.table.reset_index(drop=True), both)
    other = score_intervals(small, fw, n_boot=300, seed=8)
    assert not np.allclose(other.table["ci_low"].dropna(), intervals.table["ci_low"].dropna())


def test_alle_replicates_pool_the_group_draws(small, intervals):
    """alle = (n_stab · mean_stab + n_borg · mean_borg) / n in every replicate (stratified draws)."""
    ids = ["P1.1"]                        # on a theme everyone answers, counts per replicate are n
    key = {"kommunekode": "147", "wave": "2025"}
    unit = small[(small["kommunekode"] == "147")]
    full = unit.dropna(subset=ids)
    if len(full) != len(unit):
        pytest.skip("a respondent without a score changes the weights per replicate")
    n_s, n_b = (unit["group"] == "stab").sum(), (unit["group"] == "borgernaer").sum()
    s = intervals.replicates_of("stab", **key)[ids[0]]
    b = intervals.replicates_of("borgernaer", **key)[ids[0]]
    a = intervals.replicates_of("alle", **key)[ids[0]]
    np.testing.assert_allclose(a, (n_s * s + n_b * b) / (n_s + n_b), rtol=1e-12)


def test_large_cell_matches_normal_theory(rng):
    # 5-point answers, n = 4000: percentile interval ≈ mean ± 1.96 s/√n (relative error < 3 %).
    x = rng.choice([0.0, 25, 50, 75, 100], size=4000, p=[0.1, 0.2, 0.3, 0.25, 0.15])[:, None]
    reps = bootstrap_means(x, n_boot=4000, seed=1)[:, 0]
    low, high = np.percentile(reps, [2.5, 97.5])
    half = sps.norm.ppf(0.975) * x.std(ddof=1) / np.sqrt(len(x))
    assert (high - low) / 2 == pytest.approx(half, rel=0.03)
    assert (low + high) / 2 == pytest.approx(x.mean(), abs=0.1 * half)


def test_chunked_draws_equal_one_block(rng):
    # Cells larger than the block size are resampled in blocks of replicates; the stream is the same.
    x = rng.normal(size=(5001, 2))
    got = bootstrap_means(x, n_boot=1000, seed=3)
    idx = resample_indices(np.random.default_rng(3), len(x), 1000)
    np.testing.assert_allclose(got, x[idx].mean(axis=1), rtol=1e-12, atol=1e-14)


def test_nan_quantiles_match_numpy(rng):
    a = rng.normal(size=(7, 50, 3))
    a[a > 1.2] = np.nan
    a[2, :, 1] = np.nan
    got = nan_quantiles(a, [0.025, 0.5, 0.975], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanquantile(a, [0.025, 0.5, 0.975], axis=1)
    np.testing.assert_allclose(got, expected, equal_nan=True)


# ---- dumb cases ------------------------------------------------------------------------------

def _scores(fw, rows):
    ids = [i for i, _ in score_ids(fw)]
    frame = pd.DataFrame(rows).set_index("respondent_id")
    for i in ids:
        if i not in frame:
            frame[i] = np.nan
    return frame


def test_cells_with_one_or_no_respondent_have_no_interval_and_no_warnings(fw):
    scores = _scores(fw, [
        {"respondent_id": "a", "kommunekode": "707", "wave": "2025", "group": "stab", "P1.1": 50.0},
        {"respondent_id": "b", "kommunekode": "707", "wave": "2025", "group": "borgernaer", "P1.1": 75.0,
         "P2.1": 25.0},
        {"respondent_id": "c", "kommunekode": "707", "wave": "2025", "group": "borgernaer", "P1.1": 25.0},
    ])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        si = score_intervals(scores, fw, n_boot=200, seed=1)
        expanded = score_intervals(scores, fw, n_boot=200, seed=1, interval="expanded").table
    t = si.table.set_index(["group", "id"])
    assert expanded["ci_low"].isna().equals(si.table["ci_low"].isna())
    assert t.loc[("stab", "P1.1"), "n"] == 1 and np.isnan(t.loc[("stab", "P1.1"), "ci_low"])
    assert t.loc[("borgernaer", "P2.1"), "n"] == 1 and np.isnan(t.loc[("borgernaer", "P2.1"), "ci_high"])
    assert t.loc[("stab", "P1.2"), "n"] == 0 and np.isnan(t.loc[("stab", "P1.2"), "se"])
    assert t.loc[("borgernaer", "P1.1"), "n"] == 2
    assert 25 <= t.loc[("borgernaer", "P1.1"), "ci_low"] <= t.loc[("borgernaer", "P1.1"), "ci_high"] <= 75
    assert t.loc[("alle", "P1.1"), "n"] == 3


def test_constant_scores_give_a_point_interval(fw):
    scores = _scores(fw, [{"respondent_id": f"r{i}", "kommunekode": "101", "wave": "2025", "group": "stab",
                           "P1.1": 50.0} for i in range(6)])
    t = score_intervals(scores, fw, n_boot=100).table.set_index(["group", "id"])
    assert t.loc[("stab", "P1.1"), ["ci_low", "ci_high", "se"]].tolist() == [50.0, 50.0, 0.0]
    assert "borgernaer" not in t.index.get_level_values("group")  # no such respondents: no rows, as score_table


def test_all_missing_gives_empty_cells(fw):
    scores = _scores(fw, [{"respondent_id": f"r{i}", "kommunekode": "101", "wave": "2025", "group": "borgernaer"}
                          for i in range(4)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        si = score_intervals(scores, fw, n_boot=100)
    assert (si.table["n"] == 0).all() and si.table[["score", "ci_low", "ci_high", "se"]].isna().all().all()
    assert np.isnan(si.replicates).all()


def test_bad_arguments_name_the_parameter(small, fw):
    with pytest.raises(StatsArgumentError, match="confidence: expected a number strictly between 0 and 1"):
        score_intervals(small, fw, confidence=95)
    with pytest.raises(StatsArgumentError, match="n_boot"):
        score_intervals(small, fw, n_boot=1)
    with pytest.raises(StatsArgumentError, match=r"scores: expected a table with the columns \['region'\]"):
        score_intervals(small, fw, by=("region",))
    with pytest.raises(StatsArgumentError, match="key"):
        score_intervals(small.head(40), fw, n_boot=10).replicates_of("stab", kommunekode="999", wave="2025")


@pytest.mark.parametrize(("interval", "confidence"), [("percentile", 0.95), ("expanded", 0.9)])
def test_the_description_follows_the_run_and_reads_as_danish(small, fw, interval, confidence):
    from fundament_lib.report.briefing.quality import interval_text

    made = score_intervals(small, fw, n_boot=120, confidence=confidence, interval=interval, seed=3)
    d = made.description()
    assert d["resamples"] == 120 and d["level"] == confidence and d["unit"] == "respondent"
    assert d["kind"] == {"percentile": "bootstrap_percentile", "expanded": "bootstrap_expanded_percentile"}[interval]
    text = interval_text(d)
    assert "trukket om 120 gange" in text and f"på {round(confidence * 100)} %-niveau" in text
    assert ("Hesterberg" in text) == (interval == "expanded")
