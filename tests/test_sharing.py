"""What one kommune's summary may show of the others: the anonymous distribution, names only by
agreement on both sides, comparisons only among at least ``min_n`` other kommuner."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundament_lib.analysis.workshop import benchlearning
from fundament_lib.core.fmt import fmt_num
from fundament_lib.core.kommuner import kommuner
from fundament_lib.core.sharing import (
    enough_others,
    mask_comparisons,
    nameable,
    national_view,
    shown_value,
)

REF = kommuner()
CODES = list(REF.index)


def _national(values: dict[str, list[float]], ids: tuple[str, ...] = ("P1", "P2", "P1.1")) -> pd.DataFrame:
    """Kommune code → its scores on ``ids`` (NaN: hidden, left out as the summary's cells are)."""
    rows = [{"kommunekode": c, "id": i, "score": v} for c, vs in values.items() for i, v in zip(ids, vs, strict=True)
            if not np.isnan(v)]
    return pd.DataFrame(rows, columns=["kommunekode", "id", "score"])


def test_shown_value_is_the_number_a_briefing_prints():
    for x in (0.0, 48.5, 49.5, 55.4999, 55.5, 99.96, 61.0000001):
        assert str(shown_value(x)) == fmt_num(x)
    assert shown_value(None) is None and shown_value(float("nan")) is None


def test_the_distribution_is_sorted_rounded_and_the_own_value_apart():
    values = {"707": [61.2, 54.0, 70.4], "101": [48.6, 66.5, 39.9], "751": [55.5, 58.1, 72.0],
              "461": [58.4, 50.2, 41.0], "851": [63.9, 49.4, 60.6], "147": [52.2, 57.7, 80.1]}
    view = national_view(_national(values), "707", min_n=5)
    p1 = view["scores"][0]
    assert p1 == {"id": "P1", "own": 61, "n_others": 5, "others": [49, 52, 56, 58, 64]}
    assert [r["id"] for r in view["scores"]] == ["P1", "P2", "P1.1"]
    assert view["n_kommuner"] == 6 and view["digits"] == 0 and view["named"] == []
    assert "707" not in str(view) and "kommunekode" not in str(view)  # nothing names a value's kommune


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_field_is_the_same_whoever_the_other_kommuner_are(data):
    """Relabel the other kommuner (any permutation of their codes): the field does not change, so
    nothing in it — order, grouping, position — depends on which kommune has which value."""
    n = data.draw(st.integers(min_value=6, max_value=30))
    codes = data.draw(st.permutations(CODES))[:n]
    score = st.one_of(st.floats(0, 100, allow_nan=False), st.just(float("nan")))
    values = {c: [data.draw(score) for _ in range(3)] for c in codes}
    own, others = codes[0], codes[1:]
    shuffled = dict(zip(others, data.draw(st.permutations(others)), strict=True))
    relabelled = {own: values[own], **{shuffled[c]: values[c] for c in others}}
    frame = _national(values)
    assert national_view(frame, own, min_n=5) == national_view(_national(relabelled), own, min_n=5)
    view = national_view(frame.sample(frac=1, random_state=1), own, min_n=5)  # nor on the rows' order
    by_id = {r["id"]: r for r in view["scores"]}
    for j, sid in enumerate(("P1", "P2", "P1.1")):
        shown = sorted(shown_value(values[c][j]) for c in others if not np.isnan(values[c][j]))
        if sid in by_id:
            assert by_id[sid]["others"] == (shown if len(shown) >= 5 else [])
            assert by_id[sid]["n_others"] == len(shown)


def test_a_distribution_of_fewer_than_min_n_others_is_left_out():
    values = {c: [50.0 + i, 60.0, 70.0] for i, c in enumerate(["707", "101", "751", "461", "851"])}
    view = national_view(_national(values), "707", min_n=5)
    assert all(r["others"] == [] and r["n_others"] == 4 for r in view["scores"])
    assert national_view(_national(values), "707", min_n=4)["scores"][0]["others"] == [51, 52, 53, 54]


def test_names_need_share_names_on_both_sides():
    share = {"707": True, "751": True, "461": False, "101": True}
    assert nameable("707", share) == {"751", "101"}
    assert nameable("461", share) == frozenset()  # has not agreed: names nobody
    assert "707" not in nameable("707", share)


def test_named_kommuner_only_while_at_least_min_n_stay_anonymous():
    codes = ["707", "751", "461", "851", "101", "147", "151", "153", "157"]
    values = {c: [40.0 + 3 * i, 50.0 + i, 60.0 - i] for i, c in enumerate(codes)}
    view = national_view(_national(values), "707", min_n=5, names={"751", "461"}, ref=REF)
    assert [(n["kommunekode"], n["kommune"]) for n in view["named"]] == [("461", "Odense"), ("751", "Aarhus")]
    assert view["named"][1]["scores"] == {"P1": 43, "P2": 51, "P1.1": 59}
    assert sorted(view["scores"][0]["others"]) == view["scores"][0]["others"]  # named values stay in the list
    # Naming four of eight others would leave four anonymous: fewer than min_n, so nobody is named.
    fewer = national_view(_national(values), "707", min_n=5, names={"751", "461", "851", "101"}, ref=REF)
    assert fewer["named"] == []
    everyone = national_view(_national(values), "707", min_n=5, names=set(codes[1:]), ref=REF)
    assert len(everyone["named"]) == 8  # all named: nobody is left to be given away


def test_comparisons_among_fewer_than_min_n_others_are_masked():
    row = {"id": "P1", "rank": 12, "n_kommuner": 98, "percentile": 88.7, "rank_ci_low": 5, "rank_ci_high": 20,
           "rank_region": 2, "n_region": 19, "percentile_region": 94.4, "rank_region_ci_low": 1,
           "rank_region_ci_high": 4, "rank_kommunegruppe": 3, "n_kommunegruppe": 3,
           "percentile_kommunegruppe": 0.0, "rank_kommunegruppe_ci_low": 1, "rank_kommunegruppe_ci_high": 3}
    out = mask_comparisons([row], 5)[0]
    assert out["rank_kommunegruppe"] is None and out["percentile_kommunegruppe"] is None
    assert out["rank_kommunegruppe_ci_low"] is None and out["n_kommunegruppe"] == 3  # the size says why
    assert out["rank"] == 12 and out["rank_region"] == 2  # 97 and 18 others: shown
    assert mask_comparisons([row], 2)[0]["rank_kommunegruppe"] == 3
    assert row["rank_kommunegruppe"] == 3  # the input is left as it was
    assert enough_others(6, 5) and not enough_others(5, 5) and not enough_others(None, 5)


def _cells(scores: dict[str, tuple[float, float, float]]) -> dict[str, pd.DataFrame]:
    frame = pd.DataFrame([{"kommunekode": c, "score": s, "ci_low": lo, "ci_high": hi}
                          for c, (s, lo, hi) in scores.items()]).set_index("kommunekode")
    return {"P1.1": frame}


def test_benchlearning_counts_only_in_large_enough_sets_and_names_only_agreed_kommuner():
    # Aarhus (Storbykommuner: Odense, Aalborg) among the Midtjylland kommuner and a few more.
    low = {"751": (50.0, 47.0, 53.0)}
    high = {c: (70.0, 66.0, 74.0) for c in ["461", "851", "707", "710", "730", "740", "766", "779", "101"]}
    b = benchlearning("P1.1", "751", _cells({**low, **high}), REF, names={"461", "707"}, min_n=5)
    assert b["n_higher"] == 9
    assert b["same_group"] is None  # two other storbykommuner: the count would say both score higher
    assert b["same_region"] == 6  # 707, 710, 730, 740, 766, 779: six others in the region
    assert b["names"] == ["Odense", "Norddjurs"]  # the agreed ones only, the kommunegruppe first
    assert benchlearning("P1.1", "751", _cells({**low, **high}), REF, min_n=5)["names"] == []
    few = benchlearning("P1.1", "751", _cells({**low, "461": high["461"], "851": high["851"]}), REF, min_n=5)
    assert few == {"n_higher": None, "same_group": None, "same_region": None, "names": []}


@pytest.mark.parametrize("code", ["707", "825"])
def test_nothing_but_agreed_names_in_a_summary_field(code):
    values = {c: [50.0 + (i % 17), 55.0, 60.0] for i, c in enumerate(CODES)}
    view = national_view(_national(values), code, min_n=5, names=(), ref=REF)
    text = str(view)
    assert not any(name in text for name in REF["navn"]) and view["n_kommuner"] == 98
