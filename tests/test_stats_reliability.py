"""Cronbach's alpha, McDonald's omega and the reliability table against published values.

References (each test names its own):
* pingouin 0.7 docstring of ``pingouin.cronbach_alpha`` (installed source,
  ``pingouin/reliability.py``), results "tested against the psych R package":
  - dataset ``cronbach_alpha`` (real-statistics.com, 15 subjects × 10 items):
    alpha = 0.5917188485995826, 95 % CI [0.195, 0.840];
  - dataset ``cronbach_wide_missing``: ``psych::alpha(data, use="pairwise")``
    0.732660835214447, CI [0.435, 0.909]; ``use="complete.obs"``
    0.8016949152542373.
* R ``factanal(covmat = 0.4^|i−j| (4 × 4), factors = 1)``, printed with
  ``digits = 10`` and recorded in statsmodels' test suite
  (``statsmodels/multivariate/tests/test_ml_factor.py::test_1factor``):
  loadings 0.4009399224, 0.6464550935, 0.6464550935, 0.4009399224 and
  uniquenesses 0.8392472054, 0.5820958187, 0.5820958187, 0.8392472054.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats as sps
from statsmodels.multivariate.factor import Factor

from fundament_lib.analysis.scoring import item_matrix
from fundament_lib.analysis.stats import (
    StatsArgumentError,
    cronbach_alpha,
    mcdonald_omega,
    one_factor_ml,
    reliability_table,
)
from fundament_lib.demo import DemoConfig, generate

R_FACTANAL_LOADINGS = np.array([0.4009399224, 0.6464550935, 0.6464550935, 0.4009399224])
R_FACTANAL_UNIQUENESSES = np.array([0.8392472054, 0.5820958187, 0.5820958187, 0.8392472054])


def _ar1(r: float = 0.4, p: int = 4) -> np.ndarray:
    i = np.arange(p)
    return r ** np.abs(np.subtract.outer(i, i))


def _one_factor_sample(loadings: np.ndarray, n: int, rng: np.random.Generator) -> pd.DataFrame:
    f = rng.normal(size=(n, 1))
    e = rng.normal(size=(n, len(loadings))) * np.sqrt(1 - loadings**2)
    return pd.DataFrame(f * loadings + e, columns=[f"i{k}" for k in range(len(loadings))])


# ---- alpha -----------------------------------------------------------------------------------

def test_alpha_matches_published_likert_example():
    # pingouin docstring / real-statistics.com: 0.5917188485995826, CI [0.195, 0.840].
    data = pg.read_dataset("cronbach_alpha").pivot(index="Subj", columns="Items", values="Scores")
    r = cronbach_alpha(data)
    assert r.alpha == pytest.approx(0.5917188485995826, abs=1e-12)
    assert (round(r.ci_low, 3), round(r.ci_high, 3)) == (0.195, 0.840)
    assert (r.n, r.k) == (15, 10)
    alpha, ci = pg.cronbach_alpha(data)                # second implementation, same data
    assert r.alpha == pytest.approx(alpha, abs=1e-12)
    np.testing.assert_array_equal(np.round([r.ci_low, r.ci_high], 3), ci)


def test_alpha_pairwise_matches_psych_use_pairwise():
    # pingouin docstring: psych::alpha(data, use="pairwise") = 0.732660835214447, CI [0.435, 0.909].
    data = pg.read_dataset("cronbach_wide_missing")
    r = cronbach_alpha(data, nan_policy="pairwise")
    assert r.alpha == pytest.approx(0.732660835214447, abs=1e-12)
    assert (round(r.ci_low, 3), round(r.ci_high, 3)) == (0.435, 0.909)
    assert r.n == 12


def test_alpha_listwise_matches_psych_complete_obs():
    # pingouin docstring: psych::alpha(data, use="complete.obs") = 0.8016949152542373.
    data = pg.read_dataset("cronbach_wide_missing")
    r = cronbach_alpha(data)
    assert r.alpha == pytest.approx(0.8016949152542373, abs=1e-12)
    assert r.n == 9                                     # respondents with every item answered
    # Feldt's interval uses those 9. pingouin(nan_policy="listwise") prints [0.581, 0.933] because it
    # takes n from the 12 rows *before* deleting incomplete ones; on the complete rows it agrees with us.
    assert (round(r.ci_low, 3), round(r.ci_high, 3)) == (0.533, 0.947)
    _, ci = pg.cronbach_alpha(data.dropna())
    np.testing.assert_array_equal(np.round([r.ci_low, r.ci_high], 3), ci)


def test_feldt_interval_formula(rng):
    x = _one_factor_sample(np.array([0.7, 0.6, 0.5]), 80, rng)
    r = cronbach_alpha(x, confidence=0.9)
    df1, df2 = 79, 79 * 2
    assert r.ci_low == pytest.approx(1 - (1 - r.alpha) * sps.f.ppf(0.95, df1, df2))
    assert r.ci_high == pytest.approx(1 - (1 - r.alpha) * sps.f.ppf(0.05, df1, df2))
    assert r.confidence == 0.9


def test_alpha_dumb_cases():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        constant = cronbach_alpha(pd.DataFrame({"a": [3.0] * 5, "b": [3.0] * 5}))
        one = cronbach_alpha(pd.DataFrame({"a": [1.0], "b": [2.0]}))
        empty = cronbach_alpha(pd.DataFrame({"a": [np.nan, np.nan], "b": [1.0, np.nan]}))
    assert np.isnan(constant.alpha) and constant.n == 5                  # sum score does not vary
    assert np.isnan(one.alpha) and np.isnan(one.ci_low) and one.n == 1
    assert np.isnan(empty.alpha) and empty.n == 0
    # One constant item among varying ones: defined, and equal to pingouin.
    data = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [2.0, 2, 4, 4, 5], "c": [3.0] * 5})
    assert cronbach_alpha(data).alpha == pytest.approx(pg.cronbach_alpha(data)[0])
    with pytest.raises(StatsArgumentError, match="items: expected .* at least 2 items"):
        cronbach_alpha(pd.DataFrame({"a": [1.0, 2.0]}))
    with pytest.raises(StatsArgumentError, match="nan_policy"):
        cronbach_alpha(data, nan_policy="everything")  # type: ignore[arg-type]


# ---- omega -----------------------------------------------------------------------------------

def test_one_factor_ml_reproduces_r_factanal():
    # R factanal output recorded in statsmodels' test_ml_factor.py (see module docstring).
    load, psi, converged = one_factor_ml(_ar1())
    assert converged
    np.testing.assert_allclose(load, R_FACTANAL_LOADINGS, atol=1e-6)
    np.testing.assert_allclose(psi, R_FACTANAL_UNIQUENESSES, atol=1e-6)


def test_omega_from_r_factanal_loadings():
    # omega = (Σλ)² / ((Σλ)² + Σψ) with R's loadings, by hand: 0.6069…
    expected = R_FACTANAL_LOADINGS.sum() ** 2 / (R_FACTANAL_LOADINGS.sum() ** 2 + R_FACTANAL_UNIQUENESSES.sum())
    load, psi, _ = one_factor_ml(_ar1())
    assert load.sum() ** 2 / (load.sum() ** 2 + psi.sum()) == pytest.approx(expected, abs=5e-4)
    assert round(expected, 3) == 0.607


def test_omega_recovers_known_loadings(rng):
    # Population one-factor model: omega = 2.6² / (2.6² + 2.26) = 0.74945; n = 200 000 (se ≈ 0.001).
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    truth = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
    r = mcdonald_omega(_one_factor_sample(lam, 200_000, rng))
    assert r.omega == pytest.approx(truth, abs=0.005)
    np.testing.assert_allclose(r.loadings.to_numpy(), lam, atol=0.01)
    assert (r.n, r.k) == (200_000, 4)


def test_omega_agrees_with_statsmodels_ml_factor(rng):
    x = _one_factor_sample(np.array([0.75, 0.6, 0.55, 0.4]), 500, rng)
    ours = mcdonald_omega(x)
    fit = Factor(corr=np.corrcoef(x.to_numpy(), rowvar=False), n_factor=1, method="ml").fit(
        rng=np.random.default_rng(0))
    load = np.abs(fit.loadings[:, 0])
    theirs = load.sum() ** 2 / (load.sum() ** 2 + fit.uniqueness.sum())
    assert ours.omega == pytest.approx(theirs, abs=1e-3)
    np.testing.assert_allclose(ours.loadings.to_numpy(), load, atol=1e-3)


def test_omega_three_items_is_just_identified_and_two_items_is_spearman_brown(rng):
    x = _one_factor_sample(np.array([0.8, 0.6, 0.5]), 2000, rng)
    c = np.corrcoef(x.to_numpy(), rowvar=False)
    r = mcdonald_omega(x)
    # Exact fit: λ1 = sqrt(r12 r13 / r23)
    assert r.loadings.iloc[0] == pytest.approx(np.sqrt(c[0, 1] * c[0, 2] / c[1, 2]), abs=1e-4)
    two = mcdonald_omega(x[["i0", "i1"]])
    assert two.omega == pytest.approx(2 * c[0, 1] / (1 + c[0, 1]))
    assert "Spearman" in two.method


def test_omega_dumb_cases():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        constant = mcdonald_omega(pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 1, 4, 3], "c": [3.0] * 4}))
        few = mcdonald_omega(pd.DataFrame({"a": [1.0, 2], "b": [2.0, 1], "c": [1.0, 3]}))
        empty = mcdonald_omega(pd.DataFrame({"a": [np.nan] * 3, "b": [1.0] * 3, "c": [2.0] * 3}))
    assert np.isnan(constant.omega) and constant.loadings.isna().all()
    assert np.isnan(few.omega) and few.n == 2
    assert np.isnan(empty.omega) and empty.n == 0


# ---- the table -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def survey(fw):
    return generate(DemoConfig(kommuner=("101", "707", "147", "825"), second_wave_kommuner=()), fw)


def test_reliability_table_pooled_and_per_kommune(survey, fw):
    table = reliability_table(survey.tidy, fw, min_n=40)
    pooled = table[table["scope"] == "pooled"].set_index("id")
    items = item_matrix(survey.tidy, fw.theme_items()["P1.1"])
    assert pooled.loc["P1.1", "alpha"] == pytest.approx(cronbach_alpha(items).alpha)
    assert pooled.loc["P1.1", "omega"] == pytest.approx(mcdonald_omega(items).omega)
    assert pooled.loc["P1.1", "n"] == cronbach_alpha(items).n
    assert (pooled["alpha"] > 0.6).all() and (pooled["omega"] > 0.6).all()
    units = table[table["scope"] == "unit"]
    assert set(units["kommunekode"]) == {"101", "707", "147", "825"}
    small = units[units["n"] < 40]
    assert small[["alpha", "ci_low", "ci_high", "omega"]].isna().all().all()
    big = units[units["n"] >= 40]
    assert big["alpha"].notna().all() and (big["ci_low"] < big["alpha"]).all()
    only = reliability_table(survey.tidy, fw, by=None)
    assert (only["scope"] == "pooled").all() and len(only) == len(fw.themes())


def test_reversed_items_are_recoded(survey, fw):
    """Reversing an item in the framework and in the answers leaves every coefficient unchanged."""
    item = fw.theme_items()["P1.2"][0]
    raw = fw.model_dump()
    for domain in raw["domains"]:
        for theme in domain["themes"]:
            for it in theme["items"]:
                it["reverse"] = it["reverse"] or it["id"] == item
    flipped_fw = type(fw).model_validate(raw)
    assert flipped_fw.reversed_items() == {item}
    tidy = survey.tidy.copy()
    on_item = tidy["item_id"] == item
    tidy.loc[on_item, "value"] = 6 - tidy.loc[on_item, "value"]
    a = reliability_table(survey.tidy, fw, by=None)
    b = reliability_table(tidy, flipped_fw, by=None)
    pd.testing.assert_frame_equal(a, b)


def test_reliability_table_accepts_an_item_matrix(survey, fw):
    ids = [i for v in fw.theme_items().values() for i in v]
    matrix = item_matrix(survey.tidy, ids)
    matrix["kommunekode"] = survey.tidy.drop_duplicates("respondent_id").set_index("respondent_id").loc[
        matrix.index, "kommunekode"]
    pd.testing.assert_frame_equal(reliability_table(matrix, fw), reliability_table(survey.tidy, fw))
    with pytest.raises(StatsArgumentError, match="min_n"):
        reliability_table(matrix, fw, min_n=1)


def test_three_item_closed_form_equals_the_ml_fit(rng):
    """Three items: the exact-fit loadings λ_i² = r_ij r_ik / r_jk are the ML solution."""
    from fundament_lib.analysis.stats.omega import _three_item_loadings, one_factor_ml

    for _ in range(20):
        lam = rng.uniform(0.3, 0.9, 3)
        corr = np.outer(lam, lam)
        np.fill_diagonal(corr, 1.0)
        noise = np.triu(rng.normal(0, 0.01, (3, 3)), 1)
        corr += noise + noise.T  # a symmetric sample-like correlation matrix
        exact = _three_item_loadings(corr)
        ml, _, _ = one_factor_ml(corr)  # L-BFGS may flag a non-convergence at the exact optimum (F = 0)
        assert exact is not None
        np.testing.assert_allclose(exact, ml, atol=1e-5)
