"""Key-driver analysis against a second implementation and planted truth."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from fundament_lib.analysis.drivers import driver_table, relative_weights, shapley_r2
from fundament_lib.analysis.scoring import respondent_scores


@pytest.fixture
def correlated(rng):
    z = rng.normal(size=(600, 4))
    z[:, 1] += 0.6 * z[:, 0]
    z[:, 3] += 0.5 * z[:, 2]
    X = pd.DataFrame(z, columns=list("abcd"))
    y = pd.Series(0.5 * z[:, 0] + 0.3 * z[:, 1] + 0.2 * z[:, 2] + rng.normal(size=600))
    return X, y


def test_shapley_matches_pingouin_lmg(correlated):
    """pingouin.linear_regression(relimp=True) computes the LMG (Shapley) decomposition
    (as R relaimpo's type = "lmg"); ours must agree to 1e-6."""
    X, y = correlated
    ours = shapley_r2(X, y)
    ref = pg.linear_regression(X, y, relimp=True).set_index("names")["relimp"].drop("Intercept")
    np.testing.assert_allclose(ours.to_numpy(), ref.to_numpy(), atol=1e-6)


def test_relative_weights_sum_to_r2_and_agree_with_shapley(correlated):
    X, y = correlated
    rw, sh = relative_weights(X, y), shapley_r2(X, y)
    assert rw.sum() == pytest.approx(sh.sum(), abs=1e-10)  # both add up to R²
    # Johnson's weights approximate LMG closely (Johnson 2000 reports differences < .01)
    np.testing.assert_allclose(rw.to_numpy(), sh.to_numpy(), atol=0.01)
    assert list(rw.sort_values(ascending=False).index) == ["a", "b", "c", "d"]


def test_orthogonal_predictors_get_their_squared_correlations(rng):
    z = rng.normal(size=(400, 3))
    q, _ = np.linalg.qr(z - z.mean(axis=0))  # centred and orthogonal: uncorrelated columns
    X = pd.DataFrame(q * 20, columns=["x", "y", "z"])
    y = pd.Series(X["x"] * 2 + X["y"] + rng.normal(size=400) * 0.5)
    r2 = X.corrwith(y) ** 2
    np.testing.assert_allclose(relative_weights(X, y), r2, atol=1e-9)
    np.testing.assert_allclose(shapley_r2(X, y), r2, atol=1e-9)


def test_planted_drivers_are_recovered(demo, fw):
    scores = respondent_scores(demo.tidy, fw)
    frontline = scores[scores["group"] == "borgernaer"]
    outcome = demo.tidy[demo.tidy["item_id"] == "OUT.1"].set_index("respondent_id")["value"]
    table = driver_table(frontline, outcome, fw)
    planted = set(demo.planted["drivers"])
    assert set(table.nsmallest(len(planted), "rank")["id"]) == planted
    assert table["share"].sum() == pytest.approx(1)


def test_too_few_cases_is_a_clear_error():
    X = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0]})
    with pytest.raises(ValueError, match="complete cases"):
        relative_weights(X, pd.Series([1.0, 2.0]))
