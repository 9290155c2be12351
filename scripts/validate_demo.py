"""How well the analysis finds what the demo planted — the numbers behind tests/test_priority_demo.py.

    .venv/bin/python scripts/validate_demo.py

Prints, over the demo data (``fundament demo`` first): how often each kommune's planted weakest
theme is among its three priorities, how often a planted decoy (low score, low stated
importance) comes first, how often the scores find the planted strongest and weakest theme, and
whether the kommuner with a planted local driver (and only they) have it picked up as their own
(own weight ≥ ½, shrunk correlation above the national one) and cited as local in their reasons.
"""

from __future__ import annotations

import json

from fundament_lib.analysis.scoring import respondent_scores
from fundament_lib.core.paths import demo_data_path
from fundament_lib.demo import local_pickups
from fundament_lib.framework import load_framework
from fundament_lib.results.pipeline import Prepared, prepare
from fundament_lib.results.tables import local_driver_table, outcome_scores


def main() -> None:
    planted = json.loads((demo_data_path().parent / "demo_planted_effects.json").read_text(encoding="utf-8"))
    prepared = prepare()
    second = set(planted["second_wave"]["kommuner"])  # the demo improves the weakest theme there
    top3 = decoy_first = n_weak = n_decoy = lowest = highest = 0
    for code, info in planted["kommuner"].items():
        s = prepared.summaries[code]
        themes = [p["theme"] for p in s["priority"]["priorities"]]
        if "weakest" in info and code not in second:
            n_weak += 1
            top3 += info["weakest"] in themes[:3]
            scores = {r["id"]: r["score"] for r in s["scores"]
                      if r["group"] == "alle" and r["level"] == "theme" and r["score"] is not None}
            lowest += min(scores, key=scores.__getitem__) == info["weakest"]
            highest += max(scores, key=scores.__getitem__) == info["strongest"]
        if "decoy" in info:
            n_decoy += 1
            decoy_first += themes[:1] == [info["decoy"]]
    print(f"planted weakest theme among the 3 priorities: {top3}/{n_weak} = {top3 / n_weak:.1%}")
    print(f"planted decoy ranked first:                   {decoy_first}/{n_decoy}")
    print(f"lowest 'alle' theme score = planted weakest:  {lowest}/{n_weak}")
    print(f"highest 'alle' theme score = planted strongest: {highest}/{n_weak}")
    _local(planted, prepared)


def _local(planted: dict, prepared: Prepared) -> None:
    """The planted local drivers: found as the kommune's own, nowhere else, and cited as local."""
    local = planted.get("local_drivers") or {}
    if not local:
        return
    fw = load_framework(planted["framework"])
    table = local_driver_table(respondent_scores(prepared.tidy, fw), outcome_scores(prepared.tidy, fw), fw)
    for theme in sorted({x["theme"] for x in local.values()}):
        mine = {c for c, x in local.items() if x["theme"] == theme}
        found = local_pickups(table, theme)
        reasons = {c: next((p["reason"] for p in s["priority"]["priorities"] if p["theme"] == theme), None)
                   for c, s in prepared.summaries.items()}
        own_link = {c for c, r in reasons.items() if r and "blandt kommunens egne borgernære ledere" in r}
        print(f"local driver {theme} picked up as the kommune's own: {len(found & mine)}/{len(mine)} planted, "
              f"{len(found - mine)}/{len(table['kommunekode'].unique()) - len(mine)} others")
        print(f"  a priority in {sum(reasons[c] is not None for c in mine)}/{len(mine)} planted kommuner; "
              f"its reason cites the kommune's own link in {len(own_link & mine)} of them and in "
              f"{len(own_link - mine)} other kommuner")

if __name__ == "__main__":
    main()
