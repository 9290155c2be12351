"""Answers on K-point scales (the tidy table's ``points``): each scored on its own scale, never mixed.

Reference values are written out by hand from the rule (v − 1)/(K − 1)·100 — not computed with the
library's own helpers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fundament_lib.analysis import descriptives as desc
from fundament_lib.analysis.scoring import answer_scores, respondent_scores, score_table
from fundament_lib.core.params import Params
from fundament_lib.framework import load_framework
from fundament_lib.report.briefing.quality import scales_text
from fundament_lib.report.plots import likert_bars, likert_palette
from fundament_lib.results.summary import build_summaries

FW = load_framework("fundament2024")
MERE = load_framework("mereledelse2023")


def _tidy(rows: list[tuple], *, kommune: str = "707") -> pd.DataFrame:
    """rows: (respondent, group, item, value or 'vi' or None, points or None)."""
    out = []
    for rid, group, item, value, points in rows:
        status = "svar" if isinstance(value, int | float) else ("ved_ikke" if value == "vi" else "ubesvaret")
        out.append({"respondent_id": rid, "kommunekode": kommune, "group": group, "wave": "2025",
                    "item_id": item, "value": float(value) if status == "svar" else np.nan, "status": status,
                    "text": None, "points": points})
    frame = pd.DataFrame(out)
    frame["points"] = frame["points"].astype("Int64")
    return frame


@pytest.mark.parametrize(("k", "values", "expected"), [
    (3, [1, 2, 3], [0.0, 50.0, 100.0]),
    (4, [1, 2, 3, 4], [0.0, 100 / 3, 200 / 3, 100.0]),
    (5, [1, 3, 5], [0.0, 50.0, 100.0]),
    (7, [1, 2, 4, 7], [0.0, 100 / 6, 50.0, 100.0]),
    (11, [1, 6, 11], [0.0, 50.0, 100.0]),
])
def test_a_k_point_answer_counts_v_minus_1_over_k_minus_1(k, values, expected):
    tidy = _tidy([(f"r{j}", "stab", "P1.1.1", v, k) for j, v in enumerate(values)])
    assert answer_scores(tidy, FW).tolist() == pytest.approx(expected)


def test_without_points_the_frameworks_own_scale_applies():
    tidy = _tidy([("a", "stab", "P1.1.1", 4, None), ("b", "stab", "P1.1.1", "vi", None)])
    scores = answer_scores(tidy.drop(columns="points"), FW)
    assert scores.iloc[0] == 75.0 and np.isnan(scores.iloc[1])
    assert answer_scores(tidy, FW).iloc[0] == 75.0  # an empty points cell means the same


@pytest.mark.parametrize("k", [3, 4, 5, 7])
def test_a_reversed_item_turns_round_on_its_own_scale(k):
    # KR.1.3 is scored in reverse: its worst answer (1) is the best (100) on any scale.
    tidy = _tidy([("a", "stab", "KR.1.3", 1, k), ("b", "stab", "KR.1.3", k, k), ("c", "stab", "KR.1.3", 2, k)])
    assert answer_scores(tidy, MERE).tolist() == pytest.approx([100.0, 0.0, 100 - 100 / (k - 1)])


def test_items_of_one_theme_on_different_scales_are_each_scored_on_their_own():
    # P1.2 has three statements: asked on 4, 5 and 7 points.
    tidy = _tidy([("a", "borgernaer", "P1.2.1", 3, 4), ("a", "borgernaer", "P1.2.2", 3, 5),
                  ("a", "borgernaer", "P1.2.3", 6, 7)])
    expected = np.mean([200 / 3, 50.0, 500 / 6])
    assert respondent_scores(tidy, FW).loc["a", "P1.2"] == pytest.approx(expected)


def test_item_distributions_keep_scales_apart_and_alle_sums_within_a_scale():
    # Staff answered P1.1.1 on 5 points, frontline leaders on 4: two rows per group level, never one.
    rows = [("s1", "stab", "P1.1.1", 5, 5), ("s2", "stab", "P1.1.1", 4, 5), ("b1", "borgernaer", "P1.1.1", 4, 4),
            ("b2", "borgernaer", "P1.1.1", 1, 4), ("b3", "borgernaer", "P1.1.1", "vi", None)]
    dist = desc.item_distributions(_tidy(rows), FW)
    alle = dist[dist["group"] == "alle"].set_index("points")
    assert sorted(alle.index) == [4, 5]
    assert alle.loc[5, ["c4", "c5", "n"]].tolist() == [1, 1, 2]
    assert alle.loc[4, ["c1", "c4", "n", "dont_know"]].tolist() == [1, 1, 2, 1]  # "Ved ikke" row: its survey's K
    assert alle.loc[4, "score"] == pytest.approx((0 + 100) / 2)
    assert alle.loc[5, "score"] == pytest.approx((100 + 75) / 2)


def test_positive_answers_are_each_items_own_top_two():
    # 4-point: codes 3 and 4 are positive; 7-point: 6 and 7; 5-point (framework): 4 and 5.
    rows = [("a", "stab", "P2.1.1", 3, 4), ("b", "stab", "P2.1.1", 2, 4), ("a", "stab", "P2.1.2", 6, 7),
            ("b", "stab", "P2.1.2", 5, 7), ("a", "stab", "P2.1.3", 4, None), ("b", "stab", "P2.1.3", 3, None)]
    share = desc.theme_positive_share(desc.item_distributions(_tidy(rows), FW), FW)
    cell = share[(share["id"] == "P2.1") & (share["group"] == "alle")].iloc[0]
    assert cell["top2"] == pytest.approx(3 / 6)


def test_positive_answers_of_a_reversed_item_are_its_two_lowest_codes():
    rows = [("a", "stab", "KR.1.3", 1, None), ("b", "stab", "KR.1.3", 2, None), ("c", "stab", "KR.1.3", 5, None)]
    share = desc.theme_positive_share(desc.item_distributions(_tidy(rows), MERE), MERE)
    theme = MERE.theme_items()
    tid = next(t for t, ids in theme.items() if "KR.1.3" in ids)
    assert share[(share["id"] == tid) & (share["group"] == "alle")]["top2"].iloc[0] == pytest.approx(2 / 3)


def _survey(k: int, n: int = 12, seed: int = 1) -> pd.DataFrame:
    """Two groups of ``n`` answering every P1 statement on a ``k``-point scale."""
    rng = np.random.default_rng(seed)
    rows = []
    for group in ("stab", "borgernaer"):
        for r in range(n):
            for t in FW.domains[0].themes:
                rows += [(f"{group}{r}", group, i.id, int(rng.integers(1, k + 1)), k) for i in t.items]
    return _tidy(rows)


def test_summary_says_which_scale_each_theme_was_asked_on():
    four = _survey(4)
    seven = _survey(7, seed=2)
    seven = seven[seven["item_id"].str.startswith("P1.1.")]
    seven = seven.assign(respondent_id="x" + seven["respondent_id"])
    tidy = pd.concat([four[~four["item_id"].str.startswith("P1.1.")], seven], ignore_index=True)
    s = build_summaries(tidy, {"707": Params(n_boot=200)}, data_id="t").kommuner["707"]
    scales = {r["id"]: r["points"] for r in s["scales"]}
    assert scales == {"P1.1": [7], "P1.2": [4], "P1.3": [4], "P1.4": [4], "P1.5": [4]}
    assert all(r["framework_points"] == 5 for r in s["scales"])
    assert {r["points"] for r in s["items"]} == {4, 7}
    text = scales_text(s)
    assert text.startswith("Temaernes udsagn er stillet på forskellige skalaer")
    assert "P1.1 på en 7-trinsskala" in text and "P1.2, P1.3, P1.4 og P1.5 på en 4-trinsskala" in text
    # Every theme score is the mean of its respondents' means on their own scale.
    table = score_table(respondent_scores(tidy, FW), FW)
    shown = {(r["id"], r["group"]): r["score"] for r in s["scores"] if not r["suppressed"]}
    for row in table[table["n"] > 0].itertuples():
        assert shown[(row.id, row.group)] == pytest.approx(row.score, abs=1e-4)


def test_a_scale_only_one_group_answered_on_hides_with_that_group():
    # 3 staff answer on 4 points (hidden: few), 20 frontline leaders on 5 points. The alle row of the
    # 4-point answers is the staff's own row: it must be hidden as theirs is, not shown.
    rows = [(f"s{j}", "stab", "P1.1.1", 2, 4) for j in range(3)]
    rows += [(f"b{j}", "borgernaer", "P1.1.1", 3, 5) for j in range(20)]
    rows += [(f"b{j}", "borgernaer", i, 3, 5) for j in range(20) for i in ("P1.1.2", "P1.1.3")]
    rows += [(f"s{j}", "stab", i, 2, 4) for j in range(3) for i in ("P1.1.2", "P1.1.3")]
    s = build_summaries(_tidy(rows), {"707": Params(n_boot=200)}, data_id="t").kommuner["707"]
    four = [r for r in s["items"] if r["points"] == 4]
    assert four and all(r["suppressed"] and r["n"] is None and r["c2"] is None for r in four)


@pytest.mark.parametrize("k", [3, 4, 5, 6, 7])
def test_likert_bars_centre_an_even_scale_between_its_halves(k):
    row = {"item_id": "x", "n": 2 * k, "dont_know": 0, **{f"c{j}": 2 for j in range(1, k + 1)}}
    ax = likert_bars(pd.DataFrame([row]), labels={"x": "x"}, scale={j: str(j) for j in range(1, k + 1)})
    bars = sorted((p for p in ax.patches if p.get_width() > 0 and p.get_x() < 100), key=lambda p: p.get_x())
    left = bars[0].get_x()
    assert left == pytest.approx(-50.0)  # equal shares: the negative half ends exactly at 0
    assert len(likert_palette(k)[0]) == k and len(set(likert_palette(k)[0])) == k


def test_points_survive_parquet_and_reach_the_summary_through_the_pipeline(tmp_path, project):
    from fundament_lib.core.atomic import write_parquet
    from fundament_lib.results.pipeline import prepare

    path = tmp_path / "fire_trin.parquet"
    write_parquet(_survey(4, n=8), path)
    s = prepare(path, params_root=project / "params").summaries["707"]
    assert {r["id"]: r["points"] for r in s["scales"] if r["id"].startswith("P")} == \
        {t: [4] for t in ("P1.1", "P1.2", "P1.3", "P1.4", "P1.5")}
    assert scales_text(s).startswith("Temaernes udsagn er stillet på en 4-trinsskala (rammens egen skala har 5 "
                                     "trin). Et svar på trin v af K tæller (v − 1)/(K − 1) × 100")
