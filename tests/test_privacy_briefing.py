"""Privacy end to end: a 3-person staff group and hostile free text never reach a reader."""

import json

import pandas as pd
import pytest

from fundament_lib.core.atomic import write_parquet
from fundament_lib.demo import DemoConfig, generate
from fundament_lib.framework import load_framework
from fundament_lib.results.free_text import free_text_section
from fundament_lib.results.tables import national_tables
from fundament_lib.run.batch import run

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
    # The writers (frontline leaders) are hidden with the three-person staff, so none of them is quoted …
    assert s["free_text"]["suppressed"] and s["free_text"]["shown"] == []
    # … and where their group is shown, the same answers are screened before anyone sees them.
    texts = pd.DataFrame({"kommunekode": CODE, "wave": "2025", "group": "borgernaer", "text": HOSTILE,
                          "respondent_id": [f"r{i}" for i in range(len(HOSTILE))]})
    shown = free_text_section(texts, CODE, "2025", 5, seed=1)["shown"]
    assert any("[kode fjernet]" in t for t in shown)  # tags removed
    assert any("[navn fjernet]" in t for t in shown)
    assert any("[e-mail fjernet]" in t for t in shown)


def test_suppression_is_stated_not_silent(rendered):
    html, _, s = rendered
    assert s["suppressed"] and "anonymiteten" in html


def _families(s: dict) -> list[tuple[str, dict | None, dict[str, dict]]]:
    """Every family of cells that add up: (name, parent cell, child label → cell)."""
    fams: dict[tuple[str, str], dict[str, dict]] = {}
    for r in s["scores"]:
        fams.setdefault(("score", r["id"]), {})[r["group"]] = r
    for r in s["items"]:
        fams.setdefault(("item", r["item_id"]), {})[r["group"]] = r
    for r in s["quality"]["respondents"]:
        fams.setdefault(("respondents", ""), {})[r["group"]] = r
    out = [(f"{k[0]} {k[1]}", v.get("alle"), {g: c for g, c in v.items() if g != "alle"}) for k, v in fams.items()]
    # The frontline leaders' fagområder add up to the frontline leaders' cell of the same score.
    fag: dict[str, dict[str, dict]] = {}
    for r in s["subgroups"]["fagomraade"]:
        fag.setdefault(r["id"], {})[r["group"]] = r
    parents = {r["id"]: r for r in s["scores"] if r["group"] == "borgernaer"}
    out += [(f"fagomraade {i}", parents.get(i), kids) for i, kids in fag.items()]
    return out


def _subset_counts(s: dict) -> dict[str, list[tuple[str, int]]]:
    """Every shown count that describes one respondent group or a part of it: group → [(where, count)].

    Besides the plain ``n`` of a group's cells this collects the derived counts: an item's
    n + «ved ikke» + unanswered (everybody the item was put to), a role's n + «ved ikke», the
    ``alle`` cell of a family whose other groups were not asked or are stated to be empty, the
    sum of a score's shown fagområder, the free-text writers and the number of distinct quotes.
    """
    found: dict[str, list[tuple[str, int]]] = {}

    def add(group: str, where: str, *values: object) -> None:
        if all(isinstance(v, int | float) for v in values):
            found.setdefault(group, []).append((where, int(sum(values))))  # type: ignore[arg-type]

    fams: dict[tuple[str, str], dict[str, dict]] = {}
    for r in s["scores"]:
        fams.setdefault(("score", r["id"]), {})[r["group"]] = r
    for r in s["items"]:
        fams.setdefault(("item", r["item_id"]), {})[r["group"]] = r
    for (kind, key), cells in fams.items():
        kids = {g: c for g, c in cells.items() if g != "alle"}
        for g, c in kids.items():
            add(g, f"{kind} {key} n", c["n"])
            if kind == "item":
                add(g, f"{kind} {key} n+ved ikke+ubesvaret", c["n"], c["dont_know"], c["missing"])
            others = [o for o in ("stab", "borgernaer") if o != g]
            alle = cells.get("alle")
            if alle is None:
                continue
            if not any(o in kids for o in others):  # only g was asked: the total is g's
                add(g, f"{kind} {key} alle n", alle["n"])
                if kind == "item":
                    add(g, f"{kind} {key} alle n+ved ikke+ubesvaret", alle["n"], alle["dont_know"], alle["missing"])
            elif all(kids[o]["suppression"] == "empty" for o in others if o in kids):
                add(g, f"{kind} {key} alle n (the rest stated empty)", alle["n"])
    for r in s["roles"]:
        add("borgernaer", f"role {r['function']}.{r['role']} n", r["n"])
        add("borgernaer", f"role {r['function']}.{r['role']} n+ved ikke", r["n"], r["dont_know"])
    for r in s["burden"]["areas"]:
        add("borgernaer", f"burden area {r['area']} n", r["n"])
    if s["burden"]["share"]:
        add("borgernaer", "burden share n", s["burden"]["share"]["n"])
    ft = s["free_text"]
    add("borgernaer", "free-text writers", ft["n"])
    add("borgernaer", "free-text distinct quotes", len(set(ft["shown"])))
    fag: dict[str, int] = {}
    for r in s["subgroups"]["fagomraade"]:
        add("borgernaer", f"fagomraade {r['group']} {r['id']} n", r["n"])
        if r["n"] is not None:
            fag[r["id"]] = fag.get(r["id"], 0) + int(r["n"])
    for i, total in fag.items():
        add("borgernaer", f"fagomraader {i} together", total)
    for r in s["gaps"]:
        add("stab", f"gap {r['id']} n_stab", r["n_stab"])
        add("borgernaer", f"gap {r['id']} n_borgernaer", r["n_borgernaer"])
    for r in s["changes"]:
        if r["group"] != "alle":
            add(r["group"], f"change {r['id']} n_latest", r["n_latest"])
    return found


def _attack(s: dict, min_n: int) -> list[str]:
    """Try to recover a hidden group by arithmetic on what is shown.

    1. Within every family (scores, items, respondent counts, a score's fagområder):
       parent·n − Σ shown children·n = the hidden children together.
    2. Across sections: every count that describes (part of) a group whose respondent count is
       hidden, taken from the total number of respondents, bounds the rest from above — if that
       leaves fewer than ``min_n`` people, the hidden rest is recovered (or nearly: 15 − 11 = 4).
    """
    leaks = []
    for name, parent, kids in _families(s):
        hidden = [g for g, c in kids.items() if c["n"] is None]
        if not parent or parent["n"] is None or not hidden:
            continue
        rest_n = parent["n"] - sum(c["n"] for c in kids.values() if c["n"] is not None)
        if 0 < rest_n < min_n:
            leaks.append(f"{name}: {hidden} recoverable with n = {rest_n}")
    resp = {r["group"]: r for r in s["quality"]["respondents"]}
    total = resp.get("alle", {}).get("n")
    if total is None:
        return leaks
    counts = _subset_counts(s)
    for group, row in resp.items():
        if group == "alle" or row["n"] is not None:
            continue
        for where, c in counts.get(group, []):
            if 0 < total - c < min_n:
                leaks.append(f"{where} = {c} (a part of the hidden {group}): the rest of the {total} "
                             f"respondents is {total - c}")
    return leaks


def test_no_hidden_group_can_be_recomputed_from_shown_totals(rendered):
    _, _, s = rendered
    assert _attack(s, s["min_n"]) == []


@pytest.fixture(scope="module")
def raw_tables(demo_prepared):
    """The demo's tables before privacy (what a careless summary would print)."""
    return national_tables(demo_prepared.tidy, load_framework())


def test_recompute_attack_fails_for_every_demo_kommune(demo_prepared, raw_tables):
    prepared = demo_prepared
    leaks = {code: _attack(s, s["min_n"]) for code, s in prepared.summaries.items()}
    assert {k: v for k, v in leaks.items() if v} == {}
    # The attack looks at every section: in a kommune with nothing hidden it finds counts in each.
    kinds = {where.split(" ")[0] for counts in _subset_counts(prepared.summaries["707"]).values()
             for where, _ in counts}
    assert kinds >= {"score", "item", "role", "burden", "free-text", "fagomraade", "gap"}

    # The attack is real: with only the primary rule (small cells hidden, their complement
    # shown) it recovers the small staff groups.
    small = [code for code, s in prepared.summaries.items()
             if any(r["group"] == "stab" and r["suppression"] == "few" for r in s["scores"])]
    assert small, "the demo has small staff groups to protect"
    primary_only = json.loads(json.dumps(prepared.summaries[small[0]]))
    raw = raw_tables.scores
    raw = raw[(raw["kommunekode"] == small[0]) & (raw["wave"] == primary_only["wave"])].set_index(["id", "group"])
    for r in primary_only["scores"]:
        if r["suppression"] == "complement":
            r["n"] = int(raw.loc[(r["id"], r["group"]), "n"])
    assert _attack(primary_only, primary_only["min_n"])


def _hidden_frontline(summaries: dict) -> list[str]:
    return [code for code, s in summaries.items()
            if any(r["group"] == "borgernaer" and r["suppressed"] for r in s["quality"]["respondents"])]


def test_frontline_only_sections_do_not_give_a_hidden_group_away(demo_prepared, raw_tables):
    """Læsø (825): 4 staff, 11 frontline leaders, both hidden in the respondent counts. No other
    section may print the frontline leaders' count (15 − 11 = 4 staff)."""
    summaries = demo_prepared.summaries
    codes = _hidden_frontline(summaries)
    assert "825" in codes
    for code in codes:
        s = summaries[code]
        assert all(r["n"] is None and r["score"] is None for r in s["roles"])
        assert all(r["n"] is None and r["share"] is None and r["ci_low"] is None for r in s["burden"]["areas"])
        assert s["burden"]["share"]["n"] is None and s["burden"]["share"]["mean"] is None
        assert s["free_text"]["n"] is None and s["free_text"]["n_distinct"] is None
        frontline_only = {r["item_id"] for r in s["items"] if r["item_id"].split(".")[0] in ("ROLE", "BURDEN", "OUT")}
        assert frontline_only
        for r in s["items"]:
            if r["item_id"] in frontline_only or r["group"] == "borgernaer":
                assert r["suppressed"] and r["n"] is None and r["missing"] is None and r["c1"] is None, r
        assert not s["subgroups"]["fagomraade"]  # no breakdown of a hidden group
        reasons = {e["suppression"] for e in s["suppressed"] if e["table"] in ("roles", "burden_areas")}
        assert reasons == {"skjult, så en mindre gruppe ikke kan regnes ud"}

    # Before the fix these sections printed the frontline counts; put them back and the attack
    # recovers the 4 staff members.
    s = json.loads(json.dumps(summaries["825"]))
    roles = raw_tables.roles
    roles = roles[(roles["kommunekode"] == "825") & (roles["wave"] == s["wave"])].set_index(["function", "role"])
    for r in s["roles"]:
        r["n"] = int(roles.loc[(r["function"], r["role"]), "n"])
        r["dont_know"] = float(roles.loc[(r["function"], r["role"]), "dont_know"])
    leaks = _attack(s, s["min_n"])
    assert leaks and all("hidden borgernaer" in x and x.endswith("is 4") for x in leaks), leaks
    items = raw_tables.items
    items = items[(items["kommunekode"] == "825") & (items["wave"] == s["wave"])].set_index(["item_id", "group"])
    s = json.loads(json.dumps(summaries["825"]))
    for r in s["items"]:
        if r["item_id"] == "OUT.1":
            for col in ("n", "dont_know", "missing"):
                r[col] = int(items.loc[(r["item_id"], r["group"]), col])
    assert any("OUT.1 alle n+ved ikke+ubesvaret = 11" in x for x in _attack(s, s["min_n"]))
