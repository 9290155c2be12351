"""Privacy end to end: a 3-person staff group and hostile free text never reach a reader."""

import json

import pytest

from fundament_lib.atomic import write_parquet
from fundament_lib.batch import run
from fundament_lib.demo import DemoConfig, generate
from fundament_lib.framework import load_framework
from fundament_lib.tables import national_tables

pytestmark = pytest.mark.slow
CODE = "707"
HOSTILE = [
    "<script>alert('x')</script> Systemet er langsomt.",
    "Ring til Mette Jensen, hun kender systemet.",
    "Skriv til hemmelig.person@kommune.dk om adgang.",
    "Dobbeltregistrering tager tid <img src=x onerror=alert(1)>.",
    "Indkøb tager for lang tid.",
    "Rengøring koordineres af mig.",
]


@pytest.fixture(scope="module")
def small_group_data(tmp_path_factory, project):
    survey = generate(DemoConfig(kommuner=("707", "101", "751", "825", "461"), seed=99))
    tidy = survey.tidy
    latest = (tidy["kommunekode"] == CODE) & (tidy["wave"] == tidy.loc[tidy["kommunekode"] == CODE, "wave"].max())
    staff = sorted(tidy.loc[latest & (tidy["group"] == "stab"), "respondent_id"].unique())
    tidy = tidy[~tidy["respondent_id"].isin(staff[3:])].copy()  # three staff respondents left
    latest = (tidy["kommunekode"] == CODE) & (tidy["wave"] == tidy.loc[tidy["kommunekode"] == CODE, "wave"].max())
    frontline = tidy.loc[latest & (tidy["group"] == "borgernaer"), "respondent_id"].unique()[: len(HOSTILE)]
    texts = tidy["item_id"].eq("BURDEN.text")
    tidy.loc[texts & tidy["kommunekode"].eq(CODE), ["status", "text"]] = ["ubesvaret", None]
    for rid, text in zip(frontline, HOSTILE, strict=True):
        row = texts & tidy["respondent_id"].eq(rid)
        tidy.loc[row, ["status", "text"]] = ["svar", text]
    path = tmp_path_factory.mktemp("privacy") / "data.parquet"
    write_parquet(tidy, path)
    return path


@pytest.fixture(scope="module")
def rendered(small_group_data, project, tmp_path_factory):
    out = tmp_path_factory.mktemp("privacy_out")
    report = run(small_group_data, kommuner=[CODE], out=out, workers=1, params=project / "params",
                 notebook=project / "notebooks" / "kommune_briefing.ipynb")
    assert [o.status for o in report.outcomes] == ["ok"], report.outcomes
    html = (out / CODE / "briefing.html").read_text(encoding="utf-8")
    summary_text = (out / CODE / "summary.json").read_text(encoding="utf-8")
    return html, summary_text, json.loads(summary_text)


def test_three_person_staff_group_is_hidden_with_its_complement(rendered):
    _, _, s = rendered
    staff = [r for r in s["scores"] if r["group"] == "stab"]
    assert staff and all(r["score"] is None and r["n"] is None for r in staff)
    by_id: dict[str, dict[str, dict]] = {}
    for r in s["scores"]:
        by_id.setdefault(r["id"], {})[r["group"]] = r
    for cells in by_id.values():
        assert cells["alle"]["score"] is None or cells["borgernaer"]["score"] is None
    resp = {r["group"]: r for r in s["quality"]["respondents"]}
    assert resp["stab"]["n"] is None and (resp["alle"]["n"] is None or resp["borgernaer"]["n"] is None)


def test_hostile_free_text_is_screened_and_escaped(rendered):
    html, summary_text, s = rendered
    for needle in ("<script>alert", "onerror=alert", "Mette Jensen", "hemmelig.person@kommune.dk", "Mette"):
        assert needle not in html and needle not in summary_text, needle
    assert any("[kode fjernet]" in t for t in s["free_text"]["shown"])  # tags removed before anyone sees them
    assert any("[navn fjernet]" in t for t in s["free_text"]["shown"])
    assert any("[e-mail fjernet]" in t for t in s["free_text"]["shown"])


def test_suppression_is_stated_not_silent(rendered):
    html, _, s = rendered
    assert s["suppressed"] and "anonymiteten" in html


def _families(s: dict) -> list[tuple[str, dict[str, dict]]]:
    fams: dict[tuple[str, str], dict[str, dict]] = {}
    for r in s["scores"]:
        fams.setdefault(("score", r["id"]), {})[r["group"]] = {"n": r["n"], "value": r["score"]}
    for r in s["items"]:
        fams.setdefault(("item", r["item_id"]), {})[r["group"]] = {"n": r["n"], "value": r["score"]}
    for r in s["quality"]["respondents"]:
        fams.setdefault(("respondents", ""), {})[r["group"]] = {"n": r["n"], "value": 0.0}
    return [(f"{k[0]} {k[1]}", v) for k, v in fams.items()]


def _attack(s: dict, min_n: int) -> list[str]:
    """Try alle·n·mean − Σ shown children·n·mean for every family: what can be recovered?"""
    leaks = []
    for name, cells in _families(s):
        alle = cells.get("alle")
        kids = {g: c for g, c in cells.items() if g != "alle"}
        hidden = [g for g, c in kids.items() if c["n"] is None]
        if not alle or alle["n"] is None or not hidden:
            continue
        rest_n = alle["n"] - sum(c["n"] for c in kids.values() if c["n"] is not None)
        if 0 < rest_n < min_n:
            leaks.append(f"{name}: {hidden} recoverable with n = {rest_n}")
    return leaks


def test_no_hidden_group_can_be_recomputed_from_shown_totals(rendered):
    _, _, s = rendered
    assert _attack(s, s["min_n"]) == []


def test_recompute_attack_fails_for_every_demo_kommune(demo_prepared):
    prepared = demo_prepared
    leaks = {code: _attack(s, s["min_n"]) for code, s in prepared.summaries.items()}
    assert {k: v for k, v in leaks.items() if v} == {}

    # The attack is real: with only the primary rule (small cells hidden, their complement
    # shown) it recovers the small staff groups.
    small = [code for code, s in prepared.summaries.items()
             if any(r["group"] == "stab" and r["suppression"] == "few" for r in s["scores"])]
    assert small, "the demo has small staff groups to protect"
    primary_only = json.loads(json.dumps(prepared.summaries[small[0]]))
    raw = national_tables(prepared.tidy, load_framework()).scores
    raw = raw[(raw["kommunekode"] == small[0]) & (raw["wave"] == primary_only["wave"])].set_index(["id", "group"])
    for r in primary_only["scores"]:
        if r["suppression"] == "complement":
            r["n"] = int(raw.loc[(r["id"], r["group"]), "n"])
    assert _attack(primary_only, primary_only["min_n"])
