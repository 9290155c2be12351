"""Privacy across sections: a group hidden in the respondent counts stays hidden in every other
section (roles, burden, items, fagområder, free text), and free text is counted truthfully."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import REPO
from fundament_lib.core.params import load_params
from fundament_lib.demo import DemoConfig, generate
from fundament_lib.results.free_text import MAX_FREE_TEXTS, free_text_section
from fundament_lib.results.summary import build_summaries
from fundament_lib.results.textscreen import screen
from test_privacy_briefing import _attack

SMALL = "825"  # Læsø: a handful of staff, so staff and frontline leaders are both hidden
OTHER = "707"


# ---- free text -------------------------------------------------------------------------------

def _texts(texts: list[str], group: str = "borgernaer") -> pd.DataFrame:
    return pd.DataFrame({"kommunekode": "707", "wave": "2025", "group": group,
                         "respondent_id": [f"r{i}" for i in range(len(texts))], "item_id": "BURDEN.text",
                         "text": texts})


def test_free_text_shows_distinct_examples_and_true_counts():
    texts = (["Indkøb tager tid."] * 6 + ["Ring til Mette Jensen.", "Ring til Karin Holm.", "ring til  Mette Jensen."]
             + [f"Eksempel nummer {w}." for w in ("et", "to", "tre", "fire", "fem", "seks", "syv", "otte")])
    ft = free_text_section(_texts(texts), "707", "2025", 5, seed=1)
    assert ft["n"] == len(texts) == 17  # the people who wrote
    # the three phone-me texts read alike once the names are gone: one example
    assert ft["n_distinct"] == 1 + 1 + 8
    assert len(ft["shown"]) == MAX_FREE_TEXTS and len(set(ft["shown"])) == len(ft["shown"])
    assert all("Mette" not in t and "Karin" not in t for t in ft["shown"])
    # counted over the shown examples (one name in the phone-me example, if it is shown), not over all
    assert ft["removed"] == ({"navn": 1} if "Ring til [navn fjernet]." in ft["shown"] else {})
    assert free_text_section(_texts(texts), "707", "2025", 5, seed=1) == ft  # seeded: the same selection again


def test_free_text_with_fewer_distinct_examples_than_the_cap_shows_them_all_once():
    ft = free_text_section(_texts(["Indkøb tager tid."] * 12 + ["It virker ikke."] * 8), "707", "2025", 5, seed=3)
    assert ft["n"] == 20 and ft["n_distinct"] == 2 and sorted(ft["shown"]) == ["Indkøb tager tid.", "It virker ikke."]


def test_free_text_needs_min_n_writers():
    ft = free_text_section(_texts(["a", "b", "c", "d"]), "707", "2025", 5, seed=1)
    assert ft["suppressed"] and ft["shown"] == [] and ft["n"] is None and ft["n_distinct"] is None


def test_free_text_of_a_hidden_group_withholds_its_counts_and_its_quotes():
    texts = [f"Eksempel {i}." for i in range(8)]
    ft = free_text_section(_texts(texts), "707", "2025", 5, seed=1, hidden={"borgernaer": "complement", "stab": "few"},
                    total=12)
    assert ft["suppressed"] and ft["n"] is None and ft["n_distinct"] is None
    assert ft["shown"] == [] and ft["suppression"]  # the briefing hides the group, so it does not quote it
    tiny = free_text_section(_texts(texts[:5]), "707", "2025", 5, seed=1, hidden={"borgernaer": "complement"}, total=9)
    assert tiny["shown"] == [] and tiny["n"] is None
    # a group that is shown keeps its counts
    shown = free_text_section(_texts(texts), "707", "2025", 5, seed=1, hidden={"stab": "few"}, total=12)
    assert shown["n"] == 8 and len(shown["shown"]) == 8


def test_screening_covers_email_phone_cpr_and_names():
    out = screen("Mette Jensen (cpr 010203-1234, tlf +45 12 34 56 78, mj@x.dk) og Kommunaldirektør Lauritsen. "
                 "Spørg hans sekretær per mail, eller jens.")
    assert "Mette" not in out.text and "Jensen" not in out.text and "Lauritsen" not in out.text
    assert "1234" not in out.text and "12 34" not in out.text and "@" not in out.text and "jens" not in out.text
    assert sorted(set(out.removed)) == ["cpr", "e-mail", "navn", "telefon"]
    assert "hans sekretær per mail" in out.text  # ordinary words that are also first names stay
    assert screen("Leder: Jens-Peter Hansen svarer.").text == "Leder: [navn fjernet] svarer."
    assert screen("spørg mette jensen").text == "spørg [navn fjernet]"
    assert screen("Prisen er høj, og Økonomi svarer sent.").removed == []


# ---- every section follows the respondent counts -------------------------------------------------

@pytest.fixture(scope="module")
def summaries() -> dict[str, dict]:
    """Three demo kommuner; in Læsø nobody on the staff answered theme P1.1 (so the staff's
    P1.1 cell is empty and ``alle`` there counts the frontline leaders alone)."""
    tidy = generate(DemoConfig(kommuner=(SMALL, OTHER, "101"))).tidy.copy()
    wave = tidy.loc[tidy["kommunekode"] == SMALL, "wave"].max()
    staff = (tidy["kommunekode"] == SMALL) & (tidy["wave"] == wave) & (tidy["group"] == "stab")
    n_staff = tidy.loc[staff, "respondent_id"].nunique()
    assert 0 < n_staff < 5, n_staff
    p11 = staff & tidy["item_id"].str.startswith("P1.1.")
    tidy.loc[p11, "status"] = "ubesvaret"
    tidy.loc[p11, "value"] = float("nan")
    params = {c: load_params(REPO / "params", c, demo=True) for c in (SMALL, OTHER, "101")}
    built = build_summaries(tidy, params, data_id="test")
    return json.loads(json.dumps(built.kommuner))


def test_no_section_gives_a_hidden_group_away(summaries):
    assert {c: _attack(s, s["min_n"]) for c, s in summaries.items()} == {c: [] for c in summaries}


def test_a_hidden_group_is_hidden_with_one_reason_everywhere(summaries):
    s = summaries[SMALL]
    resp = {r["group"]: r["suppression"] for r in s["quality"]["respondents"]}
    assert resp == {"alle": None, "stab": "few", "borgernaer": "complement"}
    for r in s["scores"] + s["items"] + s["quality"]["missingness"]:
        if r["group"] in ("stab", "borgernaer"):
            assert r["suppressed"] and r["suppression"] == resp[r["group"]], r
    # the empty staff cell does not say so: that would make alle = frontline leaders
    p11 = {r["group"]: r for r in s["scores"] if r["id"] == "P1.1"}
    assert p11["stab"]["suppression"] == "few" and p11["alle"]["n"] is not None
    for r in s["roles"] + s["burden"]["areas"] + [s["burden"]["share"]]:
        assert r["suppressed"] and r["suppression"] == "complement" and r["n"] is None
    for r in s["items"]:
        if r["item_id"].split(".")[0] in ("ROLE", "BURDEN", "OUT"):  # put to frontline leaders only
            assert r["suppressed"] and r["n"] is None and r["dont_know"] is None and r["missing"] is None, r
    assert s["subgroups"]["fagomraade"] == []
    assert s["free_text"]["n"] is None and s["free_text"]["n_distinct"] is None


def test_kommuner_with_both_groups_shown_keep_every_section(summaries):
    s = summaries[OTHER]
    assert not any(r["suppressed"] for r in s["quality"]["respondents"])
    assert all(r["n"] is not None for r in s["roles"]) and s["burden"]["share"]["n"] is not None
    assert all(not r["suppressed"] for r in s["items"] if r["item_id"] == "OUT.1")
    assert s["subgroups"]["fagomraade"] and s["free_text"]["n"] is not None
    assert s["free_text"]["n"] >= s["free_text"]["n_distinct"] >= len(s["free_text"]["shown"])



def test_compound_words_that_start_with_a_first_name_are_not_names():
    from fundament_lib.results.textscreen import screen

    assert screen("Bo-tilbuddet mangler hjælp").text == "Bo-tilbuddet mangler hjælp"
    assert screen("Line-ledelsen er presset").text == "Line-ledelsen er presset"
    assert "Jens-Peter" not in screen("Ring til Jens-Peter Hansen om lønnen").text
    assert "Bo" not in screen("Spørg Bo om det").text


@pytest.mark.parametrize("text", [
    "Per ansat bruger vi 2 timer",
    "Hans indsats i HR har været god.",
    "Vi afventer vejledning fra Sundhedsstyrelsen.",
    "Godt samarbejde\nLedelsen er presset",
    "- Processen tager for lang tid",
    "(Ledelsen er presset)",
    "Det er som nissen på loftet",
    "Skoleåret 2024-2025 var hårdt",
])
def test_ordinary_danish_is_left_as_written(text):
    from fundament_lib.results.textscreen import screen

    assert screen(text).text == text.strip()


@pytest.mark.parametrize(("text", "gone"), [
    ("Hans Jensen hjalp", "Hans"),
    ("Jeg talte med Per i går", "Per"),
    ("Vi talte med Karlsen om det", "Karlsen"),
    ("Ring 23 45 67 89", "23 45"),
    ("Vi ringede til Pedersen og Mikkelsen", "Mikkelsen"),
])
def test_names_and_numbers_are_still_removed(text, gone):
    from fundament_lib.results.textscreen import screen

    assert gone not in screen(text).text
