"""All 98 demo briefings agree with themselves: one verdict per number, reasons that cite the summary's
own figures, priority maps that mark exactly the priorities, and the kommune's clearly weakest theme
among the priorities (or the text says why not).

The summaries are built once per session (``demo_prepared``); the sections are rendered as HTML
in-process, without notebooks. The figure-free parts are rendered for every kommune; the priority
map is drawn for every kommune too (one small figure each).
"""

from __future__ import annotations

import html
import re
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from fundament_lib.core.fmt import fmt_num
from fundament_lib.report import plots
from fundament_lib.report.briefing import decision
from fundament_lib.report.briefing.common import fw_of, theme_labels
from fundament_lib.report.briefing.profile import GAP_COLUMN, _profile_table
from fundament_lib.report.briefing.quality import change_table

pytestmark = pytest.mark.slow


def _text(markup: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def _signed(x: float) -> str:
    text = fmt_num(x)
    return f"+{text}" if x > 0 and text != "0" else text


@pytest.fixture(scope="module")
def summaries(demo_prepared) -> dict[str, dict[str, Any]]:
    assert len(demo_prepared.summaries) == 98
    return demo_prepared.summaries


def _theme_gaps(s: dict[str, Any]) -> pd.DataFrame:
    gaps = pd.DataFrame(s.get("gaps") or [])
    return gaps[gaps["level"] == "theme"].set_index("id") if not gaps.empty else gaps


def test_a_gap_is_clear_in_the_table_exactly_where_it_is_clear_in_the_summary(summaries):
    checked = 0
    for code, s in summaries.items():
        gaps = _theme_gaps(s)
        if gaps.empty:
            continue
        fw = fw_of(s)
        scores = pd.DataFrame(s["scores"])
        table = _profile_table(scores[scores["level"] == "theme"], theme_labels(fw), gaps.reset_index(),
                               ("alle", "stab", "borgernaer"), True).set_index("Tema")
        for theme, row in gaps.iterrows():
            starred = table.loc[theme_labels(fw)[theme], GAP_COLUMN].endswith("*")
            assert starred == bool(row["clear"]), (code, theme)
            checked += 1
    assert checked > 500


def test_kort_fortalt_reasons_and_tables_give_every_gap_one_verdict(summaries):
    """A gap called «klart højere» anywhere is large in the summary, and every large gap of a priority
    is cited in its reason; Kort fortalt names the largest large gap, or says none is large."""
    for code, s in summaries.items():
        fw = fw_of(s)
        gaps = _theme_gaps(s)
        lines = decision.key_findings(s, fw)
        gap_line = next((x for x in lines if x.startswith(("Staben vurderer", "Forskellen mellem stabens"))), None)
        large = gaps[gaps["large"]] if not gaps.empty else gaps
        if gaps.empty:
            assert gap_line is None, code
        elif large.empty:
            assert gap_line is not None and "ingen forskel er klart større end det normale" in gap_line, code
        else:
            top = large["diff"].idxmax()
            assert gap_line is not None and theme_labels(fw)[top] in gap_line, code
            assert f"{_signed(large.loc[top, 'diff'])} point" in gap_line, code
        for p in s["priority"]["priorities"]:
            cited = "klart højere end de borgernære ledere" in p["reason"]
            is_large = not gaps.empty and p["theme"] in gaps.index and bool(gaps.loc[p["theme"], "large"])
            assert cited == is_large, (code, p["theme"], p["reason"])


def test_a_change_has_one_verdict_in_kort_fortalt_the_table_and_the_reasons(summaries):
    with_changes = 0
    for code, s in summaries.items():
        changes = pd.DataFrame(s.get("changes") or [])
        if changes.empty:
            continue
        with_changes += 1
        fw = fw_of(s)
        labels = {**{d.id: f"{d.id} {d.title}" for d in fw.domains}, **theme_labels(fw)}
        alle = changes[changes["group"] == "alle"]
        line = next(x for x in decision.key_findings(s, fw) if f"siden {s['previous_wave']}" in x.lower()
                    or f"siden {s['previous_wave']}" in x)
        for _, r in alle.iterrows():
            assert (f"{labels[r['id']]} {_signed(r['change'])} point" in line) == bool(r["clear"]), (code, r["id"])
        markup = str(change_table(s))
        for _, r in changes.iterrows():
            pattern = re.escape(_signed(r["change"])) + r" \([^)]*\)" + ("\\*" if r["clear"] else "(?!\\*)")
            assert re.search(pattern, html.unescape(markup)), (code, r["id"], r["group"])
        for p in s["priority"]["priorities"]:
            hit = changes[(changes["id"] == p["theme"]) & (changes["group"] == p["basis"])]
            cited = "klart fald" in p["reason"] or "klar fremgang" in p["reason"]
            assert cited == (not hit.empty and bool(hit["clear"].iloc[0])), (code, p["theme"])
    assert with_changes >= 3  # the demo gives a second round to a few kommuner


_SCORE = re.compile(r"\((?:score )?(\d+), sandsynligvis mellem (\d+) og (\d+)\)")
_GAP = re.compile(r"klart højere end de borgernære ledere \(([+−]\d+) point(?:; det normale på landsplan er ([+−]?\d+))?\)")
_CHANGE = re.compile(r"(?:klart fald|klar fremgang) siden (\S+) \(([+−]?\d+) point\)")
_IMPORTANCE = re.compile(r"vigtigt \((\d+) af 100\)")


def test_every_reason_cites_the_summarys_own_figures(summaries):
    cited = 0
    for code, s in summaries.items():
        scores = pd.DataFrame(s["scores"])
        gaps = _theme_gaps(s)
        changes = pd.DataFrame(s.get("changes") or [])
        for p in s["priority"]["priorities"]:
            cell = scores[(scores["id"] == p["theme"]) & (scores["group"] == p["basis"])].iloc[0]
            for m in _SCORE.finditer(p["reason"]):
                assert m.groups() == (fmt_num(cell["score"]), fmt_num(cell["ci_low"]), fmt_num(cell["ci_high"])), \
                    (code, p["reason"])
                cited += 1
            for m in _GAP.finditer(p["reason"]):
                assert m.group(1) == _signed(gaps.loc[p["theme"], "diff"]), (code, p["reason"])
                if m.group(2):
                    assert m.group(2) == _signed(gaps.loc[p["theme"], "norm"]), (code, p["reason"])
            for m in _CHANGE.finditer(p["reason"]):
                hit = changes[(changes["id"] == p["theme"]) & (changes["group"] == p["basis"])].iloc[0]
                assert m.groups() == (str(s["previous_wave"]), _signed(hit["change"])), (code, p["reason"])
            for m in _IMPORTANCE.finditer(p["reason"]):
                assert m.group(1) == fmt_num(p["importance"]), (code, p["reason"])
            if "på landsplan hænger" in p["reason"]:
                assert p["own_weight"] is None or p["own_weight"] < 0.5, (code, p["theme"])
            if "kommunens egne borgernære ledere" in p["reason"]:
                assert p["own_weight"] >= 0.5, (code, p["theme"])
    assert cited > 100


def test_every_priority_map_marks_exactly_the_priorities_where_the_rule_puts_them(summaries):
    for code, s in summaries.items():
        block = s["priority"]
        matrix = pd.DataFrame(block["matrix"])
        chosen = {p["theme"]: p for p in block["priorities"]}
        assert set(matrix.loc[matrix["priority"], "id"]) == set(chosen), code
        if not chosen:
            continue
        ax = plots.importance_performance(matrix)
        diamonds = ax.collections[1].get_offsets()
        expected = matrix[matrix["priority"]][["x", "score"]].to_numpy(float)
        assert sorted(map(tuple, np.asarray(diamonds).round(6))) == sorted(map(tuple, expected.round(6))), code
        texts = [t.get_text() for t in ax.texts]
        for theme, p in chosen.items():
            assert any(t.startswith(f"{p['rank']}. {theme} ") for t in texts), (code, theme, texts)
        corners = {t.get_text().split(":")[0] for t in ax.texts if ":" in t.get_text() and "\n" in t.get_text()}
        assert len(corners) == 4, code
        xlim, ylim = ax.get_xlim(), ax.get_ylim()
        assert xlim[0] <= matrix["x"].min() and matrix["x"].max() <= xlim[1] and ylim[1] - ylim[0] < 100, code
        plt.close(ax.figure)


def _clearly_weakest(s: dict[str, Any]) -> str | None:
    """Independently of the rule's code: the theme of the basis group whose interval lies below every other's."""
    basis = s["priority"]["basis"]
    scores = pd.DataFrame(s["scores"])
    themes = scores[(scores["level"] == "theme") & (scores["group"] == basis)].dropna(subset=["score", "ci_low"])
    if len(themes) < 2:
        return None
    low = themes.loc[themes["score"].idxmin()]
    others = themes.drop(index=low.name)
    return str(low["id"]) if low["ci_high"] < others["ci_low"].min() else None


def test_the_clearly_weakest_theme_is_a_priority_unless_the_text_says_why(summaries):
    weakest = 0
    for code, s in summaries.items():
        theme = _clearly_weakest(s)
        assert s["priority"].get("weakest") == theme, code
        if theme is None:
            continue
        weakest += 1
        chosen = [p["theme"] for p in s["priority"]["priorities"]]
        assert theme in chosen or f"svageste tema, {theme}" in s["priority"]["note"], code
    assert weakest >= 20


def test_prerequisites_split_by_group_show_only_shown_cells(summaries):
    split = 0
    for code, s in summaries.items():
        items = pd.DataFrame(s["items"])
        for pre in s["priority"]["prerequisites"]:
            for group in ("stab", "borgernaer"):
                rows = items[(items["item_id"] == pre["id"]) & (items["group"] == group)]
                value = pre.get(f"score_{group}")
                if rows.empty or rows["score"].isna().any():
                    assert value is None, (code, pre["id"], group)
                else:
                    expected = (rows["score"] * rows["n"]).sum() / rows["n"].sum()
                    assert value == pytest.approx(expected, abs=1e-3), (code, pre["id"], group)
                    split += 1
    assert split > 300


def test_cell_index_finds_what_cell_of_finds():
    """The one-pass look-up of a section's score cells gives, for every id × group, the very row
    :func:`cell_of` gives (the first where a key repeats), and nothing for a cell not in the table."""
    from fundament_lib.report.briefing.common import cell_index, cell_of

    scores = pd.DataFrame([{"id": "P1.1", "group": "alle", "score": 50.0}, {"id": "P1.1", "group": "stab", "score": None},
                           {"id": "P1.1", "group": "alle", "score": 99.0}, {"id": "P1.2", "group": "stab", "score": 61.5}])
    index = cell_index(scores)
    assert set(index) == {("P1.1", "alle"), ("P1.1", "stab"), ("P1.2", "stab")}
    for (sid, group), row in index.items():
        pd.testing.assert_series_equal(row, cell_of(scores, sid, group))
    assert index[("P1.1", "alle")]["score"] == 50.0 and ("P1.2", "alle") not in index
