"""ICC(1) of kommune and change between waves.

References
----------
* ICC: pingouin 0.7's docstring of ``pingouin.intraclass_corr`` on its bundled
  ``icc`` dataset (8 wines × 4 judges, from real-statistics.com): ICC(1,1) = 0.728.
  With equal cluster sizes, the REML random-intercept ICC equals the one-way
  ANOVA ICC(1,1) of Shrout & Fleiss (1979), ``(MSB − MSW) / (MSB + (k − 1) MSW)``.
* Change between waves: ``scipy.stats.ttest_ind(latest, previous, equal_var=False)`` for ``p``;
  the interval is the percentile interval of the difference of the two waves' replicates.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats as sps

from fundament_lib.analysis.scoring import respondent_scores, score_ids
from fundament_lib.analysis.stats import (
    StatsArgumentError,
    icc1,
    icc_table,
    score_intervals,
    wave_changes,
)
from fundament_lib.demo import DemoConfig, generate


def test_icc_matches_published_wine_example():
    data = pg.read_dataset("icc")
    r = icc1(data["Scores"], data["Wine"])
    assert round(r.icc, 3) == 0.728                       # pingouin docstring: ICC(1,1) 0.728
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # pingouin 0.7 uses a pandas keyword pandas 3 deprecates
        table = pg.intraclass_corr(data=data, targets="Wine", raters="Judge", ratings="Scores")
    assert r.icc == pytest.approx(table.set_index("Type").loc["ICC(1,1)", "ICC"], abs=1e-4)
    assert (r.n_clusters, r.n_obs) == (8, 32) and r.converged


def test_icc_equals_anova_estimator_on_balanced_data(rng):
    g, k = 40, 12
    cluster = np.repeat(np.arange(g), k)
    y = rng.normal(0, 0.6, g)[cluster] + rng.normal(0, 1, g * k)
    msb = k * np.var(pd.Series(y).groupby(cluster).mean(), ddof=1)
    msw = pd.Series(y).groupby(cluster).var(ddof=1).mean()
    anova = (msb - msw) / (msb + (k - 1) * msw)
    r = icc1(y, cluster)
    assert r.icc == pytest.approx(anova, abs=1e-4)
    assert r.var_within == pytest.approx(msw, rel=1e-4)


def test_icc_dumb_cases():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(icc1([1.0, 2, 3], ["a", "a", "a"]).icc)         # one cluster
        assert np.isnan(icc1([2.0, 2, 2, 2], ["a", "a", "b", "b"]).icc)  # no variation
        assert np.isnan(icc1([np.nan, np.nan, 1.0], ["a", "b", "b"]).icc)


def test_icc_table_on_the_demo(demo, fw):
    scores = respondent_scores(demo.tidy, fw)
    table = icc_table(scores, fw, group="borgernaer")
    assert list(table["id"]) == [i for i, _ in score_ids(fw)]
    assert table["converged"].all() and (table["n_kommuner"] == 98).all()
    themes = table[table["level"] == "theme"]
    # The demo's kommune × theme effects (s.d. 0.22 on the latent scale, more where planted) give
    # a clearly positive ICC on every theme.
    assert themes["icc"].between(0.05, 0.6).all()
    np.testing.assert_allclose(table["icc"], table["var_between"] / (table["var_between"] + table["var_within"]))
    with pytest.raises(StatsArgumentError, match="group"):
        icc_table(scores, fw, group="alle")


@pytest.fixture(scope="module")
def two_waves(fw):
    codes = ("707", "851", "101", "147")
    survey = generate(DemoConfig(kommuner=codes, second_wave_kommuner=("707", "851", "101")), fw)
    return survey, respondent_scores(survey.tidy, fw)


def test_wave_changes_test_and_interval(two_waves, fw):
    _, scores = two_waves
    si = score_intervals(scores, fw, n_boot=500, seed=5)
    out = wave_changes(scores, fw, intervals=si)
    assert set(out["kommunekode"]) == {"707", "851", "101"}
    assert (out["wave_previous"] == "2025").all() and (out["wave_latest"] == "2026").all()
    assert len(out) == 3 * 3 * len(si.ids)
    for row in out.sample(12, random_state=2).itertuples():
        unit = scores[(scores["kommunekode"] == row.kommunekode)]
        if row.group != "alle":
            unit = unit[unit["group"] == row.group]
        late = unit.loc[unit["wave"] == "2026", row.id].dropna()
        prev = unit.loc[unit["wave"] == "2025", row.id].dropna()
        assert row.change == pytest.approx(late.mean() - prev.mean())
        assert row.p == pytest.approx(sps.ttest_ind(late, prev, equal_var=False).pvalue, rel=1e-8)
        diff = (si.replicates_of(row.group, kommunekode=row.kommunekode, wave="2026")[row.id]
                - si.replicates_of(row.group, kommunekode=row.kommunekode, wave="2025")[row.id])
        assert (row.ci_low, row.ci_high) == pytest.approx(tuple(np.percentile(diff, [2.5, 97.5])))
    assert out.equals(wave_changes(scores, fw, n_boot=500, seed=5))


def test_planted_improvement_is_found(two_waves, fw):
    survey, scores = two_waves
    out = wave_changes(scores, fw, n_boot=500, seed=5)
    improved = {k: v["weakest"] for k, v in survey.planted["kommuner"].items()
                if "weakest" in v and k in {"707", "851", "101"}}
    assert improved, "the demo plants an improvement of the weakest theme in second-wave kommuner"
    alle = out[(out["group"] == "alle") & (out["level"] == "theme")]
    for code, theme in improved.items():
        mine = alle[alle["kommunekode"] == code].set_index("id")
        assert mine["change"].idxmax() == theme                  # the planted theme moved most
        if mine.loc[theme, "n_latest"] >= 100:                   # and, with enough answers, surely
            assert mine.loc[theme, "ci_low"] > 0 and mine.loc[theme, "p"] < 0.01


def test_no_second_wave_gives_an_empty_table(fw):
    survey = generate(DemoConfig(kommuner=("147",), second_wave_kommuner=()), fw)
    out = wave_changes(respondent_scores(survey.tidy, fw), fw, n_boot=50)
    assert out.empty and "change" in out.columns
