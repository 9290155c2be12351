"""The bilag's statement bars (HTML): one thin 100 % bar per group and statement, percentages on
segments of at least 8 %, each bar's n that of the table, hidden cells said, not drawn, text escaped.

They were a Matplotlib figure; the numbers a reader sees are the same: each level's share of the
substantive answers, printed (rounded) where it is at least 8 %, the n and «ved ikke» per bar.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from fundament_lib.report.briefing.statements import (
    _likert_groups,
    statement_answers,
    statement_bars,
)

SCALE = {1: "Helt uenig", 2: "Uenig", 3: "Hverken eller", 4: "Enig", 5: "Helt enig"}


def _row(item: str, group: str, counts: list[int] | None, dk: int = 0) -> dict:
    if counts is None:
        return {"item_id": item, "group": group, "n": None, "dont_know": None, **{f"c{j}": None for j in SCALE}}
    return {"item_id": item, "group": group, "n": sum(counts), "dont_know": dk,
            **{f"c{j}": c for j, c in zip(SCALE, counts, strict=True)}}


def _bars(markup: str) -> list[tuple[str, list[float], list[str], list[str], str]]:
    """Per table row: group, segment widths (%), printed numbers, screen-reader texts, the n cell."""
    out = []
    for tr in BeautifulSoup(markup, "html.parser").select("table.likert tbody tr"):
        segments = tr.select(".lk-s")
        widths = [float(re.search(r"width:([\d.]+)%", s["style"]).group(1)) for s in segments]
        printed = [v.get_text() for v in tr.select(".lk-v")]
        said = [v.get_text() for v in tr.select(".lk-s .sr-only")]
        out.append((tr.select_one(".lk-group").get_text(), widths, printed, said,
                    tr.select_one(".lk-n").get_text().replace("\u00a0", " ")))
    return out


def test_percentages_sum_per_bar_and_only_segments_of_eight_percent_are_labelled(rng):
    rows = []
    for k in range(6):
        for g in ("stab", "borgernaer"):
            rows.append(_row(f"i{k}", g, [int(x) for x in rng.integers(0, 30, 5)], dk=int(rng.integers(0, 3))))
    markup = statement_bars(pd.DataFrame(rows), labels={f"i{k}": f"Udsagn nummer {k}" for k in range(6)},
                            scale=SCALE, groups=("stab", "borgernaer"), caption="P1")
    bars = _bars(markup)
    assert [b[0] for b in bars] == ["Stab", "Borgernære"] * 6
    for (_, widths, printed, said, end), r in zip(bars, rows, strict=True):
        shares = np.array([r[f"c{j}"] for j in SCALE]) / r["n"] * 100
        assert sum(widths) == pytest.approx(100, abs=1e-3)  # every bar is 100 %
        assert widths == pytest.approx([s for s in shares if s > 0], abs=1e-4)
        assert printed == [f"{s:.0f}" for s in shares if s >= 8]
        assert said == [f"{SCALE[j]}: {s:.0f} %" for j, s in zip(SCALE, shares, strict=True) if s > 0]
        assert end == f"n = {r['n']}" + (f" · {r['dont_know']} ved ikke" if r["dont_know"] else "")


def test_a_hidden_cell_is_said_not_drawn():
    items = pd.DataFrame([_row("i0", "stab", [1, 2, 3, 4, 5]), _row("i0", "borgernaer", None)])
    markup = statement_bars(items, labels={"i0": "Et udsagn"}, scale=SCALE, groups=("stab", "borgernaer"), caption="x")
    (_, stab, _, _, n_stab), (_, hidden, printed, said, n_hidden) = _bars(markup)
    assert len(stab) == 5 and n_stab == "n = 15"
    assert hidden == [] and printed == [] and said == [] and n_hidden == ""
    assert BeautifulSoup(markup, "html.parser").select_one("td.lk-none").get_text() == "skjult"


def test_labels_and_captions_are_escaped():
    items = pd.DataFrame([_row("i0", "stab", [1, 2, 3, 4, 5])])
    markup = statement_bars(items, labels={"i0": '<script>alert("x")</script> & co'}, scale={**SCALE, 1: "<b>"},
                            groups=("stab",), caption="<i>P1</i>", summary='"Mest kritisk" <x>')
    assert "<script>" not in markup and "<b>" not in markup and "<i>" not in markup and "<x>" not in markup
    soup = BeautifulSoup(markup, "html.parser")
    assert soup.select_one("tbody th").get_text() == '<script>alert("x")</script> & co'
    assert soup.select_one("caption").get_text() == "<i>P1</i>"
    assert soup.select_one("table")["aria-describedby"] == soup.select_one("p.sr-only")["id"]


def test_a_group_hidden_on_every_statement_is_left_out_and_said_once():
    items = pd.DataFrame([_row("i0", "alle", [1, 2, 3, 4, 5]), _row("i0", "stab", [1, 1, 1, 1, 1]),
                          _row("i0", "borgernaer", None), _row("i1", "borgernaer", None)])
    groups, line = _likert_groups(items, ("stab", "borgernaer"))
    assert groups == ("stab",) and line.count("borgernære") == 1
    both_hidden = items.assign(n=lambda d: d["n"].where(d["group"] == "alle"))
    groups, line = _likert_groups(both_hidden, ("stab", "borgernaer"))
    assert groups == ("alle",) and "alle ledere under ét" in line


@pytest.fixture(scope="module")
def summaries(project):
    from fundament_lib.results.pipeline import prepare

    data = project / "data" / "processed" / "demo.parquet"
    return prepare(data, kommuner=["707", "825"], params_root=project / "params").summaries


@pytest.mark.parametrize("code", ["707", "825"])
def test_a_briefing_shows_every_shown_cell_of_the_summary_and_no_hidden_one(summaries, code):
    s = summaries[code]
    markup = str(statement_answers(s))
    soup = BeautifulSoup(markup, "html.parser")
    shown: dict[tuple[str, str], str] = {}
    for table in soup.select("table.likert"):
        for body in table.select("tbody"):
            item = body.select_one("th").get_text().split(" ", 1)[0]
            for tr in body.select("tr"):
                shown[(item, tr.select_one(".lk-group").get_text())] = tr.select_one(".lk-n").get_text()
    short = {"Stab": "stab", "Borgernære": "borgernaer", "Alle": "alle"}
    items = {(r["item_id"], r["group"]): r for r in s["items"]}
    assert shown, "no statement bars"
    for (item, group), end in shown.items():
        r = items[(item, short[group])]
        if r["n"] is None:
            assert end == ""  # hidden: no n, no bar
        else:
            assert end.replace("\u00a0", " ").startswith(f"n = {r['n']}")
    hidden_groups = {g for g in ("stab", "borgernaer") if all(r["n"] is None for r in s["items"] if r["group"] == g)}
    assert {short[g] for _, g in shown} == ({"stab", "borgernaer"} - hidden_groups or {"alle"})
    assert (code == "825") == bool(hidden_groups)
