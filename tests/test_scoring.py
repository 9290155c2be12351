import numpy as np
import pandas as pd
import pytest

from fundament_lib.analysis.scoring import respondent_scores, score_table


def _tidy(rows):
    """rows: (respondent, group, item, value-or-'vi'-or-None)."""
    out = []
    for rid, group, item, value in rows:
        status = "svar" if isinstance(value, (int, float)) else ("ved_ikke" if value == "vi" else "ubesvaret")
        out.append({"respondent_id": rid, "kommunekode": "707", "group": group, "wave": "2025",
                    "item_id": item, "value": float(value) if status == "svar" else np.nan,
                    "status": status, "text": None})
    return pd.DataFrame(out)


def test_theme_score_rule_for_partly_answered_themes(fw):
    # P1.1 has 4 items: 2 answered is enough (half, rounded up); P1.2 has 3: 1 answered is not.
    # The survey asked all of P1 (the other themes' statements left blank).
    rest = [("a", "stab", i.id, None) for t in ("P1.3", "P1.4", "P1.5") for i in fw.theme(t).items]
    tidy = _tidy([
        ("a", "stab", "P1.1.1", 5), ("a", "stab", "P1.1.2", 3), ("a", "stab", "P1.1.3", "vi"),
        ("a", "stab", "P1.1.4", None),
        ("a", "stab", "P1.2.1", 4), ("a", "stab", "P1.2.2", "vi"), ("a", "stab", "P1.2.3", None), *rest,
    ])
    s = respondent_scores(tidy, fw).loc["a"]
    assert s["P1.1"] == pytest.approx((100 + 50) / 2)  # 5 -> 100, 3 -> 50; "Ved ikke" not counted
    assert np.isnan(s["P1.2"])
    assert np.isnan(s["P1"])  # only 1 of 5 themes scored


def test_pejlemaerke_is_mean_of_theme_scores_when_half_present(fw):
    rows = []
    for theme, value in (("P1.1", 1), ("P1.2", 2), ("P1.3", 3), ("P1.4", None), ("P1.5", "vi")):
        items = [i.id for i in fw.theme(theme).items]
        rows += [("r", "borgernaer", i, value) for i in items]
    s = respondent_scores(_tidy(rows), fw).loc["r"]
    assert s["P1.1"] == 0 and s["P1.2"] == 25 and s["P1.3"] == 50
    assert s["P1"] == pytest.approx(25)  # 3 of 5 themes: enough


def test_score_table_groups_and_n(fw):
    rows = []
    for rid, group, value in (("s1", "stab", 5), ("s2", "stab", 4), ("b1", "borgernaer", 1)):
        rows += [(rid, group, i.id, value) for i in fw.theme("P2.1").items]
    table = score_table(respondent_scores(_tidy(rows), fw), fw)
    cell = table[(table["id"] == "P2.1")].set_index("group")
    assert cell.loc["stab", "n"] == 2 and cell.loc["stab", "score"] == pytest.approx(87.5)
    assert cell.loc["borgernaer", "score"] == 0
    assert cell.loc["alle", "n"] == 3 and cell.loc["alle", "score"] == pytest.approx(175 / 3)
    assert table.loc[table["id"] == "P1.1", "n"].eq(0).all()


def test_scores_recover_planted_strongest_and_weakest_theme(demo, fw):
    table = score_table(respondent_scores(demo.tidy, fw), fw)
    alle = table[(table["group"] == "alle") & (table["level"] == "theme") & (table["wave"] == "2025")]
    profile = alle.pivot(index="kommunekode", columns="id", values="score")
    planted = {k: v for k, v in demo.planted["kommuner"].items() if "weakest" in v}
    hits_low = [profile.loc[k].idxmin() == v["weakest"] for k, v in planted.items()]
    hits_high = [profile.loc[k].idxmax() == v["strongest"] for k, v in planted.items()]
    # Planted extremes lie >= 0.4 latent SD beyond every other theme; sampling noise in the
    # smallest kommuner may still swap a pair now and then, so allow one miss in twenty.
    assert np.mean(hits_low) >= 0.95 and np.mean(hits_high) >= 0.95


def test_scores_track_the_exact_expected_values(demo, fw):
    table = score_table(respondent_scores(demo.tidy, fw), fw)
    truth = demo.true_scores.rename(columns={"n": "n_invited"})
    merged = table.merge(truth, on=["kommunekode", "wave", "group", "id"])
    big = merged[merged["n"] >= 50]
    assert (big["score"] - big["true_score"]).abs().mean() < 2.5
    assert np.corrcoef(merged["score"], merged["true_score"])[0, 1] > 0.9
