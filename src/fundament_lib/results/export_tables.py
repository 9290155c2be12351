"""What the export's tables hold: the briefings' tables for every kommune, and the
confidential respondent-level ones.

The public tables are cut from the per-kommune summaries, so a cell suppressed in a
briefing is suppressed here too (its key and reason kept, never a number); the
respondent-level tables carry :data:`CONFIDENTIAL_PREFIX` in their names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from fundament_lib.analysis.scoring import respondent_scores
from fundament_lib.framework.model import Framework

from .kommune_summary import COLUMNS
from .privacy import reason_text
from .textscreen import screen

__all__ = ["CONFIDENTIAL_PREFIX", "score_tables", "respondent_tables"]

CONFIDENTIAL_PREFIX = "FORTROLIGT_"


def _with_reason(frame: pd.DataFrame, min_n: pd.Series) -> pd.DataFrame:
    text = [reason_text(str(r), int(k)) if isinstance(r, str) else None
            for r, k in zip(frame["suppression"], min_n, strict=True)]
    return frame.assign(suppression_text=text)


def _flatten(summaries: Mapping[str, Mapping[str, Any]], pick: Any, columns: Sequence[str] = ()) -> pd.DataFrame:
    """One long table of every kommune's records; with no record at all (nothing of the kind was
    asked anywhere) the table still has its columns."""
    rows = []
    for code, s in sorted(summaries.items()):
        head = {"kommunekode": code, "kommune": s["kommune"], "wave": s["wave"], "min_n": s["min_n"]}
        rows += [{**head, **r} for r in pick(s)]
    frame = pd.DataFrame(rows, columns=None if rows else ["kommunekode", "kommune", "wave", "min_n", *columns])
    counts = [c for c in frame.columns if c in ("n", "min_n", "dont_know", "missing") or re.fullmatch(r"c\d+", c)]
    return frame.astype(dict.fromkeys(counts, "Int64"))


def score_tables(summaries: Mapping[str, Mapping[str, Any]], fw: Framework) -> dict[str, pd.DataFrame]:
    """The briefings' tables for every kommune, suppression as in the briefings.

    Parameters
    ----------
    summaries
        Kommune code → summary (``Prepared.summaries`` from :func:`fundament_lib.results.pipeline.prepare`).
    fw
        The framework (for labels).

    Returns
    -------
    dict
        ``scores``, ``items``, ``subgroup_scores``, ``gaps``, ``benchmark``, ``changes``,
        ``roles`` and ``burden`` as long tables; hidden cells have ``n`` and every number
        missing, ``suppressed`` true and the reason in ``suppression`` (code) and
        ``suppression_text`` (Danish). Gaps, benchmark positions and changes exist only
        where every cell behind them is shown, as in the briefings.
    """
    titles = {i: t for i, t in [(d.id, d.title) for d in fw.domains] + [(t.id, t.title) for t in fw.themes()]}
    scores = _flatten(summaries, lambda s: s["scores"], COLUMNS["scores"])
    scores.insert(scores.columns.get_loc("id") + 1, "title", scores["id"].map(titles))
    items = _flatten(summaries, lambda s: s["items"], COLUMNS["items"])
    codebook = fw.codebook().set_index("item_id")
    items.insert(items.columns.get_loc("item_id") + 1, "block", items["item_id"].map(codebook["block"]))
    items.insert(items.columns.get_loc("block") + 1, "theme", items["item_id"].map(codebook["theme"]))
    items.insert(items.columns.get_loc("theme") + 1, "text", items["item_id"].map(codebook["text"]))
    sub = _flatten(summaries, lambda s: s["subgroups"]["fagomraade"], COLUMNS["subgroups"]).rename(
        columns={"group": "fagomraade"})
    out = {"scores": scores, "items": items, "subgroup_scores": sub,
           "gaps": _flatten(summaries, lambda s: s["gaps"], COLUMNS["gaps"]),
           "benchmark": _flatten(summaries, lambda s: s["benchmark"], COLUMNS["benchmark"]),
           "changes": _flatten(summaries, lambda s: s["changes"], COLUMNS["changes"]),
           "roles": _flatten(summaries, lambda s: s["roles"], COLUMNS["roles"]),
           "burden": _flatten(summaries, lambda s: s["burden"]["areas"], COLUMNS["burden_areas"]),
           "scales": _flatten(summaries, lambda s: [{**r, "points": ",".join(map(str, r["points"]))}
                                                   for r in s.get("scales", [])], ["id", "points", "framework_points"]),
           "analyses": _flatten(summaries, lambda s: [{"analysis": k, **v} for k, v in s.get("analyses", {}).items()],
                                ["analysis", "done", "reason", "text"])}
    return {name: _with_reason(t, t["min_n"]) if "suppression" in t else t for name, t in out.items()}


def respondent_tables(tidy: pd.DataFrame, fw: Framework) -> dict[str, pd.DataFrame]:
    """The confidential respondent-level tables: the tidy answers with free text screened,
    and every respondent's scores."""
    answers = tidy.copy()
    for col in answers.columns:
        if isinstance(answers[col].dtype, pd.CategoricalDtype):
            answers[col] = answers[col].astype(object).where(answers[col].notna(), None)
    if "text" in answers.columns:
        answers["text"] = answers["text"].map(lambda t: screen(t).text if isinstance(t, str) else t)
    scores = respondent_scores(tidy, fw).reset_index()
    return {f"{CONFIDENTIAL_PREFIX}svar_pr_respondent": answers,
            f"{CONFIDENTIAL_PREFIX}scorer_pr_respondent": scores}
