"""The briefing's text as a reader sees it: what is hidden and why, Danish wording, intervals,
numbering, and the national overview's note on sharing. Built from real demo summaries:
707 has an earlier wave and two hidden fagområder, 825 a hidden staff group and no earlier wave.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from fundament_lib.core.fmt import fmt_ci
from fundament_lib.framework import load_framework
from fundament_lib.report import briefing, overview
from fundament_lib.report.briefing.profile import fagomraade
from fundament_lib.report.briefing.quality import change_table, hidden, method
from fundament_lib.report.briefing.statements import statement_answers


@pytest.fixture(scope="module")
def summaries(project) -> dict[str, dict[str, Any]]:
    from fundament_lib.results.pipeline import prepare

    data = project / "data" / "processed" / "demo.parquet"
    s = prepare(data, kommuner=["707", "825"], params_root=project / "params").summaries
    assert s["707"]["previous_wave"] and not s["825"]["previous_wave"]
    assert all(r["score"] is None for r in s["825"]["scores"] if r["group"] == "stab")
    return s


@pytest.fixture(scope="module")
def profiles(summaries) -> dict[str, str]:
    return {code: str(briefing.profile(s)) for code, s in summaries.items()}


def _text(markup: str) -> str:
    """Visible text (alt texts included), unescaped, whitespace collapsed."""
    markup = re.sub(r'<img [^>]*alt="([^"]*)"[^>]*>', r" \1 ", markup)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def _figcaptions(markup: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<figcaption>(.*?)</figcaption>", markup)]


# ---- 1. what is hidden, and why --------------------------------------------------------------------
def test_section_7_names_the_hidden_groups_and_why(summaries):
    text = _text(hidden(summaries["825"]))
    lines = [_text(li) for li in re.findall(r"<li>(.*?)</li>", hidden(summaries["825"]))]
    assert "bilaget siger, hvad der er skjult" in _text(briefing.quality(summaries["825"]))
    # One line for both groups, and it does not say which is the small one (section 2: «en af grupperne»).
    assert lines[0].startswith("Stab og ledelse og borgernære ledere: en af grupperne har for få svar (under 5), og "
                               "den anden er skjult, så den lille gruppe ikke kan regnes ud. Ingen af gruppernes tal "
                               "vises for sig")
    assert "Stab og ledelse: for få svar" not in text and "Borgernære ledere: skjult" not in text
    assert "celler er skjult" not in text
    assert len(lines) <= 4  # grouped, not one line per hidden cell


def test_section_7_groups_hidden_fagomraader_instead_of_listing_cells(summaries):
    text = _text(hidden(summaries["707"]))
    assert "Teknik og miljø (fagområde): for få svar (under 5)." in text
    assert "Beskæftigelse (fagområde): 1 af 12 scorer har for få svar (under 5); de øvrige 11 er skjult" in text
    assert "P2.1" not in text.split("Derfor er dette skjult:")[1]  # no raw cells


def test_fagomraade_caption_says_which_columns_are_left_out_and_explains_no_hidden_cells(summaries):
    caption = next(c for c in _figcaptions(str(fagomraade(summaries["707"]))) if "antal svar i parentes" in c)
    assert "Beskæftigelse og Teknik og miljø er udeladt: for få svar (under 5)" in caption
    assert "«skjult»" not in caption  # every shown column is complete: no cell says «skjult»


def test_fagomraade_caption_explains_hidden_cells_when_the_table_has_them(summaries):
    s = {**summaries["707"], "subgroups": {"fagomraade": [dict(r) for r in summaries["707"]["subgroups"]["fagomraade"]]}}
    cell = next(r for r in s["subgroups"]["fagomraade"] if r["group"] == "skole" and r["id"] == "P1.1")
    cell.update(score=None, n=None, suppressed=True, suppression="few")
    caption = next(c for c in _figcaptions(str(fagomraade(s))) if "antal svar i parentes" in c)
    assert "«skjult»: for få svar; skjult for at beskytte små grupper." in caption


# ---- 2. no English or Python values ----------------------------------------------------------------
def test_interval_method_is_described_in_danish(summaries):
    text = _text(method(summaries["707"]))
    assert "over respondents" not in text and "stratified" not in text and "percentile" not in text
    assert ("Konfidensintervallerne er bootstrap-percentilintervaller på 95 %-niveau: respondenterne er trukket "
            "om 2.000 gange med tilbagelægning, og for «alle» er stab og borgernære ledere trukket hver for sig."
            ) in text


@pytest.mark.parametrize("code", ["707", "825"])
def test_provenance_parameters_are_danish(summaries, code):
    text = _text(briefing.provenance(summaries[code]))
    for leak in ("None", "False", "True", "wave=", "share_names", "min_n", "T05:", "+00:00"):
        assert leak not in text
    assert "måling: «seneste»" in text and "andre kommuners navne vises: nej" in text
    assert "konfidensniveau: 95 %" in text and "bootstrap-træk: 2.000" in text
    assert ("inviterede: –" in text) == (code == "825")


# ---- 3. alt text ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["707", "825"])
def test_alt_texts_have_no_double_full_stops(summaries, profiles, code):
    markup = profiles[code] + str(statement_answers(summaries[code]))
    # the figures' alt texts and the statement bars' description for screen readers
    alts = [html.unescape(a) for a in re.findall(r'alt="([^"]*)"', markup)
            + re.findall(r'<p class="sr-only" id="[^"]*">([^<]*)</p>', markup)]
    assert any("Mest kritisk" in a for a in alts)
    assert not [a for a in alts if ".." in a]


# ---- 4. intervals --------------------------------------------------------------------------------------
def test_negative_intervals_use_til():
    assert fmt_ci(-14.2, -2.1) == "−14 til −2"
    assert fmt_ci(-3, 4) == "−3 til 4"
    assert fmt_ci(37, 47) == "37–47"
    assert fmt_ci(-0.2, 5) == "0–5"  # rounds to 0: no minus sign, so the dash reads well


def test_change_table_has_no_dash_next_to_a_minus(summaries):
    text = _text(change_table(summaries["707"]))
    assert " til " in text and "–−" not in text


# ---- 5. leftovers and uneven text ------------------------------------------------------------------
def test_grey_line_is_mentioned_only_with_the_figure(profiles):
    assert "grå bjælke" not in _text(profiles["825"])
    assert any("grå bjælke" in c for c in _figcaptions(profiles["707"]))


def test_section_6_is_always_there(summaries):
    none = _text(briefing.changes(summaries["825"]))
    assert "6. Udvikling siden sidste måling" in none and "ingen tidligere måling" in none
    assert "6. Udvikling siden målingen" in _text(briefing.changes(summaries["707"]))


def test_sections_are_numbered_without_gaps_for_a_framework_without_roles_and_burden():
    from fundament_lib.report.briefing.common import section_number

    other = load_framework("mereledelse2023")
    assert other.roles is None and other.burden is None
    assert [section_number(other, k) for k in ("priorities", "changes", "quality")] == [3, 4, 5]
    fw = load_framework("fundament2024")
    assert [section_number(fw, k) for k in ("roles", "burden", "changes", "quality")] == [4, 5, 6, 7]


def test_theme_table_shows_positive_answers(profiles, summaries):
    table = profiles["707"].split("Temascore pr. gruppe")[1].split("</table>")[0]
    assert "Positive svar (alle)" in table
    top2 = next(r["top2"] for r in summaries["707"]["scores"] if r["id"] == "P1.1" and r["group"] == "alle")
    row = _text(table.split("P1.1 Kultur og mindset")[1].split("</tr>")[0])
    assert f"{round(top2 * 100)} %" in row


# ---- 6. the national overview ----------------------------------------------------------------------
def test_overview_title_says_it_names_kommuner_and_how_to_share_it():
    n = {"framework": "fundament2024", "n_kommuner": 98, "respondents": 7701, "waves": ["2025", "2026"]}
    text = _text(overview.title(n))
    assert "nævner kommunerne ved navn" in text and "aftale om datadeling" in text
    assert "må kun deles, som aftalen tillader" in text


def test_sections_about_a_hidden_frontline_group_say_why_they_are_empty(summaries, profiles):
    s = summaries["825"]
    why = "vises ikke, fordi de borgernære lederes tal er skjult"
    assert f"Opdelingen på fagområde {why}" in _text(profiles["825"])
    assert f"Rollevurderingen {why}" in _text(briefing.roles(s))
    assert f"Byrden {why}" in _text(briefing.burden(s))
    assert "4. Stabenes roller" in _text(briefing.roles(s))  # the heading stays: numbering has no gap


def test_the_strip_draws_the_anonymous_distribution_and_counts_the_others(summaries, monkeypatch):
    from fundament_lib.report import plots

    seen: dict[str, Any] = {}
    real = plots.benchmark_strip

    def spy(*args: Any, **kwargs: Any):
        seen.update(kwargs, args=args)
        return real(*args, **kwargs)

    monkeypatch.setattr(plots, "benchmark_strip", spy)
    s = summaries["707"]
    html = _text(briefing.status(s))
    p1 = next(r for r in s["national"]["scores"] if r["id"] == "P1")
    drawn = seen["args"][0]
    assert sorted(drawn[drawn["id"] == "P1"]["score"]) == p1["others"]  # every other kommune, no more
    assert set(drawn["kommunekode"]) == {""}  # and none of them named
    assert seen["n_others"] == p1["n_others"] == s["national"]["n_kommuner"] - 1
    below = sum(v < p1["own"] for v in p1["others"])  # the alt text counts as the reader sees: whole numbers
    assert f"scorer Norddjurs {p1['own']}, højere end {below} af {p1['n_others']} andre kommuner" in html
