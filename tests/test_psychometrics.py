"""Does the data support the framework? The factor check finds a planted misfitting item
(demo.DemoConfig(misfit_item=...): the item's latent answer is the target theme's) and
flags nothing on the default demo, whose items all measure their own theme."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

from fundament_lib.analysis import factor_check as fc
from fundament_lib.analysis import psychometrics as psy
from fundament_lib.core.kommuner import kommuner
from fundament_lib.demo import DemoConfig, generate
from fundament_lib.report import psychometrics as psy_report
from fundament_lib.report.plots import loadings_heatmap

CODES = tuple(kommuner()["kommunekode"][:20])  # 20 kommuner × (30 + 30) leaders, one with two waves


@pytest.fixture(scope="module")
def misfit():
    return generate(DemoConfig(misfit_item="P1.1.4", misfit_target="P2.2", kommuner=CODES, fixed_size=30)).tidy


@pytest.fixture(scope="module")
def clean():
    return generate(DemoConfig(kommuner=CODES, fixed_size=30)).tidy


@pytest.fixture(scope="module")
def misfit_check(misfit, fw):
    return fc.factor_check(misfit, fw)


def test_planted_misfit_is_flagged_and_named(misfit_check):
    flagged = misfit_check.flagged
    assert list(flagged["item_id"]) == ["P1.1.4"]
    row = flagged.iloc[0]
    assert row["max_factor"] == "P2.2" and row["reason"] == "lader højest på et andet temas faktor"
    assert row["max_loading"] > 0.5 and abs(row["own_loading"]) < 0.3
    text = misfit_check.statement()
    assert text.startswith("1 af 30 udsagn") and "P1.1.4" in text and "P2.2 Udvikling og udfordring" in text


def test_factors_match_themes_one_to_one(misfit, misfit_check, fw):
    themes = [t.id for t in fw.themes()]
    assert list(misfit_check.loadings.columns) == themes  # every theme got its own factor, in order
    assert misfit_check.n_factors == len(themes)
    assert misfit_check.n == misfit["respondent_id"].nunique()
    own = misfit_check.items.set_index("item_id")["own_loading"].drop("P1.1.4")
    assert (own > 0.3).all()  # oriented: the theme's items load positively
    corr = misfit_check.factor_corr.to_numpy()
    assert np.allclose(np.diag(corr), 1) and (corr[np.triu_indices(len(themes), 1)] > 0).all()


def test_default_demo_flags_nothing(clean, fw):
    check = fc.factor_check(clean, fw)
    assert check.flagged.empty
    assert check.statement().startswith("Alle 30 udsagn lader højest på deres eget temas faktor")


def test_full_default_demo_flags_nothing(demo, fw):
    check = fc.factor_check(demo.tidy, fw)
    assert check.flagged.empty
    assert check.items["own_loading"].min() > 0.6


def test_same_data_same_result(misfit, fw, misfit_check):
    again = fc.factor_check(misfit, fw)
    pd.testing.assert_frame_equal(again.loadings, misfit_check.loadings)


def test_promax_agrees(misfit, fw):
    assert list(fc.factor_check(misfit, fw, rotation="promax").flagged["item_id"]) == ["P1.1.4"]


def test_a_strict_threshold_flags_weak_items(misfit, fw):
    check = fc.factor_check(misfit, fw, threshold=0.99)
    assert check.items.query("item_id != 'P1.1.4'")["reason"].isin(
        ["lader svagt på sit eget temas faktor", None]).all()
    assert len(check.flagged) > 1


def test_fewer_factors_than_themes_flags_the_unmatched_themes(misfit, fw):
    check = fc.factor_check(misfit, fw, n_factors=9)
    orphans = check.items[check.items["reason"] == "temaet fik ingen faktor"]
    assert orphans["theme"].nunique() == 1


def test_bad_arguments(misfit, fw):
    with pytest.raises(ValueError, match="rotation: expected one of"):
        fc.factor_check(misfit, fw, rotation="varimax")
    with pytest.raises(ValueError, match="n_factors: 30 items identify at most"):
        fc.factor_check(misfit, fw, n_factors=25)
    few = misfit[misfit["respondent_id"].isin(misfit["respondent_id"].unique()[:50])]
    with pytest.raises(ValueError, match="at least 100 respondents"):
        fc.factor_check(few, fw)


def test_item_rest_matches_a_direct_computation(misfit, fw):
    table = psy.item_rest(misfit, fw)
    assert len(table) == 30 and table["r"].between(-1, 1).all()
    answers = misfit[misfit["item_id"].astype(str).str.startswith("P1.2.")].pivot(
        index="respondent_id", columns="item_id", values="value")
    rest = answers[["P1.2.2", "P1.2.3"]].mean(axis=1)
    both = answers["P1.2.1"].notna() & rest.notna()
    expected = np.corrcoef(answers.loc[both, "P1.2.1"], rest[both])[0, 1]
    assert table.set_index("item_id").at["P1.2.1", "r"] == pytest.approx(expected)
    p11 = table[table["theme"] == "P1.1"].set_index("item_id")["r"]
    assert p11.idxmin() == "P1.1.4"  # the misfit correlates least with its own theme


def test_heatmap_marks_the_flagged_item(misfit_check):
    ax = loadings_heatmap(misfit_check)
    assert isinstance(ax, Axes)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "P1.1.4 (!)" in labels and "P1.1.1" in labels
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["P1.1", "P1.2"]


def test_section_is_a_report_ready_danish_block(misfit, fw):
    result = psy.analyse(misfit, fw)
    html = psy_report.section(result)
    assert html.startswith('<h2 id="psykometri">')
    assert "P1.1.4" in html and "Metode." in html and "ungarske metode" in html
    assert "data:image/png;base64" in html and "<caption>" in html
    if result.reliability is not None:  # fundament_lib.analysis.stats is present
        rel = result.reliability.set_index("id")
        assert rel["alpha"].between(0.5, 1).all()
        assert "Cronbachs alfa" in html
    if result.icc is not None:
        assert set(result.icc["id"]) >= {t.id for t in fw.themes()}
        assert "ICC" in html
