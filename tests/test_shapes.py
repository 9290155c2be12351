"""Every shape of a survey gives a right briefing: part of the instrument, some groups, one kommune,
tiny groups, demo data — summaries, briefing sections, export, overview and explore (issue 12).

Data are demo surveys cut into shapes in memory (the session's throw-away data, never data/processed).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

from fundament_lib import explore
from fundament_lib.analysis import psychometrics
from fundament_lib.analysis.stats import icc1
from fundament_lib.core.params import Params
from fundament_lib.demo import DemoConfig, generate
from fundament_lib.framework import load_framework
from fundament_lib.report import briefing, overview
from fundament_lib.report import psychometrics as psychometrics_report
from fundament_lib.report.briefing.decision import key_findings
from fundament_lib.report.briefing.status import DEMO_NOTICE
from fundament_lib.results.kommune_summary import SCHEMA_VERSION
from fundament_lib.results.national import national_summary
from fundament_lib.results.summary import build_summaries

FW = load_framework("fundament2024")
BLOCK = FW.codebook().set_index("item_id")["block"]
SECTIONS = (briefing.title, briefing.status, briefing.profile, briefing.priorities, briefing.roles,
            briefing.burden, briefing.changes, briefing.quality, briefing.appendix, briefing.provenance)


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    """Three kommuner of the demo: 707 with an earlier wave, 825 small, 147 medium."""
    tidy = generate(DemoConfig(kommuner=("147", "707", "825"), size_factor=0.7)).tidy
    return tidy.astype({c: str for c in ("kommunekode", "group", "wave", "item_id", "status")})


def cut(tidy: pd.DataFrame, shape: str) -> pd.DataFrame:
    item = tidy["item_id"].astype(str)
    block = item.map(BLOCK)
    keep = {
        "staff": tidy["group"] == "stab",
        "frontline": tidy["group"] == "borgernaer",
        "themes": block == "theme",
        "p1": ~block.isin(["theme", "importance"]) | item.str.startswith(("P1.", "IMP.P1.")),
        "some_themes": (block != "theme") | item.str.startswith(("P1.1.", "P1.3.", "P2.2.")),
        "no_roles": block != "role",
        "roles_only": block == "role",
        # a real export's shape: the staff asked the themes, the frontline leaders only the roles
        "frontline_roles": (tidy["group"] == "stab") | (block == "role"),
    }[shape]
    return tidy[keep.to_numpy()].reset_index(drop=True)


def summaries(tidy: pd.DataFrame, **params: Any) -> dict[str, dict[str, Any]]:
    codes = sorted(set(tidy["kommunekode"].astype(str)))
    return build_summaries(tidy, {c: Params(n_boot=100, **params) for c in codes}, data_id="test").kommuner


_RENDERED: dict[int, str] = {}


def render(s: dict[str, Any]) -> str:
    """The briefing's sections, in the notebook's order, as visible text (alt texts included); each
    summary rendered once per test session (the figures take seconds)."""
    if id(s) not in _RENDERED:
        markup = "".join(str(section(s)) for section in SECTIONS)
        markup = re.sub(r'<img [^>]*alt="([^"]*)"[^>]*>', r" \1 ", markup)
        _RENDERED[id(s)] = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))
    return _RENDERED[id(s)]


@pytest.fixture(scope="module")
def shaped(survey) -> dict[str, dict[str, dict[str, Any]]]:
    return {shape: summaries(cut(survey, shape)) for shape in
            ("staff", "frontline", "themes", "p1", "some_themes", "no_roles", "roles_only", "frontline_roles")}


# ---- every shape ------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", ["staff", "frontline", "themes", "p1", "some_themes", "no_roles", "roles_only",
                                   "frontline_roles"])
def test_every_shape_gives_a_valid_summary_and_a_briefing(shaped, shape):
    for code, s in shaped[shape].items():
        json.dumps(s, allow_nan=False)
        assert s["schema_version"] == SCHEMA_VERSION and s["kommunekode"] == code
        assert set(s["analyses"]) >= {"benchmark", "gaps", "changes", "drivers", "reliability", "priority"}
        for name, a in s["analyses"].items():
            assert a["done"] or (a["reason"] and a["text"].endswith(".")), (shape, code, name)
    text = render(shaped[shape]["147"])
    assert "1. Status på pejlemærkerne" in text and "7. Datagrundlag og usikkerhed" in text
    assert "Traceback" not in text and "nan" not in text.split()


def test_what_was_not_asked_has_no_record_rather_than_a_hidden_one(shaped):
    s = shaped["p1"]["147"]
    assert {r["id"] for r in s["scores"]} == {"P1", "P1.1", "P1.2", "P1.3", "P1.4", "P1.5"}
    assert not [e for e in s["suppressed"] if str(e.get("id", "")).startswith("P2")]
    assert s["coverage"]["domains"] == ["P1"] and s["coverage"]["partial_domains"] == {}
    text = render(s)
    assert "P2 Sikker drift og helhedsperspektiv i udvikling er ikke med" in text
    assert "P2 Sikker drift" not in text.split("2. Temaprofil")[0].split("Kort fortalt")[1]


def test_a_pejlemaerke_asked_with_some_themes_says_so(shaped):
    s = shaped["some_themes"]["147"]
    assert s["coverage"]["partial_domains"] == {"P1": ["P1.1", "P1.3"], "P2": ["P2.2"]}
    assert [p["theme"] for p in s["priority"]["priorities"]] and \
        {p["theme"] for p in s["priority"]["priorities"]} <= {"P1.1", "P1.3", "P2.2"}
    text = render(s)
    assert "Målingen stillede 3 af de 10 temaer" in text
    assert "P1 Administrativ og teknisk støtte til de faglige ledere (bygger på 2 af 5 temaer)" in text
    assert "når alle tre temaer ses på én gang" in text


def test_blocks_not_asked_get_one_line_each(shaped):
    text = render(shaped["themes"]["147"])
    assert "Vurderingen af stabenes roller var ikke med i denne måling" in text
    assert "Spørgsmålene om administrativ byrde var ikke med i denne måling" in text
    assert "hvor meget temaet hænger sammen med de borgernære lederes tid" in text  # named as left out …
    assert "spørgsmålet om tid og rum til at lede det faglige er ikke med i data" in text  # … and why
    assert "Forudsætninger for en god proces" not in text


def test_a_survey_of_roles_only_gives_the_roles_and_says_the_themes_were_not_asked(shaped):
    s = shaped["roles_only"]["147"]
    assert s["scores"] == [] and s["roles"]
    text = render(s)
    assert "Målingen stillede ingen af temaernes udsagn" in text
    assert "Stabenes roller set fra de borgernære enheder" in text and "Varmekort over 5 stabsfunktioner" in text


# ---- one group ------------------------------------------------------------------------------------
def test_a_group_asked_only_the_roles_is_said_to_be_not_asked_rather_than_hidden(shaped):
    """Both groups took part, but the frontline leaders were asked only the roles: the briefing must not
    say their theme scores are hidden to protect a small group, nor compare the groups on the themes."""
    s = shaped["frontline_roles"]["147"]
    assert s["coverage"]["group_blocks"]["borgernaer"] == ["role"] and s["roles"]
    text = render(s)
    assert "De borgernære ledere blev ikke stillet temaernes udsagn i denne måling, så «Alle» er stabens svar." in text
    assert "for at beskytte en lille gruppe" not in text
    assert "Staben vurderer næsten overalt" not in text
    assert "Prikdiagram over temaernes score for staben." in text
    assert s["analyses"]["gaps"]["reason"] == "not_asked" and "har for få svar" not in text
    assert "De borgernære ledere blev ikke stillet temaernes udsagn, så forskellen mellem stab" in text
    assert "ser forskelligt på temaerne" not in text
    both = render(shaped["no_roles"]["147"])  # both groups asked the themes: the norm line and the gap stay
    assert "Staben vurderer næsten overalt" in both and "blev ikke stillet temaernes udsagn" not in both


def test_a_staff_only_survey_is_the_staffs_own_view(shaped):
    s = shaped["staff"]["707"]
    assert s["coverage"]["groups"] == ["stab"] and not s["gaps"]
    assert {r["group"] for r in s["scores"]} == {"alle", "stab"}
    assert s["analyses"]["gaps"]["reason"] == "one_group"
    assert s["priority"]["basis"] == "stab" and s["benchmark_group"] == "stab"
    assert "lav score hos staben" in s["priority"]["rule"]
    assert "stabens og de borgernære lederes vurdering overstiger det normale på landsplan (kun staben er spurgt)" in \
        s["priority"]["rule"]
    text = render(s)
    assert "Kun staben er spurgt i denne måling, så briefingen viser, hvor staben selv mener, den står." in text
    assert "Borgernære ledere skjult" not in text and "Forskel (stab − borgernære)" not in text
    # Three kommuner: the place among them is not shown (it would tell the other two's level).
    assert "Kommunens placering vises først, når der er mindst 5 andre kommuner" in text
    assert "Borgernære ledere er ikke spurgt i denne måling." in text
    assert "stilles kun til de borgernære ledere, og kun staben er spurgt i denne måling" in text
    for row in s["benchmark"]:
        assert row["n_kommuner"] == 3 and row["rank"] is None  # among the three kommuners' staff, not shown


def test_a_staff_only_survey_is_placed_among_the_other_kommuners_staff():
    codes = ("101", "147", "151", "153", "155", "157", "707")
    tidy = generate(DemoConfig(kommuner=codes, size_factor=0.6, second_wave_kommuner=())).tidy
    staff = tidy[tidy["group"].astype(str) == "stab"].reset_index(drop=True)
    s = summaries(staff)["101"]
    assert s["benchmark_group"] == "stab"
    assert all(r["n_kommuner"] == len(codes) and r["rank"] is not None for r in s["benchmark"])
    text = re.sub(r"<[^>]+>", " ", str(briefing.status(s)))
    assert "Placering blandt kommunerne på stabens score" in text
    assert "Prikdiagrammet over alle kommuners scorer vises ikke, fordi kun staben er spurgt her." in text


def test_a_frontline_only_survey_has_no_staff_rows_and_no_gap(shaped):
    s = shaped["frontline"]["147"]
    assert s["coverage"]["groups"] == ["borgernaer"] and s["priority"]["basis"] == "borgernaer"
    text = render(s)
    assert "Kun de borgernære ledere er spurgt i denne måling" in text
    assert "Stab og ledelse skjult" not in text and "Stab og ledelse er ikke spurgt i denne måling." in text


def test_the_alle_benchmark_leaves_out_kommuner_that_asked_one_group(survey):
    mixed = pd.concat([survey[survey["kommunekode"] != "825"],
                       survey[(survey["kommunekode"] == "825") & (survey["group"] == "stab")]])
    s = summaries(mixed)
    assert {r["n_kommuner"] for r in s["707"]["benchmark"]} == {2}
    assert s["825"]["benchmark_group"] == "stab"


# ---- one kommune, few kommuner ------------------------------------------------------------------------
def test_a_one_kommune_run_weighs_no_national_position_and_names_no_kommuner_to_learn_from(survey):
    s = summaries(survey[survey["kommunekode"] == "707"])["707"]
    assert s["analyses"]["benchmark"]["reason"] == "one_kommune"
    rule = s["priority"]["rule"]
    assert "placering blandt kommunerne (datagrundlaget rummer kun denne kommune)" in rule
    assert "placering blandt kommunerne (15 %)" not in rule
    assert all(p["components"]["benchmark"] is None and "benchlearning" not in p for p in s["priority"]["priorities"])
    text = render(s)
    assert "Ingen kommuner scorer klart højere" not in text
    assert "Der er ingen andre kommuner i datagrundlaget, så briefingen kan ikke pege på kommuner at lære af." in text
    assert "Datagrundlaget rummer kun denne kommune, så den kan ikke sammenlignes med andre kommuner." in text
    # No other kommuner, no national staff–frontline norm: a gap is never said to exceed it.
    assert all(g["norm"] is None for g in s["gaps"])
    gap_lines = [line for line in key_findings(s, FW) if "borgernære lederes vurdering" in line
                 or "klart højere end de borgernære" in line]
    assert gap_lines and not any("normale på landsplan" in line for line in gap_lines)


def test_with_two_kommuner_the_national_models_are_skipped_with_a_reason(survey, tmp_path):
    from fundament_lib.core.atomic import write_parquet
    from fundament_lib.results.pipeline import Loaded, summarise

    two = survey[survey["kommunekode"].isin(["147", "707"])]
    write_parquet(two, tmp_path / "two.parquet")
    params = {c: Params(n_boot=200) for c in ("147", "707")}
    prepared = summarise(Loaded(tmp_path / "two.parquet", two, params, ["147", "707"]), national_models=True)
    skipped = prepared.national_extra["skipped"]
    assert skipped["icc"]["reason"] == "few_kommuner" and skipped["gap_models"]["reason"] == "few_kommuner"
    n = national_summary(prepared.summaries, extra=prepared.national_extra, data_id="t")
    text = str(overview.analyses(n))
    assert "kræver mindst 5 kommuner med viste grupper; data rummer 2." in html.unescape(text)


def test_a_singular_mixed_model_gives_no_icc_instead_of_an_error():
    result = icc1(np.array([1.0, 2.0, 3.0]), np.array(["a", "b", "c"]))  # one answer per kommune
    assert np.isnan(result.icc) and not result.converged


def test_the_overview_of_a_staff_only_dataset_says_there_is_no_second_group(shaped):
    n = national_summary(shaped["staff"], data_id="t")
    text = html.unescape(str(overview.groups(n)))
    assert "Kun staben er med i data, så de to grupper kan ikke sammenlignes." in text
    assert "Borgernære ledere" not in text.split("</caption>")[1]


# ---- demo data ------------------------------------------------------------------------------------------
def test_a_briefing_from_demo_data_says_so_on_its_first_screen(survey):
    tidy = survey.copy()
    tidy.attrs["demo_kommuner"] = ["707"]
    s = summaries(tidy)
    assert s["707"]["demo"] is True and s["707"]["provenance"]["demo"] is True
    assert s["147"]["demo"] is False and s["147"]["provenance"]["demo"] is False
    first = str(briefing.title(s["707"]))
    assert first.index(html.escape(DEMO_NOTICE, quote=True)) < first.index("Kort fortalt")
    assert "Demodata" not in str(briefing.title(s["147"]))
    assert str(briefing.provenance(s["707"])).count("DEMODATA") == 1


def test_data_written_by_fundament_demo_reach_the_summary_as_demo_data(tmp_path, project):
    from fundament_lib.demo import write_demo
    from fundament_lib.results.pipeline import prepare

    write_demo(tmp_path / "raw", tmp_path / "processed", DemoConfig(kommuner=("707", "825"), size_factor=0.3))
    prepared = prepare(tmp_path / "processed" / "demo.parquet", params_root=project / "params")
    assert {c: (s["demo"], s["provenance"]["demo"]) for c, s in prepared.summaries.items()} == \
        {"707": (True, True), "825": (True, True)}


# ---- export and explore -------------------------------------------------------------------------------
def test_export_of_a_staff_only_survey_keeps_every_table_and_says_why_some_are_empty(survey, tmp_path, project):
    from fundament_lib.core.atomic import write_parquet
    from fundament_lib.results.export import export

    write_parquet(cut(survey, "staff"), tmp_path / "staff.parquet")
    written = export(tmp_path / "staff.parquet", out=tmp_path / "out", formats=["parquet"],
                     params_root=project / "params")
    roles = pd.read_parquet(written["roles"][0])
    assert roles.empty and {"function", "role", "score"} <= set(roles.columns)
    analyses = pd.read_parquet(written["analyses"][0])
    row = analyses[(analyses["kommunekode"] == "707") & (analyses["analysis"] == "gaps")].iloc[0]
    assert not row["done"] and row["reason"] == "one_group"


def test_explore_on_one_kommunes_forty_respondents_works_or_says_why(survey, tmp_path):
    one = survey[(survey["kommunekode"] == "707") & (survey["wave"] == "2025")]
    people = one.drop_duplicates("respondent_id")
    first = [*people.loc[people["group"] == "stab", "respondent_id"][:8],
             *people.loc[people["group"] == "borgernaer", "respondent_id"][:32]]
    assert len(first) == 40
    ds = explore.load(one[one["respondent_id"].isin(first)], params_root=tmp_path)
    assert explore.distribution(ds, theme="P1.3").table["n"].max() <= 40
    assert not explore.gaps(ds).suppressed
    bench = explore.benchmark(ds, kommune="707")
    assert bench.suppressed and bench.notes == [
        "Data rummer kun denne kommune med viste tal, så der er ingen andre kommuner at sammenligne med."]
    result = psychometrics.analyse(ds.tidy, ds.fw)
    assert result.factors is None
    assert result.skipped["factors"] == ("Faktoranalysen er ikke lavet: den kræver mindst 100 respondenter, og "
                                         "data har 40.")
    assert result.skipped["icc"].startswith("Variansen mellem kommuner (ICC) beregnes kun med mindst 5 kommuner")
    text = html.unescape(str(psychometrics_report.section(result)))
    assert "Faktoranalysen er ikke lavet" in text and "Reliabilitet og item–rest-korrelation" in text


def test_explore_says_a_group_was_not_asked(survey, tmp_path):
    ds = explore.load(cut(survey, "staff"), params_root=tmp_path)
    view = explore.distribution(ds, theme="P1.3", group="borgernaer")
    assert view.suppressed and view.notes == ["Borgernære ledere er ikke spurgt i de valgte data."]
    gap = explore.gaps(ds)
    assert gap.suppressed and "Forskellen mellem grupperne kan derfor ikke vises." in gap.notes[0]


def test_the_role_heatmap_tells_a_hidden_cell_from_one_not_asked(fw):
    from fundament_lib.report.plots import role_heatmap

    cells = pd.DataFrame([{"function": "oko", "role": "kontrol", "n": 12, "score": 40.0},
                          {"function": "oko", "role": "raad", "n": None, "score": None}])
    functions = {"oko": "Økonomi", "jura": "Jura"}
    roles = {"kontrol": "Kontrollere", "raad": "Rådgive"}
    texts = [t.get_text() for t in role_heatmap(cells, functions=functions, roles_order=roles).texts]
    assert texts.count("skjult") == 1 and texts.count("ikke\nspurgt") == 2 and "40\nn = 12" in texts


def test_no_response_rate_above_100_percent_when_the_invited_count_does_not_fit_the_data(survey):
    s = summaries(survey[survey["kommunekode"] == "147"], invited={"stab": 2, "borgernaer": 500})["147"]
    rates = {r["group"]: r["response_rate"] for r in s["quality"]["respondents"]}
    assert rates["stab"] is None and 0 < rates["borgernaer"] < 1
