"""Staff–frontline gaps: effect size, tests and adjustment against pingouin, scipy and statsmodels.

References
----------
* Hedges' g: ``pingouin.compute_effsize(x, y, eftype="hedges")`` (a second implementation).
* Welch's t-test: ``scipy.stats.ttest_ind(x, y, equal_var=False)``.
* Holm: ``statsmodels.stats.multitest.multipletests(p, method="holm")``.
* Cluster-robust OLS: the sandwich ``(X'X)⁻¹ Σ_g X_g' u_g u_g' X_g (X'X)⁻¹ · G/(G−1) · (N−1)/(N−K)``
  (Cameron & Miller 2015, "A practitioner's guide to cluster-robust inference", CR1), computed by
  hand, and ``statsmodels.OLS(...).fit(cov_type="cluster")`` with kommune dummies.
* The ordinal model: ``statsmodels.miscmodels.ordinal_model.OrderedModel(distr="logit")`` fitted
  on the uncollapsed answers with ``cov_type="cluster"``.
"""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.stats.multitest import multipletests

from fundament_lib.analysis.scoring import respondent_scores, score_ids
from fundament_lib.analysis.stats import (
    group_gaps,
    holm,
    national_gap_models,
    ordinal_logit,
    score_intervals,
)
from fundament_lib.analysis.stats._common import latest_wave
from fundament_lib.analysis.stats.models import cluster_ols_slope
from fundament_lib.core.kommuner import kommuner
from fundament_lib.demo import DemoConfig, generate

CODES = ("101", "147", "707", "851", "330", "580", "173", "265")


@pytest.fixture(scope="module")
def survey(fw):
    return generate(DemoConfig(kommuner=CODES, second_wave_kommuner=("707",)), fw)


@pytest.fixture(scope="module")
def scores(survey, fw):
    return respondent_scores(survey.tidy, fw)


@pytest.fixture(autouse=True)
def _no_gc_in_multipletests(monkeypatch):
    """statsmodels' multipletests(method="holm") runs gc.collect() on every call (slow in a big
    test process); the reference numbers do not depend on it."""
    monkeypatch.setattr(gc, "collect", lambda *args: 0)


@pytest.fixture(scope="module")
def gaps(scores, fw):
    return group_gaps(scores, fw, n_boot=400, seed=3)


def _groups(scores, code, wave, id_):
    unit = scores[(scores["kommunekode"] == code) & (scores["wave"] == wave)]
    return (unit.loc[unit["group"] == "stab", id_].dropna().to_numpy(),
            unit.loc[unit["group"] == "borgernaer", id_].dropna().to_numpy())


def test_effect_size_and_welch_test_match_pingouin_and_scipy(scores, gaps):
    for row in gaps.sample(40, random_state=1).itertuples():
        x, y = _groups(scores, row.kommunekode, row.wave, row.id)
        assert row.diff == pytest.approx(x.mean() - y.mean())
        assert row.hedges_g == pytest.approx(pg.compute_effsize(x, y, eftype="hedges"), rel=1e-10)
        t = sps.ttest_ind(x, y, equal_var=False)
        assert row.t == pytest.approx(t.statistic, rel=1e-10)
        assert row.p == pytest.approx(t.pvalue, rel=1e-8)
        assert row.df == pytest.approx(t.df, rel=1e-10)
        assert (row.n_stab, row.n_borgernaer) == (len(x), len(y))


def test_holm_within_each_kommune_and_wave_across_themes(gaps):
    for (_, _, level), fam in gaps.groupby(["kommunekode", "wave", "level"]):
        expected = multipletests(fam["p"].to_numpy(), method="holm")[1]
        np.testing.assert_allclose(fam["p_holm"].to_numpy(), expected, rtol=1e-12)
        if level == "theme":
            assert len(fam) == 10


def test_holm_vectorised_equals_multipletests(rng):
    p = rng.uniform(0, 0.3, 60)
    p[[3, 17]] = np.nan
    fam = rng.integers(0, 5, 60)
    got = holm(p, fam)
    for f in range(5):
        m = (fam == f) & ~np.isnan(p)
        np.testing.assert_allclose(got[m], multipletests(p[m], method="holm")[1], rtol=1e-12)
    assert np.isnan(got[[3, 17]]).all()
    one = p[20:40]
    np.testing.assert_allclose(holm(one), multipletests(one, method="holm")[1], rtol=1e-12)


def test_gap_interval_is_the_difference_of_the_group_replicates(scores, fw, gaps):
    si = score_intervals(scores, fw, n_boot=400, seed=3)
    assert group_gaps(scores, fw, intervals=si).equals(gaps)
    row = gaps[(gaps["kommunekode"] == "707") & (gaps["wave"] == "2026") & (gaps["id"] == "P1.3")].iloc[0]
    diff = (si.replicates_of("stab", kommunekode="707", wave="2026")["P1.3"]
            - si.replicates_of("borgernaer", kommunekode="707", wave="2026")["P1.3"])
    assert (row.ci_low, row.ci_high) == pytest.approx(tuple(np.percentile(diff, [2.5, 97.5])))
    assert "Welch" in row.method and "B=400" in row.method


def test_planted_gap_is_the_largest_gap(survey, gaps):
    planted = {k: v["gap"] for k, v in survey.planted["kommuner"].items() if "gap" in v}
    assert planted, "the demo plants a gap in some of these kommuner"
    themes = gaps[(gaps["level"] == "theme") & (gaps["wave"] == "2025")]
    for code, theme in planted.items():
        mine = themes[themes["kommunekode"] == code].set_index("id")
        assert mine["diff"].idxmax() == theme
        assert mine.loc[theme, "ci_low"] > 0


def test_dumb_cases_one_group_or_one_respondent(fw):
    ids = [i for i, _ in score_ids(fw)]
    rows = [{"respondent_id": "s1", "kommunekode": "101", "wave": "2025", "group": "stab", **dict.fromkeys(ids, 50.0)},
            *({"respondent_id": f"b{i}", "kommunekode": "101", "wave": "2025", "group": "borgernaer",
               **dict.fromkeys(ids, 25.0 * (i % 3))} for i in range(6)),
            {"respondent_id": "x1", "kommunekode": "147", "wave": "2025", "group": "borgernaer",
             **dict.fromkeys(ids, 75.0)}]
    out = group_gaps(pd.DataFrame(rows).set_index("respondent_id"), fw, n_boot=50)
    assert set(out["kommunekode"]) == {"101"}            # 147 has no staff respondents: no gap
    assert out["diff"].notna().all()
    assert out[["ci_low", "ci_high", "hedges_g", "p", "p_holm"]].isna().all().all()   # one staff respondent


def test_national_ols_gap_equals_statsmodels_with_kommune_dummies(scores, fw):
    models = national_gap_models(scores, fw)
    assert set(models["model"]) == {"ols"} and len(models) == len(score_ids(fw))
    row = models.set_index("id").loc["P1.3"]
    part = latest_wave(scores)[["kommunekode", "group", "P1.3"]].dropna()
    stab = (part["group"] == "stab").to_numpy(float)
    dummies = pd.get_dummies(part["kommunekode"], drop_first=True, dtype=float).to_numpy()
    x = np.column_stack([np.ones(len(part)), stab, dummies])
    fit = sm.OLS(part["P1.3"].to_numpy(), x).fit(cov_type="cluster",
                                                 cov_kwds={"groups": pd.factorize(part["kommunekode"])[0]})
    assert row["estimate"] == pytest.approx(fit.params[1], rel=1e-10)
    assert row["se"] == pytest.approx(fit.bse[1], rel=1e-10)
    assert row["ci_low"] == pytest.approx(fit.conf_int()[1, 0], rel=1e-10)
    assert row["p"] == pytest.approx(fit.pvalues[1], rel=1e-6, abs=1e-300)
    assert row["n_kommuner"] == len(CODES) and row["scale"] == "points"


def test_cluster_slope_by_hand_sandwich(rng):
    """CR1 sandwich of Cameron & Miller (2015), computed from its definition."""
    n, g = 400, 15
    cl = rng.integers(0, g, n)
    x = (rng.random(n) < 0.4).astype(float)
    y = 3 * x + rng.normal(0, 1, g)[cl] + rng.normal(size=n)
    xm = np.column_stack([np.ones(n), x])
    bread = np.linalg.inv(xm.T @ xm)
    u = y - xm @ (bread @ xm.T @ y)
    meat = np.zeros((2, 2))
    for k in range(g):
        s = xm[cl == k].T @ u[cl == k]
        meat += np.outer(s, s)
    cov = bread @ meat @ bread * g / (g - 1) * (n - 1) / (n - 2)
    slope, se = cluster_ols_slope(y, x, cl, within=False)
    assert slope == pytest.approx((bread @ xm.T @ y)[1])
    assert se == pytest.approx(np.sqrt(cov[1, 1]), rel=1e-10)


def test_collapsed_ordinal_fit_equals_statsmodels_on_the_full_data(rng):
    # Rows with the same answer and covariates collapsed into frequency weights: same MLE, and the
    # same cluster-robust errors as OrderedModel(...).fit(cov_type="cluster") on the uncollapsed rows.
    n = 3000
    stab, cl, item = rng.integers(0, 2, n), rng.integers(0, 20, n), rng.integers(0, 3, n)
    latent = 0.4 * stab + rng.normal(0, 0.5, 20)[cl] + 0.1 * item + rng.logistic(size=n)
    y = np.digitize(latent, [-1.5, -0.5, 0.5, 1.5]) + 1
    exog = pd.concat([pd.DataFrame({"stab": stab.astype(float)}),
                      pd.get_dummies(item, prefix="i", drop_first=True, dtype=float)], axis=1)
    full = OrderedModel(pd.Series(pd.Categorical(y, ordered=True)), exog, distr="logit").fit(
        method="newton", disp=False, cov_type="cluster", cov_kwds={"groups": cl})
    cells = (pd.DataFrame({"y": y, "stab": stab, "item": item, "cl": cl})
             .groupby(["y", "stab", "item", "cl"]).size().rename("w").reset_index())
    small = pd.concat([cells[["stab"]].astype(float),
                       pd.get_dummies(cells["item"], prefix="i", drop_first=True, dtype=float)], axis=1)
    ours = ordinal_logit(cells["y"].to_numpy(), small, cells["cl"].to_numpy(), weights=cells["w"].to_numpy())
    assert len(cells) < n / 4 and ours.n_obs == n and ours.converged
    np.testing.assert_allclose(ours.params, np.asarray(full.params), atol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(ours.cov)), np.asarray(full.bse), rtol=1e-4)


@pytest.mark.slow
def test_national_ordinal_model_finds_the_staff_shift(fw):
    # 40 kommuner: with a handful of clusters the clustered errors are too noisy to test against 0.
    codes = tuple(kommuner()["kommunekode"])[::2][:40]
    survey = generate(DemoConfig(kommuner=codes, second_wave_kommuner=()), fw)
    models = national_gap_models(respondent_scores(survey.tidy, fw), fw, tidy=survey.tidy)
    ordinal = models[models["model"] == "ordinal"]
    assert len(ordinal) == len(fw.themes()) and ordinal["converged"].all()
    # The demo shifts staff answers by 0.35 on a latent normal scale with s.d. ≈ 0.79 (≈ 0.75 in
    # log-odds), plus 0.7 on a kommune's planted gap theme: every theme's estimate is positive.
    assert ordinal["estimate"].between(0.5, 1.2).all()
    assert (ordinal["ci_low"] > 0).all()
    assert (ordinal["n_obs"] > ordinal["n_respondents"]).all()
    ols = models[models["model"] == "ols"]
    assert (ols["ci_low"] > 0).all() and ols["converged"].all()
    assert (ols["n_kommuner"] == 40).all()
