"""How well the analysis finds what the demo planted — the numbers behind tests/test_priority_demo.py.

    .venv/bin/python scripts/validate_demo.py

Prints, over the demo data (``fundament demo`` first): how often each kommune's planted weakest
theme is among its three priorities, how often a planted decoy (low score, low stated
importance) comes first, and how often the scores find the planted strongest and weakest theme.
"""

from __future__ import annotations

import json

from fundament_lib.paths import demo_data_path
from fundament_lib.pipeline import prepare


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


if __name__ == "__main__":
    main()
