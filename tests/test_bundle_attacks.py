"""Can one kommune's bundle tie a value to another kommune? Attacks on all 98 demo kommuner.

The attacker holds one kommune's ``summary.json`` — as its bundle carries it — and the public
list of kommuner (codes, names, regions, kommunegrupper, population:
``src/fundament_lib/data/kommuner.csv``). An attack *attaches* a value when it claims, for a
reason it can check on the kommune's own values, that kommune K scores v on score id j; the
claims are then compared with the truth (K's own summary). Four attacks, as issue 18 lists them:

* **position** and **sorting**: the i-th value of an id is the i-th kommune in a public order
  (code, name, population, region, kommunegruppe) — checked on the kommune's own value;
* **linking ids**: the values sit at one index per kommune across ids — checked on the own
  values — so one published score of K (its P1, say) gives K's other scores;
* **rank tables and region/kommunegruppe counts**: the own ranks in the region and the
  kommunegruppe and the bench-learning counts say how many of those kommuner score higher; where
  the counts leave K only one possible value, it is attached.

The same attacks run on the ``national`` field as main (c5ce6d6) built it — every kommune's
records in code order, others' codes blanked — and there they attach every value.
Summaries are built once per session (``demo_prepared``); no notebook runs here.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest

from fundament_lib.core.kommuner import danish_sort_key, kommuner
from fundament_lib.core.sharing import shown_value

pytestmark = pytest.mark.slow

REF = kommuner()
REGION, GROUP = REF["region"].to_dict(), REF["kommunegruppe"].to_dict()
Claim = tuple[str, str, float]  # (kommune, score id, value)
Views = dict[str, list[tuple[float, bool]]]  # id → the values as stored, each marked whether it is the own value


# ---- what the attacker reads -----------------------------------------------------------------------
def today_national(summaries: dict[str, dict[str, Any]], code: str) -> dict[str, Any]:
    """The ``national`` field as main built it (summary._national_view at c5ce6d6): every kommune's
    shown ``alle`` scores, kommune by kommune in code order, other kommuners' codes blanked."""
    rows = [{"kommunekode": c if c == code else "", "id": r["id"], "score": r["score"]}
            for c in sorted(summaries) for r in summaries[c]["scores"] if r["group"] == "alle" and not r["suppressed"]]
    return {"n_kommuner": len(summaries), "scores": rows}


def stored_values(national: dict[str, Any]) -> Views:
    """Per id, the values in the order the field stores them, the own one marked. In today's field
    the own record sits among the others; in the anonymous field it stands apart, and the attacker
    puts it where it would stand in the stored order."""
    views: Views = {}
    rows = national["scores"]
    if rows and "kommunekode" in rows[0]:  # today's records
        for r in rows:
            views.setdefault(r["id"], []).append((r["score"], r["kommunekode"] != ""))
        return views
    for r in rows:
        values = [(float(v), False) for v in r["others"]]
        if r["own"] is not None:
            values.insert(bisect.bisect([v for v, _ in values], r["own"]), (float(r["own"]), True))
        views[r["id"]] = values
    return views


@cache
def public_orders() -> dict[str, list[str]]:
    """Orders of the kommuner anyone can make from the public list."""
    codes = list(REF.index)
    name, people = REF["navn"].to_dict(), REF["indbyggere_2020"].to_dict()
    return {
        "kode": sorted(codes),
        "navn": sorted(codes, key=lambda c: danish_sort_key(name[c])),
        "indbyggere, flest først": sorted(codes, key=lambda c: -people[c]),
        "indbyggere, færrest først": sorted(codes, key=lambda c: people[c]),
        "region": sorted(codes, key=lambda c: (REGION[c], c)),
        "kommunegruppe": sorted(codes, key=lambda c: (GROUP[c], c)),
    }


# ---- the attacks -------------------------------------------------------------------------------------
def by_position(s: dict[str, Any], national: dict[str, Any]) -> Iterator[Claim]:
    """The i-th value is the i-th kommune of a public order, if the own value sits at the own place."""
    views = stored_values(national)
    for order in public_orders().values():  # every kommune is in the data (n_kommuner = 98)
        aligned = {sid: vals for sid, vals in views.items() if len(vals) == len(order)}
        mine = order.index(s["kommunekode"])
        if aligned and all(vals[mine][1] for vals in aligned.values()):
            for sid, vals in aligned.items():
                yield from ((order[i], sid, v) for i, (v, own) in enumerate(vals) if not own)


def by_linking_ids(s: dict[str, Any], national: dict[str, Any], published: dict[str, float], *,
                   first: str = "P1") -> Iterator[Claim]:
    """Follow a kommune across ids by its index, if the own values share one index in every id that
    lists all kommuner; name it by one published score (``published``: kommune → its score on ``first``)."""
    views = stored_values(national)
    longest = max(len(v) for v in views.values())
    full = [sid for sid, v in views.items() if len(v) == longest]
    mine = {i for sid in full for i, (_, own) in enumerate(views[sid]) if own}
    if first not in full or len(full) < 2 or len(mine) != 1:
        return
    for code, value in published.items():
        hits = [i for i, (v, own) in enumerate(views[first]) if not own and _same(v, value)]
        if len(hits) == 1:
            yield from ((code, sid, views[sid][hits[0]][0]) for sid in full if sid != first)


def by_rank_tables(s: dict[str, Any], national: dict[str, Any]) -> Iterator[Claim]:
    """Deduce from the own ranks (all, region, kommunegruppe) and the bench-learning counts which
    values a kommune of the own region or kommunegruppe can have; attach where one value is left."""
    for code, sid, candidates in candidate_values(s, national):
        if len(set(candidates)) == 1:
            yield code, sid, candidates[0]


def candidate_values(s: dict[str, Any], national: dict[str, Any]) -> Iterator[tuple[str, str, list[float]]]:
    """For each id with a national rank and each other kommune of the own region or kommunegruppe:
    the values it can have, given what the summary says about how many of them score higher."""
    own = s["kommunekode"]
    views = stored_values(national)
    mine = {r["id"]: r for r in s["scores"] if r["group"] == "alle" and r["score"] is not None}
    clearly = {p["theme"]: p["benchlearning"] for p in s["priority"]["priorities"] if p.get("benchlearning")}
    for b in s["benchmark"]:
        sid = b["id"]
        if b["rank"] is None or sid not in views or sid not in mine:
            continue
        values = sorted(v for v, is_own in views[sid] if not is_own)
        if len(values) != len(REF) - 1:  # a kommune is hidden on this id: the counts cannot be placed
            continue
        above = values[len(values) - (b["rank"] - 1):] if b["rank"] > 1 else []
        below = values[:len(values) - len(above)]
        cells = _cells(own)
        a_region = None if b["rank_region"] is None else b["rank_region"] - 1
        a_group = None if b["rank_kommunegruppe"] is None else b["rank_kommunegruppe"] - 1
        sides = _feasible_sides(cells, len(above), a_region, a_group)
        limit = _clearly_higher_limit(clearly.get(sid), cells, mine[sid])
        for cell, members in cells.items():
            if cell == "rest":
                continue
            can_above, can_below = sides[cell]
            options = (above if can_above else []) + (below if can_below else [])
            if limit.get(cell) is not None:
                options = [v for v in options if v >= limit[cell]]
            for code in members:
                yield code, sid, options


@cache
def _cells(own: str) -> dict[str, list[str]]:
    """The other kommuner by whether they share the own region and kommunegruppe."""
    cells: dict[str, list[str]] = {"both": [], "region": [], "group": [], "rest": []}
    for c in REGION:
        if c == own:
            continue
        in_r, in_g = REGION[c] == REGION[own], GROUP[c] == GROUP[own]
        cells["both" if in_r and in_g else "region" if in_r else "group" if in_g else "rest"].append(c)
    return cells


def _feasible_sides(cells: dict[str, list[str]], n_above: int, a_region: int | None, a_group: int | None
                    ) -> dict[str, tuple[bool, bool]]:
    """Per cell, whether some of its kommuner can score above the own kommune, and whether some can
    score below, over every split of the counts the summary allows."""
    n = {k: len(v) for k, v in cells.items()}
    seen: dict[str, set[bool]] = {k: set() for k in n}
    for x_both in range(n["both"] + 1):
        for x_region in ([a_region - x_both] if a_region is not None else range(n["region"] + 1)):
            for x_group in ([a_group - x_both] if a_group is not None else range(n["group"] + 1)):
                x_rest = n_above - x_both - x_region - x_group
                x = {"both": x_both, "region": x_region, "group": x_group, "rest": x_rest}
                if all(0 <= x[k] <= n[k] for k in n):
                    for k in n:
                        seen[k] |= {True} if x[k] > 0 else set()
                        seen[k] |= {False} if x[k] < n[k] else set()
    return {k: (True in v, False in v) for k, v in seen.items()}


def _clearly_higher_limit(b: dict[str, Any] | None, cells: dict[str, list[str]], mine: dict[str, Any]
                          ) -> dict[str, float]:
    """Where every kommune of the own kommunegruppe (or region) scores clearly higher, each of them
    scores above the own interval: the lowest value it can show."""
    if not b or mine.get("ci_high") is None:
        return {}
    floor = float(shown_value(mine["ci_high"]) or 0)
    out = {}
    if b.get("same_group") is not None and b["same_group"] == len(cells["both"]) + len(cells["group"]):
        out.update(both=floor, group=floor)
    if b.get("same_region") is not None and b["same_region"] == len(cells["both"]) + len(cells["region"]):
        out.update(both=floor, region=floor)
    return out


def _same(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


# ---- the test ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def summaries(demo_prepared) -> dict[str, dict[str, Any]]:
    assert len(demo_prepared.summaries) == 98
    return demo_prepared.summaries


def _truth(summaries: dict[str, dict[str, Any]], anonymous: bool) -> dict[tuple[str, str], float]:
    """Every kommune's shown ``alle`` score per id, as the field shows it (rounded, or to 4 decimals)."""
    return {(c, r["id"]): float(shown_value(r["score"])) if anonymous else r["score"]
            for c, s in summaries.items() for r in s["scores"]
            if r["group"] == "alle" and not r["suppressed"] and r["score"] is not None}


def _attached(claims: Iterator[Claim], truth: dict[tuple[str, str], float], own: str) -> set[tuple[str, str]]:
    """The (kommune, id) pairs a set of claims got right about another kommune."""
    return {(c, sid) for c, sid, v in claims if c != own and (c, sid) in truth and _same(truth[(c, sid)], v)}


def _attacks(summaries: dict[str, dict[str, Any]], anonymous: bool) -> dict[str, Callable[..., Iterator[Claim]]]:
    truth = _truth(summaries, anonymous)
    published = {c: v for (c, sid), v in truth.items() if sid == "P1"}  # one score per kommune made public
    return {
        "position/sorting": by_position,
        "linking ids": lambda s, nat: by_linking_ids(s, nat, {c: v for c, v in published.items()
                                                               if c != s["kommunekode"]}),
        "rank tables and counts": by_rank_tables,
    }


def test_no_attack_attaches_a_value_to_another_kommune_from_any_bundle(summaries):
    truth = _truth(summaries, anonymous=True)
    attacks = _attacks(summaries, anonymous=True)
    for code, s in summaries.items():
        for name, attack in attacks.items():
            got = _attached(attack(s, s["national"]), truth, code)
            assert not got, f"{name} attaches {sorted(got)[:3]} from {code}'s bundle"


def test_counts_leave_every_other_kommune_at_least_min_n_possible_places(summaries):
    """Stronger than "not one value": what the ranks and counts say about a kommune of the own
    region or kommunegruppe leaves it at least ``min_n`` places among the others' values."""
    narrowest = min((len(options), code, sid, k) for code, s in summaries.items()
                    for k, sid, options in candidate_values(s, s["national"]))
    assert narrowest[0] >= 5, narrowest


def test_the_same_attacks_attach_every_value_in_todays_summary(summaries):
    truth = _truth(summaries, anonymous=False)
    attacks = _attacks(summaries, anonymous=False)
    for code, s in summaries.items():
        today = today_national(summaries, code)
        got = _attached(attacks["position/sorting"](s, today), truth, code)
        assert len(got) == len(truth) - sum(1 for c, _ in truth if c == code), code  # every other kommune's value
        linked = _attached(attacks["linking ids"](s, today), truth, code)
        assert linked, code


def _strings(obj: Any) -> Iterator[str]:
    """Every string in a JSON document, keys included."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)
    elif isinstance(obj, str):
        yield obj


def test_no_summary_names_or_codes_another_kommune(summaries):
    """No demo kommune has ``share_names``, so no summary may name or code another kommune."""
    names, codes = set(REF["navn"]), set(REF.index)
    for code, s in summaries.items():
        assert not s["provenance"]["parameters"]["share_names"]
        texts = list(_strings(s))
        words = set(re.findall(r"[A-ZÆØÅ][\wæøåÆØÅ-]*", "\n".join(texts)))  # capitalised words, hyphenated whole
        found = {w.removesuffix("s") if w not in names else w for w in words} & names - {REF.loc[code, "navn"]}
        coded = {text for text in texts if text in codes and text != code}
        assert not found and not coded, (code, found, coded)
